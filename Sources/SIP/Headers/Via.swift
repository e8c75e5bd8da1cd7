/// One Via value (RFC 3261 §20.42): `SIP/2.0/UDP host[:port];branch=...;received=...;rport`.
public struct Via: Hashable, Sendable, CustomStringConvertible {
    /// `SIP/2.0` in all messages we accept; kept so an odd spelling prints back.
    public var protocolName: String
    public var protocolVersion: String
    /// Upper-cased transport token: UDP, TCP, TLS, SCTP, WS, WSS.
    public var transport: String
    /// Host of sent-by; an IPv6 address without brackets.
    public var host: String
    public var port: UInt16?
    public var parameters: SIPParameters

    public init(transport: String, host: String, port: UInt16? = nil, parameters: SIPParameters = []) {
        self.protocolName = "SIP"
        self.protocolVersion = "2.0"
        self.transport = transport.uppercased()
        self.host = host
        self.port = port
        self.parameters = parameters
    }

    /// A Via for a request this element sends: `SIP/2.0/<transport> host:port;branch=<branch>`,
    /// with a valueless `;rport` if asked (RFC 3581).
    public init(transport: String, host: String, port: UInt16?, branch: String, rport: Bool = false) {
        self.init(transport: transport, host: host, port: port, parameters: [SIPParameter("branch", branch)])
        if rport { parameters.setFlag("rport", true) }
    }

    /// Parses one Via value (not a comma-separated list); nil when malformed.
    public init?(_ text: some StringProtocol) {
        guard let via = Via.parse(Substring(text)) else { return nil }
        self = via
    }

    private static func parse(_ text: Substring) -> Via? {
        // sent-protocol: name SLASH version SLASH transport, with optional LWS around slashes.
        let parts = text.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        let name = SIPText.trim(parts[0]), version = SIPText.trim(parts[1])
        let afterSlash = SIPText.trim(parts[2])
        guard let space = afterSlash.firstIndex(where: SIPText.isLWS) else { return nil }
        let transport = afterSlash[..<space]
        var rest = SIPText.trim(afterSlash[space...])
        guard SIPText.isToken(name), SIPText.isToken(version), SIPText.isToken(transport) else { return nil }
        var params = SIPParameters()
        if let semi = rest.firstIndex(of: ";") {
            guard let p = SIPParameters.parse(rest[rest.index(after: semi)...]) else { return nil }
            params = p
            rest = SIPText.trim(rest[..<semi])
        }
        guard let (host, port) = HostPort.parse(rest) else { return nil }
        var via = Via(transport: String(transport), host: host, port: port, parameters: params)
        via.protocolName = String(name)
        via.protocolVersion = String(version)
        return via
    }

    // MARK: Parameters a proxy reads and writes

    public var branch: String? {
        get { parameters.value("branch") }
        set { parameters.set("branch", newValue) }
    }

    /// `;received=` — the source IP, added by the next hop when it differs from sent-by (§18.2.1).
    public var received: String? {
        get { parameters.value("received") }
        set { parameters.set("received", newValue) }
    }

    /// `;rport` present (with or without a value): the sender asks for symmetric response routing.
    public var hasRPort: Bool { parameters.contains("rport") }

    /// `;rport=<port>` value, or nil when absent or valueless.
    public var rport: UInt16? {
        get { parameters.value("rport").flatMap { SIPText.parseDecimal($0, max: 65535) }.map { UInt16($0) } }
        set {
            if let newValue { parameters.set("rport", String(newValue)) } else { parameters.set("rport", nil) }
        }
    }

    public var maddr: String? {
        get { parameters.value("maddr") }
        set { parameters.set("maddr", newValue) }
    }

    public var ttl: Int? {
        get { parameters.value("ttl").flatMap { SIPText.parseDecimal($0, max: 255) }.map { Int($0) } }
        set { parameters.set("ttl", newValue.map(String.init)) }
    }

    /// True for TCP, TLS, SCTP, WS and WSS (no retransmissions, §17.1.1.2).
    public var isReliableTransport: Bool { transport != "UDP" }

    /// `host[:port]` as written; the transaction matching key uses it (§17.2.3).
    public var sentBy: String { HostPort.text(host: host, port: port) }

    /// Port to answer to when sent-by has none: 5061 for TLS/WSS, else 5060 (§18.2.2).
    public var effectivePort: UInt16 {
        port ?? (transport == "TLS" || transport == "WSS" ? 5061 : 5060)
    }

    public var description: String {
        "\(protocolName)/\(protocolVersion)/\(transport) \(sentBy)\(parameters.text)"
    }
}
