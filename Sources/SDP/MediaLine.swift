/// The `m=` line: `m=<media> <port>[/<number of ports>] <proto> <fmt> ...`.
public struct MediaLine: Hashable, Sendable {
    /// audio / video / application / image / text / message (kept as written).
    public var media: String
    /// 0 means the stream is rejected or disabled.
    public var port: UInt16
    /// The "/2" of `m=audio 5000/2 ...`; nil when absent.
    public var portCount: Int?
    /// RTP/AVP, RTP/SAVPF, UDP/TLS/RTP/SAVPF, udptl, UDP/DTLS/SCTP, ... (kept as written).
    public var proto: String
    /// Payload types for RTP profiles, other tokens (t38, webrtc-datachannel, ...) otherwise.
    public var formats: [String]

    public init(media: String, port: UInt16, portCount: Int? = nil, proto: String, formats: [String]) {
        self.media = media
        self.port = port
        self.portCount = portCount
        self.proto = proto
        self.formats = formats
    }

    public init?(value: String) {
        guard case .success(let line) = MediaLine.parse(value) else { return nil }
        self = line
    }

    public var value: String {
        var text = "\(media) \(port)"
        if let portCount { text += "/\(portCount)" }
        text += " \(proto)"
        for format in formats { text += " \(format)" }
        return text
    }

    public var isRejected: Bool { port == 0 }

    /// The formats that are RTP payload types (0...127), in order; non-numeric ones are skipped.
    public var payloadTypes: [Int] { formats.compactMap { Text.decimal($0, max: 127) } }

    /// Why an `m=` value is not acceptable; the text goes into `SDPError.malformedMediaLine`.
    struct Failure: Error { let reason: String }

    static func parse(_ value: String) -> Result<MediaLine, Failure> {
        let tokens = Text.tokens(value)
        guard tokens.count >= 2 else { return .failure(Failure(reason: "missing port")) }
        let (portText, countText) = Text.splitFirst(tokens[1], at: UInt8(ascii: "/"))
        guard Text.isDigits(portText) else { return .failure(Failure(reason: "port is not a number")) }
        guard let port = Text.decimal(portText, max: Int(UInt16.max)) else {
            return .failure(Failure(reason: "port exceeds 65535"))
        }
        var portCount: Int?
        if let countText {
            guard let count = Text.decimal(countText, max: Int(UInt16.max)), count > 0 else {
                return .failure(Failure(reason: "bad number of ports"))
            }
            portCount = count
        }
        guard tokens.count >= 3 else { return .failure(Failure(reason: "missing transport protocol")) }
        // RFC 8866 requires a format; accept none only on a rejected stream (port 0), which some
        // user agents send when declining a stream.
        guard tokens.count >= 4 || port == 0 else { return .failure(Failure(reason: "missing format list")) }
        return .success(MediaLine(media: tokens[0], port: UInt16(port), portCount: portCount,
                                  proto: tokens[2], formats: Array(tokens.dropFirst(3))))
    }
}
