/// A `b=<bwtype>:<bandwidth>` line (RFC 8866 §5.8; RR/RS from RFC 3556, TIAS from RFC 3890).
public struct Bandwidth: Hashable, Sendable {
    /// `AS`, `CT`, `TIAS`, `RR`, `RS`, ... as written.
    public var type: String
    /// kbit/s for AS/CT, bit/s for TIAS, RR and RS.
    public var value: Int

    public init(type: String, value: Int) {
        self.type = type
        self.value = value
    }

    public init?(value: String) {
        let (type, amount) = Text.splitFirst(value, at: UInt8(ascii: ":"))
        guard !type.isEmpty, let amount, let number = Text.decimal(amount, max: Int(UInt32.max)) else { return nil }
        self.type = type
        self.value = number
    }

    /// The text after `b=`.
    public var text: String { "\(type):\(value)" }
}

extension SDPLineContainer {
    /// Every well-formed `b=` line at this level, in order.
    public var bandwidths: [Bandwidth] { values(ofType: "b").compactMap(Bandwidth.init(value:)) }

    /// Replaces the first `b=<type>:` line in place, or inserts one in RFC order; nil removes
    /// every `b=<type>:` line.
    public mutating func setBandwidth(_ type: String, _ value: Int?) {
        let matches: (SDPLine) -> Bool = { $0.type == "b" && Bandwidth(value: $0.value)?.type == type }
        guard let value else {
            lines.removeAll(where: matches)
            return
        }
        let text = Bandwidth(type: type, value: value).text
        if let i = lines.firstIndex(where: matches) {
            lines[i].value = text
        } else {
            insertLineInOrder(SDPLine("b", text))
        }
    }
}
