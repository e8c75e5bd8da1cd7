/// One media section: the `m=` line and the lines after it up to the next `m=`.
///
/// Equality compares `mediaLine` and `lines`. The original text of the `m=` line is kept
/// privately and printed as long as `mediaLine` is unchanged, so unusual spacing
/// (`m=audio  5000 ...`) or a port written `05000` still round-trips byte for byte.
public struct MediaDescription: Hashable, Sendable, SDPLineContainer {
    public var mediaLine: MediaLine
    /// Lines after `m=` in order (`i= c= b= k= a= ...`).
    public var lines: [SDPLine]

    /// The `m=` line as parsed, with its original value text and ending override.
    struct Source: Hashable, Sendable {
        var parsed: MediaLine
        var text: String
        var endingOverride: String?
    }
    var source: Source?

    public static var lineOrder: LineOrder { .media }

    public init(mediaLine: MediaLine, lines: [SDPLine] = []) {
        self.mediaLine = mediaLine
        self.lines = lines
        self.source = nil
    }

    init(mediaLine: MediaLine, source: Source) {
        self.mediaLine = mediaLine
        self.lines = []
        self.source = source
    }

    /// The `m=` line as it will be serialized.
    public var mediaSDPLine: SDPLine {
        if let source, source.parsed == mediaLine {
            return SDPLine(type: "m", value: source.text, endingOverride: source.endingOverride)
        }
        return SDPLine(type: "m", value: mediaLine.value, endingOverride: source?.endingOverride)
    }

    /// The media-level `c=` line. Setting inserts it before `b=`/`k=`/`a=`; nil removes it.
    public var connection: Connection? {
        get { firstLine("c", Connection.init(value:)) }
        set { setFirstLine("c", newValue?.value) }
    }

    public static func == (lhs: MediaDescription, rhs: MediaDescription) -> Bool {
        lhs.mediaLine == rhs.mediaLine && lhs.lines == rhs.lines
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(mediaLine)
        hasher.combine(lines)
    }
}

// MARK: - RTP helpers

extension MediaDescription {
    /// `a=mid:` value (RFC 5888); setting nil removes it.
    public var mid: String? {
        get { attribute(MID.attributeName) }
        set {
            if let newValue { setAttribute(MID.attributeName, newValue) } else { removeAttributes(MID.attributeName) }
        }
    }

    /// Every well-formed `a=rtpmap`, in order.
    public var rtpMaps: [RTPMap] { attributes(RTPMap.self) }

    /// The `a=rtpmap` for a payload type; does not fall back to the static table (use
    /// `StaticPayloadTypes.rtpmap(for:)` for that).
    public func rtpMap(for payloadType: Int) -> RTPMap? {
        attributes(RTPMap.attributeName).lazy.compactMap(RTPMap.init(value:)).first { $0.payloadType == payloadType }
    }

    /// The `a=fmtp` for a payload type.
    public func fmtp(for payloadType: Int) -> FMTP? {
        attributes(FMTP.attributeName).lazy.compactMap(FMTP.init(value:)).first { $0.payloadType == payloadType }
    }
}
