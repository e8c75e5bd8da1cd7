import SDP
import TandemBase

/// One offer or answer applied to a call. Work happens in three phases so an error changes
/// nothing: plan (resolve parties and interfaces, open sockets in a transaction), commit (store
/// the new legs, link the parties), then configure the data plane and rewrite the SDP.
struct Negotiation {
    let call: Call
    let plane: MediaPlane
    let interfaces: InterfaceSet

    /// The SDP belongs to the from-tag party; the result is for the party it is offered to.
    func offer(_ sdp: SessionDescription, media: [SenderMedia], options: OfferAnswerOptions,
               wallClock: Double) throws(CallError) -> String {
        let sender = call.monologue(tag: options.fromTag) ?? Monologue(tag: options.fromTag, wallClock: wallClock)
        let receiver = offerReceiver(for: sender, options: options, wallClock: wallClock)
        let senderFamily = media.first { !$0.rejected }?.family ?? .ipv4
        let receiverFamily = options.addressFamily ?? senderFamily
        let senderInterface = try interfaces.select(
            name: options.direction.first, family: senderFamily, strictFamily: false)
        let receiverInterface = try interfaces.select(
            name: options.direction.count > 1 ? options.direction[1] : nil,
            family: receiverFamily, strictFamily: options.addressFamily != nil)

        var transaction = SocketTransaction(plane: plane)
        var senderLegs = sender.medias
        var receiverLegs = receiver.medias
        do {
            for item in media {
                var s = leg(in: senderLegs, item, interface: senderInterface)
                var r = leg(in: receiverLegs, item, interface: receiverInterface)
                if !item.rejected {
                    try transaction.ensureSockets(&s, on: keepOrMove(s, senderInterface, options))
                    try transaction.ensureSockets(&r, on: keepOrMove(r, receiverInterface, options))
                }
                applySenderMedia(item, to: &s, options: options)
                negotiateMuxOnOffer(sender: &s, receiver: &r, flags: options.rtcpMux)
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
        Forwarding.configure(sender, receiver, plane: plane)
        let rewriter = SDPRewriter(options: options, forOffer: true)
        return rewriter.rewrite(sdp, legs: receiverLegs, media: media)
    }

    /// The SDP belongs to the to-tag party (the answerer); the result goes back to the offerer.
    func answer(_ sdp: SessionDescription, media: [SenderMedia], options: OfferAnswerOptions,
                wallClock: Double) throws(CallError) -> String {
        guard let offerer = call.monologue(tag: options.fromTag) else {
            throw .unknownTag(options.fromTag)
        }
        guard let answerer = try answerer(for: offerer, options: options, wallClock: wallClock) else {
            throw .unknownTag(options.toTag ?? "")
        }
        var transaction = SocketTransaction(plane: plane)
        var answererLegs = answerer.medias
        var offererLegs = offerer.medias
        do {
            for item in media {
                var a = leg(in: answererLegs, item, interface: interfaces.all[0])
                var o = leg(in: offererLegs, item, interface: a.interface)
                if !item.rejected, a.rtp == nil || o.rtp == nil {
                    // An answer with more m= lines than the offer: give the new stream sockets too.
                    try transaction.ensureSockets(&a, on: a.interface)
                    try transaction.ensureSockets(&o, on: o.interface)
                }
                applySenderMedia(item, to: &a, options: options)
                negotiateMuxOnAnswer(answerer: &a, offerer: &o, flags: options.rtcpMux)
                o.rejected = o.rejected || item.rejected
                o.latching = merged(o.latching, options.latching)
                store(a, in: &answererLegs)
                store(o, in: &offererLegs)
            }
        } catch {
            transaction.rollback()
            throw error
        }
        commit(sender: answerer, answererLegs, receiver: offerer, offererLegs, options: options)
        transaction.commit()
        Forwarding.configure(answerer, offerer, plane: plane)
        let rewriter = SDPRewriter(options: options, forOffer: false)
        return rewriter.rewrite(sdp, legs: offererLegs, media: media)
    }

    // MARK: - Parties

    /// Who an offer goes to: the to-tag party if named, else the branch for this via-branch, else
    /// the sender's existing peer (a re-offer), else a new pending branch.
    private func offerReceiver(for sender: Monologue, options: OfferAnswerOptions, wallClock: Double) -> Monologue {
        if let toTag = options.toTag, !toTag.isEmpty {
            return call.monologue(tag: toTag) ?? newBranch(tag: toTag, options: options, wallClock: wallClock)
        }
        if let pending = call.pendingBranch(offerer: sender, viaBranch: options.viaBranch) { return pending }
        if let peerTag = sender.peerTag, let peer = call.monologue(tag: peerTag),
           options.viaBranch == nil || peer.viaBranch == nil || peer.viaBranch == options.viaBranch {
            return peer
        }
        return newBranch(tag: "", options: options, wallClock: wallClock)
    }

    private func newBranch(tag: String, options: OfferAnswerOptions, wallClock: Double) -> Monologue {
        let branch = Monologue(tag: tag, wallClock: wallClock)
        branch.viaBranch = options.viaBranch
        return branch
    }

    /// Who an answer comes from: the to-tag party if known, else the offerer's pending branch
    /// (which takes the to-tag), else — a second fork answering — a new party that takes over the
    /// sockets the offer advertised.
    private func answerer(for offerer: Monologue, options: OfferAnswerOptions, wallClock: Double) throws(CallError) -> Monologue? {
        let toTag = options.toTag ?? ""
        if !toTag.isEmpty, let known = call.monologue(tag: toTag) { return known }
        if let pending = call.pendingBranch(offerer: offerer, viaBranch: options.viaBranch) {
            pending.tag = toTag
            return pending
        }
        guard let peerTag = offerer.peerTag, let previous = call.monologue(tag: peerTag) else { return nil }
        if toTag.isEmpty { return previous }
        let fork = Monologue(tag: toTag, wallClock: wallClock)
        fork.viaBranch = options.viaBranch
        fork.medias = previous.medias
        previous.medias = []
        call.add(fork)
        return fork
    }

    private func commit(sender: Monologue, _ senderLegs: [MediaLeg],
                        receiver: Monologue, _ receiverLegs: [MediaLeg], options: OfferAnswerOptions) {
        sender.medias = senderLegs
        receiver.medias = receiverLegs
        sender.hasSDP = true
        if let label = options.label { sender.label = label }
        if sender.viaBranch == nil { sender.viaBranch = options.viaBranch }
        sender.peerTag = receiver.tag
        receiver.peerTag = sender.tag
        if !call.monologues.contains(where: { $0 === sender }) { call.add(sender) }
        if !call.monologues.contains(where: { $0 === receiver }) { call.add(receiver) }
    }

    // MARK: - Legs

    private func leg(in legs: [MediaLeg], _ item: SenderMedia, interface: LocalInterface) -> MediaLeg {
        if item.index < legs.count { return legs[item.index] }
        return MediaLeg(index: item.index, type: item.type, proto: item.proto, interface: interface)
    }

    private func store(_ leg: MediaLeg, in legs: inout [MediaLeg]) {
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
        let moved = leg.remoteRTP != item.rtp
        leg.type = item.type
        leg.proto = item.proto
        leg.remoteRTP = item.rtp
        leg.remoteRTCP = item.rtcp
        leg.rejected = item.rejected
        leg.zeroAddress = item.rtp == nil && !item.rejected
        leg.offeredMux = item.rtcpMux
        leg.onHold = item.holding
        leg.latching = merged(leg.latching, options.latching)
        leg.addressChanged = moved
    }

    private func merged(_ a: LatchingPolicy, _ b: LatchingPolicy) -> LatchingPolicy {
        LatchingPolicy(asymmetric: a.asymmetric || b.asymmetric, strictSource: a.strictSource || b.strictSource,
                       mediaHandover: a.mediaHandover || b.mediaHandover, portLatching: a.portLatching || b.portLatching)
    }
}
