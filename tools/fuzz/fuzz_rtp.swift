// libFuzzer harness for the RTP wire layer. Built by `tools/fuzz/run.sh rtp` together with
// Sources/RTP/*.swift as one module (no imports to strip).
//
// Checks, for every input (taken as one datagram off a media port):
//   - RFC 7983 classification and the RTP/RTCP demux agree with the header views they claim:
//     `.rtp` means RTPHeader parses, `.rtcp` means RTCPHeader parses, nil means neither fits;
//   - RTPHeader: every accessor stays inside the datagram (ASan), payload + padding + header
//     add up to the datagram, and the fields match a bounds-checked reference reading;
//   - RTCPHeader: the first packet's length fits; RTCPReport (the first SR/RR of a compound)
//     equals a bounds-checked reference walk, and a report that parses, rewritten with
//     RTCPReportWriter, parses to the same values (alone and behind an SDES CNAME chunk);
//   - the writers never write past `capacity` (too small: 0 bytes, buffer untouched);
//   - ReceiveStatistics: the input as arbitrary (sequence, timestamp, arrival) records never
//     traps and keeps its invariants; the input as gaps of an in-order stream gives exactly
//     the loss and extended highest sequence counted here;
//   - PayloadTypeTally: the input as payload types gives the counts and the most frequent
//     type of a plain reference count;
//   - RTPClock.units never traps and advances by exactly the clock rate per second.
// Seeds (tools/fuzz/seeds/rtp) are RTP packets (CSRCs, extension, padding), SR/RR/SDES/BYE
// compounds, STUN and DTLS first bytes.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRTP(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // An exact-size heap copy, so ASan flags any read past the datagram's end.
    let datagram = UnsafeMutableRawPointer.allocate(byteCount: max(size, 1), alignment: 1)
    defer { datagram.deallocate() }
    datagram.copyMemory(from: data, byteCount: size)
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))

    checkDemux(UnsafeRawPointer(datagram), bytes)
    checkRTP(UnsafeRawPointer(datagram), bytes)
    checkRTCP(UnsafeRawPointer(datagram), bytes)
    checkWriters(bytes)
    checkStatistics(bytes)
    checkInOrderStream(bytes)
    checkTally(bytes)
    checkClock(bytes)
    return 0
}

private func be16(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) << 8 | Int(b[i + 1]) }
private func be32(_ b: [UInt8], _ i: Int) -> UInt32 {
    UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
}

private func checkDemux(_ p: UnsafeRawPointer, _ b: [UInt8]) {
    if let first = b.first {
        let c = PacketClass.classify(firstByte: first)
        let expected: PacketClass = switch first {
        case 0...3: .stun
        case 16...19: .zrtp
        case 20...63: .dtls
        case 64...79: .turnChannel
        case 128...191: .rtp
        default: .unknown
        }
        guard c == expected else { fatalError("classify(\(first)) = \(c)") }
    }
    for mux in [false, true] {
        let kind = RTCPDemux.kind(p, count: b.count, rtcpMux: mux)
        let rtcpByte = b.count >= 2 && RTCPDemux.isRTCP(secondByte: b[1])
        switch kind {
        case .rtp?:
            guard RTPHeader(p, count: b.count) != nil, !(mux && rtcpByte) else { fatalError("rtp kind without an RTP header") }
        case .rtcp?:
            guard mux, RTCPHeader(p, count: b.count) != nil else { fatalError("rtcp kind without mux or header") }
        case nil:
            if b.count >= RTCPHeader.minimumSize, b[0] >> 6 == 2 {
                let fits = mux && rtcpByte ? RTCPHeader(p, count: b.count) != nil : RTPHeader(p, count: b.count) != nil
                guard !fits else { fatalError("a valid version-2 datagram got no kind") }
            }
        }
    }
}

private func checkRTP(_ p: UnsafeRawPointer, _ b: [UInt8]) {
    guard let h = RTPHeader(p, count: b.count) else {
        if let reference = referenceRTPPayload(b) { fatalError("RTPHeader rejected a valid packet: \(reference)") }
        return
    }
    guard let (offset, length) = referenceRTPPayload(b) else { fatalError("RTPHeader accepted an invalid packet") }
    guard h.payloadOffset == offset, h.payloadLength == length else { fatalError("payload bounds differ") }
    guard h.version == 2, h.csrcCount == Int(b[0] & 0x0f), h.marker == (b[1] & 0x80 != 0),
          h.payloadType == b[1] & 0x7f, h.sequenceNumber == UInt16(be16(b, 2)), h.timestamp == be32(b, 4),
          h.ssrc == be32(b, 8), h.hasPadding == (b[0] & 0x20 != 0), h.hasExtension == (b[0] & 0x10 != 0)
    else { fatalError("RTP header fields differ") }
    for i in -1...h.csrcCount {
        let c = h.csrc(i)
        guard (i >= 0 && i < h.csrcCount) ? c == be32(b, 12 + 4 * i) : c == nil else { fatalError("csrc(\(i))") }
    }
    guard h.payload.elementsEqual(b[offset..<offset + length]) else { fatalError("payload bytes differ") }
}

/// RFC 3550 5.1 read with bounds-checked arrays: (payload offset, payload length) or nil.
private func referenceRTPPayload(_ b: [UInt8]) -> (Int, Int)? {
    guard b.count >= 12, b[0] >> 6 == 2 else { return nil }
    var offset = 12 + 4 * Int(b[0] & 0x0f)
    if b[0] & 0x10 != 0 {
        guard offset + 4 <= b.count else { return nil }
        offset += 4 + 4 * be16(b, offset + 2)
    }
    guard offset <= b.count else { return nil }
    var padding = 0
    if b[0] & 0x20 != 0 {
        padding = Int(b[b.count - 1])
        guard padding >= 1, offset + padding <= b.count else { return nil }
    }
    return (offset, b.count - offset - padding)
}

private func checkRTCP(_ p: UnsafeRawPointer, _ b: [UInt8]) {
    if let h = RTCPHeader(p, count: b.count) {
        guard h.version == 2, (192...223).contains(h.packetType), h.firstPacketLength <= b.count,
              h.firstPacketLength == (be16(b, 2) + 1) * 4, h.senderSSRC == be32(b, 4), h.countField == b[0] & 0x1f
        else { fatalError("RTCP header fields differ") }
    }
    let report = RTCPReport(compound: p, count: b.count)
    let reference = referenceReport(b)
    switch (report, reference) {
    case (nil, nil): break
    case let (r?, ref?) where ref.matches(r): break
    default: fatalError("RTCPReport \(String(describing: report)) differs from the reference walk")
    }
    if let report { rewrite(report) }
}

/// The fields of the first SR/RR of a compound, walked with bounds-checked arrays (same
/// acceptance rules: every packet before it must have a valid common header; a trailing
/// fragment shorter than a header ends the walk).
private struct ReferenceReport {
    var packetType: UInt8
    var ssrc: UInt32
    var sender: RTCPSenderInfo?
    var block: RTCPReportBlock?

    func matches(_ r: RTCPReport) -> Bool {
        r.packetType == packetType && r.ssrc == ssrc && r.sender == sender && r.block == block
    }
}

private func referenceReport(_ b: [UInt8]) -> ReferenceReport? {
    var offset = 0
    while offset + 8 <= b.count {
        let type = b[offset + 1]
        let length = (be16(b, offset + 2) + 1) * 4
        guard b[offset] >> 6 == 2, (192...223).contains(type), offset + length <= b.count else { return nil }
        if type == 200 || type == 201 {
            let blocksAt = type == 200 ? 28 : 8
            let count = Int(b[offset] & 0x1f)
            guard length >= blocksAt + 24 * count else { return nil }
            let sender = type == 200 ? RTCPSenderInfo(
                ntpTimestamp: UInt64(be32(b, offset + 8)) << 32 | UInt64(be32(b, offset + 12)),
                rtpTimestamp: be32(b, offset + 16), packetCount: be32(b, offset + 20), octetCount: be32(b, offset + 24)) : nil
            var block: RTCPReportBlock?
            if count > 0 {
                let at = offset + blocksAt
                let lost = Int32(bitPattern: be32(b, at + 4) << 8) >> 8  // sign-extend 24 bits
                block = RTCPReportBlock(ssrc: be32(b, at), fractionLost: b[at + 4], cumulativeLost: lost,
                                        extendedHighestSequence: be32(b, at + 8), jitter: be32(b, at + 12),
                                        lastSR: be32(b, at + 16), delaySinceLastSR: be32(b, at + 20))
            }
            return ReferenceReport(packetType: type, ssrc: be32(b, offset + 4), sender: sender, block: block)
        }
        offset += length
    }
    return nil
}

/// A parsed report written back (alone, and after an SDES chunk) parses to the same value.
private func rewrite(_ r: RTCPReport) {
    let capacity = 8 + RTCPSenderInfo.size + RTCPReportBlock.size
    let exact = r.packetType == 200 ? 8 + 20 + (r.block == nil ? 0 : 24) : 8 + (r.block == nil ? 0 : 24)
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: 300 + capacity, alignment: 1)
    defer { buffer.deallocate() }
    let cname = Array("fuzz@tandem".utf8)
    for prefix in [0, 24] {
        if prefix > 0 {
            let sdes = cname.withUnsafeBytes { RTCPReportWriter.sdesCNAME(ssrc: r.ssrc, cname: $0, into: buffer, capacity: 300) }
            guard sdes == prefix else { fatalError("SDES size \(sdes)") }
        }
        let n = write(r, into: buffer + prefix, capacity: capacity)
        guard n == exact else { fatalError("report written as \(n) bytes, expected \(exact)") }
        guard let again = RTCPReport(compound: buffer, count: prefix + n) else { fatalError("rewritten report does not parse") }
        guard again == r else { fatalError("rewritten report differs: \(again) vs \(r)") }
        guard RTCPDemux.kind(buffer, count: prefix + n, rtcpMux: true) == .rtcp else { fatalError("rewritten report not RTCP") }
    }
}

private func write(_ r: RTCPReport, into p: UnsafeMutableRawPointer, capacity: Int) -> Int {
    if r.packetType == 200, let sender = r.sender {
        return RTCPReportWriter.senderReport(ssrc: r.ssrc, sender: sender, block: r.block, into: p, capacity: capacity)
    }
    guard r.packetType == 201, r.sender == nil else { fatalError("report type \(r.packetType) with sender \(String(describing: r.sender))") }
    return RTCPReportWriter.receiverReport(ssrc: r.ssrc, block: r.block, into: p, capacity: capacity)
}

/// Writers with input-chosen values and capacities: exact-size heap buffers, so ASan catches a
/// write past `capacity`; too small means 0 bytes and nothing written.
private func checkWriters(_ b: [UInt8]) {
    guard b.count >= 2 else { return }
    let cname = Array(b.dropFirst(2))
    let wanted = 4 + (4 + 2 + min(cname.count, 255) + 1 + 3) / 4 * 4
    let capacity = Int(b[0]) + Int(b[1] & 1) * 256
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(capacity, 1), alignment: 1)
    defer { buffer.deallocate() }
    buffer.initializeMemory(as: UInt8.self, repeating: 0xA5, count: max(capacity, 1))
    let n = cname.withUnsafeBytes { RTCPReportWriter.sdesCNAME(ssrc: 7, cname: $0, into: buffer, capacity: capacity) }
    if capacity < wanted {
        guard n == 0 else { fatalError("SDES wrote \(n) bytes into \(capacity)") }
        let untouched = UnsafeRawBufferPointer(start: buffer, count: max(capacity, 1)).allSatisfy { $0 == 0xA5 }
        guard untouched else { fatalError("a refused write touched the buffer") }
        return
    }
    guard n == wanted, n % 4 == 0 else { fatalError("SDES size \(n), expected \(wanted)") }
    guard let h = RTCPHeader(buffer, count: n), h.packetType == 202, h.firstPacketLength == n, h.countField == 1,
          h.senderSSRC == 7 else { fatalError("SDES header wrong") }
    let out = UnsafeRawBufferPointer(start: buffer, count: n)
    let length = min(cname.count, 255)
    guard out[8] == 1, Int(out[9]) == length, out[10..<10 + length].elementsEqual(cname.prefix(length)),
          out[(10 + length)...].allSatisfy({ $0 == 0 }) else { fatalError("SDES item wrong") }
    guard RTCPReport(compound: buffer, count: n) == nil else { fatalError("an SDES alone parsed as a report") }
}

/// Arbitrary 8-byte records (sequence, timestamp, arrival delta): no trap, invariants hold.
private func checkStatistics(_ b: [UInt8]) {
    guard b.count >= 3 else { return }
    var s = ReceiveStatistics(ssrc: 1, firstSequence: UInt16(be16(b, 0)), minSequential: b[2] % 4)
    var arrival: UInt32 = 0
    var i = 3
    while i + 8 <= b.count {
        arrival &+= UInt32(be16(b, i + 6))
        let accepted = s.record(sequence: UInt16(be16(b, i)), timestamp: be32(b, i + 2), arrival: b[i + 6] & 1 == 0 ? arrival : nil)
        if accepted { guard s.probation == 0 else { fatalError("accepted while on probation") } }
        let r = s.intervalReport()
        guard (-0x80_0000...0x7f_ffff).contains(r.cumulativeLost) else { fatalError("cumulative lost out of 24 bits") }
        guard UInt16(truncatingIfNeeded: s.extendedHighestSequence) == s.maxSequence else { fatalError("extended sequence") }
        guard s.probation > 0 ? s.expected == 0 : s.expected >= 1 else { fatalError("expected \(s.expected)") }
        guard s.lost == Int64(s.expected) - Int64(s.received) else { fatalError("lost") }
        _ = s.jitter
        i += 8
    }
}

/// The input as an in-order stream: sequence numbers advance by 1 + gap (gap < 16, so never a
/// dropout), timestamps by 160 with arrivals on time. After probation, the loss is the sum of
/// the gaps, the extended highest sequence counts wraps, fraction lost matches, jitter is 0.
private func checkInOrderStream(_ b: [UInt8]) {
    guard b.count >= 3 else { return }
    let minSequential = b[2] % 4
    var seq = UInt16(be16(b, 0))
    var s = ReceiveStatistics(ssrc: 2, firstSequence: seq, minSequential: minSequential)
    // Probation needs `minSequential` consecutive packets; the last of them is the base.
    let probationPackets = max(Int(minSequential), 1)
    var extended = UInt32(seq)
    var ts: UInt32 = 1000
    var lost: Int64 = 0, intervalLost: Int64 = 0, intervalExpected: Int64 = 0
    var index = 0
    for byte in b.dropFirst(3).prefix(4000) {
        let gap = index < probationPackets ? 0 : Int(byte & 0x0f)
        if index > 0 {
            seq &+= UInt16(1 + gap)
            extended &+= UInt32(1 + gap)
            ts &+= 160 * UInt32(1 + gap)
        }
        let accepted = s.record(sequence: seq, timestamp: ts, arrival: ts &+ 5)
        guard accepted == (index >= probationPackets - 1) else { fatalError("in-order packet \(index) accepted=\(accepted)") }
        if index >= probationPackets {
            lost += Int64(gap)
            intervalLost += Int64(gap)
            intervalExpected += Int64(1 + gap)
        } else if index == probationPackets - 1 {
            intervalExpected = 1
            extended = UInt32(seq)  // RFC 3550 A.1 init_seq: counting restarts, no cycles yet
        }
        index += 1
        guard index >= probationPackets else { continue }
        guard s.lost == lost, s.extendedHighestSequence == extended, s.jitter == 0 else {
            fatalError("in-order stream: lost \(s.lost) vs \(lost), ext \(s.extendedHighestSequence) vs \(extended)")
        }
        if byte & 0x80 != 0 {
            let r = s.intervalReport()
            let fraction = intervalLost > 0 ? UInt8(min(255, (intervalLost << 8) / intervalExpected)) : 0
            guard r.fractionLost == fraction, Int64(r.cumulativeLost) == lost else {
                fatalError("interval report \(r) vs \(fraction)/\(lost)")
            }
            intervalLost = 0
            intervalExpected = 0
        }
    }
}

private func checkTally(_ b: [UInt8]) {
    var tally = PayloadTypeTally()
    var order: [UInt8] = []
    var counts: [UInt8: UInt32] = [:]
    for byte in b {
        tally.record(byte)
        let pt = byte & 0x7f
        if counts[pt] == nil && order.count < PayloadTypeTally.capacity { order.append(pt) }
        if counts[pt] != nil || order.contains(pt) { counts[pt, default: 0] += 1 }
    }
    for pt in UInt8(0)...255 {
        guard tally.packets(of: pt) == (counts[pt] ?? 0) else { fatalError("packets(of: \(pt))") }
    }
    guard let best = counts.values.max() else {
        guard tally.mostFrequent == nil, tally.last == 0xFF else { fatalError("empty tally") }
        return
    }
    let last = b.last! & 0x7f
    guard tally.last == last else { fatalError("last") }
    let expected = counts[last] == best ? last : order.first { counts[$0] == best }!
    guard tally.mostFrequent == expected else { fatalError("mostFrequent \(String(describing: tally.mostFrequent)) vs \(expected)") }
}

private func checkClock(_ b: [UInt8]) {
    guard b.count >= 12 else { return }
    let ns = UInt64(be32(b, 0)) << 32 | UInt64(be32(b, 4))
    let rate = be32(b, 8)
    let now = RTPClock.units(nanoseconds: ns, clockRate: rate)
    if ns <= UInt64.max - 1_000_000_000 {
        guard RTPClock.units(nanoseconds: ns + 1_000_000_000, clockRate: rate) == now &+ rate else { fatalError("one second is not `rate` units") }
    }
    if let r = RTPClock.staticRate(payloadType: b[0]) { guard b[0] < 35, r >= 8000 else { fatalError("static rate of \(b[0])") } }
}
