import CTandemSys
import CallModel
import Crypto
import Glibc

// The state one packet loop thread owns: epoll, the endpoint table, buffers, counters and the
// port slice. Created on the loop thread and never shared (not Sendable).
//
// Hot-path state sits behind `let` unsafe pointers: class `var`s would cost a runtime exclusivity
// check per access (lab-facts pitfall 8); pointees do not. The `var`s here (allocator,
// generation) are touched only on the control path.

final class LoopCore {
    let epollFD: Int32
    let buffers: PacketBuffers
    let table: UnsafeMutablePointer<EndpointTable>
    let counters: UnsafeMutablePointer<LoopCounters>
    let options: PacketLoop.Options
    var allocator: PortAllocator?
    /// Receives STUN/DTLS datagrams (slow path); nil: they are malformed media.
    var controlHandler: ((ControlPacket) -> Void)?
    /// Strong references to the SRTP contexts the endpoint table points at (unretained), by fd.
    /// Control path only: the packet path never touches it.
    var crypto: [Int32: SocketCrypto] = [:]
    /// Transcoders by fd, the transcoded packets' send pool and the RTCP report timer.
    let transcoding: TranscodeRegistry
    private var generation: UInt32 = 0

    /// epoll user data of the mailbox eventfd (socket events carry their fd).
    static let mailboxTag = UInt64.max
    /// Bit set in the epoll user data of a control descriptor (an ng socket served on this loop,
    /// LoopContext.addReadHandler); the low 32 bits are its fd.
    static let controlTagBit: UInt64 = 1 << 62
    /// Control descriptors that were ready in the last `poll`, served by the loop after it.
    /// Control path: at most a few entries, capacity kept, so no allocation per wake-up.
    var readyControl: [Int32] = []

    init(epollFD: Int32, portSlice: ClosedRange<UInt16>?, options: PacketLoop.Options) {
        self.epollFD = epollFD
        self.options = options
        self.allocator = portSlice.flatMap { PortAllocator(range: $0) }
        buffers = PacketBuffers(batch: options.batchSize, slotSize: options.bufferSize, maxEvents: options.maxEvents)
        table = .allocate(capacity: 1)
        table.initialize(to: EndpointTable())
        counters = .allocate(capacity: 1)
        counters.initialize(to: LoopCounters())
        transcoding = TranscodeRegistry(batch: options.batchSize, slotSize: options.bufferSize,
                                        intervalSeconds: options.rtcpIntervalSeconds)
    }

    /// Frees the buffers; sockets must have been closed (UDPMediaPlane.closeAll).
    func deallocate() {
        buffers.deallocate()
        table.pointee.deallocate()
        table.deallocate()
        counters.deallocate()
        transcoding.deallocate()
    }

    /// Enters a freshly bound socket into the table and epoll. False if epoll refused it.
    func register(fd: Int32, port: UInt16, family: Int32) -> Bool {
        table.pointee.ensure(fd)
        generation = generation == UInt32.max ? 1 : generation + 1
        var ep = Endpoint()
        ep.generation = generation
        ep.port = port
        ep.family = family
        table.pointee.endpoints[Int(fd)] = ep
        table.pointee.remoteLengths[Int(fd)] = 0
        guard tandem_epoll_add(epollFD, fd, UInt32(EPOLLIN.rawValue), UInt64(fd)) == 0 else {
            table.pointee.endpoints[Int(fd)] = Endpoint()
            return false
        }
        counters.pointee.socketsOpen += 1
        return true
    }

    /// Removes a socket from epoll and the table and closes it.
    func unregister(fd: Int32) {
        guard let ep = table.pointee.slot(fd) else { return }
        _ = tandem_epoll_del(epollFD, fd)
        Glibc.close(fd)
        ep.pointee = Endpoint()  // drops the unretained context refs before the contexts go
        crypto[fd] = nil
        removeTranscoder(fd: fd)
        table.pointee.remoteLengths[Int(fd)] = 0
        counters.pointee.socketsOpen -= 1
    }

    /// Waits for events and serves every ready socket once. Returns true if the mailbox is ready.
    /// `now` receives the wake-up time, read once per wake-up.
    func poll(timeoutMs: Int32, now: inout UInt64) -> Bool {
        let b = buffers
        let n = Int(tandem_epoll_wait(epollFD, b.eventPointer, Int32(b.maxEvents), timeoutMs))
        now = tandem_monotonic_ns(0)
        guard n > 0 else { return false }  // timeout or EINTR
        counters.pointee.wakeups &+= 1
        var mailbox = false
        for i in 0..<n {
            let data = b.eventData(i)
            if data == Self.mailboxTag {
                mailbox = true
            } else if data & Self.controlTagBit != 0 {
                readyControl.append(Int32(truncatingIfNeeded: data))
            } else {
                serve(fd: Int32(truncatingIfNeeded: data), now: now)
            }
        }
        return mailbox
    }
}
