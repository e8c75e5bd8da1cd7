/// The `c=` line: `c=<nettype> <addrtype> <connection-address>`, where a multicast address may
/// carry `/<ttl>[/<count>]` (IP4) or `/<count>` (IP6), RFC 8866 §5.7.
public struct Connection: Hashable, Sendable {
    public var netType: String
    /// "IP4" or "IP6" (kept as written).
    public var addressType: String
    public var address: String
    public var ttl: Int?
    public var count: Int?

    public init(netType: String = "IN", addressType: String, address: String,
                ttl: Int? = nil, count: Int? = nil) {
        self.netType = netType
        self.addressType = addressType
        self.address = address
        self.ttl = ttl
        self.count = count
    }

    /// Parses the value of a `c=` line. Tokens after the third are ignored, as rtpengine does.
    public init?(value: String) {
        let tokens = Text.tokens(value)
        guard tokens.count >= 3 else { return nil }
        netType = tokens[0]
        addressType = tokens[1]
        let parts = Text.pieces(tokens[2], separator: UInt8(ascii: "/"))
        guard let host = parts.first, !host.isEmpty, parts.count <= 3 else { return nil }
        address = host
        ttl = nil
        count = nil
        guard parts.count > 1 else { return }
        // Only IP4 multicast has a TTL; for IP6 a single suffix is the address count.
        let isIP4 = addressType.uppercased() == "IP4"
        guard let first = Text.decimal(parts[1], max: Int(UInt32.max)) else { return nil }
        if parts.count == 3 {
            guard isIP4, let second = Text.decimal(parts[2], max: Int(UInt32.max)) else { return nil }
            ttl = first
            count = second
        } else if isIP4 {
            ttl = first
        } else {
            count = first
        }
    }

    public var value: String {
        var text = "\(netType) \(addressType) \(address)"
        if let ttl { text += "/\(ttl)" }
        if let count { text += "/\(count)" }
        return text
    }

    /// Whether the address is the "hold" address of RFC 2543 (0.0.0.0) or its IPv6 form (::).
    public var isUnspecified: Bool { address == "0.0.0.0" || address == "::" }
}
