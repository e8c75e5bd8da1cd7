import SDP

/// One payload type in a party's codec list, with the SDP lines that describe it.
public struct CodecEntry: Equatable, Sendable {
    public var format: PayloadFormat {
        didSet { traits = CodecTraits(format) }
    }
    /// a=rtpmap, a=fmtp and a=rtcp-fb lines of this payload type, as they are written to a party
    /// (copied from the SDP the entry came from, or generated for a synthesised codec).
    var lines: [SDPLine]
    /// Added or marked by us for transcoding (rtpengine's `for_transcoding`).
    public var forTranscoding = false
    /// Explicitly preferred as transcoding output (`accept`, `consume`, `always transcode`).
    public var accepted = false

    /// What the catalog says of `format`, worked out when the format is set (handler decisions
    /// ask it per codec pair, many times per offer/answer); always in step with `format`.
    private(set) var traits: CodecTraits

    init(format: PayloadFormat, lines: [SDPLine]) {
        self.format = format
        self.lines = lines
        self.traits = CodecTraits(format)
    }

    var payloadType: UInt8 { format.payloadType }
    var isSupplemental: Bool { traits.supplemental != nil }
    var isSupported: Bool { traits.supported }
}

/// A payload format's catalog facts: `CodecCatalog.isSupplemental` / `supports`, computed once.
struct CodecTraits: Equatable, Sendable {
    enum Supplemental: Equatable, Sendable { case telephoneEvent, comfortNoise }

    /// telephone-event or CN (names compared as `CodecCatalog.sameName` does); nil: audio.
    var supplemental: Supplemental?
    var supported: Bool

    init(_ format: PayloadFormat) {
        if CodecCatalog.sameName(format.encoding, "telephone-event") {
            supplemental = .telephoneEvent
        } else if CodecCatalog.sameName(format.encoding, "CN") {
            supplemental = .comfortNoise
        }
        supported = CodecCatalog.supports(format)
    }
}

/// A party's ordered codec list for one m= line (rtpengine's `codec_store`): what it can
/// receive, in preference order, and — rtpengine assumes symmetric codecs — what it sends.
/// Operations follow rtpengine 10.5's semantics (strip / offer / transcode / accept / mask) and
/// record which clock rates were touched, so supplemental codecs (telephone-event, CN) can be
/// added or removed per clock rate afterwards (`updateSupplemental`).
public struct CodecStore: Equatable, Sendable {
    public private(set) var entries: [CodecEntry] = []
    /// Clock rates of audio codecs that were added, removed or marked.
    private var touchedRates: Set<UInt32> = []
    /// A supplemental codec was touched (or `all` was used): every clock rate counts as touched.
    private var allTouched = false
    /// `strip: full` was used (then `transcode` always synthesises).
    private var stripFull = false

    public init(entries: [CodecEntry] = []) {
        self.entries = entries
    }

    public var payloadTypes: [UInt8] { entries.map(\.payloadType) }

    func entry(_ payloadType: UInt8) -> CodecEntry? {
        entries.first { $0.payloadType == payloadType }
    }

    private func contains(_ payloadType: UInt8) -> Bool { entry(payloadType) != nil }

    /// Entries a codec name (`PCMU`, `opus/48000`, `opus/48000/2`) designates.
    func named(_ name: String) -> [CodecEntry] {
        guard let spec = CodecSpec(name) else { return [] }
        return entries.filter { spec.matches($0.format) }
    }

    func isTouched(_ entry: CodecEntry) -> Bool {
        allTouched || touchedRates.contains(entry.format.clockRate)
    }

    private mutating func touch(_ entry: CodecEntry) {
        if entry.isSupplemental { allTouched = true } else { touchedRates.insert(entry.format.clockRate) }
    }

    /// Appends before the first supplemental codec (rtpengine's "add in order").
    private mutating func addInOrder(_ entry: CodecEntry) {
        let index = entries.firstIndex { $0.isSupplemental } ?? entries.endIndex
        entries.insert(entry, at: index)
    }

    mutating func append(_ entry: CodecEntry) {
        entries.append(entry)
    }

    mutating func reserveCapacity(_ count: Int) {
        entries.reserveCapacity(count)
    }

    // MARK: - Building from SDP

    /// The codec list an m= section states (payload types in m= order; static payload types get
    /// their RFC 3551 rtpmap; duplicates ignored).
    static func read(_ media: MediaDescription) -> CodecStore {
        // What `attributes(RTPMap.self)` does, called on the concrete types: the generic
        // version runs unspecialised from this module (witness tables per line).
        let rtpmaps = media.attributes(RTPMap.attributeName).compactMap(RTPMap.init(value:))
        let fmtps = media.attributes(FMTP.attributeName).compactMap(FMTP.init(value:))
        // The a=rtcp-fb lines, found once (not per payload type).
        let rtcpFB = media.lines.filter { $0.isAttribute && $0.value.utf8.starts(with: rtcpFBPrefix) }
        var store = CodecStore()
        store.entries.reserveCapacity(media.mediaLine.formats.count)
        for text in media.mediaLine.formats {
            guard let number = UInt8(text), number < 128, !store.contains(number) else { continue }
            let map = rtpmaps.first { $0.payloadType == Int(number) } ?? StaticPayloadTypes.rtpmap(for: Int(number))
            var fmtp: FMTP?
            var lines: [SDPLine] = []
            lines.reserveCapacity((map == nil ? 0 : 1) + fmtps.count { $0.payloadType == Int(number) }
                                  + rtcpFB.count { isRTCPFB($0.value, for: text) })
            if let map { lines.append(.attribute("rtpmap", map.value)) }
            for candidate in fmtps where candidate.payloadType == Int(number) {
                if fmtp == nil { fmtp = candidate }
                lines.append(.attribute("fmtp", candidate.value))
            }
            for line in rtcpFB where isRTCPFB(line.value, for: text) { lines.append(line) }
            let format = PayloadFormat(
                payloadType: number, encoding: map?.encoding ?? "", clockRate: UInt32(clamping: map?.clockRate ?? 0),
                channels: map.map { $0.channels } ?? 1, fmtp: fmtp?.parameters)
            store.entries.append(CodecEntry(format: format, lines: lines))
        }
        return store
    }

    private static let rtcpFBPrefix = Array("rtcp-fb:".utf8)

    /// `value` (an a=rtcp-fb line's text) starts with "rtcp-fb:<payload type> ", compared as
    /// bytes; a non-ASCII character right after it could join the space into one Character,
    /// so that case keeps String's `hasPrefix` (what this replaces, without building the prefix).
    private static func isRTCPFB(_ value: String, for payloadType: String) -> Bool {
        var rest = value.utf8.dropFirst(rtcpFBPrefix.count)
        guard rest.starts(with: payloadType.utf8) else { return false }
        rest = rest.dropFirst(payloadType.utf8.count)
        guard rest.first == UInt8(ascii: " ") else { return false }
        guard let next = rest.dropFirst().first, next >= 0x80 else { return true }
        return value.hasPrefix("rtcp-fb:\(payloadType) ")
    }

    /// A fresh list from the party's SDP, keeping the marks of payload types we knew (rtpengine's
    /// `codec_store_populate`); `set` specs give bitrates. The clock rates touched earlier stay
    /// touched (observed on 10.5, #101: the answerer's telephone-event is not copied back when
    /// the offer transcoded at its clock rate; the offerer's own is).
    ///
    /// `answerOnly` (an answer): payload types the answerer was not offered are left out — so an
    /// answer with only a codec nobody offered is answered with what remains (#113, #123).
    static func populate(from input: CodecStore, previous: CodecStore?, set: [String],
                         answerOnly: Bool = false) -> CodecStore {
        var store = CodecStore()
        store.entries.reserveCapacity(input.entries.count)
        store.touchedRates = previous?.touchedRates ?? []
        store.allTouched = previous?.allTouched ?? false
        for var entry in input.entries {
            if answerOnly, let previous, previous.entry(entry.payloadType) == nil { continue }
            if let old = previous?.entry(entry.payloadType) {
                entry.forTranscoding = old.forTranscoding
                entry.accepted = old.accepted
                // Written only when it differs: a write to `format` recomputes its traits.
                if entry.format.bitrate != old.format.bitrate { entry.format.bitrate = old.format.bitrate }
            }
            if entry.format.bitrate == nil,
               let spec = set.lazy.compactMap(CodecSpec.init).first(where: { $0.matches(entry.format) }) {
                entry.format.bitrate = spec.bitrate
            }
            store.entries.append(entry)
        }
        return store
    }

    // MARK: - Operations

    mutating func strip(_ names: [String], except: [String]) {
        for name in names {
            if name == "all" || name == "full" {
                if name == "full" { stripFull = true }
                let keep = except.compactMap(CodecSpec.init)
                for entry in entries where !keep.contains(where: { $0.matches(entry.format) }) {
                    touch(entry)
                }
                entries.removeAll { entry in !keep.contains { $0.matches(entry.format) } }
                continue
            }
            let stripped = named(name)
            for entry in stripped { touch(entry) }
            entries.removeAll { entry in stripped.contains { $0.payloadType == entry.payloadType } }
        }
    }

    /// Re-adds codecs the party offered (`original`) that are not in the list any more.
    mutating func offer(_ names: [String], original: CodecStore) {
        for name in names where named(name).isEmpty {
            readd(original.named(name))
        }
    }

    private mutating func readd(_ candidates: [CodecEntry]) {
        for entry in candidates where !contains(entry.payloadType) {
            touch(entry)
            addInOrder(entry)
        }
    }

    /// `transcode`: like `offer`, but a codec the party did not offer is synthesised with a
    /// payload type chosen as rtpengine does (its static number, else the first free from 96).
    mutating func transcode(_ names: [String], original: CodecStore) {
        for name in names where named(name).isEmpty {
            let fromOriginal = original.named(name)
            if !fromOriginal.isEmpty && !stripFull {
                readd(fromOriginal)
                continue
            }
            guard let spec = CodecSpec(name), var format = CodecCatalog.format(for: spec),
                  let number = unusedPayloadType(for: format, also: original) else { continue }
            format.payloadType = number
            var entry = CodecEntry(format: format, lines: CodecCatalog.lines(for: format))
            entry.forTranscoding = true
            touch(entry)
            addInOrder(entry)
        }
    }

    /// `accept` / `consume`: mark as preferred transcoding output; with `original`, codecs
    /// stripped earlier (`strip: all`) are re-added first.
    mutating func accept(_ names: [String], original: CodecStore?) {
        for name in names {
            var targets: [UInt8]
            if name == "all" || name == "full" {
                targets = payloadTypes
            } else {
                if named(name).isEmpty, let original { readd(original.named(name)) }
                targets = named(name).map(\.payloadType)
            }
            for index in entries.indices where targets.contains(entries[index].payloadType) {
                entries[index].forTranscoding = true
                entries[index].accepted = true
                touch(entries[index])
            }
        }
    }

    /// `mask` on the offerer's side: the codecs stay, their clock rates count as touched.
    mutating func track(_ names: [String]) {
        for name in names {
            if name == "all" || name == "full" {
                allTouched = true
                continue
            }
            for entry in named(name) { touch(entry) }
        }
    }

    /// An operation that left nothing falls back to what the party offered.
    mutating func restoreIfEmpty(from original: CodecStore) {
        guard entries.isEmpty else { return }
        entries = original.entries
    }

    /// rtpengine's codec tracker: a supplemental codec (telephone-event, CN) the list has at some
    /// clock rate is added for every other touched audio clock rate, and removed from touched
    /// clock rates no audio codec uses any more.
    mutating func updateSupplemental() {
        // Both adding and removing need a touched clock rate: none, nothing to do (the common
        // case: no codec options), and no sets or lists built for it.
        guard allTouched || !touchedRates.isEmpty else { return }
        let audioRates = Set(entries.filter { !$0.isSupplemental }.map(\.format.clockRate)).sorted()
        var names: [String] = []
        for entry in entries where entry.isSupplemental
            && !names.contains(where: { CodecCatalog.sameName($0, entry.format.encoding) }) {
            names.append(entry.format.encoding)
        }
        for name in names {
            let present = entries.filter { CodecCatalog.sameName($0.format.encoding, name) }
            for rate in audioRates where !present.contains(where: { $0.format.clockRate == rate })
                && (allTouched || touchedRates.contains(rate)) {
                guard let spec = CodecSpec("\(name)/\(rate)"), var format = CodecCatalog.format(for: spec),
                      let number = unusedPayloadType(for: format, also: nil) else { continue }
                format.payloadType = number
                var entry = CodecEntry(format: format, lines: CodecCatalog.lines(for: format))
                entry.forTranscoding = true
                addInOrder(entry)
            }
            entries.removeAll { entry in
                CodecCatalog.sameName(entry.format.encoding, name)
                    && !audioRates.contains(entry.format.clockRate)
                    && (allTouched || touchedRates.contains(entry.format.clockRate))
            }
        }
    }

    /// rtpengine's choice of a payload type number: the format's own (static) number, else 96
    /// upwards, skipping numbers used here or in `also` by a different format.
    private func unusedPayloadType(for format: PayloadFormat, also other: CodecStore?) -> UInt8? {
        var number = format.payloadType == CodecCatalog.unassigned ? 96 : Int(format.payloadType)
        while number < 128 {
            let taken = entry(UInt8(number)) ?? other?.entry(UInt8(number))
            guard let taken else { return UInt8(number) }
            if CodecCatalog.sameCodec(taken.format, format) { return UInt8(number) }
            number = number < 96 ? 96 : number + 1
        }
        return nil
    }
}
