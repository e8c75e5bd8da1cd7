/// Turns the handlers of one direction (what party X sends, on its way to party Y) into the
/// data plane's TranscodePlan; nil when every payload type X may send is relayed unchanged.
enum TranscodePlanner {
    static func plan(from sender: CodecStore, _ senderState: CodecLegState,
                     to receiver: CodecStore, _ receiverState: CodecLegState) -> TranscodePlan? {
        let handlers = CodecHandlers(
            from: sender, to: receiver, senderPtime: senderState.effectivePtime,
            receiverPtime: receiverState.effectivePtime,
            ptimeOverride: senderState.ptimeOverride || receiverState.ptimeOverride, answerPass: false)
        // The common case: every audio payload type relayed as it is, so no codec work and no
        // number changes — no plan (what the code below concludes too), nothing built for it.
        if handlers.handlers.allSatisfy({ $0.source.isSupplemental || $0.action == .passthrough }) { return nil }
        var passthrough = [UInt8: UInt8](minimumCapacity: handlers.handlers.count)
        var decode: [PayloadFormat] = []
        var first: CodecHandlers.Handler?
        var encode: CodecEntry?
        for h in handlers.handlers where !h.source.isSupplemental {
            switch h.action {
            case .passthrough:
                passthrough[h.source.payloadType] = h.source.payloadType
            case .transcode(let sink):
                if h.renumberOnly {
                    passthrough[h.source.payloadType] = sink.payloadType
                } else if encode == nil || encode?.payloadType == sink.payloadType {
                    encode = encode ?? sink
                    first = first ?? h
                    decode.append(h.source.format)
                }
            }
        }
        guard let encode, let first else {
            // No codec work: relay; a plan only if a payload type number changes on the way.
            let renumbered = passthrough.contains { $0.key != $0.value }
            guard renumbered, let any = handlers.handlers.first(where: { !$0.source.isSupplemental }) else { return nil }
            for h in handlers.handlers where h.source.isSupplemental && h.action == .passthrough {
                passthrough[h.source.payloadType] = h.source.payloadType
            }
            return TranscodePlan(passthrough: passthrough, decode: [], encode: any.source.format,
                                 ptime: receiverState.effectivePtime, generateRTCP: false)
        }
        let dtmfIn = CodecHandlers.supplemental(.telephoneEvent, first.source.format.clockRate, in: sender)
        let dtmfOut = first.dtmfOut
        return TranscodePlan(
            passthrough: passthrough, decode: decode, encode: encode.format,
            ptime: receiverState.effectivePtime,
            telephoneEventIn: dtmfIn?.format, telephoneEventOut: dtmfOut?.format,
            detectInbandDTMF: first.detectInbandDTMF && dtmfOut != nil,
            generateInbandDTMF: dtmfIn != nil && dtmfOut == nil,
            comfortNoise: first.cnOut.map { .pass(payloadType: $0.payloadType) } ?? .drop)
    }
}
