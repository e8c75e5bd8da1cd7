/// `a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]` (RFC 8866 §6.6).
public struct RTPMap: SDPAttributeValue {
    public static let attributeName = "rtpmap"

    /// 0...127.
    public var payloadType: Int
    /// As written (`PCMU`, `opus`, `telephone-event`); compare case-insensitively.
    public var encoding: String
    public var clockRate: Int
    /// For audio, the channel count (`2` in `opus/48000/2`); nil when absent.
    public var encodingParameters: String?

    public init(payloadType: Int, encoding: String, clockRate: Int, encodingParameters: String? = nil) {
        self.payloadType = payloadType
        self.encoding = encoding
        self.clockRate = clockRate
        self.encodingParameters = encodingParameters
    }

    public init(payloadType: Int, encoding: String, clockRate: Int, channels: Int) {
        self.init(payloadType: payloadType, encoding: encoding, clockRate: clockRate,
                  encodingParameters: channels == 1 ? nil : String(channels))
    }

    public init?(value: String) {
        let (ptText, rest) = Text.splitFirst(value, at: Text.space)
        guard let pt = Text.decimal(ptText, max: 127), let rest else { return nil }
        // The encoding spec is the next token; anything after it is ignored, as in rtpengine.
        guard let spec = Text.firstToken(rest) else { return nil }
        let parts = Text.pieces(spec, separator: UInt8(ascii: "/"))
        guard parts.count == 2 || parts.count == 3, !parts[0].isEmpty,
              let clock = Text.decimal(parts[1], max: Int(UInt32.max)) else { return nil }
        payloadType = pt
        encoding = parts[0]
        clockRate = clock
        encodingParameters = parts.count == 3 && !parts[2].isEmpty ? parts[2] : nil
    }

    public var value: String {
        var text = "\(payloadType) \(encoding)/\(clockRate)"
        if let encodingParameters { text += "/\(encodingParameters)" }
        return text
    }

    /// The channel count: the encoding parameters if numeric and non-zero, else 1.
    public var channels: Int {
        encodingParameters.flatMap { Text.decimal($0, max: 255) }.flatMap { $0 == 0 ? nil : $0 } ?? 1
    }

    /// `encoding/clock[/params]`, the form rtpengine's codec options use (`opus/48000/2`).
    public var encodingSpec: String {
        var text = "\(encoding)/\(clockRate)"
        if let encodingParameters { text += "/\(encodingParameters)" }
        return text
    }
}
