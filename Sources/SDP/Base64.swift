/// Minimal base64 (RFC 4648) for SDES keys. Padding is optional on input because some
/// endpoints omit it for AES-192/256 key-salt strings (rtpengine tolerates that too).
enum Base64 {
    private static func sextet(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): c - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): c - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }

    /// Non-empty, only base64 characters, `=` only at the end.
    static func isBase64Text(_ text: String) -> Bool {
        let body = text.utf8.prefix { $0 != UInt8(ascii: "=") }
        let padding = text.utf8.count - body.count
        return !body.isEmpty && padding <= 2 && body.allSatisfy { sextet($0) != nil }
            && text.utf8.suffix(padding).allSatisfy { $0 == UInt8(ascii: "=") }
    }

    static func decode(_ text: String) -> [UInt8]? {
        guard isBase64Text(text) else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for c in text.utf8 {
            guard let value = sextet(c) else { break }   // reached the padding
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        // A single leftover character carries fewer than 8 bits: not valid base64.
        return bits >= 6 ? nil : out
    }
}
