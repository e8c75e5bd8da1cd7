/// A request method (RFC 3261 §7.1, §27.4). Methods are case-sensitive: `invite` is an
/// extension method, not INVITE.
public enum SIPMethod: Hashable, Sendable, CustomStringConvertible {
    case invite, ack, bye, cancel, options, register, update, prack, info, message, notify, subscribe, refer
    case other(String)

    public init(_ text: String) {
        switch text {
        case "INVITE": self = .invite
        case "ACK": self = .ack
        case "BYE": self = .bye
        case "CANCEL": self = .cancel
        case "OPTIONS": self = .options
        case "REGISTER": self = .register
        case "UPDATE": self = .update
        case "PRACK": self = .prack
        case "INFO": self = .info
        case "MESSAGE": self = .message
        case "NOTIFY": self = .notify
        case "SUBSCRIBE": self = .subscribe
        case "REFER": self = .refer
        default: self = .other(text)
        }
    }

    public var name: String {
        switch self {
        case .invite: "INVITE"
        case .ack: "ACK"
        case .bye: "BYE"
        case .cancel: "CANCEL"
        case .options: "OPTIONS"
        case .register: "REGISTER"
        case .update: "UPDATE"
        case .prack: "PRACK"
        case .info: "INFO"
        case .message: "MESSAGE"
        case .notify: "NOTIFY"
        case .subscribe: "SUBSCRIBE"
        case .refer: "REFER"
        case .other(let s): s
        }
    }

    public var description: String { name }

    /// `.other("INVITE")` and `.invite` are the same method; compare by name.
    public static func == (a: SIPMethod, b: SIPMethod) -> Bool { a.name == b.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }
}
