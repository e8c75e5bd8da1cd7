import Testing
import RTP

/// Builds an RTP packet: header fields, optional CSRCs, extension words and padding.
func rtpPacket(pt: UInt8 = 0, marker: Bool = false, seq: UInt16 = 1, ts: UInt32 = 160, ssrc: UInt32 = 0x1234_5678,
               csrcs: [UInt32] = [], extensionWords: Int? = nil, payload: [UInt8] = [1, 2, 3], padding: Int = 0) -> [UInt8] {
    var b: [UInt8] = [0x80 | UInt8(csrcs.count), (marker ? 0x80 : 0) | pt]
    if extensionWords != nil { b[0] |= 0x10 }
    if padding > 0 { b[0] |= 0x20 }
    b += [UInt8(seq >> 8), UInt8(seq & 0xff)]
    for v in [ts, ssrc] + csrcs { b += [UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }
    if let words = extensionWords {
        b += [0xbe, 0xde, 0, UInt8(words)] + [UInt8](repeating: 0xee, count: words * 4)
    }
    b += payload
    if padding > 0 { b += [UInt8](repeating: 0, count: padding - 1) + [UInt8(padding)] }
    return b
}

func withView<T>(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
    try bytes.withUnsafeBytes(body)
}

@Test func parsesRTPFields() throws {
    let p = rtpPacket(pt: 8, marker: true, seq: 0xabcd, ts: 0xdead_beef, ssrc: 0xcafe_f00d, payload: [9, 8, 7, 6])
    try withView(p) { buf in
        let h = try #require(RTPHeader(buf))
        #expect(h.version == 2 && !h.hasPadding && !h.hasExtension && h.csrcCount == 0)
        #expect(h.marker && h.payloadType == 8)
        #expect(h.sequenceNumber == 0xabcd && h.timestamp == 0xdead_beef && h.ssrc == 0xcafe_f00d)
        #expect(h.payloadOffset == 12 && h.payloadLength == 4)
        #expect(Array(h.payload) == [9, 8, 7, 6])
    }
}

@Test func rtpCSRCExtensionAndPadding() throws {
    let p = rtpPacket(csrcs: [7, 8], extensionWords: 2, payload: [1, 2, 3, 4, 5], padding: 3)
    try withView(p) { buf in
        let h = try #require(RTPHeader(buf))
        #expect(h.csrcCount == 2 && h.csrc(0) == 7 && h.csrc(1) == 8 && h.csrc(2) == nil)
        #expect(h.hasExtension && h.hasPadding)
        #expect(h.payloadOffset == 12 + 8 + 4 + 8)
        #expect(Array(h.payload) == [1, 2, 3, 4, 5])
    }
}

@Test func rejectsMalformedRTP() {
    var cases: [[UInt8]] = [[], [0x80], Array(rtpPacket().prefix(11))]
    var v1 = rtpPacket(); v1[0] = 0x40; cases.append(v1)               // version 1
    cases.append(Array(rtpPacket(csrcs: [1, 2, 3]).prefix(20)))         // CSRC list cut short
    var ext = rtpPacket(extensionWords: 1, payload: []); ext[15] = 200  // extension longer than packet
    cases.append(ext)
    cases.append(Array(rtpPacket(extensionWords: 0, payload: []).prefix(14)))  // extension header cut
    var pad = rtpPacket(payload: [1], padding: 2); pad[pad.count - 1] = 50     // padding > payload
    cases.append(pad)
    var pad0 = rtpPacket(payload: [1], padding: 2); pad0[pad0.count - 1] = 0   // padding count 0
    cases.append(pad0)
    for c in cases { #expect(withView(c) { RTPHeader($0) } == nil, "\(c)") }
}

@Test func rtpHeaderOnlyPacketIsValid() throws {
    try withView(rtpPacket(payload: [])) { buf in
        let h = try #require(RTPHeader(buf))
        #expect(h.payloadLength == 0)
    }
}

@Test func parsesRTCPFirstPacket() throws {
    // RR with no report blocks: V=2 RC=0 PT=201 length=1, SSRC.
    let rr: [UInt8] = [0x80, 201, 0, 1, 0x11, 0x22, 0x33, 0x44]
    try withView(rr) { buf in
        let h = try #require(RTCPHeader(buf))
        #expect(h.packetType == 201 && h.countField == 0 && h.senderSSRC == 0x1122_3344)
        #expect(h.firstPacketLength == 8)
    }
    #expect(withView([0x80, 201, 0, 2, 0, 0, 0, 0]) { RTCPHeader($0) } == nil)  // length beyond end
    #expect(withView([0x80, 201, 0, 1, 0, 0, 0]) { RTCPHeader($0) } == nil)     // too short
    #expect(withView([0x40, 201, 0, 1, 0, 0, 0, 0]) { RTCPHeader($0) } == nil)  // version 1
    #expect(withView([0x80, 0, 0, 1, 0, 0, 0, 0]) { RTCPHeader($0) } == nil)    // PT 0 is RTP
}
