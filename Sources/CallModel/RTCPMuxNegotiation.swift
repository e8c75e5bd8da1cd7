/// rtcp-mux (RFC 5761) decisions, following rtpengine's `rtcp-mux` flags:
/// by default go along with the parties' preferences; `offer`/`require` push it to the
/// receiving party, `demux` keeps it away from them, `accept`/`reject` decide what the offering
/// party is told (`reject` still passes the offer on: rtpengine 10.5, golden case 022).
extension Negotiation {
    func negotiateMuxOnOffer(sender: inout MediaLeg, receiver: inout MediaLeg,
                             flags: Set<OfferAnswerOptions.RTCPMuxFlag>) {
        let passOn = sender.offeredMux && !flags.contains(.demux)
        receiver.muxOfferedByUs = flags.contains(.offer) || flags.contains(.require) || passOn
        if flags.contains(.require) { receiver.muxed = true }
        sender.muxAcceptance = Self.acceptance(flags, current: sender.muxAcceptance)
    }

    func negotiateMuxOnAnswer(answerer: inout MediaLeg, offerer: inout MediaLeg,
                              flags: Set<OfferAnswerOptions.RTCPMuxFlag>) {
        answerer.muxed = answerer.muxed || (answerer.offeredMux && answerer.muxOfferedByUs)
        let acceptance = Self.acceptance(flags, current: offerer.muxAcceptance)
        switch acceptance {
        case .accept: offerer.muxed = offerer.offeredMux
        case .reject: offerer.muxed = false
        case .followPeer: offerer.muxed = offerer.offeredMux && answerer.muxed
        }
    }

    private static func acceptance(_ flags: Set<OfferAnswerOptions.RTCPMuxFlag>, current: MuxAcceptance) -> MuxAcceptance {
        if flags.contains(.reject) { return .reject }
        if flags.contains(.accept) || flags.contains(.demux) { return .accept }
        return current
    }
}
