import Glibc

/// An IPv4 or IPv6 address, stored by value (no allocation), comparable and hashable.
public enum IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// a.b.c.d packed as 0xaabbccdd (host integer, network order of octets).
    case v4(UInt32)
    /// Sixteen bytes in network order: high then low half.
    case v6(UInt64, UInt64)

    public enum Family: String, Sendable { case ipv4 = "IP4", ipv6 = "IP6" }

    public var family: Family {
        switch self {
        case .v4: return .ipv4
        case .v6: return .ipv6
        }
    }

    /// Parses dotted-quad IPv4 or RFC 4291 IPv6 text (brackets allowed); nil when malformed.
    public init?(_ text: some StringProtocol) {
        var s = String(text)
        if s.hasPrefix("["), s.hasSuffix("]") { s = String(s.dropFirst().dropLast()) }
        if s.contains(":") {
            var raw = in6_addr()
            guard inet_pton(AF_INET6, s, &raw) == 1 else { return nil }
            let bytes = withUnsafeBytes(of: raw) { Array($0) }
            self = .v6(Self.pack(bytes[0..<8]), Self.pack(bytes[8..<16]))
        } else {
            var raw = in_addr()
            guard inet_pton(AF_INET, s, &raw) == 1 else { return nil }
            self = .v4(UInt32(bigEndian: raw.s_addr))
        }
    }

    private static func pack(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }

    public static let anyV4 = IPAddress.v4(0)
    public static let anyV6 = IPAddress.v6(0, 0)

    /// 0.0.0.0 or :: — in SDP this means "hold" (RFC 2543 style) rather than a real destination.
    public var isUnspecified: Bool {
        switch self {
        case .v4(let a): return a == 0
        case .v6(let h, let l): return h == 0 && l == 0
        }
    }

    public var isLoopback: Bool {
        switch self {
        case .v4(let a): return a >> 24 == 127
        case .v6(let h, let l): return h == 0 && l == 1
        }
    }

    /// The sixteen (or four) bytes in network order.
    public var bytes: [UInt8] {
        switch self {
        case .v4(let a):
            return (0..<4).map { UInt8(truncatingIfNeeded: a >> (24 - 8 * UInt32($0))) }
        case .v6(let h, let l):
            return (0..<8).map { UInt8(truncatingIfNeeded: h >> (56 - 8 * UInt64($0))) }
                + (0..<8).map { UInt8(truncatingIfNeeded: l >> (56 - 8 * UInt64($0))) }
        }
    }

    /// Canonical text form (inet_ntop), as it appears in SDP `c=` lines.
    public var description: String {
        switch self {
        case .v4(let a):
            return "\(a >> 24).\(a >> 16 & 0xff).\(a >> 8 & 0xff).\(a & 0xff)"
        case .v6:
            var raw = in6_addr()
            let b = bytes
            withUnsafeMutableBytes(of: &raw) { buf in
                for i in 0..<16 { buf[i] = b[i] }
            }
            var out = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            _ = inet_ntop(AF_INET6, &raw, &out, socklen_t(out.count))
            return String(cString: out)
        }
    }
}
