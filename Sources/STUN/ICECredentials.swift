// ICE short-term credentials (RFC 8445 section 5.3, RFC 8839 section 5.4): a ufrag and a
// password made of ice-chars (ALPHA / DIGIT / "+" / "/"). RFC 8839 asks for at least 4 and 22
// characters (24 and 128 bits of randomness); rtpengine generates 8 and 26, and so do we.

/// An `ice-ufrag` / `ice-pwd` pair. (Named apart from SDP's `ICECredentials`, which is the
/// parsed attribute pair, so that a module importing both has no ambiguity.)
public struct ICEShortTermCredentials: Hashable, Sendable {
    public var ufrag: String
    public var pwd: String

    public init(ufrag: String, pwd: String) {
        self.ufrag = ufrag
        self.pwd = pwd
    }

    /// The 64 ice-chars.
    public static let iceChars: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Fresh random credentials (`ufragLength` >= 4, `pwdLength` >= 22 as RFC 8839 requires).
    public static func generate(ufragLength: Int = 8, pwdLength: Int = 26,
                                using generator: inout some RandomNumberGenerator) -> Self {
        precondition(ufragLength >= 4 && ufragLength <= 256 && pwdLength >= 22 && pwdLength <= 256)
        return Self(ufrag: randomICEString(length: ufragLength, using: &generator),
                    pwd: randomICEString(length: pwdLength, using: &generator))
    }

    /// Fresh credentials from the system CSPRNG.
    public static func generate(ufragLength: Int = 8, pwdLength: Int = 26) -> Self {
        var g = SystemRandomNumberGenerator()
        return generate(ufragLength: ufragLength, pwdLength: pwdLength, using: &g)
    }

    /// `length` uniformly chosen ice-chars (64 of them: 6 bits each, no modulo bias).
    public static func randomICEString(length: Int, using generator: inout some RandomNumberGenerator) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(length)
        var bits: UInt64 = 0
        var available = 0
        for _ in 0..<length {
            if available < 6 {
                bits = generator.next()
                available = 64
            }
            out.append(iceChars[Int(bits & 63)])
            bits >>= 6
            available -= 6
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether `text` is 1...256 ice-chars (RFC 8839 grammar; lengths checked by the caller).
    public static func isICEString(_ text: some StringProtocol) -> Bool {
        let n = text.utf8.count
        return n >= 1 && n <= 256 && text.utf8.allSatisfy { iceChars.contains($0) }
    }
}
