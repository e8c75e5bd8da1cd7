import CTandemSys
import CallModel
import Crypto
import Glibc
import RTP

// The loop's transcoding side table (control path) and the memory the packet path writes
// transcoded packets into.
//
// Invariants (as for SRTP contexts, see Endpoint.swift):
// - `entries` holds the strong reference to every socket's transcoder; the endpoint holds it
//   unretained. Both change together, on the loop thread, between batches; an fd's entry goes
//   when its socket is unregistered.
// - `pool` has one slot per send-queue entry of the RTP queue ([0, batch)): a transcoded
//   packet queued as entry k lives in pool slot k until that queue is flushed, so no cursor is
//   needed and an in-place relayed packet simply leaves its pool slot unused.
// - An out socket is `rtcpGenerated` while some transcoding socket with `generateRTCP` sends
//   its RTCP there: RTCP relayed towards it is the sender's own (SSRC and counts that do not
//   match what we send) and is consumed instead of forwarded.

final class TranscodeRegistry {
    var entries: [Int32: SocketTranscoder] = [:]
    /// Out sockets currently flagged `rtcpGenerated`.
    var flaggedSockets: [Int32] = []
    /// The earliest `nextReport` of any entry that generates RTCP (UInt64.max: none), so a
    /// wake-up with nothing due costs one comparison however many sockets transcode.
    private(set) var earliestReport = UInt64.max
    let pool: UnsafeMutableRawPointer
    let report: UnsafeMutableRawPointer
    static let reportCapacity = 512
    /// Mean report interval (RFC 3550 6.2's 5 s minimum for a two-party session).
    let interval: UInt64

    init(batch: Int, slotSize: Int, intervalSeconds: Double) {
        pool = .allocate(byteCount: batch * slotSize, alignment: 16)
        report = .allocate(byteCount: Self.reportCapacity, alignment: 16)
        interval = UInt64(max(0.05, intervalSeconds) * 1e9)
    }

    func deallocate() {
        pool.deallocate()
        report.deallocate()
    }

    /// Randomised per RFC 3550 6.3.1: interval x [0.5, 1.5); the first report comes after half.
    func nextReport(after now: UInt64, first: Bool = false) -> UInt64 {
        let base = first ? interval / 2 : interval
        return now &+ UInt64(Double(base) * Double.random(in: 0.5..<1.5))
    }

    /// Recomputes `earliestReport` (after entries or their schedules changed).
    func updateEarliest() {
        var next = UInt64.max
        for (_, t) in entries where t.plan.generateRTCP { next = min(next, t.nextReport) }
        earliestReport = next
    }

    /// epoll timeout until the next report is due: -1 (no transcoding socket) or milliseconds.
    func timeoutMs(now: UInt64) -> Int32 {
        let next = earliestReport
        guard next != .max else { return -1 }
        guard next > now else { return 0 }
        return Int32(min(60_000, (next - now + 999_999) / 1_000_000))
    }
}

extension LoopCore {
    /// Applies `forwarding.transcode` to a socket: builds its transcoder when the plan is new or
    /// changed (an unchanged plan keeps the output stream's SSRC, sequence and timestamps).
    func configureTranscode(_ socket: SocketHandle, _ ep: UnsafeMutablePointer<Endpoint>, _ forwarding: SocketForwarding) {
        let registry = transcoding
        if let plan = forwarding.transcode {
            if registry.entries[socket.id]?.plan != plan {
                let transcoder = SocketTranscoder(plan: plan)
                transcoder.nextReport = registry.nextReport(after: tandem_monotonic_ns(0), first: true)
                registry.entries[socket.id] = transcoder
            }
        } else {
            registry.entries[socket.id] = nil
        }
        // Endpoint first, then the side table drops an old transcoder (as for SRTP contexts).
        ep.pointee.transcoder = registry.entries[socket.id].map { Unmanaged.passUnretained($0) }
        registry.updateEarliest()
        refreshGeneratedRTCP()
    }

    /// Forgets a closed socket's transcoder.
    func removeTranscoder(fd: Int32) {
        guard transcoding.entries.removeValue(forKey: fd) != nil else { return }
        transcoding.updateEarliest()
        refreshGeneratedRTCP()
    }

    /// Recomputes which out sockets get generated RTCP only (control path).
    func refreshGeneratedRTCP() {
        let t = table.pointee
        let registry = transcoding
        for fd in registry.flaggedSockets { t.slot(fd)?.pointee.rtcpGenerated = false }
        var now: [Int32] = []
        for (fd, transcoder) in registry.entries where transcoder.plan.generateRTCP {
            guard let ep = t.slot(fd), let out = t.resolve(ep.pointee.rtcpOut) else { continue }
            out.pointee.rtcpGenerated = true
            now.append(ep.pointee.rtcpOut.fd)
        }
        registry.flaggedSockets = now
    }

    /// Sends every report that is due (from the loop's timer, between batches): an SR for our
    /// output stream (RR before anything was sent) with a report block on the stream we
    /// receive from the same party (on the out socket), plus SDES CNAME, out of the socket
    /// RTCP to that party leaves from; protected when that socket encrypts.
    func sendDueReports(now: UInt64) {
        let registry = transcoding
        guard now >= registry.earliestReport else { return }
        var wall = timespec()
        clock_gettime(CLOCK_REALTIME, &wall)
        let unix = UInt64(wall.tv_sec) * 1_000_000_000 + UInt64(wall.tv_nsec)
        for (fd, transcoder) in registry.entries where transcoder.plan.generateRTCP && transcoder.nextReport <= now {
            transcoder.nextReport = registry.nextReport(after: now)
            sendReport(transcoder, fd: fd, now: now, unix: unix)
        }
        registry.updateEarliest()
    }

    private func sendReport(_ transcoder: SocketTranscoder, fd: Int32, now: UInt64, unix: UInt64) {
        let t = table.pointee
        guard let ep = t.slot(fd), let out = t.resolve(ep.pointee.rtcpOut) else { return }
        let outFD = Int(ep.pointee.rtcpOut.fd)
        let nameLength = t.remoteLengths[outFD]
        guard nameLength > 0 else { return }
        var block: RTCPReportBlock?
        if let back = t.resolve(ep.pointee.rtpOut), back.pointee.receive != nil {
            let r = back.pointee.receive!
            let interval = back.pointee.receive!.intervalReport()
            block = RTCPReportBlock(ssrc: r.ssrc, fractionLost: interval.fractionLost, cumulativeLost: interval.cumulativeLost,
                                    extendedHighestSequence: r.extendedHighestSequence, jitter: r.jitter)
        }
        let buffer = transcoding.report
        let capacity = TranscodeRegistry.reportCapacity - 64  // room for the SRTCP trailer
        var length: Int
        if let sender = transcoder.senderInfo(now: now, unixNanoseconds: unix) {
            length = RTCPReportWriter.senderReport(ssrc: transcoder.ssrc, sender: sender, block: block, into: buffer, capacity: capacity)
        } else if block != nil {
            length = RTCPReportWriter.receiverReport(ssrc: transcoder.ssrc, block: block, into: buffer, capacity: capacity)
        } else {
            return
        }
        length += transcoder.cname.withUnsafeBytes {
            RTCPReportWriter.sdesCNAME(ssrc: transcoder.ssrc, cname: $0, into: buffer + length, capacity: capacity - length)
        }
        if out.pointee.srtpOut != nil || out.pointee.srtpOutUnusable {
            guard let context = out.pointee.srtpOut else { return }
            let ok = context._withUnsafeGuaranteedRef { srtp in
                (try? srtp.protectRTCP(packet: UnsafeMutableRawBufferPointer(start: buffer, count: TranscodeRegistry.reportCapacity),
                                       length: &length)) != nil
            }
            guard ok else { return }
        }
        let sent = (t.remotes + outFD).withMemoryRebound(to: sockaddr.self, capacity: 1) {
            Glibc.sendto(Int32(outFD), buffer, length, Int32(MSG_DONTWAIT), $0, nameLength)
        }
        if sent > 0 {
            counters.pointee.rtcpGenerated &+= 1
        } else {
            counters.pointee.dropsSendFailed &+= 1
        }
    }
}
