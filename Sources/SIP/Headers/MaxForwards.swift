/// `Max-Forwards: 70` (§20.22): 0...255.
public struct MaxForwards: Hashable, Sendable, CustomStringConvertible {
    public var value: Int

    public init(_ value: Int) { self.value = value }

    public init?(_ text: some StringProtocol) {
        guard let v = SIPText.parseDecimal(SIPText.trim(Substring(text)), max: 255) else { return nil }
        value = Int(v)
    }

    public var description: String { String(value) }
}
