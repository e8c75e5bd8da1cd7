/// The subset of GLib's key files that rtpengine config files use: `[section]` headers,
/// `key = value` lines, `#` and `;` comment lines, blank lines. Whitespace around keys and
/// values is trimmed; there are no inline comments (`a = b # c` has the value `b # c`, as in GLib).
struct INIFile: Equatable {
    struct Entry: Equatable {
        var section: String
        var key: String
        var value: String
        var line: Int
    }

    var entries: [Entry] = []
    var sections: [String] = []

    init(parsing text: String, path: String) throws(ConfigError) {
        var section: String?
        var lineNumber = 0
        var body = Substring(text)
        if body.hasPrefix("\u{FEFF}") { body = body.dropFirst() }
        for rawLine in body.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]"), line.count > 2 else {
                    throw .configSyntax(file: path, line: lineNumber, reason: "malformed section header '\(line)'")
                }
                let name = String(line.dropFirst().dropLast().trimmingWhitespace())
                section = name
                if !sections.contains(name) { sections.append(name) }
                continue
            }
            guard let equals = line.firstIndex(of: "=") else {
                throw .configSyntax(file: path, line: lineNumber, reason: "expected 'key = value', found '\(line)'")
            }
            let key = String(line[..<equals].trimmingWhitespace())
            let value = String(line[line.index(after: equals)...].trimmingWhitespace())
            guard !key.isEmpty else {
                throw .configSyntax(file: path, line: lineNumber, reason: "missing key before '='")
            }
            guard let section else {
                throw .configSyntax(file: path, line: lineNumber, reason: "'\(key)' comes before any [section] header")
            }
            entries.append(Entry(section: section, key: key, value: value, line: lineNumber))
        }
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> SubSequence {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\u{0B}" || $0 == "\u{0C}" }
        guard let first = firstIndex(where: { !isSpace($0) }) else { return self[endIndex...] }
        let last = lastIndex(where: { !isSpace($0) })!
        return self[first...last]
    }
}
