/// Turns two linked parties' legs into data-plane forwarding for every socket: a packet that
/// arrives on one party's socket leaves from the other party's matching socket.
enum Forwarding {
    static func configure(_ a: [MediaLeg], _ b: [MediaLeg], learning: OfferAnswerOptions.EndpointLearning,
                          plane: MediaPlane) {
        for index in 0..<max(a.count, b.count) {
            let legA = index < a.count ? a[index] : nil
            let legB = index < b.count ? b[index] : nil
            if let legA { configure(legA, towards: legB, learning: learning.window, plane: plane) }
            if let legB { configure(legB, towards: legA, learning: learning.window, plane: plane) }
        }
    }

    /// Sockets of `leg` receive from `leg`'s party and pass to `peer`'s party. A socket the party
    /// nominated over ICE talks to the nominated address (its latch is reset to it).
    /// `resetLatches: false` (an ICE nomination, no signalling) keeps every other latch.
    static func configure(_ leg: MediaLeg, towards peer: MediaLeg?, learning: Double, plane: MediaPlane,
                          resetLatches: Bool = true) {
        // DTLS negotiated on either side without keys yet: nothing flows (never in clear).
        let blocked = leg.security.blocksMedia || (peer?.security.blocksMedia ?? false)
        let live = !blocked && (peer.map { !$0.rejected && !leg.rejected } ?? false)
        let rtpOut = live ? peer?.rtpOutSocket : nil
        let rtcpBlocked = leg.dtlsRTCPPending || (peer?.dtlsRTCPPending ?? false)
        let rtcpOut = live && !rtcpBlocked ? peer?.rtcpOutSocket : nil
        let reset = resetLatches && leg.addressChanged && !leg.latching.portLatching
        if leg.rtp != nil {
            var f = SocketForwarding(
                remote: leg.remoteRTP, rtpOut: rtpOut, rtcpOut: rtcpOut,
                acceptsRTCP: leg.offeredMux || leg.muxed, latching: leg.latching, resetLatch: reset)
            f.learningSeconds = learning
            f.transcode = live ? leg.codec.transcode : nil
            f.decrypt = leg.security.inbound
            f.encrypt = leg.security.outbound
            for socket in leg.rtpSockets { plane.configure(socket, nominated(f, socket, leg.iceSelectedRTP)) }
        }
        if leg.rtcp != nil {
            var f = SocketForwarding(
                remote: leg.muxed ? nil : leg.remoteRTCP, rtpOut: nil, rtcpOut: rtcpOut,
                acceptsRTCP: true, latching: leg.latching, resetLatch: reset)
            f.learningSeconds = learning
            (f.decrypt, f.encrypt) = leg.rtcpKeys
            for socket in leg.rtcpSockets { plane.configure(socket, nominated(f, socket, leg.iceSelectedRTCP)) }
        }
    }

    /// A change without signalling (an ICE nomination, DTLS keys): stores `leg` as the
    /// monologue's `index`-th leg and re-configures it and the peer's matching leg, keeping every
    /// latch.
    static func update(_ leg: MediaLeg, of monologue: Monologue, index: Int, learning: Double, plane: MediaPlane) {
        monologue.medias[index] = leg
        let peerLeg = monologue.peer.flatMap { index < $0.medias.count ? $0.medias[index] : nil }
        configure(leg, towards: peerLeg, learning: learning, plane: plane, resetLatches: false)
        if let peerLeg {
            configure(peerLeg, towards: leg, learning: learning, plane: plane, resetLatches: false)
        }
    }

    private static func nominated(_ f: SocketForwarding, _ socket: SocketHandle, _ selection: ICESelection?) -> SocketForwarding {
        guard let selection, selection.socket == socket else { return f }
        var copy = f
        copy.remote = selection.remote
        copy.resetLatch = true
        return copy
    }
}
