import NIOCore
import NIOPosix
import Proxy
import SIP
import TandemBase

/// tandem-proxy's I/O on one SwiftNIO event loop: SIP over UDP and TCP, ng over UDP, and a
/// clock tick. Every callback runs on that loop, so the sans-IO `ProxyCore` needs no locks.
public final class ProxyServer: Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let dispatcher: NIOLoopBound<Dispatcher>

    public init(config: ProxyConfig, log: Log) throws(ProxyIOError) {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        self.group = group
        do {
            dispatcher = try loop.submit {
                NIOLoopBound(Dispatcher(core: ProxyCore(config: config, now: Clock.now()), log: log, loop: loop),
                             eventLoop: loop)
            }.wait()
            let bound = dispatcher
            try Self.bindNG(loop: loop, dispatcher: bound).wait()
            for peer in config.listen {
                switch peer.transport {
                case .udp: try Self.bindUDP(peer.address, loop: loop, dispatcher: bound).wait()
                case .tcp: try Self.bindTCP(peer.address, loop: loop, dispatcher: bound).wait()
                }
            }
            _ = loop.scheduleRepeatedTask(initialDelay: .milliseconds(10), delay: .milliseconds(10)) { _ in
                bound.value.tick()
            }
        } catch {
            try? group.syncShutdownGracefully()
            throw .bind("\(error)")
        }
    }

    public func close() {
        try? group.syncShutdownGracefully()
    }

    private static func bindUDP(_ address: TransportAddress, loop: EventLoop,
                                dispatcher: NIOLoopBound<Dispatcher>) -> EventLoopFuture<Void> {
        DatagramBootstrap(group: loop)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65_536))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(DatagramHandler(dispatcher: dispatcher, kind: .sip))
                }
            }
            .bind(host: address.ip.description, port: Int(address.port))
            .map { dispatcher.value.sipUDP = $0 }
    }

    /// The ng client socket: an ephemeral port on loopback (media daemons are local here).
    private static func bindNG(loop: EventLoop, dispatcher: NIOLoopBound<Dispatcher>) -> EventLoopFuture<Void> {
        DatagramBootstrap(group: loop)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65_536))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(DatagramHandler(dispatcher: dispatcher, kind: .ng))
                }
            }
            .bind(host: "0.0.0.0", port: 0)
            .map { dispatcher.value.ng = $0 }
    }

    private static func bindTCP(_ address: TransportAddress, loop: EventLoop,
                                dispatcher: NIOLoopBound<Dispatcher>) -> EventLoopFuture<Void> {
        ServerBootstrap(group: loop)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(StreamHandler(dispatcher: dispatcher))
                }
            }
            .bind(host: address.ip.description, port: Int(address.port))
            .map { _ in }
    }
}

public enum ProxyIOError: Error, CustomStringConvertible {
    case bind(String)
    public var description: String {
        switch self {
        case .bind(let why): return "cannot listen: \(why)"
        }
    }
}

enum Clock {
    static func now() -> MonotonicTime {
        MonotonicTime(nanoseconds: UInt64(NIODeadline.now().uptimeNanoseconds))
    }
}

extension SocketAddress {
    var transportAddress: TransportAddress? {
        guard let ip = ipAddress.flatMap({ IPAddress($0) }), let port else { return nil }
        return TransportAddress(ip: ip, port: UInt16(truncatingIfNeeded: port))
    }
}
