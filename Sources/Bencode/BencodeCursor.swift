/// The decoder's reading position over one buffer. Every read checks bounds first.
struct BencodeCursor {
    let bytes: UnsafeRawBufferPointer
    let limits: BencodeDecoder.Limits
    var position = 0

    init(bytes: UnsafeRawBufferPointer, limits: BencodeDecoder.Limits) {
        self.bytes = bytes
        self.limits = limits
    }

    private static let digit0 = UInt8(ascii: "0")
    private static let digit9 = UInt8(ascii: "9")

    private var remaining: Int { bytes.count - position }

    private func peek(_ what: String) throws(BencodeError) -> UInt8 {
        guard position < bytes.count else {
            throw BencodeError(.truncated, at: position, "input ends where \(what) was expected")
        }
        return bytes[position]
    }

    mutating func parseValue(depth: Int) throws(BencodeError) -> BencodeValue {
        let byte = try peek("an item")
        switch byte {
        case UInt8(ascii: "i"): return .integer(try parseInteger())
        case UInt8(ascii: "l"): return try parseList(depth: depth + 1)
        case UInt8(ascii: "d"): return .dictionary(try parseDictionary(depth: depth + 1))
        case Self.digit0...Self.digit9: return .string(try parseString())
        default:
            throw BencodeError(.unexpectedByte, at: position, "byte 0x\(hex(byte)) cannot start an item")
        }
    }

    // MARK: Integers: i<digits>e

    private mutating func parseInteger() throws(BencodeError) -> Int64 {
        let start = position
        position += 1  // "i"
        let negative = try peek("an integer") == UInt8(ascii: "-")
        if negative { position += 1 }
        let digitsStart = position
        var value: Int64 = 0
        while true {
            let byte = try peek("digits or 'e' of an integer")
            if byte == UInt8(ascii: "e") { break }
            guard byte >= Self.digit0, byte <= Self.digit9 else {
                throw BencodeError(.invalidInteger, at: position, "byte 0x\(hex(byte)) in integer")
            }
            // Accumulate towards the sign so that Int64.min parses without overflow.
            let digit = Int64(byte - Self.digit0)
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = negative ? times10.subtractingReportingOverflow(digit) : times10.addingReportingOverflow(digit)
            guard !o1, !o2 else { throw BencodeError(.integerOverflow, at: start, "integer does not fit in 64 bits") }
            value = next
            position += 1
        }
        try checkIntegerDigits(start: start, digitsStart: digitsStart, negative: negative)
        position += 1  // "e"
        return value
    }

    private func checkIntegerDigits(start: Int, digitsStart: Int, negative: Bool) throws(BencodeError) {
        let digitCount = position - digitsStart
        if digitCount == 0 {
            throw BencodeError(.invalidInteger, at: start, "integer without digits")
        }
        if bytes[digitsStart] == Self.digit0 {
            if negative { throw BencodeError(.invalidInteger, at: start, "negative zero or leading zero in integer") }
            if digitCount > 1 { throw BencodeError(.invalidInteger, at: start, "leading zero in integer") }
        }
    }

    // MARK: Strings: <length>:<bytes>

    private mutating func parseString() throws(BencodeError) -> [UInt8] {
        let start = position
        let length = try parseLength()
        guard length <= limits.maxStringLength else {
            throw BencodeError(.stringTooLong, at: start, "string of \(length) bytes exceeds the limit of \(limits.maxStringLength)")
        }
        guard length <= remaining else {
            throw BencodeError(.truncated, at: start, "string of \(length) bytes but only \(remaining) remain")
        }
        let result = Array(UnsafeRawBufferPointer(rebasing: bytes[position..<position + length]))
        position += length
        return result
    }

    private mutating func parseLength() throws(BencodeError) -> Int {
        let start = position
        var length = 0
        while true {
            let byte = try peek("string length or ':'")
            if byte == UInt8(ascii: ":") { break }
            guard byte >= Self.digit0, byte <= Self.digit9 else {
                throw BencodeError(.invalidStringLength, at: position, "byte 0x\(hex(byte)) in string length")
            }
            let (times10, o1) = length.multipliedReportingOverflow(by: 10)
            let (next, o2) = times10.addingReportingOverflow(Int(byte - Self.digit0))
            guard !o1, !o2 else { throw BencodeError(.stringTooLong, at: start, "string length does not fit in an Int") }
            length = next
            position += 1
        }
        if bytes[start] == Self.digit0, position - start > 1 {
            throw BencodeError(.invalidStringLength, at: start, "leading zero in string length")
        }
        position += 1  // ":"
        return length
    }

    // MARK: Containers

    /// The input ended where a container may close, and the limits say that closes it.
    private var atLenientEnd: Bool { limits.closesContainersAtEnd && position == bytes.count }

    private mutating func enter(depth: Int) throws(BencodeError) {
        guard depth <= limits.maxDepth else {
            throw BencodeError(.nestingTooDeep, at: position, "nesting deeper than \(limits.maxDepth)")
        }
        position += 1  // "l" or "d"
    }

    private mutating func parseList(depth: Int) throws(BencodeError) -> BencodeValue {
        try enter(depth: depth)
        var items: [BencodeValue] = []
        while !atLenientEnd, try peek("a list item or 'e'") != UInt8(ascii: "e") {
            items.append(try parseValue(depth: depth))
        }
        if !atLenientEnd { position += 1 }
        return .list(items)
    }

    private mutating func parseDictionary(depth: Int) throws(BencodeError) -> BencodeDictionary {
        try enter(depth: depth)
        var dict = BencodeDictionary()
        while !atLenientEnd {
            let byte = try peek("a dictionary key or 'e'")
            if byte == UInt8(ascii: "e") { break }
            guard byte >= Self.digit0, byte <= Self.digit9 else {
                throw BencodeError(.nonStringKey, at: position, "dictionary key must be a string, found byte 0x\(hex(byte))")
            }
            let key = try parseString()
            let value = try parseValue(depth: depth)
            dict.append(key: key, value: value)
        }
        if !atLenientEnd { position += 1 }
        return dict
    }
}

private func hex(_ byte: UInt8) -> String {
    let digits = Array("0123456789abcdef")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0xf)]])
}
