/// `a=rtcp:<port> [<nettype> <addrtype> <connection-address>]` (RFC 3605).
public struct RTCPAttribute: SDPAttributeValue {
    public static let attributeName = "rtcp"

    /// 1...65535 (rtpengine ignores port 0).
    public var port: UInt16
    public var connection: Connection?

    public init(port: UInt16, connection: Connection? = nil) {
        self.port = port
        self.connection = connection
    }

    public init?(value: String) {
        let (portText, rest) = Text.splitFirst(value, at: Text.space)
        guard let port = Text.decimal(portText, max: Int(UInt16.max)), port > 0 else { return nil }
        self.port = UInt16(port)
        if let rest, !Text.tokens(rest).isEmpty {
            guard let connection = Connection(value: rest) else { return nil }
            self.connection = connection
        } else {
            connection = nil
        }
    }

    public var value: String {
        connection.map { "\(port) \($0.value)" } ?? String(port)
    }
}
