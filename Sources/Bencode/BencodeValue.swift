/// One bencode item. Strings are raw bytes (binary-safe); dictionaries keep the order in
/// which keys were decoded or inserted, so that encoding is deterministic and a reply can list
/// its keys in rtpengine's order.
public enum BencodeValue: Hashable, Sendable {
    case integer(Int64)
    case string([UInt8])
    case list([BencodeValue])
    case dictionary(BencodeDictionary)
}

// MARK: - Typed access

extension BencodeValue {
    /// The bytes of a string value; nil for any other kind.
    public var bytesValue: [UInt8]? {
        if case .string(let bytes) = self { return bytes }
        return nil
    }

    /// A string value decoded as UTF-8 (invalid sequences become U+FFFD); nil for other kinds.
    public var stringValue: String? {
        bytesValue.map { String(decoding: $0, as: UTF8.self) }
    }

    public var intValue: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    public var listValue: [BencodeValue]? {
        if case .list(let items) = self { return items }
        return nil
    }

    public var dictionaryValue: BencodeDictionary? {
        if case .dictionary(let dict) = self { return dict }
        return nil
    }

    /// Dictionary lookup by key; nil when this is not a dictionary or the key is absent.
    public subscript(key: String) -> BencodeValue? {
        dictionaryValue?[key]
    }

    /// List element by position; nil when this is not a list or the index is out of range.
    public subscript(index: Int) -> BencodeValue? {
        guard let items = listValue, items.indices.contains(index) else { return nil }
        return items[index]
    }

    /// A short name of the kind, for error messages.
    public var kindName: String {
        switch self {
        case .integer: return "integer"
        case .string: return "string"
        case .list: return "list"
        case .dictionary: return "dictionary"
        }
    }
}

// MARK: - Literals (mostly for tests and response builders)

extension BencodeValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(Array(value.utf8)) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(arrayLiteral elements: BencodeValue...) { self = .list(elements) }
    public init(dictionaryLiteral elements: (String, BencodeValue)...) {
        var dict = BencodeDictionary()
        for (key, value) in elements { dict[key] = value }
        self = .dictionary(dict)
    }

    /// A string value from text.
    public static func text(_ string: String) -> BencodeValue { .string(Array(string.utf8)) }
}
