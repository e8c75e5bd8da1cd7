/// One `;name[=value]` parameter of a URI or header. `value` is nil for a valueless parameter
/// (`;lr`, `;rport`); a quoted value keeps its quotes, so it prints back as received.
public struct SIPParameter: Hashable, Sendable {
    public var name: String
    public var value: String?

    public init(_ name: String, _ value: String? = nil) {
        self.name = name
        self.value = value
    }
}

/// An ordered list of parameters. Lookup by name is case-insensitive (RFC 3261 §7.3.1); order
/// and the spelling of names are preserved for printing.
public struct SIPParameters: Hashable, Sendable, ExpressibleByArrayLiteral {
    public var list: [SIPParameter]

    public init(_ list: [SIPParameter] = []) { self.list = list }
    public init(arrayLiteral elements: SIPParameter...) { self.list = elements }

    public var isEmpty: Bool { list.isEmpty }

    /// True when the parameter is present, with or without a value.
    public func contains(_ name: String) -> Bool { index(of: name) != nil }

    /// The parameter's value: nil when absent, `.some(nil)` when present without a value.
    public subscript(name: String) -> String?? {
        get { index(of: name).map { list[$0].value } }
        set {
            if let newValue {
                if let i = index(of: name) { list[i].value = newValue } else { list.append(SIPParameter(name, newValue)) }
            } else {
                list.removeAll { SIPText.equalsIgnoringCase($0.name, name) }
            }
        }
    }

    /// The value of a parameter that has one (`;tag=abc` -> "abc"); nil if absent or valueless.
    public func value(_ name: String) -> String? {
        guard let i = index(of: name) else { return nil }
        return list[i].value
    }

    /// Sets (or, with nil, removes) a parameter that carries a value.
    public mutating func set(_ name: String, _ value: String?) {
        if let value { self[name] = .some(value) } else { self[name] = nil }
    }

    /// Sets a valueless flag parameter (`;lr`), or removes it.
    public mutating func setFlag(_ name: String, _ present: Bool) {
        self[name] = present ? .some(nil) : nil
    }

    private func index(of name: String) -> Int? {
        list.firstIndex { SIPText.equalsIgnoringCase($0.name, name) }
    }

    /// `;a=b;c` — the empty string when there are no parameters.
    public var text: String {
        var out = ""
        for p in list {
            out += ";" + p.name
            if let v = p.value { out += "=" + v }
        }
        return out
    }

    /// Parses `a=b;c;d="x;y"` (the text after the first `;`). Whitespace around `;` and `=` is
    /// allowed (RFC 3261 SEMI/EQUAL). Returns nil when a name is not a token.
    static func parse(_ text: Substring) -> SIPParameters? {
        var result = SIPParameters()
        for piece in SIPText.splitTopLevel(text, on: ";") {
            guard let p = parseOne(piece) else { return nil }
            result.list.append(p)
        }
        return result
    }

    private static func parseOne(_ piece: Substring) -> SIPParameter? {
        guard let eq = piece.firstIndex(of: "=") else {
            return SIPText.isToken(piece) ? SIPParameter(String(piece)) : nil
        }
        let name = SIPText.trim(piece[..<eq])
        let value = SIPText.trim(piece[piece.index(after: eq)...])
        guard SIPText.isToken(name), isValidValue(value) else { return nil }
        return SIPParameter(String(name), String(value))
    }

    /// A value is a token-ish run or a complete quoted string; it may not contain characters
    /// that would change how the parameter list splits when printed again.
    private static func isValidValue(_ value: Substring) -> Bool {
        if value.first == "\"" {
            guard let (_, rest) = SIPText.readQuoted(value) else { return false }
            return rest.isEmpty
        }
        return !value.isEmpty && !value.contains { ";,\" \t<>?=".contains($0) }
    }
}
