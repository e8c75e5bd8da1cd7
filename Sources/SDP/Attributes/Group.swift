/// `a=group:<semantics> <identification-tag> ...` (RFC 5888), e.g. `a=group:BUNDLE 0 1`.
public struct Group: SDPAttributeValue {
    public static let attributeName = "group"

    public var semantics: String
    public var identifiers: [String]

    public init(semantics: String, identifiers: [String]) {
        self.semantics = semantics
        self.identifiers = identifiers
    }

    public static func bundle(_ identifiers: [String]) -> Group {
        Group(semantics: "BUNDLE", identifiers: identifiers)
    }

    public init?(value: String) {
        let tokens = Text.tokens(value)
        guard let semantics = tokens.first else { return nil }
        self.semantics = semantics
        identifiers = Array(tokens.dropFirst())
    }

    public var value: String { ([semantics] + identifiers).joined(separator: " ") }

    /// rtpengine matches the semantics `BUNDLE` case-sensitively.
    public var isBundle: Bool { semantics == "BUNDLE" }
}
