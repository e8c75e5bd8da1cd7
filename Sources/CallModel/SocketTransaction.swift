/// Opens sockets for a negotiation so that a failure half-way leaves nothing behind: sockets opened
/// here are closed again on `rollback()`; sockets being replaced are closed only on `commit()`.
struct SocketTransaction {
    private let plane: MediaPlane
    private var opened: [SocketHandle] = []
    private var replaced: [SocketHandle] = []

    init(plane: MediaPlane) { self.plane = plane }

    /// Gives `leg` an RTP/RTCP socket pair on `interface`, keeping the pair it has when it is
    /// already on that interface (re-offers keep their ports).
    /// `fresh` replaces the pair even then.
    mutating func ensureSockets(_ leg: inout MediaLeg, on interface: LocalInterface, fresh: Bool = false) throws(CallError) {
        if leg.rtp != nil, leg.interface == interface, !fresh { return }
        guard let pair = plane.openPorts(on: interface, count: 2), pair.count == 2 else {
            throw .outOfPorts
        }
        opened += pair
        replaced += [leg.rtp, leg.rtcp].compactMap { $0 }
        leg.rtp = pair[0]
        leg.rtcp = pair[1]
        leg.interface = interface
    }

    /// Gives `leg` one socket pair on each address in `others` (the other addresses of its
    /// interface, for ICE candidates), keeping pairs it already has on those addresses.
    mutating func ensureICESockets(_ leg: inout MediaLeg, on others: [LocalInterface]) throws(CallError) {
        if leg.iceExtra.map(\.interface) == others { return }
        var pairs: [ICESocketPair] = []
        for interface in others {
            if let kept = leg.iceExtra.first(where: { $0.interface == interface }) {
                pairs.append(kept)
                continue
            }
            guard let pair = plane.openPorts(on: interface, count: 2), pair.count == 2 else {
                throw .outOfPorts
            }
            opened += pair
            pairs.append(ICESocketPair(interface: interface, rtp: pair[0], rtcp: pair[1]))
        }
        for old in leg.iceExtra where !pairs.contains(old) { replaced += [old.rtp, old.rtcp] }
        leg.iceExtra = pairs
    }

    func rollback() {
        for socket in opened { plane.close(socket) }
    }

    func commit() {
        for socket in replaced { plane.close(socket) }
    }
}
