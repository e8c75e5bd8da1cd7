import NIOCore
import Proxy
import SIP
import TandemBase

/// SIP or ng datagrams in, handed to the dispatcher with their source.
final class DatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    enum Kind { case sip, ng }

    private let dispatcher: NIOLoopBound<Dispatcher>
    private let kind: Kind

    init(dispatcher: NIOLoopBound<Dispatcher>, kind: Kind) {
        self.dispatcher = dispatcher
        self.kind = kind
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard let source = envelope.remoteAddress.transportAddress else { return }
        let bytes = Array(envelope.data.readableBytesView)
        switch kind {
        case .sip: dispatcher.value.receiveSIP(bytes, from: SIPPeer(source, .udp))
        case .ng: dispatcher.value.receiveNG(bytes, from: source)
        }
    }
}

/// SIP over a TCP connection: bytes are framed into messages by Content-Length (RFC 3261 §18.3);
/// CRLF keep-alives are answered; an unframeable stream is closed.
final class StreamHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let dispatcher: NIOLoopBound<Dispatcher>
    private var buffer: [UInt8] = []
    private var remote: TransportAddress?

    init(dispatcher: NIOLoopBound<Dispatcher>) {
        self.dispatcher = dispatcher
    }

    func channelActive(context: ChannelHandlerContext) {
        remote = context.channel.remoteAddress?.transportAddress
        if let remote { dispatcher.value.connections[remote] = context.channel }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let remote, dispatcher.value.connections[remote] === context.channel {
            dispatcher.value.connections[remote] = nil
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        buffer += unwrapInboundIn(data).readableBytesView
        while !buffer.isEmpty {
            switch SIPFraming.frame(buffer) {
            case .needMoreData:
                return
            case .keepAlive(let length):
                if length >= 4 { context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: "\r\n")), promise: nil) }
                buffer.removeFirst(length)
            case .message(let length):
                let message = Array(buffer.prefix(length))
                buffer.removeFirst(length)
                if let remote { dispatcher.value.receiveSIP(message, from: SIPPeer(remote, .tcp)) }
            case .invalid(let error):
                dispatcher.value.log.warning("closing SIP/TCP connection from \(remote.map { "\($0)" } ?? "?"): \(error)")
                context.close(promise: nil)
                buffer.removeAll()
                return
            }
        }
    }
}
