import Testing
import RTP

@Test func probationThenInOrder() {
    var s = ReceiveStatistics(ssrc: 1, firstSequence: 100)
    do { let ok = s.update(sequence: 100); #expect(!ok) }  // probation: first packet not yet counted
    do { let ok = s.update(sequence: 101); #expect(ok) }
    for q: UInt16 in 102...110 { do { let ok = s.update(sequence: q); #expect(ok) } }
    #expect(s.extendedHighestSequence == 110)
    #expect(s.received == 10 && s.expected == 10 && s.lost == 0)
}

@Test func noProbationCountsFromFirstPacket() {
    var s = ReceiveStatistics(ssrc: 1, firstSequence: 0, minSequential: 0)
    do { let ok = s.update(sequence: 0); #expect(ok) }
    #expect(s.extendedHighestSequence == 0 && s.received == 1 && s.expected == 1)
}

@Test func wrapsIntoCycles() {
    var s = ReceiveStatistics(ssrc: 1, firstSequence: 65534, minSequential: 0)
    for q: UInt16 in [65534, 65535, 0, 1] { do { let ok = s.update(sequence: q); #expect(ok) } }
    #expect(s.cycles == 65536)
    #expect(s.extendedHighestSequence == 65537)
    #expect(s.expected == 4 && s.lost == 0)
}

@Test func probationAcrossWrap() {
    var s = ReceiveStatistics(ssrc: 1, firstSequence: 65535)
    do { let ok = s.update(sequence: 65535); #expect(!ok) }
    do { let ok = s.update(sequence: 0); #expect(ok) }  // 65535 + 1 wraps to 0: still in sequence
}

@Test func countsLossAndFraction() {
    var s = ReceiveStatistics(ssrc: 1, firstSequence: 1, minSequential: 0)
    for q: UInt16 in 1...10 where q % 2 == 0 || q == 1 { _ = s.update(sequence: q) }  // 1,2,4,6,8,10
    #expect(s.expected == 10 && s.received == 6 && s.lost == 4)
    let r = s.intervalReport()
    #expect(r.fractionLost == UInt8((4 << 8) / 10) && r.cumulativeLost == 4)
    for q: UInt16 in 11...20 { _ = s.update(sequence: q) }
    #expect(s.intervalReport().fractionLost == 0)
}

@Test func duplicatesMakeLossNegative() {
    var s = ReceiveStatistics(ssrc: 1, firstSequence: 5, minSequential: 0)
    for q: UInt16 in [5, 6, 6, 6] { _ = s.update(sequence: q) }
    #expect(s.lost == -2)
    #expect(s.intervalReport().fractionLost == 0)
}

@Test func largeJumpNeedsConfirmation() {
    var s = ReceiveStatistics(ssrc: 1, firstSequence: 10, minSequential: 0)
    _ = s.update(sequence: 10)
    do { let ok = s.update(sequence: 30000); #expect(!ok) }  // a jump: held back
    do { let ok = s.update(sequence: 30001); #expect(ok) }   // confirmed: the source restarted
    #expect(s.extendedHighestSequence == 30001 && s.received == 1 && s.expected == 1)
}

@Test func reorderedPacketDoesNotMoveMax() {
    var s = ReceiveStatistics(ssrc: 1, firstSequence: 10, minSequential: 0)
    for q: UInt16 in [10, 12, 11] { do { let ok = s.update(sequence: q); #expect(ok) } }
    #expect(s.extendedHighestSequence == 12 && s.lost == 0)
}

@Test func jitterZeroForPerfectPacing() {
    var s = ReceiveStatistics(ssrc: 1, firstSequence: 0, minSequential: 0)
    for i in 0..<50 {
        s.record(sequence: UInt16(i), timestamp: UInt32(i * 160), arrival: UInt32(1000 + i * 160))
    }
    #expect(s.jitter == 0)
}

@Test func jitterConvergesToConstantDeviation() {
    // Every packet arrives alternately 40 units early/late: |D| = 80 each time; J -> 80.
    var s = ReceiveStatistics(ssrc: 1, firstSequence: 0, minSequential: 0)
    for i in 0..<400 {
        let wobble = i % 2 == 0 ? 40 : -40
        s.record(sequence: UInt16(i), timestamp: UInt32(i * 160), arrival: UInt32(10_000 + i * 160 + wobble))
    }
    #expect(s.jitter >= 78 && s.jitter <= 80)
    var t = s
    t.record(sequence: 400, timestamp: 64_000, arrival: nil)  // unknown clock: no jitter update
    #expect(t.jitter == s.jitter && t.extendedHighestSequence == 400)
}
