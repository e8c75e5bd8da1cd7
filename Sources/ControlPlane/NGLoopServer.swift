import CTandemSys
import Dispatch
import Glibc
import MediaIO
import NGProtocol
import TandemBase

/// The ng listener over UDP (`--listen-ng`), served on packet loop 0's own thread: the socket
/// sits in that loop's epoll next to the media sockets, and the front end (framing, cookie
/// cache, typing) is confined to that thread.
///
/// Why not a SwiftNIO channel on its own thread: every command then crossed threads twice (NIO
/// loop -> packet-loop mailbox and eventfd -> back through `EventLoop.execute`), i.e. two extra
/// wake-ups and context switches per command, plus NIO's per-datagram allocations; at one
/// command in flight that made tandemd slower than rtpengine. Here a command whose call-id
/// belongs to loop 0 (every call with `--num-threads=1`) runs inline: receive, execute, reply in
/// one wake-up. A call owned by another loop is posted to that loop's mailbox and its response
/// posted back to loop 0 for caching and sending; `list` and `statistics`, which wait for every
/// loop, run on a Dispatch worker when there are several loops so that loop 0 never blocks.
public final class NGLoopServer: @unchecked Sendable {
    /// The bound address (the port the kernel chose when `listen` had port 0).
    public let localAddress: TransportAddress

    private let fd: Int32
    private let engine: MediaEngine
    private let home: PacketLoop
    private let log: Log
    // Confined to the home loop's thread:
    private var frontEnd = NGFrontEnd<TransportAddress>()
    private var closed = false
    private let buffer: UnsafeMutableRawPointer
    private let address: UnsafeMutablePointer<sockaddr_storage>

    /// Datagrams read per wake-up before media sockets get their turn again.
    static let readsPerWakeup = 32
    static let bufferSize = 65_536

    public init(listen: TransportAddress, engine: MediaEngine, log: Log) throws(EngineError) {
        let storage = UnsafeMutablePointer<sockaddr_storage>.allocate(capacity: 1)
        let fd = Self.bind(listen, storage)
        guard fd >= 0 else {
            storage.deallocate()
            throw .listen("\(listen): \(String(cString: strerror(-fd)))")
        }
        var bound = sockaddr_storage()
        var boundLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &boundLength) }
        }
        self.localAddress = named == 0 ? TransportAddress(storage: &bound) ?? listen : listen
        self.fd = fd
        self.engine = engine
        self.home = engine.loops[0]
        self.log = log
        self.address = storage
        self.buffer = .allocate(byteCount: Self.bufferSize, alignment: 16)
        let registered = home.sync { [unowned self] context in
            context.addReadHandler(fd: fd) { [unowned self] context in self.drain(context) }
        }
        guard registered == true else {
            Glibc.close(fd)
            buffer.deallocate()
            storage.deallocate()
            throw .listen("\(listen): the packet loop refused the ng socket")
        }
    }

    /// A non-blocking UDP socket bound to `address`: fd, or -errno. Unlike the media sockets an
    /// IPv6 listener keeps the system's dual-stack default (as the SwiftNIO listener did).
    private static func bind(_ address: TransportAddress, _ storage: UnsafeMutablePointer<sockaddr_storage>) -> Int32 {
        let length = address.write(to: storage)
        let fd = socket(Int32(storage.pointee.ss_family), Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return -errno }
        var size: Int32 = 1 << 20
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        let rc = storage.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, length) }
        guard rc == 0 else {
            let e = errno
            Glibc.close(fd)
            return -e
        }
        return fd
    }

    deinit {
        buffer.deallocate()
        address.deallocate()
    }

    /// Stops serving and closes the socket; replies still in flight are dropped. Idempotent
    /// while the home loop runs; call it once if the loop may have stopped already.
    public func close() {
        let fd = self.fd
        let removed = home.sync { [unowned self] context -> Bool in
            if closed { return false }
            closed = true
            context.removeReadHandler(fd: fd)
            return true
        }
        // nil: the loop has stopped (its epoll is gone), so nobody serves the socket any more
        if removed != false { Glibc.close(fd) }
    }

    /// Reads what is queued (up to `readsPerWakeup` datagrams) and serves each.
    private func drain(_ context: LoopContext) {
        for _ in 0..<Self.readsPerWakeup {
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let n = address.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                recvfrom(fd, buffer, Self.bufferSize, 0, $0, &length)
            }
            guard n >= 0 else { return }  // EAGAIN: drained (or an error the next wake-up sees again)
            guard let peer = TransportAddress(sockaddr: UnsafeRawPointer(address)) else { continue }
            receive(UnsafeRawBufferPointer(start: buffer, count: n), from: peer, context: context)
        }
    }

    private func receive(_ bytes: UnsafeRawBufferPointer, from peer: TransportAddress, context: LoopContext) {
        switch frontEnd.receive(bytes, from: peer, waiter: peer, now: Self.now()) {
        case .drop, .wait:
            break
        case .reply(let reply):
            send(reply, to: peer)
        case .execute(let pending):
            log.debug("ng \(pending.request.command) call-id=\(pending.request.callID ?? "-") from \(peer)")
            execute(pending, peer: peer, context: context)
        }
    }

    private func execute(_ pending: NGPendingRequest, peer: TransportAddress, context: LoopContext) {
        let request = pending.request
        if MediaEngine.runsOnOwner(request.command) {
            let owner = engine.owner(of: request.callID ?? "")
            if owner === home {
                finish(pending, MediaEngine.run(request, in: context), peer: peer)
                return
            }
            let accepted = owner.execute { [self] ownerContext in
                let response = MediaEngine.run(request, in: ownerContext)
                home.execute { [self] _ in finish(pending, response, peer: peer) }
            }
            if !accepted { finish(pending, .error("Shutting down"), peer: peer) }
        } else if engine.loops.count == 1 || request.command == .ping {
            // ping answers inline; list/statistics with one loop gather it inline (this thread)
            engine.execute(request) { [self] response in finish(pending, response, peer: peer) }
        } else {
            DispatchQueue.global().async { [self] in
                engine.execute(request) { [self] response in
                    home.execute { [self] _ in finish(pending, response, peer: peer) }
                }
            }
        }
    }

    /// On the home loop: cache the response and send it to the sender and every waiting duplicate.
    private func finish(_ pending: NGPendingRequest, _ response: NGResponse, peer: TransportAddress) {
        if response.result == .error {
            log.info("ng \(pending.request.command) failed: \(response.reason?.rawValue ?? "")")
        }
        let (reply, waiters) = frontEnd.complete(pending, with: response, now: Self.now())
        send(reply, to: peer)
        for waiter in waiters { send(reply, to: waiter) }
    }

    /// One datagram; dropped if the socket's send buffer is full (the client retransmits).
    private func send(_ bytes: [UInt8], to peer: TransportAddress) {
        guard !closed else { return }
        var storage = sockaddr_storage()
        let length = peer.write(to: &storage)
        _ = bytes.withUnsafeBytes { body in
            withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, body.baseAddress, body.count, Int32(MSG_DONTWAIT), $0, length)
                }
            }
        }
    }

    private static func now() -> MonotonicTime {
        MonotonicTime(nanoseconds: tandem_monotonic_ns(1))
    }
}
