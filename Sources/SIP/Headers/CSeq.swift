/// `CSeq: 4711 INVITE` (RFC 3261 §20.16). The number is below 2**31 (§8.1.1.5).
public struct CSeq: Hashable, Sendable, CustomStringConvertible {
    public var number: UInt32
    public var method: SIPMethod

    public init(number: UInt32, method: SIPMethod) {
        self.number = number
        self.method = method
    }

    public init?(_ text: some StringProtocol) {
        let parts = Substring(text).split(whereSeparator: SIPText.isLWS)
        guard parts.count == 2, let n = SIPText.parseDecimal(parts[0], max: UInt64(Int32.max)),
              SIPText.isToken(parts[1]) else { return nil }
        self.init(number: UInt32(n), method: SIPMethod(String(parts[1])))
    }

    public var description: String { "\(number) \(method.name)" }
}
