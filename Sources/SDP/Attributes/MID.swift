/// `a=mid:<identification-tag>` (RFC 5888). `MediaDescription.mid` reads and writes it.
public struct MID: SDPAttributeValue {
    public static let attributeName = "mid"

    public var identifier: String

    public init(_ identifier: String) { self.identifier = identifier }

    public init?(value: String) {
        guard !value.isEmpty else { return nil }
        identifier = value
    }

    public var value: String { identifier }
}
