import TandemBase

/// One `--media-daemon=` value: `udp:HOST:PORT[=WEIGHT]` (or `udp6:`), as in Kamailio's
/// `rtpengine_sock` parameter. HOST is an IPv4 address, a bracketed IPv6 address
/// (`udp:[2001:db8::1]:2223=2`) or a name for the I/O layer to resolve. The port defaults to
/// 22222 and the weight to 1, as in the module (`CPORT`, `rtpengine_add_rtpengine_set()`).
public struct MediaDaemonAddress: Hashable, Sendable, CustomStringConvertible {
    public enum Scheme: String, Hashable, Sendable { case udp, udp6 }

    public var scheme: Scheme
    /// Without brackets.
    public var host: String
    public var port: UInt16
    public var weight: UInt32

    public static let defaultPort: UInt16 = 22222

    public init(scheme: Scheme = .udp, host: String, port: UInt16 = defaultPort, weight: UInt32 = 1) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.weight = weight
    }

    /// The host as an IP address when it is a literal.
    public var ip: IPAddress? { IPAddress(host) }

    /// The endpoint when the host is a literal address.
    public var transportAddress: TransportAddress? { ip.map { TransportAddress(ip: $0, port: port) } }

    /// `udp:HOST:PORT` without the weight: the daemon's identity, which the call-id hash uses, so
    /// that every proxy configured with the same daemons sends a call to the same one whatever
    /// the order of its options.
    public var url: String {
        let bracketed = host.contains(":") ? "[\(host)]" : host
        return "\(scheme.rawValue):\(bracketed):\(port)"
    }

    public var description: String { weight == 1 ? url : "\(url)=\(weight)" }

    public init(parsing text: some StringProtocol) throws(MediaDaemonAddressError) {
        var rest = Substring(text)
        if let colon = rest.firstIndex(of: ":"), let scheme = Scheme(rawValue: String(rest[..<colon]).lowercased()) {
            self.scheme = scheme
            rest = rest[rest.index(after: colon)...]
        } else {
            throw MediaDaemonAddressError(text: String(text), reason: "expected udp:HOST:PORT[=WEIGHT] or udp6:...")
        }
        // Weight: after the last '=' (never part of a host or port).
        weight = 1
        if let equals = rest.lastIndex(of: "=") {
            guard let value = UInt32(rest[rest.index(after: equals)...]), value > 0 else {
                throw MediaDaemonAddressError(text: String(text), reason: "weight must be a positive integer")
            }
            weight = value
            rest = rest[..<equals]
        }
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else {
                throw MediaDaemonAddressError(text: String(text), reason: "missing ']' after IPv6 address")
            }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else {
                    throw MediaDaemonAddressError(text: String(text), reason: "expected ':PORT' after ']'")
                }
                portText = after.dropFirst()
            }
            guard case .v6 = IPAddress(host) else {
                throw MediaDaemonAddressError(text: String(text), reason: "not an IPv6 address in brackets")
            }
        } else {
            let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count <= 2 else {
                throw MediaDaemonAddressError(text: String(text), reason: "IPv6 addresses must be in brackets")
            }
            host = String(parts[0])
            if parts.count == 2 { portText = parts[1] }
        }
        guard !host.isEmpty else { throw MediaDaemonAddressError(text: String(text), reason: "missing host") }
        if let portText {
            guard let value = UInt16(portText), value > 0 else {
                throw MediaDaemonAddressError(text: String(text), reason: "bad port '\(portText)'")
            }
            port = value
        } else {
            port = Self.defaultPort
        }
    }
}

public struct MediaDaemonAddressError: Error, Hashable, Sendable, CustomStringConvertible {
    public var text: String
    public var reason: String
    public var description: String { "bad media daemon '\(text)': \(reason)" }
}
