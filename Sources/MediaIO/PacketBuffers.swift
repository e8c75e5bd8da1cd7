import CTandemSys
import Glibc

// Preallocated receive/send structures of one loop, created on the loop's own thread and used
// only there. Packets are relayed in place: the send iovecs point into the receive slots, so a
// batch must be flushed before the next recvmmsg reuses them.

struct PacketBuffers {
    let batch: Int
    let slotSize: Int
    let controlSize: Int
    /// batch x slotSize bytes of datagram storage.
    let data: UnsafeMutableRawPointer
    let rxIov: UnsafeMutablePointer<iovec>
    let rxNames: UnsafeMutablePointer<sockaddr_storage>
    let rxControl: UnsafeMutableRawPointer
    let rxMsgs: UnsafeMutablePointer<tandem_mmsghdr>
    /// Two send queues of `batch` each: [0, batch) for the RTP out socket, [batch, 2 batch) for
    /// the RTCP out socket when it differs.
    let txIov: UnsafeMutablePointer<iovec>
    let txMsgs: UnsafeMutablePointer<tandem_mmsghdr>
    /// epoll_event is packed (12 bytes on x86_64): indexed with the C size, not Swift's stride.
    let events: UnsafeMutableRawPointer
    let eventSize: Int
    let maxEvents: Int

    init(batch: Int, slotSize: Int, maxEvents: Int) {
        self.batch = batch
        self.slotSize = slotSize
        self.maxEvents = maxEvents
        controlSize = (tandem_cmsg_space_rxq_ovfl() + 7) & ~7
        data = .allocate(byteCount: batch * slotSize, alignment: 16)
        rxIov = .allocate(capacity: batch)
        rxNames = .allocate(capacity: batch)
        rxNames.initialize(repeating: sockaddr_storage(), count: batch)
        rxControl = .allocate(byteCount: batch * controlSize, alignment: 8)
        rxControl.initializeMemory(as: UInt8.self, repeating: 0, count: batch * controlSize)
        rxMsgs = .allocate(capacity: batch)
        txIov = .allocate(capacity: 2 * batch)
        txMsgs = .allocate(capacity: 2 * batch)
        eventSize = tandem_epoll_event_size()
        events = .allocate(byteCount: maxEvents * eventSize, alignment: 8)
        for i in 0..<batch {
            rxIov[i] = iovec(iov_base: data + i * slotSize, iov_len: slotSize)
            rxMsgs[i] = tandem_mmsghdr()
            rxMsgs[i].msg_hdr.msg_name = UnsafeMutableRawPointer(rxNames + i)
            rxMsgs[i].msg_hdr.msg_iov = rxIov + i
            rxMsgs[i].msg_hdr.msg_iovlen = 1
            rxMsgs[i].msg_hdr.msg_control = rxControl + i * controlSize
        }
        resetReceive(count: batch)
        for j in 0..<(2 * batch) {
            txIov[j] = iovec(iov_base: nil, iov_len: 0)
            txMsgs[j] = tandem_mmsghdr()
            txMsgs[j].msg_hdr.msg_iov = txIov + j
            txMsgs[j].msg_hdr.msg_iovlen = 1
        }
    }

    /// The kernel overwrites name/control lengths and flags: restore the first `count` slots.
    @inline(__always)
    func resetReceive(count: Int) {
        for i in 0..<count {
            rxMsgs[i].msg_hdr.msg_namelen = socklen_t(MemoryLayout<sockaddr_storage>.size)
            rxMsgs[i].msg_hdr.msg_controllen = controlSize
            rxMsgs[i].msg_hdr.msg_flags = 0
        }
    }

    /// Puts datagram `slot` into send queue entry `entry`, addressed to `name`.
    @inline(__always)
    func queue(slot: Int, length: Int, entry: Int, name: UnsafeMutablePointer<sockaddr_storage>, nameLength: socklen_t) {
        txIov[entry].iov_base = data + slot * slotSize
        txIov[entry].iov_len = length
        txMsgs[entry].msg_hdr.msg_name = UnsafeMutableRawPointer(name)
        txMsgs[entry].msg_hdr.msg_namelen = nameLength
    }

    /// The user data of the i-th ready epoll event.
    @inline(__always)
    func eventData(_ i: Int) -> UInt64 {
        tandem_epoll_event_data(events.advanced(by: i * eventSize).assumingMemoryBound(to: epoll_event.self))
    }

    var eventPointer: UnsafeMutablePointer<epoll_event> { events.assumingMemoryBound(to: epoll_event.self) }

    func deallocate() {
        data.deallocate()
        rxIov.deallocate()
        rxNames.deallocate()
        rxControl.deallocate()
        rxMsgs.deallocate()
        txIov.deallocate()
        txMsgs.deallocate()
        events.deallocate()
    }
}
