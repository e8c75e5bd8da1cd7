/// Opens sockets for a negotiation so that a failure half-way leaves nothing behind: sockets opened
/// here are closed again on `rollback()`; sockets being replaced are closed only on `commit()`.
struct SocketTransaction {
    private let plane: MediaPlane
    private var opened: [SocketHandle] = []
    private var replaced: [SocketHandle] = []

    init(plane: MediaPlane) { self.plane = plane }

    /// Gives `leg` an RTP/RTCP socket pair on `interface`, keeping the pair it has when it is
    /// already on that interface (re-offers keep their ports).
    mutating func ensureSockets(_ leg: inout MediaLeg, on interface: LocalInterface) throws(CallError) {
        if leg.rtp != nil, leg.interface == interface { return }
        guard let pair = plane.openPorts(on: interface, count: 2), pair.count == 2 else {
            throw .outOfPorts
        }
        opened += pair
        replaced += leg.sockets
        leg.rtp = pair[0]
        leg.rtcp = pair[1]
        leg.interface = interface
    }

    func rollback() {
        for socket in opened { plane.close(socket) }
    }

    func commit() {
        for socket in replaced { plane.close(socket) }
    }
}
