/// An IP address and UDP port: where a media stream is sent to or comes from.
public struct TransportAddress: Hashable, Sendable, CustomStringConvertible {
    public var ip: IPAddress
    public var port: UInt16

    public init(ip: IPAddress, port: UInt16) {
        self.ip = ip
        self.port = port
    }

    /// Parses `1.2.3.4:5` and `[::1]:5`; nil when malformed.
    public init?(_ text: some StringProtocol) {
        let s = String(text)
        guard let colon = s.lastIndex(of: ":"), let port = UInt16(s[s.index(after: colon)...]) else { return nil }
        let host = s[..<colon]
        if host.contains(":") && !host.hasPrefix("[") { return nil }
        guard let ip = IPAddress(host) else { return nil }
        self.init(ip: ip, port: port)
    }

    public var description: String {
        switch ip {
        case .v4: return "\(ip):\(port)"
        case .v6: return "[\(ip)]:\(port)"
        }
    }
}
