/// `a=fingerprint:<hash function> <hex pairs separated by colons>` (RFC 8122), e.g.
/// `a=fingerprint:sha-256 AB:CD:...`.
public struct Fingerprint: SDPAttributeValue {
    public static let attributeName = "fingerprint"

    /// As written (`sha-256`, `SHA-1`); `digestLength` compares case-insensitively.
    public var hashFunction: String
    public var digest: [UInt8]

    public init(hashFunction: String, digest: [UInt8]) {
        self.hashFunction = hashFunction
        self.digest = digest
    }

    /// Rejects bad hex, and a digest whose length does not match a known hash function.
    public init?(value: String) {
        let tokens = Text.tokens(value)
        guard tokens.count >= 2 else { return nil }
        var digest: [UInt8] = []
        for pair in Text.pieces(tokens[1], separator: UInt8(ascii: ":")) {
            guard let byte = Fingerprint.hexByte(pair) else { return nil }
            digest.append(byte)
        }
        if let expected = Fingerprint.digestLength(of: tokens[0]), expected != digest.count { return nil }
        hashFunction = tokens[0]
        self.digest = digest
    }

    /// Upper-case hex pairs joined by colons, the form browsers and rtpengine print.
    public var value: String {
        "\(hashFunction) " + digest.map(Fingerprint.hex).joined(separator: ":")
    }

    /// Digest size in bytes for the hash functions of RFC 8122 §5; nil for unknown ones.
    public static func digestLength(of hashFunction: String) -> Int? {
        switch hashFunction.lowercased() {
        case "md2", "md5": 16
        case "sha-1": 20
        case "sha-224": 28
        case "sha-256": 32
        case "sha-384": 48
        case "sha-512": 64
        default: nil
        }
    }

    private static func hexByte(_ pair: String) -> UInt8? {
        let bytes = Array(pair.utf8)
        guard bytes.count == 2, let high = nibble(bytes[0]), let low = nibble(bytes[1]) else { return nil }
        return high << 4 | low
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static let digits = Array("0123456789ABCDEF".utf8)

    private static func hex(_ byte: UInt8) -> String {
        String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]], as: UTF8.self)
    }
}
