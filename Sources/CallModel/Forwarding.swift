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

    /// Sockets of `leg` receive from `leg`'s party and pass to `peer`'s party.
    private static func configure(_ leg: MediaLeg, towards peer: MediaLeg?, learning: Double, plane: MediaPlane) {
        let live = peer.map { !$0.rejected && !leg.rejected } ?? false
        let rtpOut = live ? peer?.rtp : nil
        let rtcpOut = live ? peer?.rtcpOutSocket : nil
        let reset = leg.addressChanged && !leg.latching.portLatching
        if let rtp = leg.rtp {
            var f = SocketForwarding(
                remote: leg.remoteRTP, rtpOut: rtpOut, rtcpOut: rtcpOut,
                acceptsRTCP: leg.offeredMux || leg.muxed, latching: leg.latching, resetLatch: reset)
            f.learningSeconds = learning
            plane.configure(rtp, f)
            for pair in leg.iceExtra { plane.configure(pair.rtp, f) }
        }
        if let rtcp = leg.rtcp {
            var f = SocketForwarding(
                remote: leg.muxed ? nil : leg.remoteRTCP, rtpOut: nil, rtcpOut: rtcpOut,
                acceptsRTCP: true, latching: leg.latching, resetLatch: reset)
            f.learningSeconds = learning
            plane.configure(rtcp, f)
            for pair in leg.iceExtra { plane.configure(pair.rtcp, f) }
        }
    }
}
