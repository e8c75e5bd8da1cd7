extension BencodeValue {
    /// Indented JSON-like text for people (tandem-ctl, logs). Strings use the JSON bridge's
    /// escaping, so binary content stays readable and unambiguous; dictionary order is kept.
    public func prettyPrinted(indent: String = "  ") -> String {
        var out = ""
        appendPretty(to: &out, level: 0, indent: indent)
        return out
    }

    private func appendPretty(to out: inout String, level: Int, indent: String) {
        let inner = String(repeating: indent, count: level + 1)
        let outer = String(repeating: indent, count: level)
        switch self {
        case .integer, .string:
            out += String(decoding: jsonEncoded, as: UTF8.self)
        case .list(let items) where items.isEmpty:
            out += "[]"
        case .list(let items):
            out += "[\n"
            for (index, item) in items.enumerated() {
                out += inner
                item.appendPretty(to: &out, level: level + 1, indent: indent)
                out += index + 1 < items.count ? ",\n" : "\n"
            }
            out += outer + "]"
        case .dictionary(let dict) where dict.isEmpty:
            out += "{}"
        case .dictionary(let dict):
            out += "{\n"
            for (index, entry) in dict.entries.enumerated() {
                out += inner + String(decoding: BencodeValue.string(entry.key).jsonEncoded, as: UTF8.self) + ": "
                entry.value.appendPretty(to: &out, level: level + 1, indent: indent)
                out += index + 1 < dict.count ? ",\n" : "\n"
            }
            out += outer + "}"
        }
    }
}
