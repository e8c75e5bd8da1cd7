extension BencodeValue {
    /// Appends the canonical encoding of this value to `out`. Dictionaries are written in their
    /// stored order (not sorted), like rtpengine.
    public func encode(into out: inout [UInt8]) {
        switch self {
        case .integer(let value):
            out.append(UInt8(ascii: "i"))
            appendDecimal(value, to: &out)
            out.append(UInt8(ascii: "e"))
        case .string(let bytes):
            appendString(bytes, to: &out)
        case .list(let items):
            out.append(UInt8(ascii: "l"))
            for item in items { item.encode(into: &out) }
            out.append(UInt8(ascii: "e"))
        case .dictionary(let dict):
            out.append(UInt8(ascii: "d"))
            for entry in dict.entries {
                appendString(entry.key, to: &out)
                entry.value.encode(into: &out)
            }
            out.append(UInt8(ascii: "e"))
        }
    }

    /// The encoding as a new array.
    public var encoded: [UInt8] {
        var out: [UInt8] = []
        encode(into: &out)
        return out
    }
}

private func appendString(_ bytes: [UInt8], to out: inout [UInt8]) {
    appendDecimal(Int64(bytes.count), to: &out)
    out.append(UInt8(ascii: ":"))
    out.append(contentsOf: bytes)
}

/// Decimal digits without going through String (this runs for every integer in a reply).
func appendDecimal(_ value: Int64, to out: inout [UInt8]) {
    if value < 0 { out.append(UInt8(ascii: "-")) }
    // Work in UInt64 so that Int64.min has a magnitude.
    var magnitude = value.magnitude
    var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                 UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    var count = 0
    withUnsafeMutableBytes(of: &digits) { buffer in
        repeat {
            buffer[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
            count += 1
        } while magnitude > 0
        for index in stride(from: count - 1, through: 0, by: -1) { out.append(buffer[index]) }
    }
}
