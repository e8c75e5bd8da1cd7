/// One `<type>=<value>` line of a session description, without its line ending.
///
/// `a=rtpmap:0 PCMU/8000` is `SDPLine(type: "a", value: "rtpmap:0 PCMU/8000")`.
///
/// Equality and hashing compare `type` and `value` only. The line ending the line had in a
/// mixed-ending input is remembered (so serialization stays lossless) but is not part of what
/// the line *means*, so `lines.contains(SDPLine("a", "sendrecv"))` works on any input.
public struct SDPLine: Hashable, Sendable {
    public var type: Character
    public var value: String
    /// The ending this line had in the input when it differed from the description's
    /// `lineEnding` (mixed CRLF/LF input); nil means "use the description's".
    var endingOverride: String?

    public init(type: Character, value: String) {
        self.type = type
        self.value = value
        self.endingOverride = nil
    }

    public init(_ type: Character, _ value: String) {
        self.init(type: type, value: value)
    }

    init(type: Character, value: String, endingOverride: String?) {
        self.type = type
        self.value = value
        self.endingOverride = endingOverride
    }

    /// The line as written, `type=value`, without a line ending.
    public var text: String { "\(type)=\(value)" }

    public static func == (lhs: SDPLine, rhs: SDPLine) -> Bool {
        lhs.type == rhs.type && lhs.value == rhs.value
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(type)
        hasher.combine(value)
    }
}

// MARK: - Attribute view of an `a=` line

extension SDPLine {
    /// An `a=` line: `a=<name>[:<value>]`.
    public static func attribute(_ name: String, _ value: String? = nil) -> SDPLine {
        SDPLine(type: "a", value: value.map { "\(name):\($0)" } ?? name)
    }

    public var isAttribute: Bool { type == "a" }

    /// The attribute name (text before the first `:`), or nil if this is not an `a=` line.
    public var attributeName: String? {
        guard isAttribute else { return nil }
        let utf8 = value.utf8
        guard let colon = utf8.firstIndex(of: UInt8(ascii: ":")) else { return value }
        return String(decoding: utf8[..<colon], as: UTF8.self)
    }

    /// The attribute value (text after the first `:`); nil for flag attributes and non-`a=` lines.
    public var attributeValue: String? {
        guard isAttribute else { return nil }
        let utf8 = value.utf8
        guard let colon = utf8.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        return String(decoding: utf8[utf8.index(after: colon)...], as: UTF8.self)
    }

    /// Whether this is an `a=` line whose name is exactly `name` (case-sensitive, as rtpengine
    /// matches attribute names). Does not allocate.
    public func isAttribute(named name: String) -> Bool {
        guard isAttribute else { return false }
        let utf8 = value.utf8
        let nameUTF8 = name.utf8
        guard utf8.starts(with: nameUTF8) else { return false }
        let after = utf8.index(utf8.startIndex, offsetBy: nameUTF8.count)
        return after == utf8.endIndex || utf8[after] == UInt8(ascii: ":")
    }

    /// The value of attribute `name`: `.some(nil)` for a flag attribute, `.some(v)` for
    /// `name:v`, and nil if this line is not that attribute.
    func attributeValue(ifNamed name: String) -> String?? {
        guard isAttribute(named: name) else { return nil }
        let utf8 = value.utf8
        let after = utf8.index(utf8.startIndex, offsetBy: name.utf8.count)
        guard after != utf8.endIndex else { return .some(nil) }
        return .some(String(decoding: utf8[utf8.index(after: after)...], as: UTF8.self))
    }
}
