/// What happens to each payload type one party sends on its way to the other party, decided
/// as rtpengine 10.5 does (`codec_handlers_update`): a codec the receiving party also has is
/// passed through; otherwise it is transcoded to the receiving party's preferred codec (its
/// first `accept`ed one, else its first supported one). Supplemental codecs (telephone-event,
/// CN) follow the audio codec they belong to, per clock rate.
struct CodecHandlers {
    enum Action: Equatable {
        /// Relayed as it is (also: a codec we cannot decode, with nothing better to do).
        case passthrough
        /// Decoded and re-encoded as `sink` (also a mere payload type change of the same codec).
        case transcode(sink: CodecEntry)
    }

    struct Handler: Equatable {
        var source: CodecEntry
        var action: Action
        /// The receiving party's telephone-event / CN payload types that go with the output.
        var dtmfOut: CodecEntry?
        var cnOut: CodecEntry?
        /// The sender has no telephone-event at this rate, the receiver has one we added.
        var detectInbandDTMF = false
        /// Transcoding only because the receiver numbers the same codec differently: the data
        /// plane just rewrites the payload type.
        var renumberOnly = false
    }

    var handlers: [Handler] = []

    /// `answerPass`: the pass rtpengine makes while building the answer back to the offerer
    /// (no flags): a supplemental codec the answerer dropped, and we did not add, is dropped.
    init(from sender: CodecStore, to receiver: CodecStore, senderPtime: Int, receiverPtime: Int,
         ptimeOverride: Bool, answerPass: Bool) {
        let preferred = receiver.entries.first { $0.accepted && !$0.isSupplemental && $0.isSupported }
            ?? receiver.entries.first { !$0.isSupplemental && $0.isSupported }
        handlers.reserveCapacity(sender.entries.count)
        for pt in sender.entries {
            handlers.append(Self.decide(pt, sender: sender, receiver: receiver, preferred: preferred,
                                        ptimeDiffers: ptimeOverride && senderPtime != receiverPtime,
                                        answerPass: answerPass))
        }
    }

    func handler(for payloadType: UInt8) -> Handler? {
        handlers.first { $0.source.payloadType == payloadType }
    }

    private static func decide(_ pt: CodecEntry, sender: CodecStore, receiver: CodecStore, preferred: CodecEntry?,
                               ptimeDiffers: Bool, answerPass: Bool) -> Handler {
        guard pt.isSupported else { return Handler(source: pt, action: .passthrough) }
        var sink = receiver.entry(pt.payloadType).flatMap { CodecCatalog.sameCodec($0.format, pt.format) ? $0 : nil }
            ?? receiver.entries.first { CodecCatalog.sameCodec($0.format, pt.format) }
        if sink != nil, !pt.isSupplemental, let preferred, preferred.forTranscoding { sink = preferred }
        // Only whether the sender has them, and their mark, count below: no entry copies.
        let recvDTMF = supplementalMark(.telephoneEvent, pt.format.clockRate, in: sender)
        let recvCN = supplementalMark(.comfortNoise, pt.format.clockRate, in: sender)
        guard let sink = sink ?? preferred else {
            // Nothing to send it as: relayed, with the sender's own te/CN (#146).
            return Handler(source: pt, action: .passthrough,
                           dtmfOut: supplemental(.telephoneEvent, pt.format.clockRate, in: sender),
                           cnOut: supplemental(.comfortNoise, pt.format.clockRate, in: sender))
        }
        var sinkDTMF = supplemental(.telephoneEvent, sink.format.clockRate, in: receiver)
        var sinkCN = supplemental(.comfortNoise, sink.format.clockRate, in: receiver)
        if answerPass {
            if let d = sinkDTMF, recvDTMF == nil, !d.forTranscoding { sinkDTMF = nil }
            if let c = sinkCN, recvCN == nil, !c.forTranscoding { sinkCN = nil }
        }
        var handler = Handler(source: pt, action: .passthrough, dtmfOut: sinkDTMF, cnOut: sinkCN)
        handler.detectInbandDTMF = !pt.isSupplemental && recvDTMF == nil && (sinkDTMF?.forTranscoding ?? false)

        let codecWork = !CodecCatalog.sameCodec(pt.format, sink.format)
            || (ptimeDiffers && !pt.isSupplemental)
            || handler.detectInbandDTMF
            || ((recvDTMF ?? false) && sinkDTMF == nil)
            || (recvCN == nil && (sinkCN?.forTranscoding ?? false))
            || ((recvCN ?? false) && sinkCN == nil)
        if codecWork || pt.payloadType != sink.payloadType {
            handler.action = .transcode(sink: sink)
            handler.renumberOnly = !codecWork
        }
        return handler
    }

    /// `supplemental(...)?.forTranscoding`: nil when the store has none at `clockRate`.
    private static func supplementalMark(_ kind: CodecTraits.Supplemental, _ clockRate: UInt32,
                                         in store: CodecStore) -> Bool? {
        for entry in store.entries where entry.format.clockRate == clockRate && entry.traits.supplemental == kind {
            return entry.forTranscoding
        }
        return nil
    }

    /// The store's first telephone-event / CN at `clockRate`.
    static func supplemental(_ kind: CodecTraits.Supplemental, _ clockRate: UInt32, in store: CodecStore) -> CodecEntry? {
        store.entries.first { $0.format.clockRate == clockRate && $0.traits.supplemental == kind }
    }

    // MARK: - The answer back to the offerer

    /// rtpengine's `codec_store_answer`: the offerer's new list, from what the answerer accepted.
    /// A passed-through codec is listed as the answerer wrote it; a transcoded one as the
    /// offerer's codec we transcode to; the offerer's telephone-event/CN that go with them are
    /// appended; supplemental codecs we touched are not copied from the answer.
    static func answer(offerer previous: CodecStore, answerer: CodecStore, handlers: CodecHandlers,
                       singleCodec: Bool) -> CodecStore {
        var result = CodecStore()
        result.reserveCapacity(answerer.entries.count)
        var count = 0
        var supplementals: [CodecEntry] = []
        for pt in answerer.entries {
            let add = !(singleCodec && count >= 1)
            guard let h = handlers.handler(for: pt.payloadType) else { continue }
            if pt.isSupplemental {
                if pt.forTranscoding || answerer.isTouched(pt) || previous.isTouched(pt) { continue }
            } else if !add {
                continue
            }
            let listed: CodecEntry
            switch h.action {
            case .passthrough: listed = pt
            case .transcode(let sink): listed = sink
            }
            if result.entry(listed.payloadType) == nil {
                result.append(listed)
                count += 1
            }
            // CN first, then telephone-event (no array built per codec for the pair).
            if let cn = h.cnOut, let original = previous.entry(cn.payloadType) { supplementals.append(original) }
            if let dtmf = h.dtmfOut, let original = previous.entry(dtmf.payloadType) { supplementals.append(original) }
        }
        for entry in supplementals where result.entry(entry.payloadType) == nil {
            result.append(entry)
        }
        return result
    }
}
