/// Small lexical helpers for SIP header text (RFC 3261 §25.1). They work on `Substring` so
/// callers can slice without copying; none of them traps on any input.
enum SIPText {
    /// RFC 3261 `token` characters: alphanumerics and `-.!%*_+`'~`.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "!"), UInt8(ascii: "%"), UInt8(ascii: "*"),
             UInt8(ascii: "_"), UInt8(ascii: "+"), UInt8(ascii: "`"), UInt8(ascii: "'"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    static func isToken(_ text: some StringProtocol) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy(isTokenByte)
    }

    static func isLWS(_ c: Character) -> Bool { c == " " || c == "\t" }

    /// Drops leading and trailing spaces and tabs (not CR/LF: those never reach header text).
    static func trim(_ text: Substring) -> Substring {
        var s = text
        while let first = s.first, isLWS(first) { s.removeFirst() }
        while let last = s.last, isLWS(last) { s.removeLast() }
        return s
    }

    static func trim(_ text: String) -> String { String(trim(text[...])) }

    /// Splits on `separator` where it is not inside a quoted string or `<...>`; the pieces are
    /// trimmed, empty pieces dropped. Used for comma-separated header values and `;` parameters.
    static func splitTopLevel(_ text: Substring, on separator: Character, keepEmpty: Bool = false) -> [Substring] {
        var pieces: [Substring] = []
        var inQuotes = false, escaped = false, angleDepth = 0
        var start = text.startIndex
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if escaped {
                escaped = false
            } else if inQuotes {
                if c == "\\" { escaped = true } else if c == "\"" { inQuotes = false }
            } else if c == "\"" {
                inQuotes = true
            } else if c == "<" {
                angleDepth += 1
            } else if c == ">" {
                angleDepth = max(0, angleDepth - 1)
            } else if c == separator && angleDepth == 0 {
                let piece = trim(text[start..<i])
                if keepEmpty || !piece.isEmpty { pieces.append(piece) }
                start = text.index(after: i)
            }
            i = text.index(after: i)
        }
        let piece = trim(text[start...])
        if keepEmpty || !piece.isEmpty { pieces.append(piece) }
        return pieces
    }

    /// Reads a quoted string at the start of `text` (which must begin with `"`). Returns the
    /// unescaped content and the rest after the closing quote, or nil when it is unterminated.
    static func readQuoted(_ text: Substring) -> (value: String, rest: Substring)? {
        guard text.first == "\"" else { return nil }
        var value = ""
        var i = text.index(after: text.startIndex)
        while i < text.endIndex {
            let c = text[i]
            if c == "\\" {
                i = text.index(after: i)
                guard i < text.endIndex else { return nil }
                value.append(text[i])
            } else if c == "\"" {
                return (value, text[text.index(after: i)...])
            } else {
                value.append(c)
            }
            i = text.index(after: i)
        }
        return nil
    }

    /// `"value"` with `"` and `\` escaped (RFC 3261 quoted-pair).
    static func quoted(_ value: String) -> String {
        var out = "\""
        for c in value {
            if c == "\"" || c == "\\" { out.append("\\") }
            out.append(c)
        }
        out.append("\"")
        return out
    }

    /// ASCII-only lowercasing: header names and parameters are ASCII; this avoids Unicode
    /// case mapping surprises (and is cheaper).
    static func lower(_ text: some StringProtocol) -> String {
        String(decoding: text.utf8.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
    }

    static func equalsIgnoringCase(_ a: some StringProtocol, _ b: some StringProtocol) -> Bool {
        a.utf8.count == b.utf8.count && lower(a) == lower(b)
    }

    /// A decimal number made only of ASCII digits (no sign, no spaces), within `UInt32`.
    static func parseDecimal(_ text: some StringProtocol, max: UInt64 = UInt64(UInt32.max)) -> UInt64? {
        guard !text.isEmpty, text.utf8.count <= 20 else { return nil }
        var value: UInt64 = 0
        for byte in text.utf8 {
            guard byte >= 48, byte <= 57 else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(byte - 48))
            guard !o1, !o2, a <= max else { return nil }
            value = a
        }
        return value
    }
}
