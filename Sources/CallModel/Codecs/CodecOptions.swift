import NGProtocol

/// What an offer or answer asks of codec negotiation: rtpengine's `codec` dictionary (and its
/// `codec-*` flag spellings), `single codec`, `allow asymmetric codecs`, `ptime` and
/// `ptime-reverse`. Entries are codec specifications as given (`PCMU`, `opus/48000/2`, `all`).
@dynamicMemberLookup
public struct CodecOptions: Sendable, Equatable {
    /// The codec lists (`strip`, `offer`, `transcode`, `mask`, `accept`, `consume`, `except`,
    /// `set`) as the ng request carried them; read and written as `options.strip` etc.
    public var lists = NGCodecOptions()
    /// The answer back to the offerer lists one codec (plus its supplemental codecs).
    public var singleCodec = false
    public var allowAsymmetric = false
    /// `ptime`: packetisation towards the party this SDP goes to (forces repacketising).
    public var ptime: Int?
    /// `ptime-reverse`: packetisation towards the party that sent this SDP.
    public var ptimeReverse: Int?

    public init() {}

    public subscript(dynamicMember list: WritableKeyPath<NGCodecOptions, [String]>) -> [String] {
        get { lists[keyPath: list] }
        set { lists[keyPath: list] = newValue }
    }

    /// Nothing asked: codec lists pass through as the parties wrote them.
    public var isEmpty: Bool { self == CodecOptions() }
}

/// One codec specification `name[/clock[/channels[/bitrate[/ptime[/fmtp]]]]]`
/// (`opus/48000/2///useinbandfec=1`, `G722`, `PCMU/8000`).
struct CodecSpec: Equatable {
    var encoding: String
    var clockRate: UInt32?
    var channels: Int?
    var bitrate: Int?
    var ptime: Int?
    var fmtp: String?

    init?(_ text: String) {
        let fields = text.split(separator: "/", maxSplits: 5, omittingEmptySubsequences: false).map(String.init)
        guard let name = fields.first, !name.isEmpty else { return nil }
        encoding = name
        func number(_ i: Int) -> Int? { i < fields.count ? Int(fields[i]) : nil }
        // 0 or nothing: the codec's default (rtpengine's reading too).
        clockRate = number(1).flatMap { $0 > 0 ? UInt32(exactly: $0) : nil }
        channels = number(2).flatMap { $0 > 0 ? $0 : nil }
        bitrate = number(3)
        ptime = number(4)
        fmtp = fields.count > 5 && !fields[5].isEmpty ? fields[5] : nil
    }

    /// Whether an entry of a codec list is what this spec names (name, name/clock or
    /// name/clock/channels, case-insensitively, as rtpengine's codec name index).
    func matches(_ format: PayloadFormat) -> Bool {
        guard CodecCatalog.sameName(format.encoding, encoding) else { return false }
        if let clockRate, clockRate != format.clockRate { return false }
        if let channels, channels != format.channels { return false }
        return true
    }
}
