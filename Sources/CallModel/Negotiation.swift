import Crypto
import SDP
import STUN
import TandemBase

/// One offer or answer applied to a call. Work happens in three phases so an error changes
/// nothing: plan (resolve parties and interfaces, open sockets in a transaction), commit (store
/// the new legs, link the parties), then configure the data plane and rewrite the SDP.
struct Negotiation {
    let call: Call
    let plane: MediaPlane
    let interfaces: InterfaceSet
    let learning: OfferAnswerOptions.EndpointLearning
    /// The DTLS certificate whose fingerprint we advertise (nil: no DTLS offered or accepted).
    var certificate: DTLSCertificate? = DTLSIdentity.current

    /// The SDP belongs to the from-tag party; the result is for the party it is offered to.
    func offer(_ sdp: SessionDescription, text: String, media: [SenderMedia], options: OfferAnswerOptions,
               wallClock: Double) throws(CallError) -> String {
        let sender = call.monologue(tag: options.fromTag) ?? Monologue(tag: options.fromTag, wallClock: wallClock)
        let receiver = offerReceiver(for: sender, options: options, wallClock: wallClock)
        let senderFamily = media.first { !$0.rejected }?.family ?? .ipv4
        let senderInterface = try interfaces.select(
            name: options.direction.first, family: senderFamily, strictFamily: false)
        let receiverInterface = try interfaces.select(
            name: options.direction.count > 1 ? options.direction[1] : nil,
            family: options.addressFamily ?? senderFamily, strictFamily: options.addressFamily != nil)

        var transaction = SocketTransaction(plane: plane)
        var senderLegs = sender.legs(facing: receiver)
        var receiverLegs = receiver.legs(facing: sender)
        do {
            for item in media {
                var s = leg(in: senderLegs, item, interface: senderInterface)
                var r = leg(in: receiverLegs, item, interface: receiverInterface)
                // Our ICE towards the callee (observed on rtpengine 10.5): by default as the offerer
                // until the callee has answered, then as the callee's own SDP; never with `remove`;
                // always with `force`, `force-relay` and `optional`.
                let iceOut: Bool
                switch options.ice {
                case .remove: iceOut = false
                case .force, .forceRelay, .optional: iceOut = true
                case .default: iceOut = receiver.hasSDP ? r.remoteHasICE : item.hasICE
                }
                // ICE switched on for a leg that never had it: rtpengine moves it to new ports.
                let freshPorts = iceOut && r.rtp != nil && !r.iceAdvertised && r.localICE == nil
                if !item.rejected {
                    try transaction.ensureSockets(&s, on: keepOrMove(s, senderInterface, options))
                    try transaction.ensureSockets(&r, on: keepOrMove(r, receiverInterface, options), fresh: freshPorts)
                }
                applySenderMedia(item, to: &s, options: options)
                if !item.rejected, item.index < sdp.media.count {
                    CodecNegotiation.offer(sender: &s, receiver: &r, media: sdp.media[item.index], options: options.codecs)
                }
                SecurityNegotiation(options: options.security, certificate: certificate)
                    .offer(sender: &s, receiver: &r, item, outProto: options.transportProtocol ?? item.proto)
                negotiateMuxOnOffer(sender: &s, receiver: &r, flags: options.rtcpMux)
                s.iceFollowsAnswer = options.ice == .optional || options.ice == .forceRelay
                try advertiseICE(&r, iceOut && !item.rejected, options: r.remoteICEOptions, &transaction)
                r.rejected = item.rejected
                r.latching = merged(r.latching, options.latching)
                store(s, in: &senderLegs)
                store(r, in: &receiverLegs)
            }
        } catch {
            transaction.rollback()
            throw error
        }
        commit(sender: sender, senderLegs, receiver: receiver, receiverLegs, options: options)
        transaction.commit()
        Forwarding.configure(sender.medias, receiver.medias, learning: learning, plane: plane)
        return SDPRewriter(options: options, forOffer: true)
            .rewrite(sdp, text: text, legs: receiverLegs, media: media, sender: sender)
    }

    /// The SDP belongs to the to-tag party (the answerer); the result goes back to the offerer.
    func answer(_ sdp: SessionDescription, text: String, media: [SenderMedia], options: OfferAnswerOptions,
                wallClock: Double) throws(CallError) -> String {
        guard let offerer = call.monologue(tag: options.fromTag) else {
            throw .unknownTag(options.fromTag)
        }
        guard let (answerer, answererLegsSource, takenFrom) = answerer(for: offerer, options: options, wallClock: wallClock) else {
            throw .unknownTag(options.toTag ?? "")
        }
        var transaction = SocketTransaction(plane: plane)
        var answererLegs = answererLegsSource
        var offererLegs = offerer.legs(facing: answerer)
        do {
            for item in media {
                var a = leg(in: answererLegs, item, interface: interfaces.all[0])
                var o = leg(in: offererLegs, item, interface: a.interface)
                if !item.rejected {
                    // New branches (forks) and answers with extra m= lines need sockets here.
                    try transaction.ensureSockets(&a, on: a.interface)
                    try transaction.ensureSockets(&o, on: o.interface)
                }
                applySenderMedia(item, to: &a, options: options)
                if !item.rejected, !o.rejected, item.index < sdp.media.count {
                    CodecNegotiation.answer(answerer: &a, offerer: &o, media: sdp.media[item.index], options: options.codecs)
                }
                SecurityNegotiation(options: options.security, certificate: certificate)
                    .answer(answerer: &a, offerer: &o, item, answerProto: options.transportProtocol ?? o.proto)
                negotiateMuxOnAnswer(answerer: &a, offerer: &o, flags: options.rtcpMux)
                // Our ICE back to the offerer: if it spoke ICE (an offer's `ICE=remove` faced the
                // callee only) — after an offer with `optional`/`force-relay` only if the answerer
                // spoke ICE too; the answer's own `force`/`remove` decide outright (rtpengine 10.5).
                let iceBack: Bool
                switch options.ice {
                case .force: iceBack = true
                case .remove: iceBack = false
                case .default, .optional, .forceRelay:
                    iceBack = o.remoteHasICE && (!o.iceFollowsAnswer || item.hasICE)
                }
                try advertiseICE(&o, iceBack && !item.rejected && !o.rejected,
                                 options: o.remoteICEOptions, &transaction)
                o.rejected = o.rejected || item.rejected
                o.latching = merged(o.latching, options.latching)
                store(a, in: &answererLegs)
                store(o, in: &offererLegs)
            }
        } catch {
            transaction.rollback()
            throw error
        }
        if answerer.tag.isEmpty { answerer.tag = options.toTag ?? "" }
        takenFrom?.medias = []  // its sockets now belong to the fork that answered
        commit(sender: answerer, answererLegs, receiver: offerer, offererLegs, options: options)
        transaction.commit()
        Forwarding.configure(answerer.medias, offerer.medias, learning: learning, plane: plane)
        return SDPRewriter(options: options, forOffer: false)
            .rewrite(sdp, text: text, legs: offererLegs, media: media, sender: answerer)
    }

    // MARK: - Parties

    /// Who an offer goes to: the to-tag party if named, else the pending branch for this
    /// via-branch, else the sender's current peer (a re-offer), else a new pending branch.
    private func offerReceiver(for sender: Monologue, options: OfferAnswerOptions, wallClock: Double) -> Monologue {
        if let toTag = options.toTag, let known = call.monologue(tag: toTag) { return known }
        if let pending = call.pendingBranch(offerer: sender, viaBranch: options.viaBranch) { return pending }
        if options.toTag?.isEmpty ?? true, let peer = sender.peer,
           options.viaBranch == nil || peer.viaBranch == nil || peer.viaBranch == options.viaBranch {
            return peer
        }
        let branch = Monologue(tag: options.toTag ?? "", wallClock: wallClock)
        branch.viaBranch = options.viaBranch
        branch.offerer = sender
        return branch
    }

    /// Who an answer comes from, and the legs it starts from: the to-tag party if known, else the
    /// offerer's pending branch, else — another fork answering the same offer — a new party that
    /// takes over the sockets the offer advertised (the offerer gets a new set facing it).
    private func answerer(for offerer: Monologue, options: OfferAnswerOptions,
                          wallClock: Double) -> (Monologue, [MediaLeg], takenFrom: Monologue?)? {
        let toTag = options.toTag ?? ""
        if let known = call.monologue(tag: toTag) { return (known, known.legs(facing: offerer), nil) }
        if let pending = call.pendingBranch(offerer: offerer, viaBranch: options.viaBranch) {
            return (pending, pending.legs(facing: offerer), nil)
        }
        guard let previous = offerer.peer else { return nil }
        let fork = Monologue(tag: toTag, wallClock: wallClock)
        fork.viaBranch = options.viaBranch
        return (fork, previous.legs(facing: offerer), previous)
    }

    private func commit(sender: Monologue, _ senderLegs: [MediaLeg],
                        receiver: Monologue, _ receiverLegs: [MediaLeg], options: OfferAnswerOptions) {
        sender.adopt(senderLegs, facing: receiver)
        receiver.adopt(receiverLegs, facing: sender)
        sender.hasSDP = true
        if let label = options.label { sender.label = label }
        if sender.viaBranch == nil { sender.viaBranch = options.viaBranch }
        if !call.monologues.contains(where: { $0 === sender }) { call.add(sender) }
        if !call.monologues.contains(where: { $0 === receiver }) { call.add(receiver) }
    }

    // MARK: - Legs

    private func leg(in legs: [MediaLeg], _ item: SenderMedia, interface: LocalInterface) -> MediaLeg {
        if item.index < legs.count { return legs[item.index] }
        return MediaLeg(index: item.index, type: item.type, proto: item.proto, interface: interface)
    }

    private func store(_ leg: MediaLeg, in legs: inout [MediaLeg]) {
        var leg = leg
        leg.dropStaleICESelections()
        if leg.index < legs.count {
            legs[leg.index] = leg
        } else {
            legs.append(leg)
        }
    }

    /// Re-offers keep a leg on its interface unless the offer asks for a direction or family.
    private func keepOrMove(_ leg: MediaLeg, _ wanted: LocalInterface, _ options: OfferAnswerOptions) -> LocalInterface {
        guard leg.rtp != nil, options.direction.isEmpty, options.addressFamily == nil else { return wanted }
        return leg.interface
    }

    private func applySenderMedia(_ item: SenderMedia, to leg: inout MediaLeg, options: OfferAnswerOptions) {
        leg.addressChanged = leg.remoteRTP != item.rtp
        leg.type = item.type
        leg.proto = item.proto
        leg.remoteRTP = item.rtp
        leg.remoteRTCP = item.rtcp
        leg.rejected = item.rejected
        leg.zeroAddress = item.rtp == nil && !item.rejected
        leg.offeredMux = item.rtcpMux
        leg.onHold = item.holding
        leg.formats = item.formats
        leg.ptime = item.ptime
        leg.remoteHasICE = item.hasICE
        leg.remoteICE = item.ice
        leg.remoteICEOptions = item.iceOptions
        leg.mid = item.mid
        leg.latching = merged(leg.latching, options.latching)
    }

    /// Whether the SDP sent to `leg`'s party carries our ICE (and which a=ice-options, from that
    /// party's own SDP: rtpengine writes them, with a=end-of-candidates for trickle, even when
    /// ICE is removed); if so the leg gets its credentials
    /// (once, kept across re-offers) and a socket pair on each other address of its interface.
    private func advertiseICE(_ leg: inout MediaLeg, _ on: Bool, options iceOptions: String?,
                              _ transaction: inout SocketTransaction) throws(CallError) {
        leg.iceAdvertised = on && leg.rtp != nil
        // The party's own a=ice-options (trickle) is echoed to it, even with ICE removed.
        leg.iceOptionsOut = iceOptions
        guard leg.iceAdvertised else { return }
        if leg.localICE == nil { leg.localICE = ICEShortTermCredentials.generate(ufragLength: 8, pwdLength: 26) }
        let current = leg.interface
        let others = interfaces.all.filter { $0.name == current.name && $0 != current }
        try transaction.ensureICESockets(&leg, on: others)
    }

    /// Flags only ever add restrictions; `endpoint-learning=off` is learning never, i.e. asymmetric.
    private func merged(_ a: LatchingPolicy, _ b: LatchingPolicy) -> LatchingPolicy {
        LatchingPolicy(asymmetric: a.asymmetric || b.asymmetric || learning == .off, strictSource: a.strictSource || b.strictSource,
                       mediaHandover: a.mediaHandover || b.mediaHandover, portLatching: a.portLatching || b.portLatching)
    }
}
