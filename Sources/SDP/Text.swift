/// Byte-level helpers shared by the parsers. All tokenizing is done on UTF-8 bytes and
/// strings are rebuilt with `String(decoding:)`: slicing a `String` by `Character` would merge
/// a separator with a following combining mark and break losslessness.
enum Text {
    static let space = UInt8(ascii: " ")

    /// Splits on single spaces, dropping empty tokens (runs of spaces, leading/trailing spaces).
    static func tokens(_ s: String) -> [String] {
        // One pass, one array (`split` + `map` built two); splitting at an ASCII byte never
        // cuts a UTF-8 sequence, so the pieces are the same strings.
        let utf8 = s.utf8
        var result: [String] = []
        var start: String.Index?
        var i = utf8.startIndex
        while i != utf8.endIndex {
            if utf8[i] == space {
                if let begin = start { result.append(string(Substring(s).utf8[begin..<i])); start = nil }
            } else if start == nil {
                start = i
            }
            i = utf8.index(after: i)
        }
        if let begin = start { result.append(string(Substring(s).utf8[begin..<utf8.endIndex])) }
        return result
    }

    /// The first of `tokens(s)`, without building the others.
    static func firstToken(_ s: String) -> String? {
        let utf8 = s.utf8
        guard let begin = utf8.firstIndex(where: { $0 != space }) else { return nil }
        let end = utf8[begin...].firstIndex(of: space) ?? utf8.endIndex
        return string(Substring(s).utf8[begin..<end])
    }

    /// Splits on `separator`, keeping empty pieces.
    static func pieces(_ s: String, separator: UInt8) -> [String] {
        s.utf8.split(separator: separator, omittingEmptySubsequences: false).map(string)
    }

    /// The text before and after the first `separator` (nil if there is none).
    static func splitFirst(_ s: String, at separator: UInt8) -> (head: String, tail: String?) {
        let utf8 = s.utf8
        guard let i = utf8.firstIndex(of: separator) else { return (s, nil) }
        return (string(utf8[..<i]), string(utf8[utf8.index(after: i)...]))
    }

    static func string(_ bytes: Substring.UTF8View) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    /// A non-empty run of ASCII digits whose value is at most `max`; nil otherwise.
    static func decimal(_ s: String, max: Int) -> Int? {
        decimal(Substring(s).utf8, max: max)
    }

    static func decimal(_ bytes: Substring.UTF8View, max: Int) -> Int? {
        guard !bytes.isEmpty else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let digit = Int(byte - UInt8(ascii: "0"))
            // Check before multiplying so that long digit strings cannot overflow.
            guard digit <= max, value <= (max - digit) / 10 else { return nil }
            value = value * 10 + digit
        }
        return value
    }

    static func isDigits(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }
}

extension Text {
    /// `s` without leading and trailing spaces.
    static func trimSpaces(_ s: String) -> String {
        let utf8 = s.utf8
        guard let first = utf8.firstIndex(where: { $0 != space }),
              let last = utf8.lastIndex(where: { $0 != space }) else { return "" }
        return string(utf8[first...last])
    }
}
