/// Random identifiers: Via branches (RFC 3261 §8.1.1.7), tags (§19.3) and Call-IDs (§8.1.1.4).
public enum SIPIdentifiers {
    /// The RFC 3261 branch prefix: a branch starting with it is globally unique for the
    /// transaction, which is what transaction matching relies on (§17.2.3).
    public static let magicCookie = "z9hG4bK"

    /// `z9hG4bK` + 20 random alphanumerics (~119 bits).
    public static func branch(using rng: inout some RandomNumberGenerator) -> String {
        magicCookie + randomToken(20, using: &rng)
    }

    public static func branch() -> String {
        var rng = SystemRandomNumberGenerator()
        return branch(using: &rng)
    }

    /// A From/To tag: 12 random alphanumerics (§19.3 asks for at least 32 bits).
    public static func tag(using rng: inout some RandomNumberGenerator) -> String {
        randomToken(12, using: &rng)
    }

    public static func tag() -> String {
        var rng = SystemRandomNumberGenerator()
        return tag(using: &rng)
    }

    /// A Call-ID: 24 random alphanumerics, `@host` appended when given.
    public static func callID(host: String? = nil, using rng: inout some RandomNumberGenerator) -> String {
        randomToken(24, using: &rng) + (host.map { "@" + $0 } ?? "")
    }

    public static func isRFC3261Branch(_ branch: String) -> Bool { branch.hasPrefix(magicCookie) }

    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)

    private static func randomToken(_ length: Int, using rng: inout some RandomNumberGenerator) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(length)
        for _ in 0..<length {
            bytes.append(alphabet[Int(rng.next(upperBound: UInt8(alphabet.count)))])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension SIPRequest {
    /// The top Via's branch; nil when there is no Via or no branch.
    public var branch: String? { headers.topVia?.branch }

    /// True when the top Via branch carries the RFC 3261 magic cookie.
    public var hasRFC3261Branch: Bool { branch.map(SIPIdentifiers.isRFC3261Branch) ?? false }
}
