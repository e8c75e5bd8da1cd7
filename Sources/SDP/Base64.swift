/// Minimal base64 (RFC 4648) for SDES keys. Padding is optional on input because some
/// endpoints omit it for AES-192/256 key-salt strings (rtpengine tolerates that too).
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

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
    public static func isBase64Text(_ text: String) -> Bool {
        let body = text.utf8.prefix { $0 != UInt8(ascii: "=") }
        let padding = text.utf8.count - body.count
        return !body.isEmpty && padding <= 2 && body.allSatisfy { sextet($0) != nil }
            && text.utf8.suffix(padding).allSatisfy { $0 == UInt8(ascii: "=") }
    }

    public static func decode(_ text: String) -> [UInt8]? {
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

    /// Encodes `bytes`; `pad` writes the `=` padding (SDES keys are written with or without it:
    /// rtpengine's `SDES-pad`).
    public static func encode(_ bytes: [UInt8], pad: Bool = true) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let n = min(3, bytes.count - i)
            let b0 = bytes[i], b1 = n > 1 ? bytes[i + 1] : 0, b2 = n > 2 ? bytes[i + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 3) << 4 | b1 >> 4)])
            if n > 1 { out.append(alphabet[Int((b1 & 15) << 2 | b2 >> 6)]) } else if pad { out.append(UInt8(ascii: "=")) }
            if n > 2 { out.append(alphabet[Int(b2 & 63)]) } else if pad { out.append(UInt8(ascii: "=")) }
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
