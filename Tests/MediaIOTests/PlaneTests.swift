import CallModel
import Glibc
import Testing
import TandemBase
import MediaIO

// Demux, bad input, ports, IPv6 and the loop's lifecycle. Each test owns a slice of 31000-31999.

@Test func rtcpMuxDemuxesOnTheRTPPort() throws {
    let relay = Relay(slice: 31200...31219)
    let a = try #require(Phone())                                    // A uses rtcp-mux
    let bRTP = try #require(Phone()), bRTCP = try #require(Phone())  // B does not
    let sa = try #require(relay.open(2)), sb = try #require(relay.open(2))
    relay.configure(sa[0], SocketForwarding(remote: a.address, rtpOut: sb[0], rtcpOut: sb[1], acceptsRTCP: true, latching: LatchingPolicy()))
    relay.configure(sb[0], SocketForwarding(remote: bRTP.address, rtpOut: sa[0], rtcpOut: sa[0], acceptsRTCP: false, latching: LatchingPolicy()))
    relay.configure(sb[1], SocketForwarding(remote: bRTCP.address, rtpOut: nil, rtcpOut: sa[0], acceptsRTCP: true, latching: LatchingPolicy()))

    a.send(rtp(seq: 10), to: relay.address(sa[0]))
    a.send(rtcpRR(ssrc: 42), to: relay.address(sa[0]))
    #expect(bRTP.receive()?.bytes == rtp(seq: 10))
    let rr = try #require(bRTCP.receive())
    #expect(rr.bytes == rtcpRR(ssrc: 42) && rr.from == relay.address(sb[1]))
    #expect(bRTP.hearsNothing(within: 0.2))

    bRTCP.send(rtcpRR(ssrc: 43), to: relay.address(sb[1]))
    bRTP.send(rtp(seq: 11), to: relay.address(sb[0]))
    var got: [[UInt8]] = []
    while got.count < 2, let p = a.receive() {
        #expect(p.from == relay.address(sa[0]))
        got.append(p.bytes)
    }
    #expect(Set(got) == [rtcpRR(ssrc: 43), rtp(seq: 11)])
    let s = relay.stats(sa[0])
    #expect(s.rtpPackets == 1 && s.rtcpPackets == 1)
}

@Test func garbageIsCountedAndDroppedAndTheLoopKeepsWorking() throws {
    let relay = Relay(slice: 31220...31239)
    let a = try #require(Phone()), b = try #require(Phone())
    let call = try #require(TwoPartyCall(relay, aRemote: a.address, bRemote: b.address))
    let target = relay.address(call.a[0])
    let junk: [[UInt8]] = [
        [],                                             // empty datagram
        [0x80],                                         // too short
        [0x00, 0x01, 0x00, 0x00] + Array(repeating: 0, count: 16),  // STUN
        [22, 0xfe, 0xfd] + Array(repeating: 0, count: 30),          // DTLS
        [0x40] + Array(repeating: 0, count: 20),        // version 1
        [0x8f] + Array(repeating: 0, count: 20),        // 15 CSRCs in 21 bytes
        Array(repeating: 0xff, count: 3000),            // larger than a receive slot
    ]
    for j in junk { a.send(j, to: target) }
    a.send(rtp(seq: 1), to: target)
    #expect(b.receive()?.bytes == rtp(seq: 1))
    #expect(b.hearsNothing(within: 0.2))
    let c = relay.counters
    #expect(c.dropsMalformed == UInt64(junk.count) && c.packetsRelayed == 1)
    #expect(relay.stats(call.a[0]).errors == UInt64(junk.count))
}

@Test func portExhaustionReturnsNilAndLeavesNothingBound() throws {
    let relay = Relay(slice: 31240...31243)
    let first = try #require(relay.open(2))
    #expect(first.map(\.port) == [31240, 31241])
    let blocker = try #require(Phone(port: 31243))  // another program holds 31243
    #expect(relay.open(2) == nil)                   // 31242 + 31243 fails; nothing else left
    #expect(relay.open(4) == nil)
    // Nothing of the failed attempts stayed bound:
    #expect(Phone(port: 31242) != nil)
    _ = blocker
    relay.close(first[0])
    relay.close(first[1])
    #expect(relay.counters.socketsOpen == 0)
}

@Test func aPortTakenByAnotherSocketIsSkipped() throws {
    let relay = Relay(slice: 31250...31259)
    let blocker = try #require(Phone(port: 31250))
    let ports = try #require(relay.open(2))
    #expect(ports.map(\.port) == [31252, 31253])
    _ = blocker
}

@Test func relaysOverIPv6() throws {
    let relay = Relay(slice: 31260...31279, ip: "::1")
    let a = try #require(Phone("::1")), b = try #require(Phone("::1"))
    let call = try #require(TwoPartyCall(relay, aRemote: a.address, bRemote: b.address))
    a.send(rtp(seq: 6), to: relay.address(call.a[0]))
    let got = try #require(b.receive())
    #expect(got.bytes == rtp(seq: 6) && got.from == relay.address(call.b[0]))
    b.send(rtp(seq: 7), to: relay.address(call.b[0]))
    #expect(a.receive()?.bytes == rtp(seq: 7))
    #expect(relay.stats(call.a[0]).remote == a.address)
}

@Test func remoteOfTheOtherFamilyCountsAsUnknown() throws {
    let relay = Relay(slice: 31280...31289)
    let a = try #require(Phone())
    let call = try #require(TwoPartyCall(relay, aRemote: a.address, bRemote: TransportAddress("[::1]:9")))
    #expect(relay.stats(call.b[0]).remote == nil)
}

@Test func stopClosesEverySocket() throws {
    let relay = Relay(slice: 31290...31299)
    let a = try #require(relay.open(2)), b = try #require(relay.open(2))
    relay.loop.stop()
    for p in (a + b).map(\.port) { #expect(Phone(port: p) != nil, "port \(p) still bound") }
    #expect(relay.open(2) == nil)  // stopped: jobs are refused
    #expect(!relay.loop.execute { _ in })
}

@Test func closeReleasesThePortAndIgnoresUnknownHandles() throws {
    let relay = Relay(slice: 31300...31303)
    let a = try #require(relay.open(2))
    relay.close(a[0])
    relay.close(a[0])                                 // twice: ignored
    relay.close(SocketHandle(id: 9999, port: 1))      // unknown: ignored
    relay.configure(SocketHandle(id: 9999, port: 1), SocketForwarding(remote: nil, rtpOut: nil, rtcpOut: nil, acceptsRTCP: false, latching: LatchingPolicy()))
    #expect(relay.stats(SocketHandle(id: a[1].id, port: 1)) == SocketStats())  // wrong port: stale
    #expect(Phone(port: a[0].port) != nil)
    #expect(relay.counters.socketsOpen == 1)
}

@Test func jobsRunInOrderAndTicksFire() throws {
    let relay = Relay(slice: 31310...31319)
    let order = relay.loop.sync { ctx -> Int in
        ctx.userState = Registry()
        return ctx.index
    }
    #expect(order == 0)
    for i in 1...5 { relay.loop.execute { ctx in (ctx.userState as! Registry).values.append(i) } }
    #expect(relay.loop.sync { ($0.userState as! Registry).values } == [1, 2, 3, 4, 5])
    relay.loop.setTickHandler(interval: .milliseconds(20)) { ctx in (ctx.userState as! Registry).ticks += 1 }
    var ticks = 0
    for _ in 0..<100 where ticks < 3 {
        usleep(20_000)
        ticks = relay.loop.sync { ($0.userState as! Registry).ticks } ?? 0
    }
    #expect(ticks >= 3)
}

@Test func performAwaitsTheLoop() async throws {
    let relay = Relay(slice: 31320...31329)
    let ports = await relay.loop.perform { ctx in ctx.plane.openPorts(on: LocalInterface(name: "x", address: .v4(0x7f00_0001)), count: 2) }
    #expect(ports??.map(\.port) == [31320, 31321])
}

private final class Registry {
    var values: [Int] = []
    var ticks = 0
}

@Test func kernelReceiveOverflowsAreCounted() throws {
    var options = PacketLoop.Options()
    options.receiveBufferBytes = 4096  // the kernel's minimum: a handful of datagrams
    let relay = Relay(slice: 31330...31339, options: options)
    let a = try #require(Phone()), b = try #require(Phone())
    let call = try #require(TwoPartyCall(relay, aRemote: a.address, bRemote: b.address))
    relay.loop.execute { _ in usleep(300_000) }  // the loop stops reading for a while
    for i in 0..<200 { a.send(rtp(seq: UInt16(i)), to: relay.address(call.a[0])) }
    var received = 0
    while b.receive(timeout: 1.0) != nil { received += 1 }
    // The overflow count arrives with the next packet after the drops (SO_RXQ_OVFL).
    a.send(rtp(seq: 999), to: relay.address(call.a[0]))
    #expect(b.receive() != nil)
    let c = relay.counters
    #expect(received > 0 && received < 200)
    #expect(c.kernelOverflows > 0 && c.kernelOverflows + UInt64(received) >= 200)
}

@Test func aBusySocketDoesNotStarveAQuietOne() throws {
    let relay = Relay(slice: 31340...31359)
    let a1 = try #require(Phone()), b1 = try #require(Phone())
    let a2 = try #require(Phone()), b2 = try #require(Phone())
    let busy = try #require(TwoPartyCall(relay, aRemote: a1.address, bRemote: b1.address))
    let quiet = try #require(TwoPartyCall(relay, aRemote: a2.address, bRemote: b2.address))
    for i in 0..<2000 { a1.send(rtp(seq: UInt16(i)), to: relay.address(busy.a[0])) }
    a2.send(rtp(seq: 1), to: relay.address(quiet.a[0]))
    #expect(b2.receive()?.bytes == rtp(seq: 1))
}

@Test func syncFromTheLoopThreadRunsInline() throws {
    let relay = Relay(slice: 31360...31369)
    let loop = relay.loop
    let inner = loop.sync { _ -> Int? in loop.sync { $0.index + 42 } ?? nil }
    #expect(inner == 42)
}
