import Testing
import TandemBase
@testable import CallModel

private let v4 = LocalInterface(name: "internal", address: IPAddress("127.0.0.1")!)
private let v6 = LocalInterface(name: "internal", address: IPAddress("::1")!)
private let ext = LocalInterface(name: "external", address: IPAddress("127.0.0.2")!)

func offerSDP(ip: String = "198.51.100.1", port: Int = 6000, extra: String = "") -> String {
    "v=0\r\no=- 1 1 IN IP4 \(ip)\r\ns=-\r\nc=IN IP4 \(ip)\r\nt=0 0\r\nm=audio \(port) RTP/AVP 0 8\r\n\(extra)"
}

func answerSDP(ip: String = "198.51.100.2", port: Int = 7000, extra: String = "") -> String {
    "v=0\r\no=- 2 1 IN IP4 \(ip)\r\ns=-\r\nc=IN IP4 \(ip)\r\nt=0 0\r\nm=audio \(port) RTP/AVP 0\r\n\(extra)"
}

/// Registry + fake plane with a hand-driven clock.
struct Harness {
    let plane: FakeMediaPlane
    let registry: CallRegistry
    var now = MonotonicTime(seconds: 1000)

    init(range: ClosedRange<UInt16> = 30000...30999, configure: (inout CallRegistry.Settings) -> Void = { _ in }) {
        plane = FakeMediaPlane(range: range)
        var settings = CallRegistry.Settings(interfaces: InterfaceSet([v4, v6, ext]))
        configure(&settings)
        registry = CallRegistry(settings: settings, plane: plane)
    }

    func offer(_ sdp: String = offerSDP(), call: String = "c1", from: String = "A", edit: (inout OfferAnswerOptions) -> Void = { _ in }) throws -> String {
        var options = OfferAnswerOptions(fromTag: from)
        edit(&options)
        return try registry.offer(callID: call, sdp: sdp, options: options, now: now, wallClock: 1.7e9)
    }

    /// The socket whose port the (first) m= line of `sdp` advertises.
    func socket(advertisedIn sdp: String) throws -> SocketHandle {
        let port = try #require(mediaPort(sdp))
        return try #require(plane.socket(port: port))
    }

    func answer(_ sdp: String = answerSDP(), call: String = "c1", from: String = "A", to: String = "B", edit: (inout OfferAnswerOptions) -> Void = { _ in }) throws -> String {
        var options = OfferAnswerOptions(fromTag: from, toTag: to)
        edit(&options)
        return try registry.answer(callID: call, sdp: sdp, options: options, now: now, wallClock: 1.7e9)
    }
}

func mediaPort(_ sdp: String, index: Int = 0) -> UInt16? {
    let lines = sdp.split(separator: "\r\n").filter { $0.hasPrefix("m=") }
    guard index < lines.count else { return nil }
    return UInt16(lines[index].split(separator: " ")[1])
}

@Test func offerAndAnswerWireBothDirections() throws {
    let h = Harness()
    let offered = try h.offer()
    let answered = try h.answer()
    let toB = try h.socket(advertisedIn: offered)
    let toA = try h.socket(advertisedIn: answered)
    #expect(toA != toB)
    // A sends to toA; it leaves from toB to B's SDP address, and vice versa.
    #expect(h.plane.forwarding[toA]?.rtpOut == toB)
    #expect(h.plane.forwarding[toB]?.rtpOut == toA)
    #expect(h.plane.forwarding[toA]?.remote == TransportAddress("198.51.100.1:6000"))
    #expect(h.plane.forwarding[toB]?.remote == TransportAddress("198.51.100.2:7000"))
    #expect(h.plane.open.count == 4, "RTP+RTCP for each side")
}

@Test func rtcpGoesToTheRTCPSocketOfThePeer() throws {
    let h = Harness()
    let offered = try h.offer()
    _ = try h.answer()
    let bRTP = try #require(mediaPort(offered))
    let bRTCP = try #require(h.plane.socket(port: bRTP + 1))
    let aRTCPForwarding = h.plane.forwarding.first { $0.value.rtcpOut == bRTCP }
    #expect(aRTCPForwarding != nil)
    #expect(h.plane.forwarding[bRTCP]?.remote == TransportAddress("198.51.100.2:7001"))
}

@Test func reofferKeepsPorts() throws {
    let h = Harness()
    let first = try h.offer()
    _ = try h.answer()
    let again = try h.offer(offerSDP(port: 6100)) { $0.toTag = "B" }
    #expect(mediaPort(first) == mediaPort(again))
    #expect(h.plane.open.count == 4)
    let toA = h.plane.forwarding.first { $0.value.remote == TransportAddress("198.51.100.1:6100") }
    #expect(toA?.value.resetLatch == true, "a moved address forgets the old latch")
}

@Test func reinviteFromCalleeUsesTheSameSockets() throws {
    let h = Harness()
    let offered = try h.offer()
    let answered = try h.answer()
    // The callee re-INVITEs: from-tag B, to-tag A.
    let reoffer = try h.offer(answerSDP(port: 7100), from: "B") { $0.toTag = "A" }
    let reanswer = try h.answer(offerSDP(), from: "B", to: "A")
    #expect(mediaPort(reoffer) == mediaPort(answered))
    #expect(mediaPort(reanswer) == mediaPort(offered))
    #expect(h.plane.open.count == 4)
}

@Test func portExhaustionLeavesNoTrace() throws {
    let h = Harness(range: 30000...30005) // three pairs: one offer needs two
    _ = try h.offer(call: "first")
    #expect(h.plane.open.count == 4)
    #expect(throws: CallError.outOfPorts) { try h.offer(call: "second") }
    #expect(h.plane.open.count == 4, "the pair opened for the failed offer was closed again")
    #expect(h.registry.call("second") == nil)
}

@Test func unbindablePortsAreSkipped() throws {
    let h = Harness()
    h.plane.unbindable = [30000, 30003]
    let offered = try h.offer()
    #expect(mediaPort(offered) != 30000)
    #expect(mediaPort(offered) != 30002)
}

@Test func answerForUnknownCallIsAnError() {
    let h = Harness()
    #expect(throws: CallError.unknownCallID) { try h.answer() }
}

@Test func garbageSDPChangesNothing() throws {
    let h = Harness()
    #expect(throws: CallError.self) { try h.offer("this is not sdp") }
    #expect(h.registry.calls.isEmpty)
    #expect(h.plane.open.isEmpty)
    #expect(throws: CallError.noSDP) { try h.offer("") }
}

@Test func directionPutsEachSideOnItsInterface() throws {
    let h = Harness()
    let offered = try h.offer { $0.direction = ["internal", "external"] }
    #expect(offered.contains("c=IN IP4 127.0.0.2"))
    let answered = try h.answer { $0.direction = ["internal", "external"] }
    #expect(answered.contains("c=IN IP4 127.0.0.1"))
}

@Test func addressFamilyBridgesToIPv6() throws {
    let h = Harness()
    let offered = try h.offer { $0.addressFamily = .ipv6 }
    #expect(offered.contains("c=IN IP6 ::1"))
    let answered = try h.answer(answerSDP(ip: "2001:db8::2").replacingOccurrences(of: "IP4", with: "IP6"))
    #expect(answered.contains("c=IN IP4 127.0.0.1"))
}

@Test func unknownInterfaceIsAnError() {
    let h = Harness()
    #expect(throws: CallError.unknownInterface("nowhere")) { try h.offer { $0.direction = ["internal", "nowhere"] } }
    #expect(h.plane.open.isEmpty)
}

@Test func deleteWithoutDelayClosesEverything() throws {
    let h = Harness()
    _ = try h.offer()
    _ = try h.answer()
    try h.registry.delete(callID: "c1", fromTag: "A", toTag: nil, viaBranch: nil, delay: 0, now: h.now)
    #expect(h.registry.calls.isEmpty)
    #expect(h.plane.open.isEmpty)
    #expect(h.registry.counters.deleted == 1)
}

@Test func deleteDelayKeepsTheCallUntilItExpires() throws {
    var h = Harness()
    _ = try h.offer()
    try h.registry.delete(callID: "c1", fromTag: nil, toTag: nil, viaBranch: nil, delay: 5, now: h.now)
    h.now = h.now + 4
    #expect(h.registry.expire(now: h.now).isEmpty)
    h.now = h.now + 1
    #expect(h.registry.expire(now: h.now).map(\.callID) == ["c1"])
    #expect(h.plane.open.isEmpty)
}

@Test func noMediaTimeoutDeletesAnsweredCall() throws {
    var h = Harness { $0.timeout = 60 }
    let offered = try h.offer()
    _ = try h.answer()
    let socket = try h.socket(advertisedIn: offered)
    h.now = h.now + 50
    var stats = SocketStats()
    stats.lastPacket = h.now
    h.plane.statsBySocket[socket] = stats
    h.now = h.now + 59
    #expect(h.registry.expire(now: h.now).isEmpty, "a packet 59 s ago keeps it alive")
    h.now = h.now + 1
    let expired = h.registry.expire(now: h.now)
    #expect(expired.count == 1 && expired.first?.reason == .timeout)
    #expect(h.registry.counters.timeouts == 1)
}

@Test func unansweredOfferUsesOfferTimeout() throws {
    var h = Harness { $0.timeout = 10; $0.offerTimeout = 30 }
    _ = try h.offer()
    h.now = h.now + 29
    #expect(h.registry.expire(now: h.now).isEmpty)
    h.now = h.now + 1
    #expect(h.registry.expire(now: h.now).first?.reason == .offerTimeout)
}

@Test func heldCallUsesSilentTimeout() throws {
    var h = Harness { $0.timeout = 10; $0.silentTimeout = 100 }
    _ = try h.offer(offerSDP(extra: "a=sendonly\r\n"))
    _ = try h.answer(answerSDP(extra: "a=inactive\r\n"))
    h.now = h.now + 50
    #expect(h.registry.expire(now: h.now).isEmpty)
    h.now = h.now + 50
    #expect(h.registry.expire(now: h.now).first?.reason == .silentTimeout)
}

@Test func finalTimeoutIsAHardLimit() throws {
    var h = Harness { $0.finalTimeout = 20; $0.timeout = 1000 }
    _ = try h.offer()
    _ = try h.answer()
    h.now = h.now + 20
    #expect(h.registry.expire(now: h.now).first?.reason == .finalTimeout)
}

@Test func forkedOffersByViaBranchGetTheirOwnPorts() throws {
    let h = Harness()
    let first = try h.offer { $0.viaBranch = "z9hG4bK-1" }
    let second = try h.offer { $0.viaBranch = "z9hG4bK-2" }
    #expect(mediaPort(first) != mediaPort(second))
    let answered = try h.answer { $0.viaBranch = "z9hG4bK-2" }
    #expect(mediaPort(answered) != nil)
    let call = try #require(h.registry.call("c1"))
    #expect(call.monologue(tag: "B")?.viaBranch == "z9hG4bK-2")
}

@Test func secondForkAnsweringTakesOverTheOfferedSockets() throws {
    let h = Harness()
    let offered = try h.offer()
    _ = try h.answer(to: "B1")
    _ = try h.answer(answerSDP(ip: "198.51.100.3"), to: "B2")
    let toB = try h.socket(advertisedIn: offered)
    #expect(h.plane.forwarding[toB]?.remote == TransportAddress("198.51.100.3:7000"))
}

@Test func maxSessionsRefusesNewCalls() throws {
    let h = Harness { $0.maxSessions = 1 }
    _ = try h.offer(call: "one")
    #expect(throws: CallError.tooManyCalls) { try h.offer(call: "two") }
    _ = try h.offer(call: "one") // re-offer of an existing call is fine
}
