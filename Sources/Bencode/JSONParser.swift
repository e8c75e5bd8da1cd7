/// A small recursive-descent JSON parser (RFC 8259) with a nesting limit; bounds-checked reads.
struct JSONParser {
    let bytes: UnsafeRawBufferPointer
    let maxDepth: Int
    var position = 0

    init(bytes: UnsafeRawBufferPointer, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    mutating func parseDocument() throws(JSONBridgeError) -> BencodeValue {
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard position == bytes.count else { throw syntax("data after the end of the document") }
        return value
    }

    private func syntax(_ message: String) -> JSONBridgeError { JSONBridgeError(.syntax, at: position, message) }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0a, 0x0d: position += 1
            default: return
            }
        }
    }

    private mutating func next(_ what: String) throws(JSONBridgeError) -> UInt8 {
        guard position < bytes.count else { throw syntax("input ends where \(what) was expected") }
        defer { position += 1 }
        return bytes[position]
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(JSONBridgeError) {
        skipWhitespace()
        guard try next(what) == byte else { position -= 1; throw syntax("expected \(what)") }
    }

    private mutating func parseValue(depth: Int) throws(JSONBridgeError) -> BencodeValue {
        skipWhitespace()
        guard position < bytes.count else { throw syntax("input ends where a value was expected") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try parseLiteral("true"); return .integer(1)
        case UInt8(ascii: "f"): try parseLiteral("false"); return .integer(0)
        case UInt8(ascii: "n"):
            try parseLiteral("null")
            throw JSONBridgeError(.unrepresentable, at: position - 4, "null has no bencode equivalent")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .integer(try parseNumber())
        default: throw syntax("unexpected byte where a value was expected")
        }
    }

    private mutating func parseLiteral(_ word: StaticString) throws(JSONBridgeError) {
        let text = UnsafeRawBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard position + text.count <= bytes.count,
              text.indices.allSatisfy({ bytes[position + $0] == text[$0] }) else { throw syntax("invalid literal") }
        position += text.count
    }

    private mutating func enter(depth: Int) throws(JSONBridgeError) {
        guard depth <= maxDepth else { throw JSONBridgeError(.nestingTooDeep, at: position, "nesting deeper than \(maxDepth)") }
        position += 1
    }

    /// True (and consumes it) when the next non-blank byte closes the container.
    private mutating func closes(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    private mutating func parseArray(depth: Int) throws(JSONBridgeError) -> BencodeValue {
        try enter(depth: depth)
        var items: [BencodeValue] = []
        if closes(UInt8(ascii: "]")) { return .list(items) }
        repeat {
            items.append(try parseValue(depth: depth))
        } while try separatorOrEnd(UInt8(ascii: "]"))
        return .list(items)
    }

    private mutating func parseObject(depth: Int) throws(JSONBridgeError) -> BencodeValue {
        try enter(depth: depth)
        var dict = BencodeDictionary()
        if closes(UInt8(ascii: "}")) { return .dictionary(dict) }
        repeat {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw syntax("expected a member name") }
            let key = try parseString()
            try expect(UInt8(ascii: ":"), "':'")
            dict.append(key: key, value: try parseValue(depth: depth))
        } while try separatorOrEnd(UInt8(ascii: "}"))
        return .dictionary(dict)
    }

    /// After an element: true on ',', false on the closing byte, error otherwise.
    private mutating func separatorOrEnd(_ close: UInt8) throws(JSONBridgeError) -> Bool {
        skipWhitespace()
        let byte = try next("',' or a closing bracket")
        if byte == UInt8(ascii: ",") { return true }
        if byte == close { return false }
        position -= 1
        throw syntax("expected ',' or a closing bracket")
    }
}
