import CTandemSys
import Glibc
import TandemBase

// The load side of the relay benches: one socket sends RTP to every call's relay port
// (sendmmsg, destinations round-robin), one socket receives what the relay forwards (recvmmsg).
// Allocation-free once built (the malloc window covers this thread too): preallocated buffers,
// raw syscalls, state in locals. Bounded in packets and in time.

final class Generator {
    static let packetSize = 172  // 12-byte header + 160 bytes of G.711, 20 ms
    /// Bytes per packet sent (header + payload) and the RTP timestamp step per packet.
    let packetSize: Int
    let timestampStep: UInt32
    let batch = 32
    let sendFD: Int32
    let receiveFD: Int32
    let sendAddress: TransportAddress
    let receiveAddress: TransportAddress
    private let destinations: UnsafeMutablePointer<sockaddr_storage>
    private let destinationLength: socklen_t
    private let calls: Int
    private let sendData: UnsafeMutableRawPointer
    private let sendIov: UnsafeMutablePointer<iovec>
    private let sendMsgs: UnsafeMutablePointer<tandem_mmsghdr>
    private let receiveData: UnsafeMutableRawPointer
    private let receiveIov: UnsafeMutablePointer<iovec>
    private let receiveMsgs: UnsafeMutablePointer<tandem_mmsghdr>

    struct Result {
        var sent = 0
        var received = 0
        var nanoseconds: UInt64 = 0
    }

    /// `targets`: the relay port each call's A side sends to. By default every packet is 20 ms
    /// of PCMU (PT 0, 160 bytes of 0xd5, timestamp +160); `payload`/`payloadType`/`timestampStep`
    /// send another format (e.g. a real opus packet for the transcoding benches).
    init(targets: [TransportAddress], payloadType: UInt8 = 0, payload: [UInt8]? = nil, timestampStep: UInt32 = 160) {
        calls = targets.count
        packetSize = 12 + (payload?.count ?? Self.packetSize - 12)
        self.timestampStep = timestampStep
        (sendFD, sendAddress) = Generator.socket()
        (receiveFD, receiveAddress) = Generator.socket()
        destinations = .allocate(capacity: max(1, calls))
        var length: socklen_t = 0
        for (i, t) in targets.enumerated() { length = Generator.write(t, destinations + i) }
        destinationLength = length
        sendData = .allocate(byteCount: batch * packetSize, alignment: 16)
        sendData.initializeMemory(as: UInt8.self, repeating: 0xd5, count: batch * packetSize)
        receiveData = .allocate(byteCount: batch * 2048, alignment: 16)
        sendIov = .allocate(capacity: batch)
        sendMsgs = .allocate(capacity: batch)
        receiveIov = .allocate(capacity: batch)
        receiveMsgs = .allocate(capacity: batch)
        for i in 0..<batch {
            sendData.storeBytes(of: 0x80, toByteOffset: i * packetSize, as: UInt8.self)  // V=2
            sendData.storeBytes(of: payloadType, toByteOffset: i * packetSize + 1, as: UInt8.self)  // PCMU by default
            if let payload {
                for (k, byte) in payload.enumerated() { sendData.storeBytes(of: byte, toByteOffset: i * packetSize + 12 + k, as: UInt8.self) }
            }
            sendIov[i] = iovec(iov_base: sendData + i * packetSize, iov_len: packetSize)
            sendMsgs[i] = tandem_mmsghdr()
            sendMsgs[i].msg_hdr.msg_iov = sendIov + i
            sendMsgs[i].msg_hdr.msg_iovlen = 1
            sendMsgs[i].msg_hdr.msg_namelen = destinationLength
            receiveIov[i] = iovec(iov_base: receiveData + i * 2048, iov_len: 2048)
            receiveMsgs[i] = tandem_mmsghdr()
            receiveMsgs[i].msg_hdr.msg_iov = receiveIov + i
            receiveMsgs[i].msg_hdr.msg_iovlen = 1
        }
    }

    deinit {
        Glibc.close(sendFD)
        Glibc.close(receiveFD)
        destinations.deallocate()
        sendData.deallocate()
        receiveData.deallocate()
        sendIov.deallocate()
        sendMsgs.deallocate()
        receiveIov.deallocate()
        receiveMsgs.deallocate()
    }

    /// Sends `total` packets (at most `window` unanswered at a time, so the relay is driven at
    /// its pace without overflowing socket buffers) and counts what comes back. Stops at
    /// `total` received, or `seconds`, or 200 ms of silence after the last send.
    /// A `window` that stalls for 20 ms (packets lost) is written off and sending resumes.
    func pump(total: Int, seconds: Double, window: Int, firstSequence: Int = 0) -> Result {
        var r = Result()
        let start = tandem_monotonic_ns(0)
        let deadline = start + UInt64(seconds * 1e9)
        var lastReceive = start
        var lastWriteOff = start
        var writtenOff = 0
        var sequence = firstSequence
        var next = 0  // round-robin call index
        while r.received < total {
            let now = tandem_monotonic_ns(0)
            if now >= deadline { break }
            let inFlight = r.sent - r.received - writtenOff
            if r.sent < total && inFlight < window {
                let n = min(batch, total - r.sent, window - inFlight)
                prepare(count: n, sequence: &sequence, next: &next)
                let sent = Int(tandem_sendmmsg(sendFD, sendMsgs, UInt32(n), 0))
                if sent > 0 { r.sent += sent }
            } else if now - lastReceive > 20_000_000 && now - lastWriteOff > 20_000_000 {
                if r.sent >= total {
                    if now - lastReceive > 200_000_000 { break }  // the rest is lost
                } else {
                    writtenOff = r.sent - r.received
                    lastWriteOff = now
                }
            }
            let got = Int(tandem_recvmmsg(receiveFD, receiveMsgs, UInt32(batch), Int32(MSG_DONTWAIT)))
            if got > 0 {
                r.received += got
                lastReceive = now
            }
        }
        r.nanoseconds = tandem_monotonic_ns(0) - start
        return r
    }

    /// Fills the first `count` send slots: sequence/timestamp/SSRC per call, round-robin targets.
    @inline(__always)
    private func prepare(count: Int, sequence: inout Int, next: inout Int) {
        for i in 0..<count {
            let p = sendData + i * packetSize
            let seq = UInt16(truncatingIfNeeded: sequence / max(1, calls))
            p.storeBytes(of: seq.bigEndian, toByteOffset: 2, as: UInt16.self)
            p.storeBytes(of: (UInt32(seq) &* timestampStep).bigEndian, toByteOffset: 4, as: UInt32.self)
            p.storeBytes(of: (0x7a00_0000 | UInt32(next)).bigEndian, toByteOffset: 8, as: UInt32.self)
            sendMsgs[i].msg_hdr.msg_name = UnsafeMutableRawPointer(destinations + next)
            sequence += 1
            next = next + 1 == calls ? 0 : next + 1
        }
    }

    private static func socket() -> (Int32, TransportAddress) {
        var any = sockaddr_storage()
        let length = write(TransportAddress(ip: .v4(0x7f00_0001), port: 0), &any)
        let fd = withUnsafePointer(to: &any) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { tandem_udp_bind($0, length, 4 << 20, 4 << 20) }
        }
        precondition(fd >= 0, "generator socket: errno \(-fd)")
        var bound = sockaddr_in()
        var boundLength = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &boundLength) }
        }
        return (fd, TransportAddress(ip: .v4(0x7f00_0001), port: UInt16(bigEndian: bound.sin_port)))
    }

    private static func write(_ a: TransportAddress, _ storage: UnsafeMutablePointer<sockaddr_storage>) -> socklen_t {
        guard case .v4(let v) = a.ip else { preconditionFailure("the bench runs on 127.0.0.1") }
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = a.port.bigEndian
        sin.sin_addr.s_addr = v.bigEndian
        storage.pointee = sockaddr_storage()
        UnsafeMutableRawPointer(storage).storeBytes(of: sin, as: sockaddr_in.self)
        return socklen_t(MemoryLayout<sockaddr_in>.size)
    }
}
