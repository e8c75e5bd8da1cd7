import CallModel
import Glibc
import Testing
import TandemBase
import MediaIO

// Two phones relayed through a packet loop on loopback. Each test owns a slice of 31000-31999.

@Test func relaysRTPAndRTCPBothWaysIntact() throws {
    let relay = Relay(slice: 31000...31019)
    let aRTP = try #require(Phone()), aRTCP = try #require(Phone())
    let bRTP = try #require(Phone()), bRTCP = try #require(Phone())
    // SDP-style remotes: RTCP is "port + 1" in the fixture, so point RTCP explicitly instead.
    let call = try #require(TwoPartyCall(relay, aRemote: aRTP.address, bRemote: bRTP.address))
    relay.configure(call.a[1], SocketForwarding(remote: aRTCP.address, rtpOut: nil, rtcpOut: call.b[1], acceptsRTCP: true, latching: LatchingPolicy()))
    relay.configure(call.b[1], SocketForwarding(remote: bRTCP.address, rtpOut: nil, rtcpOut: call.a[1], acceptsRTCP: true, latching: LatchingPolicy()))

    let forward = rtp(seq: 4711, ts: 123_456, ssrc: 0xa1a1_a1a1, pt: 8)
    aRTP.send(forward, to: relay.address(call.a[0]))
    let got = try #require(bRTP.receive())
    #expect(got.bytes == forward)
    #expect(got.from == relay.address(call.b[0]))

    let back = rtp(seq: 9, ts: 77, ssrc: 0xb2b2_b2b2)
    bRTP.send(back, to: relay.address(call.b[0]))
    let gotBack = try #require(aRTP.receive())
    #expect(gotBack.bytes == back && gotBack.from == relay.address(call.a[0]))

    aRTCP.send(rtcpRR(ssrc: 0xa1a1_a1a1), to: relay.address(call.a[1]))
    let rr = try #require(bRTCP.receive())
    #expect(rr.bytes == rtcpRR(ssrc: 0xa1a1_a1a1) && rr.from == relay.address(call.b[1]))
    bRTCP.send(rtcpRR(ssrc: 0xb2b2_b2b2), to: relay.address(call.b[1]))
    #expect(aRTCP.receive()?.bytes == rtcpRR(ssrc: 0xb2b2_b2b2))

    let s = relay.stats(call.a[0])
    #expect(s.rtpPackets == 1 && s.rtpBytes == UInt64(forward.count) && s.errors == 0)
    #expect(s.ssrc == 0xa1a1_a1a1 && s.highestSequence == 4711 && s.lastPacket != nil)
    #expect(relay.stats(call.a[1]).rtcpPackets == 1)
    let c = relay.counters
    #expect(c.packetsRelayed == 4 && c.drops == 0 && c.socketsOpen == 4)
}

@Test func manyPacketsKeepOrderAndStats() throws {
    let relay = Relay(slice: 31020...31039)
    let a = try #require(Phone()), b = try #require(Phone())
    let call = try #require(TwoPartyCall(relay, aRemote: a.address, bRemote: b.address))
    for i in 0..<100 { a.send(rtp(seq: UInt16((65500 + i) & 0xffff), ts: UInt32(i * 160)), to: relay.address(call.a[0])) }
    var seqs: [UInt16] = []
    while seqs.count < 100, let p = b.receive() { seqs.append(UInt16(p.bytes[2]) << 8 | UInt16(p.bytes[3])) }
    #expect(seqs.count == 100)
    #expect(seqs == (0..<100).map { UInt16((65500 + $0) & 0xffff) })
    let s = relay.stats(call.a[0])
    #expect(s.rtpPackets == 100 && s.highestSequence == 65536 + 63 && s.packetsLost == 0)
}

@Test func symmetricLatchingSendsToTheRealSource() throws {
    let relay = Relay(slice: 31040...31059)
    let decoy = try #require(Phone())  // what A's SDP claims
    let a = try #require(Phone()), b = try #require(Phone())
    let call = try #require(TwoPartyCall(relay, aRemote: decoy.address, bRemote: b.address))
    a.send(rtp(seq: 1), to: relay.address(call.a[0]))  // A's real source differs from its SDP
    #expect(b.receive() != nil)
    b.send(rtp(seq: 2), to: relay.address(call.b[0]))
    #expect(a.receive()?.bytes == rtp(seq: 2))
    #expect(decoy.hearsNothing())
    let s = relay.stats(call.a[0])
    #expect(s.latched && s.remote == a.address)
}

@Test func beforeLatchingMediaGoesToTheSDPAddress() throws {
    let relay = Relay(slice: 31060...31079)
    let a = try #require(Phone()), b = try #require(Phone())
    let call = try #require(TwoPartyCall(relay, aRemote: a.address, bRemote: b.address))
    b.send(rtp(seq: 1), to: relay.address(call.b[0]))  // A has sent nothing yet
    #expect(a.receive()?.bytes == rtp(seq: 1))
    #expect(!relay.stats(call.a[0]).latched)
}

@Test func asymmetricKeepsSendingToTheSDPAddress() throws {
    let relay = Relay(slice: 31080...31099)
    let sdp = try #require(Phone())
    let a = try #require(Phone()), b = try #require(Phone())
    let call = try #require(TwoPartyCall(relay, aRemote: sdp.address, bRemote: b.address, aPolicy: LatchingPolicy(asymmetric: true)))
    a.send(rtp(seq: 1), to: relay.address(call.a[0]))
    #expect(b.receive() != nil)  // accepted from anywhere
    b.send(rtp(seq: 2), to: relay.address(call.b[0]))
    #expect(sdp.receive()?.bytes == rtp(seq: 2))
    #expect(a.hearsNothing())
    #expect(!relay.stats(call.a[0]).latched)
}

@Test func strictSourceDropsAStranger() throws {
    let relay = Relay(slice: 31100...31119)
    let a = try #require(Phone()), b = try #require(Phone()), stranger = try #require(Phone())
    let call = try #require(TwoPartyCall(relay, aRemote: a.address, bRemote: b.address, aPolicy: LatchingPolicy(strictSource: true)))
    a.send(rtp(seq: 1), to: relay.address(call.a[0]))
    #expect(b.receive()?.bytes == rtp(seq: 1))
    stranger.send(rtp(seq: 666), to: relay.address(call.a[0]))
    #expect(b.hearsNothing())
    a.send(rtp(seq: 2), to: relay.address(call.a[0]))
    #expect(b.receive()?.bytes == rtp(seq: 2))
    #expect(relay.counters.dropsStrictSource == 1)
    #expect(relay.stats(call.a[0]).errors == 1)
}

@Test func withoutStrictSourceAStrangerIsRelayedButNotLatched() throws {
    let relay = Relay(slice: 31120...31139)
    let a = try #require(Phone()), b = try #require(Phone()), stranger = try #require(Phone())
    let call = try #require(TwoPartyCall(relay, aRemote: a.address, bRemote: b.address))
    a.send(rtp(seq: 1), to: relay.address(call.a[0]))
    #expect(b.receive() != nil)
    stranger.send(rtp(seq: 2), to: relay.address(call.a[0]))
    #expect(b.receive()?.bytes == rtp(seq: 2))
    b.send(rtp(seq: 3), to: relay.address(call.b[0]))
    #expect(a.receive()?.bytes == rtp(seq: 3))
    #expect(stranger.hearsNothing())
}

@Test func mediaHandoverFollowsTheNewSource() throws {
    let relay = Relay(slice: 31140...31159)
    let a = try #require(Phone()), moved = try #require(Phone()), b = try #require(Phone())
    let call = try #require(TwoPartyCall(relay, aRemote: a.address, bRemote: b.address, aPolicy: LatchingPolicy(mediaHandover: true)))
    a.send(rtp(seq: 1), to: relay.address(call.a[0]))
    #expect(b.receive() != nil)
    moved.send(rtp(seq: 2), to: relay.address(call.a[0]))
    #expect(b.receive()?.bytes == rtp(seq: 2))
    b.send(rtp(seq: 3), to: relay.address(call.b[0]))
    #expect(moved.receive()?.bytes == rtp(seq: 3))
    #expect(a.hearsNothing())
    #expect(relay.stats(call.a[0]).remote == moved.address)
}

@Test func noDestinationIsCountedAndDropped() throws {
    let relay = Relay(slice: 31160...31179)
    let a = try #require(Phone())
    let call = try #require(TwoPartyCall(relay, aRemote: a.address, bRemote: nil))
    a.send(rtp(seq: 1), to: relay.address(call.a[0]))
    a.send(rtcpRR(), to: relay.address(call.a[1]))
    // The loop has no one to send to: wait until both packets were seen.
    var c = relay.counters
    for _ in 0..<100 where c.dropsNoDestination < 2 {
        usleep(10_000)
        c = relay.counters
    }
    #expect(c.dropsNoDestination == 2 && c.packetsRelayed == 0)
    #expect(relay.stats(call.a[0]).rtpPackets == 1)  // still media: counts for timeouts
}
