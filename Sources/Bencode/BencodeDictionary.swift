/// An insertion-ordered bencode dictionary with binary keys.
///
/// ng messages carry a few dozen keys at most, so lookups scan linearly: that is faster than
/// hashing at this size and keeps the order exactly as received or built. Decoded input may
/// contain a key twice; lookups return the first occurrence, as rtpengine does.
/// Equality is order-sensitive, matching the encoded bytes.
public struct BencodeDictionary: Hashable, Sendable {
    public struct Entry: Hashable, Sendable {
        public var key: [UInt8]
        public var value: BencodeValue

        public init(key: [UInt8], value: BencodeValue) {
            self.key = key
            self.value = value
        }
    }

    public private(set) var entries: [Entry]

    public init() { entries = [] }
    public init(entries: [Entry]) { self.entries = entries }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    public var keys: [[UInt8]] { entries.map(\.key) }

    /// Adds an entry at the end without looking for an existing key (the decoder's path).
    public mutating func append(key: [UInt8], value: BencodeValue) {
        entries.append(Entry(key: key, value: value))
    }

    /// Reads the first value for `key`. Setting replaces it in place (keeping its position) or
    /// appends a new entry; setting nil removes every entry with that key.
    public subscript(key: [UInt8]) -> BencodeValue? {
        get { entries.first(where: { $0.key == key })?.value }
        set {
            guard let value = newValue else {
                entries.removeAll { $0.key == key }
                return
            }
            if let index = entries.firstIndex(where: { $0.key == key }) {
                entries[index].value = value
            } else {
                entries.append(Entry(key: key, value: value))
            }
        }
    }

    public subscript(key: String) -> BencodeValue? {
        get { self[Array(key.utf8)] }
        set { self[Array(key.utf8)] = newValue }
    }
}

extension BencodeDictionary: Sequence {
    public func makeIterator() -> IndexingIterator<[Entry]> { entries.makeIterator() }
}

extension BencodeDictionary: ExpressibleByDictionaryLiteral {
    /// `["sdp": .string(body), "result": "ok"]`, in the written order.
    public init(dictionaryLiteral elements: (String, BencodeValue)...) {
        self.init()
        for (key, value) in elements { self[key] = value }
    }
}
