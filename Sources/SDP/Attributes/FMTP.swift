/// `a=fmtp:<payload type> <format specific parameters>` (RFC 8866 §6.15).
public struct FMTP: SDPAttributeValue {
    public static let attributeName = "fmtp"

    /// 0...127.
    public var payloadType: Int
    /// The parameter text as written, e.g. `minptime=10;useinbandfec=1` or `0-16`.
    public var parameters: String

    public init(payloadType: Int, parameters: String) {
        self.payloadType = payloadType
        self.parameters = parameters
    }

    public init?(value: String) {
        let (ptText, rest) = Text.splitFirst(value, at: Text.space)
        guard let pt = Text.decimal(ptText, max: 127) else { return nil }
        payloadType = pt
        parameters = rest ?? ""
    }

    public var value: String {
        parameters.isEmpty ? String(payloadType) : "\(payloadType) \(parameters)"
    }

    /// `key=value` pairs split on `;` with surrounding spaces trimmed; a piece without `=` has
    /// a nil value (`0-16` for telephone-event).
    public var parameterList: [(name: String, value: String?)] {
        Text.pieces(parameters, separator: UInt8(ascii: ";")).compactMap { piece in
            let trimmed = Text.trimSpaces(piece)
            guard !trimmed.isEmpty else { return nil }
            let (name, value) = Text.splitFirst(trimmed, at: UInt8(ascii: "="))
            return (Text.trimSpaces(name), value.map(Text.trimSpaces))
        }
    }

    /// The value of one parameter; names compare case-insensitively (they are MIME parameters).
    public func parameter(_ name: String) -> String? {
        let wanted = name.lowercased()
        return parameterList.first { $0.name.lowercased() == wanted }?.value
    }
}
