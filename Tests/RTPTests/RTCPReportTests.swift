import RTP
import Testing

// RTCP SR/RR/SDES as written for transcoded legs (RFC 3550 6.4, 6.5), checked byte by byte and
// read back.

@Suite struct RTCPReportTests {
    let block = RTCPReportBlock(ssrc: 0xb0b0_0001, fractionLost: 0x40, cumulativeLost: -3, extendedHighestSequence: 0x0001_0005,
                                jitter: 77, lastSR: 0x1122_3344, delaySinceLastSR: 0x10000)

    @Test func senderReportWithBlockAndSDES() throws {
        var buffer = [UInt8](repeating: 0xee, count: 128)
        let info = RTCPSenderInfo(ntpTimestamp: 0xe000_0001_8000_0000, rtpTimestamp: 123_456, packetCount: 30, octetCount: 4800)
        let cname = Array("tandem-1".utf8)
        let (sr, total) = buffer.withUnsafeMutableBytes { b -> (Int, Int) in
            let n = RTCPReportWriter.senderReport(ssrc: 0xa0a0_0001, sender: info, block: block, into: b.baseAddress!, capacity: b.count)
            let m = cname.withUnsafeBytes { RTCPReportWriter.sdesCNAME(ssrc: 0xa0a0_0001, cname: $0, into: b.baseAddress! + n, capacity: b.count - n) }
            return (n, n + m)
        }
        #expect(sr == 52 && total == 52 + 20)
        #expect(Array(buffer[0..<8]) == [0x81, 200, 0, 12, 0xa0, 0xa0, 0, 1])
        #expect(Array(buffer[8..<28]) == [0xe0, 0, 0, 1, 0x80, 0, 0, 0, 0, 1, 0xe2, 0x40, 0, 0, 0, 30, 0, 0, 0x12, 0xc0])
        // Report block: fraction 0x40, cumulative lost -3 as 24-bit two's complement.
        #expect(Array(buffer[28..<36]) == [0xb0, 0xb0, 0, 1, 0x40, 0xff, 0xff, 0xfd])
        // SDES: header, SSRC, CNAME item (type 1, length 8), END + padding to a 32-bit boundary.
        #expect(Array(buffer[52..<72]) == [0x81, 202, 0, 4, 0xa0, 0xa0, 0, 1, 1, 8] + Array("tandem-1".utf8) + [0, 0])
        let parsed = try #require(buffer.withUnsafeBytes { RTCPReport(UnsafeRawBufferPointer(rebasing: $0[0..<total])) })
        #expect(parsed.packetType == 200 && parsed.ssrc == 0xa0a0_0001 && parsed.sender == info && parsed.block == block)
    }

    @Test func receiverReportAndLimits() throws {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = buffer.withUnsafeMutableBytes { RTCPReportWriter.receiverReport(ssrc: 5, block: block, into: $0.baseAddress!, capacity: $0.count) }
        #expect(n == 32 && buffer[0] == 0x81 && buffer[1] == 201 && buffer[3] == 7)
        let parsed = try #require(buffer.withUnsafeBytes { RTCPReport($0) })
        #expect(parsed.packetType == 201 && parsed.sender == nil && parsed.block == block)
        // Too small a buffer: nothing written.
        let none = buffer.withUnsafeMutableBytes { RTCPReportWriter.receiverReport(ssrc: 5, block: block, into: $0.baseAddress!, capacity: 31) }
        #expect(none == 0)
        // A compound whose first packet lies about its length is rejected.
        var bad = buffer
        bad[3] = 20
        #expect(bad.withUnsafeBytes { RTCPReport($0) } == nil)
        // NTP: the Unix epoch is 2208988800 s after 1900; half a second is 0x8000_0000.
        #expect(RTCPSenderInfo.ntp(unixNanoseconds: 500_000_000) == (UInt64(2_208_988_800) << 32 | 0x8000_0000))
    }
}
