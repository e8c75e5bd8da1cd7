import CallModel
import Crypto
import Glibc
import Testing
import TandemBase
import MediaIO

// SRTP on the relay path: phones protect/unprotect with their own SRTPContexts (Crypto), the
// relay decrypts, re-encrypts or bridges to plain RTP. Each test owns a slice of 31390-31499.

private let suite = SRTPSuite.aesCM128HmacSHA1_80

/// Keying material that differs per `seed`.
private func keys(_ seed: UInt8) -> SRTPParameters {
    SRTPParameters(suite: suite.sdesName, masterKey: (0..<16).map { $0 &* 7 &+ seed }, masterSalt: (0..<14).map { $0 &* 3 &+ seed &+ 1 })
}

private func context(_ p: SRTPParameters) throws -> SRTPContext {
    try SRTPContext(suite: SRTPSuite(sdesName: p.suite)!, masterKey: p.masterKey, masterSalt: p.masterSalt)
}

private func protect(_ ctx: SRTPContext, _ packet: [UInt8], rtcp: Bool = false) throws -> [UInt8] {
    var buffer = packet + [UInt8](repeating: 0, count: 64)
    var length = packet.count
    try buffer.withUnsafeMutableBytes { b in
        if rtcp { try ctx.protectRTCP(packet: b, length: &length) } else { try ctx.protect(packet: b, length: &length) }
    }
    return Array(buffer[0..<length])
}

private func unprotect(_ ctx: SRTPContext, _ packet: [UInt8], rtcp: Bool = false) throws -> [UInt8] {
    var buffer = packet
    var length = packet.count
    try buffer.withUnsafeMutableBytes { b in
        if rtcp { try ctx.unprotectRTCP(packet: b, length: &length) } else { try ctx.unprotect(packet: b, length: &length) }
    }
    return Array(buffer[0..<length])
}

/// A call whose A side speaks SRTP (A's key `aKey`, relay's key towards A `toA`) and whose B side
/// speaks SRTP with `bKey`/`toB` or plain RTP when those are nil. Separate RTCP sockets.
private struct SecureCall {
    let a: [SocketHandle], b: [SocketHandle]
    let aRTP: Phone, aRTCP: Phone, bRTP: Phone, bRTCP: Phone

    init?(_ relay: Relay, aKey: SRTPParameters?, toA: SRTPParameters?, bKey: SRTPParameters? = nil, toB: SRTPParameters? = nil) {
        guard let a = relay.open(2), let b = relay.open(2),
              let aRTP = Phone(), let aRTCP = Phone(), let bRTP = Phone(), let bRTCP = Phone() else { return nil }
        (self.a, self.b, self.aRTP, self.aRTCP, self.bRTP, self.bRTCP) = (a, b, aRTP, aRTCP, bRTP, bRTCP)
        let p = LatchingPolicy()
        relay.configure(a[0], SocketForwarding(remote: aRTP.address, rtpOut: b[0], rtcpOut: b[1], acceptsRTCP: false, latching: p, decrypt: aKey, encrypt: toA))
        relay.configure(a[1], SocketForwarding(remote: aRTCP.address, rtpOut: nil, rtcpOut: b[1], acceptsRTCP: true, latching: p, decrypt: aKey, encrypt: toA))
        relay.configure(b[0], SocketForwarding(remote: bRTP.address, rtpOut: a[0], rtcpOut: a[1], acceptsRTCP: false, latching: p, decrypt: bKey, encrypt: toB))
        relay.configure(b[1], SocketForwarding(remote: bRTCP.address, rtpOut: nil, rtcpOut: a[1], acceptsRTCP: true, latching: p, decrypt: bKey, encrypt: toB))
    }
}

@Test func bridgesSRTPToPlainRTPAndBack() throws {
    let relay = Relay(slice: 31390...31409)
    let aKey = keys(1), toA = keys(2)
    let call = try #require(SecureCall(relay, aKey: aKey, toA: toA))
    let aSend = try context(aKey), aReceive = try context(toA)

    let original = rtp(seq: 4711, ts: 123_456, ssrc: 0xa1a1_a1a1, pt: 8)
    let secured = try protect(aSend, original)
    #expect(secured.count == original.count + 10 && secured != original)
    call.aRTP.send(secured, to: relay.address(call.a[0]))
    let plain = try #require(call.bRTP.receive())
    #expect(plain.bytes == original)  // byte-identical to what A protected
    #expect(plain.from == relay.address(call.b[0]))

    let back = rtp(seq: 9, ts: 77, ssrc: 0xb2b2_b2b2)
    call.bRTP.send(back, to: relay.address(call.b[0]))
    let got = try #require(call.aRTP.receive())
    #expect(got.bytes.count == back.count + 10 && got.bytes != back)
    #expect(try unprotect(aReceive, got.bytes) == back)

    for seq in UInt16(4712)..<4722 {  // a run of packets, both ways
        call.aRTP.send(try protect(aSend, rtp(seq: seq, ssrc: 0xa1a1_a1a1)), to: relay.address(call.a[0]))
        #expect(call.bRTP.receive()?.bytes == rtp(seq: seq, ssrc: 0xa1a1_a1a1))
        call.bRTP.send(rtp(seq: seq, ssrc: 0xb2b2_b2b2), to: relay.address(call.b[0]))
        let r = try #require(call.aRTP.receive())
        #expect(try unprotect(aReceive, r.bytes) == rtp(seq: seq, ssrc: 0xb2b2_b2b2))
    }

    let s = relay.stats(call.a[0])  // counted as received: wire (SRTP) length
    #expect(s.rtpPackets == 11 && s.rtpBytes == 11 * UInt64(secured.count) && s.errors == 0)
    #expect(s.ssrc == 0xa1a1_a1a1 && s.highestSequence == 4721 && s.latched)
    let c = relay.counters
    #expect(c.packetsRelayed == 22 && c.drops == 0 && c.dropsSRTP == 0)
}

@Test func bridgesSRTCPBothWays() throws {
    let relay = Relay(slice: 31410...31429)
    let aKey = keys(3), toA = keys(4)
    let call = try #require(SecureCall(relay, aKey: aKey, toA: toA))
    let aSend = try context(aKey), aReceive = try context(toA)

    let rr = rtcpRR(ssrc: 0xa1a1_a1a1)
    let srtcp = try protect(aSend, rr, rtcp: true)
    #expect(srtcp.count == rr.count + 14)
    call.aRTCP.send(srtcp, to: relay.address(call.a[1]))
    let plain = try #require(call.bRTCP.receive())
    #expect(plain.bytes == rr && plain.from == relay.address(call.b[1]))

    let back = rtcpRR(ssrc: 0xb2b2_b2b2)
    call.bRTCP.send(back, to: relay.address(call.b[1]))
    let got = try #require(call.aRTCP.receive())
    #expect(got.bytes.count == back.count + 14 && got.from == relay.address(call.a[1]))
    #expect(try unprotect(aReceive, got.bytes, rtcp: true) == back)

    // SRTCP replayed: dropped.
    call.aRTCP.send(srtcp, to: relay.address(call.a[1]))
    #expect(call.bRTCP.hearsNothing())
    #expect(relay.stats(call.a[1]).rtcpPackets == 1)
    #expect(relay.counters.dropsSRTP == 1)
}

@Test func tamperedAndReplayedSRTPIsDroppedAndCounted() throws {
    let relay = Relay(slice: 31430...31449)
    let aKey = keys(5)
    let call = try #require(SecureCall(relay, aKey: aKey, toA: keys(6)))
    let aSend = try context(aKey)

    var tampered = try protect(aSend, rtp(seq: 1, ssrc: 0xa1a1_a1a1))
    tampered[20] ^= 0x01
    call.aRTP.send(tampered, to: relay.address(call.a[0]))
    #expect(call.bRTP.hearsNothing())
    var c = relay.counters
    #expect(c.dropsSRTP == 1 && c.packetsRelayed == 0)
    var s = relay.stats(call.a[0])
    #expect(s.errors == 1 && s.lastPacket == nil && !s.latched)  // a forged packet does not latch

    let valid = try protect(aSend, rtp(seq: 2, ssrc: 0xa1a1_a1a1))
    call.aRTP.send(valid, to: relay.address(call.a[0]))
    #expect(call.bRTP.receive()?.bytes == rtp(seq: 2, ssrc: 0xa1a1_a1a1))

    call.aRTP.send(valid, to: relay.address(call.a[0]))  // replay
    #expect(call.bRTP.hearsNothing())
    let short = Array(valid[0..<14])  // header + less than a tag
    call.aRTP.send(short, to: relay.address(call.a[0]))
    #expect(call.bRTP.hearsNothing())

    call.aRTP.send(try protect(aSend, rtp(seq: 3, ssrc: 0xa1a1_a1a1)), to: relay.address(call.a[0]))
    #expect(call.bRTP.receive()?.bytes == rtp(seq: 3, ssrc: 0xa1a1_a1a1))
    c = relay.counters
    #expect(c.dropsSRTP == 3 && c.packetsRelayed == 2)
    s = relay.stats(call.a[0])
    #expect(s.errors == 3 && s.rtpPackets == 5)
}

@Test func recryptsBetweenTwoSRTPKeys() throws {
    let relay = Relay(slice: 31450...31469)
    let aKey = keys(7), toA = keys(8), bKey = keys(9), toB = keys(10)
    let call = try #require(SecureCall(relay, aKey: aKey, toA: toA, bKey: bKey, toB: toB))
    let aSend = try context(aKey), aReceive = try context(toA)
    let bSend = try context(bKey), bReceive = try context(toB)

    for seq in UInt16(65530)...65535 {
        let original = rtp(seq: seq, ts: UInt32(seq) * 160, ssrc: 0xa1a1_a1a1)
        let fromA = try protect(aSend, original)
        call.aRTP.send(fromA, to: relay.address(call.a[0]))
        let atB = try #require(call.bRTP.receive())
        #expect(atB.bytes != fromA && atB.bytes.count == fromA.count)
        #expect(try unprotect(bReceive, atB.bytes) == original)
    }
    for seq in UInt16(0)..<4 {  // across the rollover
        let original = rtp(seq: seq, ssrc: 0xa1a1_a1a1)
        call.aRTP.send(try protect(aSend, original), to: relay.address(call.a[0]))
        let atB = try #require(call.bRTP.receive())
        #expect(try unprotect(bReceive, atB.bytes) == original)
    }

    let back = rtp(seq: 100, ssrc: 0xb2b2_b2b2)
    call.bRTP.send(try protect(bSend, back), to: relay.address(call.b[0]))
    let atA = try #require(call.aRTP.receive())
    #expect(try unprotect(aReceive, atA.bytes) == back)

    let rr = rtcpRR(ssrc: 0xb2b2_b2b2)
    call.bRTCP.send(try protect(bSend, rr, rtcp: true), to: relay.address(call.b[1]))
    let rrAtA = try #require(call.aRTCP.receive())
    #expect(try unprotect(aReceive, rrAtA.bytes, rtcp: true) == rr)

    // A's own key is not what the relay sends with: A's sender context cannot open it.
    #expect(throws: SRTPError.self) { _ = try unprotect(try context(aKey), atA.bytes) }
    #expect(relay.counters.drops == 0)
}

@Test func unusableParametersDropInsteadOfLeakingPlainMedia() throws {
    let relay = Relay(slice: 31470...31489)
    var bogus = keys(11)
    bogus.masterKey = [1, 2, 3]  // wrong length for the suite
    let call = try #require(SecureCall(relay, aKey: bogus, toA: bogus))
    call.aRTP.send(rtp(seq: 1), to: relay.address(call.a[0]))
    #expect(call.bRTP.hearsNothing())
    call.bRTP.send(rtp(seq: 1), to: relay.address(call.b[0]))
    #expect(call.aRTP.hearsNothing())
    let c = relay.counters
    #expect(c.dropsSRTP == 1 && c.dropsSRTPProtect == 1 && c.packetsRelayed == 0)

    // Re-configured with a usable key, the same socket relays.
    let good = keys(12)
    relay.configure(call.a[0], SocketForwarding(remote: call.aRTP.address, rtpOut: call.b[0], rtcpOut: call.b[1],
                                                acceptsRTCP: false, latching: LatchingPolicy(), decrypt: good, encrypt: nil))
    call.aRTP.send(try protect(try context(good), rtp(seq: 2)), to: relay.address(call.a[0]))
    #expect(call.bRTP.receive()?.bytes == rtp(seq: 2))
}

@Test func paddedSRTPIsCheckedAfterTheTrailerIsRemoved() throws {
    // With P set, RTP's last byte is the padding count; in SRTP the last byte is the tag's, so a
    // header check before unprotect would refuse about a third of these packets at random.
    let relay = Relay(slice: 31490...31493)
    let aKey = keys(13)
    let call = try #require(SecureCall(relay, aKey: aKey, toA: keys(14)))
    let aSend = try context(aKey)
    for seq in UInt16(1)...20 {
        var padded = rtp(seq: seq, ssrc: 0xa1a1_a1a1, payload: Array(repeating: 0xd5, count: 157) + [0, 0, 3])
        padded[0] |= 0x20
        call.aRTP.send(try protect(aSend, padded), to: relay.address(call.a[0]))
        #expect(call.bRTP.receive()?.bytes == padded)
    }
    // Bad padding in the plaintext is malformed (after a successful unprotect).
    var bad = rtp(seq: 21, ssrc: 0xa1a1_a1a1, payload: Array(repeating: 0xd5, count: 159) + [0])
    bad[0] |= 0x20
    call.aRTP.send(try protect(aSend, bad), to: relay.address(call.a[0]))
    #expect(call.bRTP.hearsNothing())
    let c = relay.counters
    #expect(c.packetsRelayed == 20 && c.dropsMalformed == 1 && c.dropsSRTP == 0)
}

@Test func rtcpMuxSRTCPAndReofferKeepsTheReplayState() throws {
    let relay = Relay(slice: 31494...31499)
    let aKey = keys(15), toA = keys(16)
    let call = try #require(SecureCall(relay, aKey: aKey, toA: toA))
    // A multiplexes RTCP on its RTP socket (rtcp-mux): SRTCP arrives on a[0] and goes back there.
    let muxed = SocketForwarding(remote: call.aRTP.address, rtpOut: call.b[0], rtcpOut: call.b[1], acceptsRTCP: true,
                                 latching: LatchingPolicy(), decrypt: aKey, encrypt: toA)
    relay.configure(call.a[0], muxed)
    relay.configure(call.b[1], SocketForwarding(remote: call.bRTCP.address, rtpOut: nil, rtcpOut: call.a[0], acceptsRTCP: true,
                                                latching: LatchingPolicy()))
    let aSend = try context(aKey), aReceive = try context(toA)

    let first = try protect(aSend, rtp(seq: 1, ssrc: 0xa1a1_a1a1))
    call.aRTP.send(first, to: relay.address(call.a[0]))
    #expect(call.bRTP.receive()?.bytes == rtp(seq: 1, ssrc: 0xa1a1_a1a1))
    let sr = rtcpRR(ssrc: 0xa1a1_a1a1)
    call.aRTP.send(try protect(aSend, sr, rtcp: true), to: relay.address(call.a[0]))
    #expect(call.bRTCP.receive()?.bytes == sr)
    call.bRTCP.send(rtcpRR(ssrc: 0xb2b2_b2b2), to: relay.address(call.b[1]))
    let back = try #require(call.aRTP.receive())
    #expect(back.from == relay.address(call.a[0]))
    #expect(try unprotect(aReceive, back.bytes, rtcp: true) == rtcpRR(ssrc: 0xb2b2_b2b2))

    // A re-offer with the same keys keeps the contexts: the old packet is still a replay, and
    // the relay's outgoing SRTCP index keeps counting (A's receiver would refuse a reset one).
    relay.configure(call.a[0], muxed)
    call.aRTP.send(first, to: relay.address(call.a[0]))
    #expect(call.bRTP.hearsNothing())
    call.bRTCP.send(rtcpRR(ssrc: 0xb2b2_b2b2), to: relay.address(call.b[1]))
    let again = try #require(call.aRTP.receive())
    #expect(try unprotect(aReceive, again.bytes, rtcp: true) == rtcpRR(ssrc: 0xb2b2_b2b2))

    // New keys for A (a re-key): the old key no longer authenticates, the new one does.
    let aKey2 = keys(17)
    var rekeyed = muxed
    rekeyed.decrypt = aKey2
    relay.configure(call.a[0], rekeyed)
    call.aRTP.send(try protect(aSend, rtp(seq: 2, ssrc: 0xa1a1_a1a1)), to: relay.address(call.a[0]))
    #expect(call.bRTP.hearsNothing())
    call.aRTP.send(try protect(try context(aKey2), rtp(seq: 3, ssrc: 0xa1a1_a1a1)), to: relay.address(call.a[0]))
    #expect(call.bRTP.receive()?.bytes == rtp(seq: 3, ssrc: 0xa1a1_a1a1))
    #expect(relay.counters.dropsSRTP == 2)
}
