/// The direction flag attributes `a=sendrecv`, `a=sendonly`, `a=recvonly`, `a=inactive`
/// (RFC 8866 §6.7), from the point of view of the description's author.
public enum MediaDirection: String, Hashable, Sendable, CaseIterable {
    case sendrecv, sendonly, recvonly, inactive

    /// The direction seen from the other side: sendonly <-> recvonly.
    public var reversed: MediaDirection {
        switch self {
        case .sendonly: .recvonly
        case .recvonly: .sendonly
        case .sendrecv, .inactive: self
        }
    }

    public var sends: Bool { self == .sendrecv || self == .sendonly }
    public var receives: Bool { self == .sendrecv || self == .recvonly }

    public init(sends: Bool, receives: Bool) {
        switch (sends, receives) {
        case (true, true): self = .sendrecv
        case (true, false): self = .sendonly
        case (false, true): self = .recvonly
        case (false, false): self = .inactive
        }
    }
}

extension SDPLineContainer {
    /// The first direction attribute at this level, nil if none. Setting removes every
    /// direction attribute and puts the new one where the first was (or appends it).
    public var direction: MediaDirection? {
        get {
            for line in lines where line.isAttribute {
                if let direction = MediaDirection(rawValue: line.value) { return direction }
            }
            return nil
        }
        set {
            let isDirection: (SDPLine) -> Bool = { $0.isAttribute && MediaDirection(rawValue: $0.value) != nil }
            let position = lines.firstIndex(where: isDirection)
            lines.removeAll(where: isDirection)
            guard let newValue else { return }
            lines.insert(.attribute(newValue.rawValue), at: min(position ?? lines.count, lines.count))
        }
    }
}
