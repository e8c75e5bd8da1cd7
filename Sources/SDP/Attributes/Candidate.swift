/// `a=candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type>
/// [raddr <address>] [rport <port>] *(<name> <value>)` (RFC 8839 §5.1).
public struct Candidate: SDPAttributeValue {
    public static let attributeName = "candidate"

    public var foundation: String
    /// 1 = RTP, 2 = RTCP.
    public var component: Int
    /// As written (`UDP`, `udp`, `tcp`); compare case-insensitively.
    public var transport: String
    public var priority: UInt32
    /// An IP address or an mDNS name (`xxxx.local`), as written.
    public var address: String
    public var port: UInt16
    /// `host`, `srflx`, `prflx`, `relay` or an extension type.
    public var type: String
    public var relatedAddress: String?
    public var relatedPort: UInt16?
    /// Name/value pairs after the fixed part (`generation 0`, `tcptype active`, ...), in order.
    public var extensions: [Extension]

    public struct Extension: Hashable, Sendable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(foundation: String, component: Int, transport: String, priority: UInt32,
                address: String, port: UInt16, type: String, relatedAddress: String? = nil,
                relatedPort: UInt16? = nil, extensions: [Extension] = []) {
        self.foundation = foundation
        self.component = component
        self.transport = transport
        self.priority = priority
        self.address = address
        self.port = port
        self.type = type
        self.relatedAddress = relatedAddress
        self.relatedPort = relatedPort
        self.extensions = extensions
    }

    public init?(value: String) {
        let t = Text.tokens(value)
        guard t.count >= 8, t[6] == "typ",
              let component = Text.decimal(t[1], max: 256), component > 0,
              let priority = Text.decimal(t[3], max: Int(UInt32.max)),
              let port = Text.decimal(t[5], max: Int(UInt16.max)) else { return nil }
        self.init(foundation: t[0], component: component, transport: t[2], priority: UInt32(priority),
                  address: t[4], port: UInt16(port), type: t[7])
        guard parseTail(t[8...]) else { return nil }
    }

    /// The optional `raddr`/`rport` and the extension pairs; false if malformed.
    private mutating func parseTail(_ tail: ArraySlice<String>) -> Bool {
        var rest = tail
        if rest.first == "raddr" {
            guard rest.count >= 2 else { return false }
            relatedAddress = rest[rest.startIndex + 1]
            rest = rest.dropFirst(2)
        }
        if rest.first == "rport" {
            guard rest.count >= 2, let port = Text.decimal(rest[rest.startIndex + 1], max: Int(UInt16.max)) else { return false }
            relatedPort = UInt16(port)
            rest = rest.dropFirst(2)
        }
        guard rest.count % 2 == 0 else { return false }
        var i = rest.startIndex
        while i < rest.endIndex {
            extensions.append(Extension(name: rest[i], value: rest[i + 1]))
            i += 2
        }
        return true
    }

    public var value: String {
        var parts = [foundation, String(component), transport, String(priority), address, String(port), "typ", type]
        if let relatedAddress { parts += ["raddr", relatedAddress] }
        if let relatedPort { parts += ["rport", String(relatedPort)] }
        for ext in extensions { parts += [ext.name, ext.value] }
        return parts.joined(separator: " ")
    }

    /// The value of the first extension with this name (`tcptype`, `generation`, ...).
    public func extensionValue(_ name: String) -> String? {
        extensions.first { $0.name == name }?.value
    }
}

extension SDPLineContainer {
    /// Every well-formed `a=candidate`, in order.
    public var candidates: [Candidate] { attributes(Candidate.self) }
}
