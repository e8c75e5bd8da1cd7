import CallModel
import TandemBase

/// An in-memory MediaPlane: hands out ports like the real one (consecutive, first even, from a
/// bounded range, never reusing a port still open) and records what the call model configured,
/// so tests can assert forwarding without sockets.
final class FakeMediaPlane: MediaPlane {
    private let range: ClosedRange<UInt16>
    private var cursor: UInt16
    private var nextID: Int32 = 100
    /// Ports that "fail to bind" (taken by another program).
    var unbindable: Set<UInt16> = []
    private(set) var open: [SocketHandle: LocalInterface] = [:]
    private(set) var forwarding: [SocketHandle: SocketForwarding] = [:]
    var statsBySocket: [SocketHandle: SocketStats] = [:]
    private(set) var closedCount = 0

    init(range: ClosedRange<UInt16> = 30000...30999) {
        self.range = range
        self.cursor = range.lowerBound
    }

    func openPorts(on interface: LocalInterface, count: Int) -> [SocketHandle]? {
        let openPorts = Set(open.keys.map(\.port))
        var port = cursor & ~1
        let slots = (Int(range.upperBound) - Int(range.lowerBound) + 1) / 2
        for _ in 0..<slots {
            if port < range.lowerBound || Int(port) + count - 1 > Int(range.upperBound) { port = range.lowerBound & ~1 }
            let run = (0..<count).map { port + UInt16($0) }
            if run.allSatisfy({ !openPorts.contains($0) && !unbindable.contains($0) }) {
                cursor = port &+ UInt16(count + count % 2)
                return run.map { p in
                    nextID += 1
                    let handle = SocketHandle(id: nextID, port: p)
                    open[handle] = interface
                    return handle
                }
            }
            port &+= 2
        }
        return nil
    }

    func close(_ socket: SocketHandle) {
        if open.removeValue(forKey: socket) != nil { closedCount += 1 }
        forwarding[socket] = nil
    }

    func configure(_ socket: SocketHandle, _ f: SocketForwarding) {
        precondition(open[socket] != nil, "configure of a socket that is not open: \(socket)")
        forwarding[socket] = f
    }

    func stats(_ socket: SocketHandle) -> SocketStats {
        statsBySocket[socket] ?? SocketStats()
    }

    private(set) var controlHandler: ((ControlPacket) -> Void)?
    private(set) var controlSent: [(bytes: [UInt8], from: SocketHandle, to: TransportAddress)] = []

    func setControlHandler(_ handler: ((ControlPacket) -> Void)?) { controlHandler = handler }

    func sendControl(_ bytes: [UInt8], from socket: SocketHandle, to destination: TransportAddress) {
        controlSent.append((bytes, socket, destination))
    }

    func socket(port: UInt16) -> SocketHandle? {
        open.keys.first { $0.port == port }
    }
}
