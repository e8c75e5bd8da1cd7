// SDP lines for an ICE-lite relay (RFC 8839): host candidates the way rtpengine writes them,
// plus a=ice-ufrag / a=ice-pwd (media level) and a=ice-lite (session level). Pure functions;
// the SDP target stays independent of this one, so lines come back as name/value pairs.
//
//   a=candidate:<foundation> <component> UDP <priority> <address> <port> typ host
//
// priority = 2^24 x type preference (126 for host) + 2^8 x local preference + (256 - component)
// (RFC 8445 section 5.1.2.1), local preference 65535 for the first address, 65534 for the next
// and so on, as rtpengine numbers its interface addresses.

import TandemBase

/// One local address of a stream and its ports: component 1 (RTP) and, without rtcp-mux,
/// component 2 (RTCP).
public struct ICEHostAddress: Hashable, Sendable {
    public var ip: IPAddress
    public var rtpPort: UInt16
    public var rtcpPort: UInt16?

    public init(ip: IPAddress, rtpPort: UInt16, rtcpPort: UInt16? = nil) {
        self.ip = ip
        self.rtpPort = rtpPort
        self.rtcpPort = rtcpPort
    }
}

/// An SDP attribute: `a=name` or `a=name:value`.
public struct ICESDPAttribute: Hashable, Sendable, CustomStringConvertible {
    public var name: String
    public var value: String?

    public init(name: String, value: String? = nil) {
        self.name = name
        self.value = value
    }

    /// The full line without CRLF.
    public var line: String { value.map { "a=\(name):\($0)" } ?? "a=\(name)" }
    public var description: String { line }
}

public enum ICECandidates {
    /// RFC 8445 type preference of host candidates.
    public static let hostTypePreference: UInt32 = 126

    /// RFC 8445 section 5.1.2.1 candidate priority.
    public static func priority(typePreference: UInt32 = hostTypePreference, localPreference: UInt32,
                                component: Int) -> UInt32 {
        (typePreference & 0x7f) << 24 | (localPreference & 0xffff) << 8 | UInt32(256 - min(max(component, 1), 256))
    }

    /// A stable 16-ice-char foundation for a local address: a keyed hash of its bytes, so it is
    /// the same for every stream on that address (rtpengine draws one random foundation per
    /// interface address at start-up; `seed` plays that role — pick it once per process).
    public static func foundation(for ip: IPAddress, seed: UInt64 = 0) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ seed  // FNV-1a, then SplitMix64 to spread it
        for b in ip.bytes {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        var generator = SplitMix64(state: h)
        return ICEShortTermCredentials.randomICEString(length: 16, using: &generator)
    }

    /// `a=candidate` lines: per address (in preference order) component 1, then component 2.
    public static func hostCandidates(_ addresses: [ICEHostAddress], seed: UInt64 = 0) -> [ICESDPAttribute] {
        var out: [ICESDPAttribute] = []
        for (index, address) in addresses.enumerated() {
            let localPreference = UInt32(max(0, 65535 - index))
            let foundation = foundation(for: address.ip, seed: seed)
            let ports: [(Int, UInt16)] = [(1, address.rtpPort)] + (address.rtcpPort.map { [(2, $0)] } ?? [])
            for (component, port) in ports {
                let p = priority(localPreference: localPreference, component: component)
                out.append(ICESDPAttribute(name: "candidate",
                                           value: "\(foundation) \(component) UDP \(p) \(address.ip) \(port) typ host"))
            }
        }
        return out
    }

    /// Media-level lines: a=ice-ufrag, a=ice-pwd, the host candidates, optionally
    /// a=end-of-candidates (a lite agent has all its candidates up front).
    public static func mediaAttributes(credentials: ICEShortTermCredentials, addresses: [ICEHostAddress],
                                       seed: UInt64 = 0, endOfCandidates: Bool = false) -> [ICESDPAttribute] {
        var out = [ICESDPAttribute(name: "ice-ufrag", value: credentials.ufrag),
                   ICESDPAttribute(name: "ice-pwd", value: credentials.pwd)]
        out += hostCandidates(addresses, seed: seed)
        if endOfCandidates { out.append(ICESDPAttribute(name: "end-of-candidates")) }
        return out
    }

    /// The session-level `a=ice-lite`.
    public static let iceLite = ICESDPAttribute(name: "ice-lite")
}

/// SplitMix64: a tiny deterministic generator (foundations, tests). Not for secrets.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64
    public init(state: UInt64) { self.state = state }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
