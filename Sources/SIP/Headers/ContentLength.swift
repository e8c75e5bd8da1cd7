/// `Content-Length: 142` (§20.14).
public struct ContentLength: Hashable, Sendable, CustomStringConvertible {
    public var value: Int

    public init(_ value: Int) { self.value = value }

    public init?(_ text: some StringProtocol) {
        guard let v = SIPText.parseDecimal(SIPText.trim(Substring(text)), max: UInt64(Int32.max)) else { return nil }
        value = Int(v)
    }

    public var description: String { String(value) }
}
