extension JSONParser {
    /// A quoted string -> its UTF-8 bytes, escapes resolved. Raw bytes >= 0x80 are copied
    /// unchecked (bencode strings are binary anyway).
    mutating func parseString() throws(JSONBridgeError) -> [UInt8] {
        position += 1  // opening quote
        var out: [UInt8] = []
        while true {
            guard position < bytes.count else { throw JSONBridgeError(.syntax, at: position, "unterminated string") }
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""): return out
            case UInt8(ascii: "\\"): try parseEscape(into: &out)
            case 0..<0x20: throw JSONBridgeError(.syntax, at: position - 1, "control character in string")
            default: out.append(byte)
            }
        }
    }

    private mutating func parseEscape(into out: inout [UInt8]) throws(JSONBridgeError) {
        guard position < bytes.count else { throw JSONBridgeError(.syntax, at: position, "unterminated escape") }
        let byte = bytes[position]
        position += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(byte)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0c)
        case UInt8(ascii: "n"): out.append(0x0a)
        case UInt8(ascii: "r"): out.append(0x0d)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"): appendUTF8(try parseUnicodeEscape(), to: &out)
        default: throw JSONBridgeError(.syntax, at: position - 1, "invalid escape")
        }
    }

    /// `\uXXXX`, joining a surrogate pair into one scalar; lone surrogates are errors.
    private mutating func parseUnicodeEscape() throws(JSONBridgeError) -> UInt32 {
        let start = position - 2
        let first = try parseHex4()
        if (0xdc00...0xdfff).contains(first) { throw JSONBridgeError(.syntax, at: start, "lone low surrogate") }
        guard (0xd800...0xdbff).contains(first) else { return first }
        guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
            throw JSONBridgeError(.syntax, at: start, "high surrogate without a low surrogate")
        }
        position += 2
        let second = try parseHex4()
        guard (0xdc00...0xdfff).contains(second) else { throw JSONBridgeError(.syntax, at: start, "invalid surrogate pair") }
        return 0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00)
    }

    private mutating func parseHex4() throws(JSONBridgeError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw JSONBridgeError(.syntax, at: position, "truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw JSONBridgeError(.syntax, at: position, "invalid hex digit in \\u escape")
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }

    /// A JSON number that must denote an integer in Int64 range. Fractions and exponents are
    /// accepted when the value is integral (2.0, 1e3), since bencode has integers only.
    mutating func parseNumber() throws(JSONBridgeError) -> Int64 {
        let start = position
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        let intStart = position
        let intDigits = skipDigits()
        guard intDigits > 0 else { throw JSONBridgeError(.syntax, at: start, "number without digits") }
        guard !(intDigits > 1 && bytes[intStart] == UInt8(ascii: "0")) else {
            throw JSONBridgeError(.syntax, at: start, "leading zero in number")
        }
        var isIntegerSyntax = true
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            isIntegerSyntax = false
            guard skipDigits() > 0 else { throw JSONBridgeError(.syntax, at: start, "no digits after decimal point") }
        }
        if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            position += 1
            isIntegerSyntax = false
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
            guard skipDigits() > 0 else { throw JSONBridgeError(.syntax, at: start, "no digits in exponent") }
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        return try integerValue(of: text, integerSyntax: isIntegerSyntax, at: start)
    }

    private mutating func skipDigits() -> Int {
        let start = position
        while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) { position += 1 }
        return position - start
    }

    private func integerValue(of text: String, integerSyntax: Bool, at start: Int) throws(JSONBridgeError) -> Int64 {
        if integerSyntax {
            guard let value = Int64(text) else { throw JSONBridgeError(.unrepresentable, at: start, "integer out of 64-bit range") }
            return value
        }
        // 2^63 is exactly representable as a Double; anything at or beyond it does not fit.
        guard let double = Double(text), double.rounded(.towardZero) == double,
              double >= -9.223372036854775808e18, double < 9.223372036854775808e18 else {
            throw JSONBridgeError(.unrepresentable, at: start, "number is not an integer in 64-bit range")
        }
        return Int64(double)
    }
}

private func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
    switch scalar {
    case 0..<0x80:
        out.append(UInt8(scalar))
    case 0x80..<0x800:
        out += [UInt8(0xc0 | scalar >> 6), UInt8(0x80 | scalar & 0x3f)]
    case 0x800..<0x10000:
        out += [UInt8(0xe0 | scalar >> 12), UInt8(0x80 | scalar >> 6 & 0x3f), UInt8(0x80 | scalar & 0x3f)]
    default:
        out += [UInt8(0xf0 | scalar >> 18), UInt8(0x80 | scalar >> 12 & 0x3f),
                UInt8(0x80 | scalar >> 6 & 0x3f), UInt8(0x80 | scalar & 0x3f)]
    }
}
