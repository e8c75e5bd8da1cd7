/// Something that holds an ordered list of SDP lines: the session level of a
/// `SessionDescription` or one `MediaDescription`. Attribute helpers are extension methods, so
/// they work the same on both levels.
///
/// Attribute names are matched case-sensitively, exactly as written, as rtpengine does.
public protocol SDPLineContainer {
    var lines: [SDPLine] { get set }
    /// Where a new line of a given type goes (RFC 8866 §5 line order).
    static var lineOrder: LineOrder { get }
}

extension SDPLineContainer {
    // MARK: Reading

    /// Values of every `a=name[:value]` line, in order; "" for a flag attribute (`a=rtcp-mux`).
    public func attributes(_ name: String) -> [String] {
        lines.compactMap { line in line.attributeValue(ifNamed: name).map { $0 ?? "" } }
    }

    /// The value of the first `a=name[:value]` line ("" for a flag attribute), or nil.
    public func attribute(_ name: String) -> String? {
        for line in lines {
            if let value = line.attributeValue(ifNamed: name) { return value ?? "" }
        }
        return nil
    }

    public func hasAttribute(_ name: String) -> Bool {
        lines.contains { $0.isAttribute(named: name) }
    }

    /// All lines of one type (`"b"`, `"k"`, ...), values only.
    public func values(ofType type: Character) -> [String] {
        lines.compactMap { $0.type == type ? $0.value : nil }
    }

    // MARK: Removing

    /// Removes every `a=name...` line; returns how many were removed.
    @discardableResult
    public mutating func removeAttributes(_ name: String) -> Int {
        removeAttributes { attrName, _ in attrName == name }
    }

    /// Removes every attribute line for which `predicate(name, value)` holds (value is nil for
    /// flag attributes); returns how many were removed.
    @discardableResult
    public mutating func removeAttributes(where predicate: (_ name: String, _ value: String?) -> Bool) -> Int {
        let before = lines.count
        lines.removeAll { line in
            guard let name = line.attributeName else { return false }
            return predicate(name, line.attributeValue)
        }
        return before - lines.count
    }

    // MARK: Adding and replacing

    /// Appends `a=name` (value nil) or `a=name:value` after the last line.
    public mutating func appendAttribute(_ name: String, _ value: String? = nil) {
        lines.append(.attribute(name, value))
    }

    /// Replaces the first `a=name...` line in place, or appends one if there is none. Later
    /// lines with the same name are left alone (use `removeAttributes` first to collapse them).
    public mutating func setAttribute(_ name: String, _ value: String? = nil) {
        let newLine = SDPLine.attribute(name, value)
        if let i = lines.firstIndex(where: { $0.isAttribute(named: name) }) {
            lines[i].value = newLine.value
        } else {
            lines.append(newLine)
        }
    }

    /// Same as `setAttribute`.
    public mutating func replaceAttribute(_ name: String, _ value: String? = nil) {
        setAttribute(name, value)
    }

    /// Inserts `a=name[:value]` right after the last `a=anchor...` line, or appends it if there
    /// is no such line. Keeps related attributes together (e.g. a new rtpmap after the others).
    public mutating func insertAttribute(_ name: String, _ value: String? = nil, after anchor: String) {
        let line = SDPLine.attribute(name, value)
        if let i = lines.lastIndex(where: { $0.isAttribute(named: anchor) }) {
            lines.insert(line, at: i + 1)
        } else {
            lines.append(line)
        }
    }

    /// Inserts `a=name[:value]` right before the first `a=anchor...` line, or appends it.
    public mutating func insertAttribute(_ name: String, _ value: String? = nil, before anchor: String) {
        let line = SDPLine.attribute(name, value)
        if let i = lines.firstIndex(where: { $0.isAttribute(named: anchor) }) {
            lines.insert(line, at: i)
        } else {
            lines.append(line)
        }
    }

    /// Inserts a non-attribute line (`c=`, `b=`, `k=`, ...) where RFC 8866 orders it: before
    /// the first line of a type that comes later. Attribute lines go last.
    public mutating func insertLineInOrder(_ line: SDPLine) {
        let index = Self.lineOrder.insertionIndex(for: line.type, in: lines)
        lines.insert(line, at: index)
    }

    // MARK: Typed attributes

    /// Every well-formed attribute of this kind; malformed ones are skipped, as rtpengine
    /// ignores an attribute it cannot parse.
    public func attributes<A: SDPAttributeValue>(_ type: A.Type) -> [A] {
        attributes(A.attributeName).compactMap(A.init(value:))
    }

    /// The first well-formed attribute of this kind.
    public func attribute<A: SDPAttributeValue>(_ type: A.Type) -> A? {
        for value in attributes(A.attributeName) {
            if let parsed = A(value: value) { return parsed }
        }
        return nil
    }

    public mutating func appendAttribute<A: SDPAttributeValue>(_ attribute: A) {
        appendAttribute(A.attributeName, attribute.value)
    }

    /// Replaces the first attribute with this name in place, or appends.
    public mutating func setAttribute<A: SDPAttributeValue>(_ attribute: A) {
        setAttribute(A.attributeName, attribute.value)
    }

    // MARK: Typed lines (shared by both levels)

    /// The first line of `type`, parsed with `parse`; nil if absent or malformed.
    func firstLine<T>(_ type: Character, _ parse: (String) -> T?) -> T? {
        lines.first { $0.type == type }.flatMap { parse($0.value) }
    }

    /// Replaces the first line of `type` in place, inserts one in order, or removes all of them.
    mutating func setFirstLine(_ type: Character, _ value: String?) {
        guard let value else {
            lines.removeAll { $0.type == type }
            return
        }
        if let i = lines.firstIndex(where: { $0.type == type }) {
            lines[i].value = value
        } else {
            insertLineInOrder(SDPLine(type, value))
        }
    }
}

/// A typed attribute that has a value: `a=<attributeName>:<value>`.
public protocol SDPAttributeValue: Hashable, Sendable {
    static var attributeName: String { get }
    /// Parses the text after `name:`; nil if it is malformed.
    init?(value: String)
    /// The text after `name:` to print back.
    var value: String { get }
}
