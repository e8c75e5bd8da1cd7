/// One header line as received or to be sent: name as spelled (compact forms are kept) and the
/// value (unfolded, trimmed). A line may hold several comma-separated values (`Via: a, b`).
public struct SIPHeaderField: Hashable, Sendable, CustomStringConvertible {
    public let name: String
    public var value: String
    /// Lower-cased full name, precomputed so lookups do not re-normalise every line.
    let key: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
        self.key = SIPHeaderName.key(name)
    }

    public static func == (a: Self, b: Self) -> Bool { a.name == b.name && a.value == b.value }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(value)
    }

    public var description: String { name + ": " + value }
}

/// The ordered header list of a message (RFC 3261 §7.3).
///
/// Lines keep their order and spelling, so a proxy forwards what it did not touch unchanged.
/// Lookups accept any case and the compact form (`headers.values("Via")` also finds `v:` lines).
/// For list headers (Via, Route, Record-Route, Contact, Supported ...) `values` splits each line
/// on top-level commas (not inside quotes or `<>`); other headers give one value per line.
public struct SIPHeaders: Hashable, Sendable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var fields: [SIPHeaderField]

    public init(_ fields: [SIPHeaderField] = []) { self.fields = fields }

    /// In order; names may repeat: `["Via": "SIP/2.0/UDP a", "Via": "SIP/2.0/UDP b"]`.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.fields = elements.map { SIPHeaderField(name: $0.0, value: $0.1) }
    }

    public func makeIterator() -> IndexingIterator<[SIPHeaderField]> { fields.makeIterator() }
    public var count: Int { fields.count }

    // MARK: Reading

    /// True if at least one line of this header is present.
    public func contains(_ name: String) -> Bool {
        let key = SIPHeaderName.key(name)
        return fields.contains { $0.key == key }
    }

    /// Every value of the header, in order, across all its lines; list headers are split.
    public func values(_ name: String) -> [String] {
        let key = SIPHeaderName.key(name)
        let split = SIPHeaderName.isList(key: key)
        var out: [String] = []
        for field in fields where field.key == key {
            if split {
                out += SIPText.splitTopLevel(field.value[...], on: ",").map(String.init)
            } else {
                out.append(field.value)
            }
        }
        return out
    }

    /// The first value (the top Via, the first Route): `values(name).first` without splitting
    /// every line.
    public func first(_ name: String) -> String? {
        let key = SIPHeaderName.key(name)
        for field in fields where field.key == key {
            if !SIPHeaderName.isList(key: key) { return field.value }
            if let v = SIPText.splitTopLevel(field.value[...], on: ",").first { return String(v) }
        }
        return nil
    }

    /// `first(name)`, e.g. `headers["Call-ID"]`; setting replaces (nil removes) the header.
    public subscript(name: String) -> String? {
        get { first(name) }
        set {
            if let newValue { set(name, newValue) } else { remove(name) }
        }
    }

    // MARK: Writing

    /// Adds a line at the end.
    public mutating func append(_ name: String, _ value: String) {
        fields.append(SIPHeaderField(name: name, value: value))
    }

    /// Replaces every line of the header with one line holding `value`, at the position of the
    /// first one (or at the end when absent).
    public mutating func set(_ name: String, _ value: String) {
        let key = SIPHeaderName.key(name)
        guard let first = fields.firstIndex(where: { $0.key == key }) else { return append(name, value) }
        fields[first] = SIPHeaderField(name: fields[first].name, value: value)
        var i = fields.count - 1
        while i > first {
            if fields[i].key == key { fields.remove(at: i) }
            i -= 1
        }
    }

    /// Removes every line of the header.
    public mutating func remove(_ name: String) {
        let key = SIPHeaderName.key(name)
        fields.removeAll { $0.key == key }
    }

    /// Inserts a line at the very top of the header list: a new topmost value (Via push, §16.6
    /// step 8; Record-Route insertion, step 4).
    public mutating func insertFirst(_ name: String, _ value: String) {
        fields.insert(SIPHeaderField(name: name, value: value), at: 0)
    }

    /// Removes and returns the first value of the header (Via pop, §16.7 step 3; Route pop,
    /// §16.4). A line holding several values keeps the rest.
    @discardableResult
    public mutating func removeFirstValue(_ name: String) -> String? {
        let key = SIPHeaderName.key(name)
        guard let i = fields.firstIndex(where: { $0.key == key }) else { return nil }
        guard SIPHeaderName.isList(key: key) else { return fields.remove(at: i).value }
        var parts = SIPText.splitTopLevel(fields[i].value[...], on: ",")
        guard !parts.isEmpty else {
            fields.remove(at: i)
            return removeFirstValue(name)
        }
        let top = String(parts.removeFirst())
        if parts.isEmpty {
            fields.remove(at: i)
        } else {
            fields[i].value = parts.joined(separator: ", ")
        }
        return top
    }
}
