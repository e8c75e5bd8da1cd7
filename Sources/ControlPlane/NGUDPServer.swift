import CTandemSys
import NGProtocol
import NIOCore
import NIOPosix
import TandemBase

/// An ng listener over UDP on a SwiftNIO channel. tandemd serves UDP ng with `NGLoopServer` (on
/// packet loop 0, no thread hop per command); this NIO variant stays for listeners that want
/// their own event loop. One channel on one NIO event loop: the front end
/// (framing, cookie cache, typing) is confined to that loop, commands run on the packet loop that
/// owns the call, and the reply hops back to the channel's loop to be cached and sent.
public final class NGUDPServer: Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let channel: Channel

    public var localAddress: SocketAddress? { channel.localAddress }

    public init(listen: TransportAddress, engine: MediaEngine, log: Log) throws(EngineError) {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let bootstrap = DatagramBootstrap(group: group)
            // A whole ng datagram in one read: SDPs of WebRTC offers run to several KiB.
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65_536))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NGHandler(engine: engine, log: log))
                }
            }
        do {
            let host = listen.ip.description
            channel = try bootstrap.bind(host: host, port: Int(listen.port)).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw .listen("\(listen): \(error)")
        }
        self.group = group
    }

    public func close() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }
}

/// Per-channel handler; all its state lives on the channel's event loop.
private final class NGHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private var frontEnd = NGFrontEnd<SocketAddress>()
    private let engine: MediaEngine
    private let log: Log
    private var expiryTask: RepeatedTask?

    init(engine: MediaEngine, log: Log) {
        self.engine = engine
        self.log = log
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        expiryTask = context.eventLoop.scheduleRepeatedTask(initialDelay: .seconds(5), delay: .seconds(5)) { _ in
            bound.value.frontEnd.cache.expire(now: Self.now())
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        expiryTask?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        let peer = envelope.remoteAddress
        let bytes = envelope.data.readableBytesView
        switch frontEnd.receive(bytes, from: Self.transportAddress(peer), waiter: peer, now: Self.now()) {
        case .drop, .wait:
            break
        case .reply(let reply):
            send(reply, to: peer, context: context)
        case .execute(let pending):
            log.debug("ng \(pending.request.command) call-id=\(pending.request.callID ?? "-") from \(peer)")
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let eventLoop = context.eventLoop
            engine.execute(pending.request) { response in
                eventLoop.execute {
                    let (handler, context) = bound.value
                    handler.finish(pending, response, peer: peer, context: context)
                }
            }
        }
    }

    private func finish(_ pending: NGPendingRequest, _ response: NGResponse, peer: SocketAddress,
                        context: ChannelHandlerContext) {
        if response.result == .error {
            log.info("ng \(pending.request.command) failed: \(response.reason?.rawValue ?? "")")
        }
        let (reply, waiters) = frontEnd.complete(pending, with: response, now: Self.now())
        send(reply, to: peer, context: context)
        for waiter in waiters { send(reply, to: waiter, context: context) }
    }

    private func send(_ bytes: [UInt8], to peer: SocketAddress, context: ChannelHandlerContext) {
        let buffer = context.channel.allocator.buffer(bytes: bytes)
        context.writeAndFlush(wrapOutboundOut(AddressedEnvelope(remoteAddress: peer, data: buffer)), promise: nil)
    }

    private static func now() -> MonotonicTime {
        MonotonicTime(nanoseconds: tandem_monotonic_ns(1))
    }

    private static func transportAddress(_ address: SocketAddress) -> TransportAddress? {
        guard let ip = address.ipAddress.flatMap({ IPAddress($0) }), let port = address.port else { return nil }
        return TransportAddress(ip: ip, port: UInt16(truncatingIfNeeded: port))
    }
}
