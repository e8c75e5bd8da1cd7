import CTandemSys
import CallModel
import Crypto
import Glibc
import RTP
import TandemBase

// The per-packet path: one recvmmsg per ready socket per wake-up (fair: every ready socket is
// served each wake-up and level-triggered epoll brings back what is left; a busy socket is never
// parked for good), then per packet: demux -> source check/latch -> stats -> queue for sendmmsg
// on the out socket to the out socket's remote -> flush per out socket.
//
// SRTP: on a socket with a receive context, a packet is authenticated and decrypted in place in
// its receive slot right after demux — before latching and stats, so a forged or replayed packet
// can neither move the latch nor keep the stream alive; it counts as received (wire length) and
// as an error. When the out socket has a send context, the packet is protected in place in the
// same slot (slots are `bufferSize` bytes: the trailer fits in the tailroom) and queued with its
// new length. The contexts are reached through `Unmanaged` without retain/release.
//
// No allocation, no ARC, no locks, no Dictionary: every access goes through unsafe pointers
// held in locals, and the value types involved (Latch, ReceiveStatistics, TransportAddress)
// hold only integers.

extension LoopCore {
    /// Serves one ready socket: one bounded recvmmsg, relay, flush.
    @inline(__always)
    func serve(fd: Int32, now: UInt64) {
        let t = table.pointee
        guard let ep = t.slot(fd) else { return }  // stale event: socket closed this wake-up
        let b = buffers
        let c = counters
        let n = Int(tandem_recvmmsg(fd, b.rxMsgs, UInt32(b.batch), Int32(MSG_DONTWAIT)))
        guard n > 0 else {
            if n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR { c.pointee.receiveErrors &+= 1 }
            return
        }
        c.pointee.receiveCalls &+= 1
        // The out sockets are resolved once per batch; a stale ref resolves to nil (drop).
        let rtpOut = t.resolve(ep.pointee.rtpOut)
        let rtcpOut = t.resolve(ep.pointee.rtcpOut)
        let rtcpSeparate = ep.pointee.rtcpOut.fd != ep.pointee.rtpOut.fd
        var queuedRTP = 0
        var queuedRTCP = 0
        for i in 0..<n {
            guard let kind = admit(slot: i, fd: fd, ep: ep, now: now) else { continue }
            let out = kind == .rtp ? rtpOut : rtcpOut
            guard let out else {
                drop(ep, &c.pointee.dropsNoDestination)
                continue
            }
            let outFD = Int(kind == .rtp ? ep.pointee.rtpOut.fd : ep.pointee.rtcpOut.fd)
            let nameLength = t.remoteLengths[outFD]
            guard nameLength > 0, out.pointee.isOpen else {
                drop(ep, &c.pointee.dropsNoDestination)
                continue
            }
            if kind == .rtp, let transcoder = ep.pointee.transcoder {
                guard transcode(transcoder, slot: i, ep: ep, out: out, outFD: ep.pointee.rtpOut.fd, nameLength: nameLength,
                                queued: &queuedRTP, now: now) else { continue }
            } else if kind == .rtcp && out.pointee.rtcpGenerated {
                c.pointee.rtcpConsumed &+= 1  // the sender's RTCP does not cross a transcoded leg
                continue
            }
            var length = Int(b.rxMsgs[i].msg_len)
            if out.pointee.srtpOut != nil || out.pointee.srtpOutUnusable {
                guard protect(out, kind, slot: i, length: &length) else {
                    drop(ep, &c.pointee.dropsSRTPProtect)
                    continue
                }
            }
            let useSecond = kind == .rtcp && rtcpSeparate
            if !useSecond && queuedRTP == b.batch {  // transcoded packets filled the queue
                flush(fd: ep.pointee.rtpOut.fd, first: 0, count: queuedRTP)
                queuedRTP = 0
            }
            let entry = useSecond ? b.batch + queuedRTCP : queuedRTP
            b.queue(slot: i, length: length, entry: entry, name: t.remotes + outFD, nameLength: nameLength)
            if useSecond { queuedRTCP += 1 } else { queuedRTP += 1 }
        }
        b.resetReceive(count: n)
        if queuedRTP > 0 { flush(fd: ep.pointee.rtpOut.fd, first: 0, count: queuedRTP) }
        if queuedRTCP > 0 { flush(fd: ep.pointee.rtcpOut.fd, first: b.batch, count: queuedRTCP) }
    }

    /// Checks one received datagram and updates latching and stats; its media kind if it is to be
    /// relayed, nil if it was dropped (and counted).
    @inline(__always)
    private func admit(slot i: Int, fd: Int32, ep: UnsafeMutablePointer<Endpoint>, now: UInt64) -> MediaKind? {
        let b = buffers
        let c = counters
        let msg = b.rxMsgs + i
        let length = Int(msg.pointee.msg_len)
        c.pointee.packetsReceived &+= 1
        c.pointee.bytesReceived &+= UInt64(length)
        if msg.pointee.msg_hdr.msg_controllen > 0 { noteKernelDrops(msg, ep) }
        let data = UnsafeRawPointer(b.data + i * b.slotSize)
        let secure = ep.pointee.srtpIn != nil || ep.pointee.srtpInUnusable
        guard msg.pointee.msg_hdr.msg_flags & Int32(MSG_TRUNC) == 0,
              let kind = secure ? Self.securedKind(data, count: length, rtcpMux: ep.pointee.acceptsRTCP)
                                : RTCPDemux.kind(data, count: length, rtcpMux: ep.pointee.acceptsRTCP),
              let source = TransportAddress(sockaddr: b.rxNames + i)
        else {
            if length > 0, handOverControl(slot: i, fd: fd, ep: ep, data: data, length: length) { return nil }
            dropUnadmitted(ep, length: length, &c.pointee.dropsMalformed)
            return nil
        }
        if secure {
            var plain = length
            guard unprotect(ep, kind, slot: i, length: &plain) else {
                dropUnadmitted(ep, length: length, &c.pointee.dropsSRTP)
                return nil
            }
            // The full header check runs on the plaintext: until the trailer is gone, an SRTP
            // packet's last byte (the RTP padding count) is part of the tag.
            guard RTCPDemux.kind(data, count: plain, rtcpMux: ep.pointee.acceptsRTCP) == kind else {
                dropUnadmitted(ep, length: length, &c.pointee.dropsMalformed)
                return nil
            }
            msg.pointee.msg_len = UInt32(plain)  // what is relayed; stats below keep the wire length
        }
        switch ep.pointee.latch.receive(from: source, now: now) {
        case .drop:
            dropUnadmitted(ep, length: length, &c.pointee.dropsStrictSource)
            return nil
        case .relatched:
            let t = table.pointee
            t.remotes[Int(fd)] = b.rxNames[i]
            t.remoteLengths[Int(fd)] = msg.pointee.msg_hdr.msg_namelen
        case .accept:
            break
        }
        record(kind, data: data, length: length, ep: ep, now: now)
        return kind
    }

    /// Demux of a datagram that is still SRTP/SRTCP: RFC 7983 range, the RTCP packet-type range
    /// on an RTCP-capable socket, and room for the fixed header; the rest of the header is checked
    /// after unprotect (padding and lengths are only meaningful without the trailer).
    @inline(__always)
    private static func securedKind(_ data: UnsafeRawPointer, count: Int, rtcpMux: Bool) -> MediaKind? {
        guard count >= RTPHeader.fixedSize, PacketClass.classify(firstByte: data.load(as: UInt8.self)) == .rtp else { return nil }
        if rtcpMux && RTCPDemux.isRTCP(secondByte: data.load(fromByteOffset: 1, as: UInt8.self)) { return .rtcp }
        return .rtp
    }

    /// SRTP/SRTCP unprotect in place in receive slot `i`; false when it fails (or the socket's
    /// parameters are unusable).
    @inline(__always)
    private func unprotect(_ ep: UnsafeMutablePointer<Endpoint>, _ kind: MediaKind, slot i: Int, length: inout Int) -> Bool {
        guard let context = ep.pointee.srtpIn else { return false }
        let b = buffers
        let packet = UnsafeMutableRawBufferPointer(start: b.data + i * b.slotSize, count: b.slotSize)
        return context._withUnsafeGuaranteedRef { srtp in
            do {
                if kind == .rtp {
                    try srtp.unprotect(packet: packet, length: &length)
                } else {
                    try srtp.unprotectRTCP(packet: packet, length: &length)
                }
                return true
            } catch {
                return false
            }
        }
    }

    /// SRTP/SRTCP protect in place in receive slot `i` with the out socket's context; false when
    /// it fails (no room) or the out socket's parameters are unusable.
    @inline(__always)
    private func protect(_ out: UnsafeMutablePointer<Endpoint>, _ kind: MediaKind, slot i: Int, length: inout Int) -> Bool {
        guard let context = out.pointee.srtpOut else { return false }
        let b = buffers
        let packet = UnsafeMutableRawBufferPointer(start: b.data + i * b.slotSize, count: b.slotSize)
        return context._withUnsafeGuaranteedRef { srtp in
            do {
                if kind == .rtp {
                    try srtp.protect(packet: packet, length: &length)
                } else {
                    try srtp.protectRTCP(packet: packet, length: &length)
                }
                return true
            } catch {
                return false
            }
        }
    }

    /// STUN and DTLS datagrams go to the call layer's handler (slow path: copies, may allocate).
    /// False when it is neither, or nobody handles them.
    @inline(never)
    private func handOverControl(slot i: Int, fd: Int32, ep: UnsafeMutablePointer<Endpoint>,
                                 data: UnsafeRawPointer, length: Int) -> Bool {
        guard let handler = controlHandler,
              buffers.rxMsgs[i].msg_hdr.msg_flags & Int32(MSG_TRUNC) == 0,
              let source = TransportAddress(sockaddr: buffers.rxNames + i) else { return false }
        let kind: ControlPacket.Kind
        switch PacketClass.classify(firstByte: data.load(as: UInt8.self)) {
        case .stun: kind = .stun
        case .dtls: kind = .dtls
        default: return false
        }
        counters.pointee.controlPackets &+= 1
        let bytes = Array(UnsafeRawBufferPointer(start: data, count: length))
        handler(ControlPacket(kind: kind, socket: SocketHandle(id: fd, port: ep.pointee.port), source: source, bytes: bytes))
        return true
    }

    /// An admitted packet that cannot be sent on: an error of the stream (already counted as received).
    @inline(__always)
    private func drop(_ ep: UnsafeMutablePointer<Endpoint>, _ counter: inout UInt64) {
        counter &+= 1
        ep.pointee.errors &+= 1
    }

    /// A datagram refused at the door (malformed, strict source) still counts in the stream's
    /// packets and bytes, as rtpengine's stream stats count every datagram received, and in its
    /// errors; it does not refresh `lastPacket`, so garbage cannot keep a dead call alive.
    @inline(__always)
    private func dropUnadmitted(_ ep: UnsafeMutablePointer<Endpoint>, length: Int, _ counter: inout UInt64) {
        drop(ep, &counter)
        ep.pointee.rtpPackets &+= 1
        ep.pointee.rtpBytes &+= UInt64(length)
    }

    /// Per-socket stats of a valid packet, and RFC 3550 receive statistics for RTP.
    @inline(__always)
    private func record(_ kind: MediaKind, data: UnsafeRawPointer, length: Int, ep: UnsafeMutablePointer<Endpoint>, now: UInt64) {
        ep.pointee.lastPacket = now
        guard kind == .rtp else {
            ep.pointee.rtcpPackets &+= 1
            ep.pointee.rtcpBytes &+= UInt64(length)
            return
        }
        ep.pointee.rtpPackets &+= 1
        ep.pointee.rtpBytes &+= UInt64(length)
        let header = data.load(fromByteOffset: 1, as: UInt8.self)
        ep.pointee.payloadTypes.record(header)
        let seq = UInt16(bigEndian: data.loadUnaligned(fromByteOffset: 2, as: UInt16.self))
        let ts = UInt32(bigEndian: data.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        let ssrc = UInt32(bigEndian: data.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        if ep.pointee.receive?.ssrc != ssrc {  // new or changed SSRC: start over (one tracked per socket)
            ep.pointee.receive = ReceiveStatistics(ssrc: ssrc, firstSequence: seq, minSequential: 0)
        }
        let configured = ep.pointee.clockRate
        let rate = configured != 0 ? configured : (RTPClock.staticRate(payloadType: header & 0x7f) ?? 0)
        let arrival: UInt32? = rate != 0 ? RTPClock.units(nanoseconds: now, clockRate: rate) : nil
        ep.pointee.receive!.record(sequence: seq, timestamp: ts, arrival: arrival)
    }

    /// SO_RXQ_OVFL: the kernel reports its cumulative drop count for the socket; add the increase.
    @inline(never)
    private func noteKernelDrops(_ msg: UnsafeMutablePointer<tandem_mmsghdr>, _ ep: UnsafeMutablePointer<Endpoint>) {
        var drops: UInt32 = 0
        guard tandem_cmsg_rxq_ovfl(&msg.pointee.msg_hdr, &drops) == 1 else { return }
        let previous = ep.pointee.kernelDrops
        if drops != previous {
            counters.pointee.kernelOverflows &+= UInt64(drops &- previous)
            ep.pointee.kernelDrops = drops
        }
    }

    /// sendmmsg of queue entries [first, first + count) out of `fd`. A failing message is skipped
    /// (and counted); a full socket buffer drops the rest of the batch. Bounded: every iteration
    /// consumes at least one message or stops.
    @inline(__always)
    func flush(fd: Int32, first: Int, count: Int) {
        let b = buffers
        let c = counters
        var start = 0
        while start < count {
            let sent = Int(tandem_sendmmsg(fd, b.txMsgs + first + start, UInt32(count - start), Int32(MSG_DONTWAIT)))
            c.pointee.sendCalls &+= 1
            if sent > 0 {
                for k in start..<(start + sent) { c.pointee.bytesRelayed &+= UInt64(b.txMsgs[first + k].msg_len) }
                c.pointee.packetsRelayed &+= UInt64(sent)
                start += sent
                continue
            }
            let e = errno
            if e == EAGAIN || e == EWOULDBLOCK || e == ENOBUFS {
                c.pointee.dropsSendFailed &+= UInt64(count - start)
                return
            }
            c.pointee.dropsSendFailed &+= 1
            start += 1
        }
    }
}
