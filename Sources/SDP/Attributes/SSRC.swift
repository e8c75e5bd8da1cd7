/// `a=ssrc:<ssrc-id> <attribute>[:<value>]` (RFC 5576), e.g. `a=ssrc:3735928559 cname:abc`.
public struct SSRC: SDPAttributeValue {
    public static let attributeName = "ssrc"

    public var id: UInt32
    /// `cname`, `msid`, `mslabel`, `label`, ...
    public var attribute: String
    /// Text after the first `:`, spaces included (`msid:stream track`); nil if there is none.
    public var attributeValue: String?

    public init(id: UInt32, attribute: String, attributeValue: String? = nil) {
        self.id = id
        self.attribute = attribute
        self.attributeValue = attributeValue
    }

    public init?(value: String) {
        let (idText, rest) = Text.splitFirst(value, at: Text.space)
        guard let id = Text.decimal(idText, max: Int(UInt32.max)), let rest else { return nil }
        let (name, attributeValue) = Text.splitFirst(rest, at: UInt8(ascii: ":"))
        guard !name.isEmpty, !name.utf8.contains(Text.space) else { return nil }
        self.id = UInt32(id)
        attribute = name
        self.attributeValue = attributeValue
    }

    public var value: String {
        attributeValue.map { "\(id) \(attribute):\($0)" } ?? "\(id) \(attribute)"
    }
}

/// `a=ssrc-group:<semantics> <ssrc-id> ...` (RFC 5576), e.g. `a=ssrc-group:FID 1 2`.
public struct SSRCGroup: SDPAttributeValue {
    public static let attributeName = "ssrc-group"

    public var semantics: String
    public var ids: [UInt32]

    public init(semantics: String, ids: [UInt32]) {
        self.semantics = semantics
        self.ids = ids
    }

    public init?(value: String) {
        let tokens = Text.tokens(value)
        guard let semantics = tokens.first else { return nil }
        var ids: [UInt32] = []
        for token in tokens.dropFirst() {
            guard let id = Text.decimal(token, max: Int(UInt32.max)) else { return nil }
            ids.append(UInt32(id))
        }
        self.semantics = semantics
        self.ids = ids
    }

    public var value: String { ([semantics] + ids.map(String.init)).joined(separator: " ") }
}
