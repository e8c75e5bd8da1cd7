import SDP

/// A media leg's codec state: the party's codec list as we negotiated it, its packetisation
/// (rtpengine's per-media `ptime`), and the transcoding chosen for what it sends.
public struct CodecLegState: Equatable, Sendable {
    /// The party's codec list (what we write to it, what it may send); nil until it has one.
    public var store: CodecStore?
    /// The party's ptime: from its SDP, or forced by `ptime` / `ptime-reverse`.
    public var ptime: Int?
    /// `ptime` / `ptime-reverse` was used: the SDP to this party states `ptime`, and a
    /// packetisation difference between the parties is repacketised.
    public var ptimeOverride = false
    /// What the data plane does with RTP this party sends (nil: relay untouched).
    public var transcode: TranscodePlan?

    public init() {}
}

/// Offer/answer codec negotiation as rtpengine 10.5 does it (`codecs_offer` / `codecs_answer`):
/// the offer builds the offerer's and the receiver's codec lists from the offered SDP and the
/// `codec` options; the answer builds the answerer's list from its SDP and, from the handlers
/// answerer -> offerer, the list the offerer is answered with. Both end by choosing each
/// direction's TranscodePlan.
enum CodecNegotiation {
    static func offer(sender s: inout MediaLeg, receiver r: inout MediaLeg, media: MediaDescription,
                      options: CodecOptions) {
        guard isRTP(media.mediaLine.proto) else { return }
        let input = CodecStore.read(media)
        let isAudio = media.mediaLine.media == "audio"
        applyPtime(sender: &s.codec, receiver: &r.codec, sdp: media, options: options)

        var offerer = CodecStore.populate(from: input, previous: s.codec.store, set: options.set)
        offerer.strip(options.strip, except: options.except)
        offerer.offer(options.offer, original: input)
        offerer.offer(options.transcode, original: input)
        offerer.restoreIfEmpty(from: input)
        offerer.accept(options.accept, original: nil)
        offerer.accept(options.consume, original: input)
        offerer.track(options.mask)

        var receiver = CodecStore.populate(from: input, previous: r.codec.store, set: options.set)
        receiver.strip(options.strip, except: options.except)
        receiver.strip(options.consume, except: options.except)
        receiver.strip(options.mask, except: options.except)
        receiver.offer(options.offer, original: input)
        if isAudio { receiver.transcode(options.transcode, original: input) }
        receiver.restoreIfEmpty(from: input)
        receiver.updateSupplemental()

        s.codec.store = offerer
        r.codec.store = receiver
        choosePlans(&s, &r)
    }

    static func answer(answerer a: inout MediaLeg, offerer o: inout MediaLeg, media: MediaDescription,
                       options: CodecOptions) {
        guard isRTP(media.mediaLine.proto), media.mediaLine.port != 0 else { return }
        let input = CodecStore.read(media)
        // rtpengine 10.5 ignores `ptime` / `ptime-reverse` on an answer (#134, #139): the offerer
        // is answered with its own ptime whatever they say.
        var answerOptions = options
        answerOptions.ptime = nil
        answerOptions.ptimeReverse = nil
        applyPtime(sender: &a.codec, receiver: &o.codec, sdp: media, options: answerOptions)

        var answerer = CodecStore.populate(from: input, previous: a.codec.store, set: options.set, answerOnly: true)
        answerer.strip(options.strip, except: options.except)
        answerer.offer(options.offer, original: input)
        answerer.restoreIfEmpty(from: input)

        let previous = o.codec.store ?? input
        let back = CodecHandlers(
            from: answerer, to: previous, senderPtime: a.codec.effectivePtime, receiverPtime: o.codec.effectivePtime,
            ptimeOverride: a.codec.ptimeOverride || o.codec.ptimeOverride, answerPass: true)
        var offerer = CodecHandlers.answer(offerer: previous, answerer: answerer, handlers: back,
                                           singleCodec: options.singleCodec)
        offerer.updateSupplemental()
        answerer.updateSupplemental()

        a.codec.store = answerer
        o.codec.store = offerer
        choosePlans(&a, &o)
    }

    /// The transport protocol is RTP-based (`RTP/AVP`, `UDP/TLS/RTP/SAVPF`, ...): `contains("RTP")`,
    /// searched as bytes when the text is ASCII (it always is in practice; String's generic
    /// substring search is most of this check's cost), as String search otherwise.
    static func isRTP(_ proto: String) -> Bool {
        let ascii: Bool?? = proto.utf8.withContiguousStorageIfAvailable { bytes -> Bool? in
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
            guard bytes.count >= 3 else { return false }
            for i in 0...(bytes.count - 3) where bytes[i] == UInt8(ascii: "R")
                && bytes[i + 1] == UInt8(ascii: "T") && bytes[i + 2] == UInt8(ascii: "P") {
                return true
            }
            return false
        }
        if let found = ascii ?? nil { return found }
        return proto.contains("RTP")
    }

    /// rtpengine's ptime bookkeeping: an SDP's a=ptime sets both parties' ptime unless forced;
    /// `ptime` forces the receiving party's, `ptime-reverse` the sending party's.
    private static func applyPtime(sender: inout CodecLegState, receiver: inout CodecLegState,
                                   sdp media: MediaDescription, options: CodecOptions) {
        if let value = media.attribute("ptime").flatMap({ Int($0.filter { $0 != " " }) }), value > 0 {
            if !receiver.ptimeOverride { receiver.ptime = value }
            if !sender.ptimeOverride { sender.ptime = value }
        }
        if let ptime = options.ptime {
            receiver.ptime = ptime
            receiver.ptimeOverride = true
            sender.ptimeOverride = true
        }
        if let reverse = options.ptimeReverse {
            sender.ptime = reverse
            receiver.ptimeOverride = true
            sender.ptimeOverride = true
        }
    }

    private static func choosePlans(_ x: inout MediaLeg, _ y: inout MediaLeg) {
        guard let sx = x.codec.store, let sy = y.codec.store else { return }
        x.codec.transcode = TranscodePlanner.plan(from: sx, x.codec, to: sy, y.codec)
        y.codec.transcode = TranscodePlanner.plan(from: sy, y.codec, to: sx, x.codec)
    }

    // MARK: - SDP output

    /// The m= payload list and codec lines written to `leg`'s party: its codec list, as rtpengine
    /// always writes it (a non-RTP m= line has none: its SDP passes as it is).
    static func sdpBlock(for leg: MediaLeg) -> (formats: [String], lines: [SDPLine])? {
        guard let store = leg.codec.store, !store.entries.isEmpty else { return nil }
        return (store.payloadTypes.map { String($0) }, store.entries.flatMap(\.lines))
    }

    /// The a=ptime written to `leg`'s party when ptime was forced (nil: keep the SDP's).
    static func ptimeLines(for leg: MediaLeg) -> [SDPLine]? {
        guard leg.codec.ptimeOverride else { return nil }
        return leg.codec.ptime.map { [.attribute("ptime", String($0))] } ?? []
    }
}

extension CodecLegState {
    /// The packetisation a codec handler assumes: the party's ptime, else 20 ms (the default
    /// of every codec Tandem transcodes).
    var effectivePtime: Int { ptime ?? 20 }
}
