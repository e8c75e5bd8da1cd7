/// BencodeValue -> compact JSON text, as rtpengine answers JSON requests (`{"result":"pong"}`).
///
/// JSON strings must be Unicode while bencode strings are bytes. Valid UTF-8 is copied as is;
/// each byte that is not part of a valid UTF-8 sequence is written as `\u00XX` (its Latin-1
/// reading), so any value produces valid JSON and distinct byte strings stay distinct.
extension BencodeValue {
    public func encodeJSON(into out: inout [UInt8]) {
        switch self {
        case .integer(let value):
            appendDecimal(value, to: &out)
        case .string(let bytes):
            appendJSONString(bytes, to: &out)
        case .list(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                item.encodeJSON(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .dictionary(let dict):
            out.append(UInt8(ascii: "{"))
            for (index, entry) in dict.entries.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                appendJSONString(entry.key, to: &out)
                out.append(UInt8(ascii: ":"))
                entry.value.encodeJSON(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    public var jsonEncoded: [UInt8] {
        var out: [UInt8] = []
        encodeJSON(into: &out)
        return out
    }
}

private let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

private func appendJSONString(_ bytes: [UInt8], to out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    var index = 0
    while index < bytes.count {
        let byte = bytes[index]
        if byte < 0x80 {
            appendASCII(byte, to: &out)
            index += 1
        } else if let length = validUTF8SequenceLength(bytes, at: index) {
            out.append(contentsOf: bytes[index..<index + length])
            index += length
        } else {
            appendUnicodeEscape(byte, to: &out)
            index += 1
        }
    }
    out.append(UInt8(ascii: "\""))
}

private func appendASCII(_ byte: UInt8, to out: inout [UInt8]) {
    switch byte {
    case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
    case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
    case 0x0a: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
    case 0x0d: out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
    case 0x09: out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
    case 0x08: out += [UInt8(ascii: "\\"), UInt8(ascii: "b")]
    case 0x0c: out += [UInt8(ascii: "\\"), UInt8(ascii: "f")]
    case 0..<0x20, 0x7f: appendUnicodeEscape(byte, to: &out)
    default: out.append(byte)
    }
}

private func appendUnicodeEscape(_ byte: UInt8, to out: inout [UInt8]) {
    out += [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
            hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0f)]]
}

/// Length of the well-formed UTF-8 sequence starting at `index` (Unicode 15, table 3-7:
/// no overlongs, no surrogates, nothing above U+10FFFF), or nil.
func validUTF8SequenceLength(_ bytes: [UInt8], at index: Int) -> Int? {
    let lead = bytes[index]
    let length: Int
    var secondRange: ClosedRange<UInt8> = 0x80...0xbf
    switch lead {
    case 0xc2...0xdf: length = 2
    case 0xe0: length = 3; secondRange = 0xa0...0xbf
    case 0xe1...0xec, 0xee...0xef: length = 3
    case 0xed: length = 3; secondRange = 0x80...0x9f
    case 0xf0: length = 4; secondRange = 0x90...0xbf
    case 0xf1...0xf3: length = 4
    case 0xf4: length = 4; secondRange = 0x80...0x8f
    default: return nil
    }
    guard index + length <= bytes.count, secondRange.contains(bytes[index + 1]) else { return nil }
    for offset in 2..<max(2, length) where !(0x80...0xbf).contains(bytes[index + offset]) {
        return nil
    }
    return length
}
