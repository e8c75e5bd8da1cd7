import RTP
import Testing

/// The tally behind query's per-media `codec`: rtpengine 10.5 reports the payload type received
/// most often (Tests/CallModelTests/Golden/replies/query-with-rtp-codecs.json).
@Suite struct PayloadTypeTallyTests {
    @Test func emptyReportsNothing() {
        #expect(PayloadTypeTally().mostFrequent == nil)
    }

    @Test func mostPacketsWinsNotTheLast() {
        var t = PayloadTypeTally()
        for pt: UInt8 in [0, 0, 0, 8] { t.record(pt) }
        #expect(t.mostFrequent == 0)
        #expect(t.packets(of: 0) == 3 && t.packets(of: 8) == 1)
        #expect(t.last == 8)
    }

    @Test func telephoneEventAloneIsReported() {
        var t = PayloadTypeTally()
        for _ in 0..<3 { t.record(101) }
        #expect(t.mostFrequent == 101)
    }

    @Test func tieGoesToTheLastReceived() {
        var t = PayloadTypeTally()
        t.record(0)
        t.record(8)
        #expect(t.mostFrequent == 8)
        t.record(0)
        t.record(8)
        t.record(0)
        #expect(t.mostFrequent == 0)
    }

    @Test func markerBitIsNotPartOfThePayloadType() {
        var t = PayloadTypeTally()
        t.record(0x80 | 96)  // second header byte with M set
        t.record(96)
        #expect(t.mostFrequent == 96 && t.packets(of: 96) == 2)
    }

    @Test func typesBeyondCapacityAreNotCounted() {
        var t = PayloadTypeTally()
        for pt: UInt8 in [0, 8, 9, 13] { t.record(pt) }
        for _ in 0..<10 { t.record(101) }  // a fifth type: not counted, cannot win
        t.record(9)
        #expect(t.packets(of: 101) == 0)
        #expect(t.mostFrequent == 9)
        #expect(t.last == 101 || t.last == 9)
    }
}
