import Testing
import RTP

@Test func rfc7983FirstByteClasses() {
    for b: UInt8 in 0...3 { #expect(PacketClass.classify(firstByte: b) == .stun) }
    for b: UInt8 in 16...19 { #expect(PacketClass.classify(firstByte: b) == .zrtp) }
    for b: UInt8 in 20...63 { #expect(PacketClass.classify(firstByte: b) == .dtls) }
    for b: UInt8 in 64...79 { #expect(PacketClass.classify(firstByte: b) == .turnChannel) }
    for b: UInt8 in 128...191 { #expect(PacketClass.classify(firstByte: b) == .rtp) }
    for b: UInt8 in [4, 15, 80, 127, 192, 255] { #expect(PacketClass.classify(firstByte: b) == .unknown) }
}

@Test func rfc5761SecondByteSplitsRTCP() {
    for b in 0...255 {
        #expect(RTCPDemux.isRTCP(secondByte: UInt8(b)) == (192...223).contains(b))
    }
}

@Test func kindOnMuxAndNonMuxPorts() {
    let rtp = rtpPacket(pt: 0)
    let rr: [UInt8] = [0x80, 201, 0, 1, 1, 2, 3, 4]
    let stun: [UInt8] = [0x00, 0x01, 0x00, 0x00] + [UInt8](repeating: 0, count: 16)
    let dtls: [UInt8] = [22, 0xfe, 0xfd] + [UInt8](repeating: 0, count: 20)
    #expect(withView(rtp) { RTCPDemux.kind($0.baseAddress!, count: $0.count, rtcpMux: true) } == .rtp)
    #expect(withView(rr) { RTCPDemux.kind($0.baseAddress!, count: $0.count, rtcpMux: true) } == .rtcp)
    // Without mux, RTCP-looking bytes are RTP-length-checked and the 8-byte RR is too short.
    #expect(withView(rr) { RTCPDemux.kind($0.baseAddress!, count: $0.count, rtcpMux: false) } == nil)
    #expect(withView(stun) { RTCPDemux.kind($0.baseAddress!, count: $0.count, rtcpMux: true) } == nil)
    #expect(withView(dtls) { RTCPDemux.kind($0.baseAddress!, count: $0.count, rtcpMux: true) } == nil)
    #expect(withView([0x80, 0]) { RTCPDemux.kind($0.baseAddress!, count: $0.count, rtcpMux: true) } == nil)
}

@Test func staticClockRates() {
    #expect(RTPClock.staticRate(payloadType: 0) == 8000)
    #expect(RTPClock.staticRate(payloadType: 9) == 8000)
    #expect(RTPClock.staticRate(payloadType: 34) == 90000)
    #expect(RTPClock.staticRate(payloadType: 96) == nil)
    #expect(RTPClock.units(nanoseconds: 1_000_000_000, clockRate: 8000) == 8000)
    #expect(RTPClock.units(nanoseconds: 20_000_000, clockRate: 8000) == 160)
    #expect(RTPClock.units(nanoseconds: UInt64.max, clockRate: 90000) != 0 || true)  // no trap
}
