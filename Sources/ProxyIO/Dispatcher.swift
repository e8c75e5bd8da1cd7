import NIOCore
import NIOPosix
import Proxy
import SIP
import TandemBase

/// Owns the proxy core on its event loop and carries out what it asks: sending SIP over the UDP
/// socket or a TCP connection (opened on demand), and ng datagrams to media daemons.
final class Dispatcher {
    let core: ProxyCore
    let log: Log
    let loop: EventLoop
    var sipUDP: Channel?
    var ng: Channel?
    /// Open TCP connections by remote address (accepted or dialled).
    var connections: [TransportAddress: Channel] = [:]
    /// Messages waiting for an outgoing TCP connection to complete.
    private var pending: [TransportAddress: [[UInt8]]] = [:]

    init(core: ProxyCore, log: Log, loop: EventLoop) {
        self.core = core
        self.log = log
        self.loop = loop
    }

    func receiveSIP(_ bytes: [UInt8], from peer: SIPPeer) {
        perform(core.receiveSIP(bytes, from: peer, now: Clock.now()))
    }

    func receiveNG(_ bytes: [UInt8], from address: TransportAddress) {
        perform(core.receiveNG(bytes, from: address, now: Clock.now()))
    }

    func tick() {
        perform(core.tick(now: Clock.now()))
    }

    private func perform(_ outputs: [ProxyOutput]) {
        for output in outputs {
            switch output {
            case .sendSIP(let bytes, let peer):
                switch peer.transport {
                case .udp: sendDatagram(bytes, to: peer.address, on: sipUDP)
                case .tcp: sendStream(bytes, to: peer.address)
                }
            case .sendNG(let bytes, let address):
                sendDatagram(bytes, to: address, on: ng)
            }
        }
    }

    private func sendDatagram(_ bytes: [UInt8], to address: TransportAddress, on channel: Channel?) {
        guard let channel, let remote = try? SocketAddress(ipAddress: address.ip.description, port: Int(address.port)) else {
            log.warning("cannot send to \(address)")
            return
        }
        let buffer = channel.allocator.buffer(bytes: bytes)
        channel.writeAndFlush(AddressedEnvelope(remoteAddress: remote, data: buffer), promise: nil)
    }

    private func sendStream(_ bytes: [UInt8], to address: TransportAddress) {
        if let channel = connections[address] {
            channel.writeAndFlush(channel.allocator.buffer(bytes: bytes), promise: nil)
            return
        }
        let first = pending[address] == nil
        pending[address, default: []].append(bytes)
        if first { dial(address) }
    }

    private func dial(_ address: TransportAddress) {
        let bound = NIOLoopBound(self, eventLoop: loop)
        ClientBootstrap(group: loop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(StreamHandler(dispatcher: bound))
                }
            }
            .connect(host: address.ip.description, port: Int(address.port))
            .whenComplete { result in
                let dispatcher = bound.value
                let queued = dispatcher.pending.removeValue(forKey: address) ?? []
                switch result {
                case .success(let channel):
                    dispatcher.connections[address] = channel
                    for bytes in queued { channel.write(channel.allocator.buffer(bytes: bytes), promise: nil) }
                    channel.flush()
                case .failure(let error):
                    dispatcher.log.warning("TCP connect to \(address) failed: \(error)")
                }
            }
    }
}
