import CallModel
import MediaIO
import TandemBase

// A started packet loop on a port slice of 31000-31999 (outside the ephemeral range and the
// reference daemon's 20000-20999), driven synchronously from the test thread.

final class Relay: @unchecked Sendable {
    let loop: PacketLoop
    let interface: LocalInterface

    init(slice: ClosedRange<UInt16>, ip: String = "127.0.0.1", options: PacketLoop.Options = PacketLoop.Options()) {
        loop = PacketLoop(index: 0, portSlice: slice, options: options)
        interface = LocalInterface(name: "default", address: IPAddress(ip)!)
        loop.start()
    }

    deinit { loop.stop() }

    func open(_ count: Int) -> [SocketHandle]? {
        let iface = interface
        return loop.sync { $0.plane.openPorts(on: iface, count: count) } ?? nil
    }

    func close(_ socket: SocketHandle) {
        _ = loop.sync { $0.plane.close(socket) }
    }

    func configure(_ socket: SocketHandle, _ forwarding: SocketForwarding) {
        _ = loop.sync { $0.plane.configure(socket, forwarding) }
    }

    func stats(_ socket: SocketHandle) -> SocketStats {
        loop.sync { $0.plane.stats(socket) } ?? SocketStats()
    }

    var counters: LoopCounters { loop.sync { $0.counters } ?? LoopCounters() }

    /// Where a phone sends to reach a relay socket.
    func address(_ socket: SocketHandle) -> TransportAddress {
        TransportAddress(ip: interface.address, port: socket.port)
    }
}

/// A call A <-> B through the relay: A talks to `a` ([rtp, rtcp]), B to `b`.
struct TwoPartyCall {
    let a: [SocketHandle]
    let b: [SocketHandle]

    /// Opens two ports per side and wires them rtpengine-style. `aRemote`/`bRemote` are what the
    /// SDP says (RTP address; RTCP is port + 1), nil when unknown.
    init?(_ relay: Relay, aRemote: TransportAddress?, bRemote: TransportAddress?,
          aPolicy: LatchingPolicy = LatchingPolicy(), bPolicy: LatchingPolicy = LatchingPolicy()) {
        guard let a = relay.open(2), let b = relay.open(2) else { return nil }
        self.a = a
        self.b = b
        Self.wire(relay, side: a, remote: aRemote, policy: aPolicy, peer: b)
        Self.wire(relay, side: b, remote: bRemote, policy: bPolicy, peer: a)
    }

    private static func wire(_ relay: Relay, side: [SocketHandle], remote: TransportAddress?, policy: LatchingPolicy, peer: [SocketHandle]) {
        let rtcpRemote = remote.map { TransportAddress(ip: $0.ip, port: $0.port + 1) }
        relay.configure(side[0], SocketForwarding(remote: remote, rtpOut: peer[0], rtcpOut: peer[1], acceptsRTCP: false, latching: policy))
        relay.configure(side[1], SocketForwarding(remote: rtcpRemote, rtpOut: nil, rtcpOut: peer[1], acceptsRTCP: true, latching: policy))
    }
}
