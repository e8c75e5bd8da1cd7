/// `a=setup:` (RFC 4145, used by DTLS-SRTP, RFC 5763).
public enum Setup: String, SDPAttributeValue, CaseIterable {
    case actpass, active, passive, holdconn

    public static let attributeName = "setup"

    public init?(value: String) { self.init(rawValue: value) }
    public var value: String { rawValue }
}
