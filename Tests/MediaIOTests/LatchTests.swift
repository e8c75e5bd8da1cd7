import CallModel
import Testing
import TandemBase
@testable import MediaIO

// Latching rules (pure value type, no sockets).

private let sdp = TransportAddress("192.0.2.10:4000")!
private let nat = TransportAddress("198.51.100.7:31337")!
private let stranger = TransportAddress("203.0.113.66:5555")!
private let moved = TransportAddress("198.51.100.8:40000")!

private func latch(_ policy: LatchingPolicy = LatchingPolicy(), remote: TransportAddress? = sdp) -> Latch {
    var l = Latch()
    l.configure(remote: remote, policy: policy, resetLatch: false)
    return l
}

@Test func symmetricLatchesToFirstSourceWhenSDPDiffers() {
    var l = latch()
    #expect(l.remote == sdp && !l.latched)
    #expect(l.receive(from: nat) == .relatched)
    #expect(l.remote == nat && l.latched)
    #expect(l.receive(from: nat) == .accept)
}

@Test func symmetricLatchesWhenRemoteUnknown() {
    var l = latch(remote: nil)
    #expect(l.remote == nil)
    #expect(l.receive(from: nat) == .relatched)
    #expect(l.remote == nat)
}

@Test func packetFromSDPAddressConfirmsTheLatch() {
    var l = latch()
    #expect(l.receive(from: sdp) == .accept)
    #expect(l.latched && l.remote == sdp)
    #expect(l.receive(from: stranger) == .accept)  // relayed, but the latch stays
    #expect(l.remote == sdp)
}

@Test func afterLatchingOtherSourcesAreRelayedNotLatched() {
    var l = latch()
    _ = l.receive(from: nat)
    #expect(l.receive(from: stranger) == .accept)
    #expect(l.remote == nat)
}

@Test func asymmetricNeverLatches() {
    var l = latch(LatchingPolicy(asymmetric: true))
    #expect(l.receive(from: nat) == .accept)
    #expect(l.receive(from: stranger) == .accept)
    #expect(l.remote == sdp && !l.latched)
    var unknown = latch(LatchingPolicy(asymmetric: true), remote: nil)
    #expect(unknown.receive(from: nat) == .accept)
    #expect(unknown.remote == nil)  // nothing to send to: stays unknown
}

@Test func strictSourceDropsStrangersAfterLatching() {
    var l = latch(LatchingPolicy(strictSource: true))
    #expect(l.receive(from: nat) == .relatched)  // learning: the first packet latches
    #expect(l.receive(from: stranger) == .drop)
    #expect(l.receive(from: nat) == .accept)
    #expect(l.remote == nat)
}

@Test func strictSourceWithAsymmetricChecksTheSDPAddress() {
    var l = latch(LatchingPolicy(asymmetric: true, strictSource: true))
    #expect(l.receive(from: nat) == .drop)
    #expect(l.receive(from: sdp) == .accept)
    var unknown = latch(LatchingPolicy(asymmetric: true, strictSource: true), remote: nil)
    #expect(unknown.receive(from: nat) == .accept)  // no expected address to check against
}

@Test func mediaHandoverRelatchesToEveryNewSource() {
    var l = latch(LatchingPolicy(mediaHandover: true))
    #expect(l.receive(from: nat) == .relatched)
    #expect(l.receive(from: moved) == .relatched)
    #expect(l.remote == moved)
    #expect(l.receive(from: moved) == .accept)
    #expect(l.receive(from: nat) == .relatched)
}

@Test func reofferWithResetForgetsTheLatch() {
    var l = latch()
    _ = l.receive(from: nat)
    let newSDP = TransportAddress("192.0.2.11:4002")!
    do { let changed = l.configure(remote: newSDP, policy: LatchingPolicy(), resetLatch: true); #expect(changed) }
    #expect(l.remote == newSDP && !l.latched)
    #expect(l.receive(from: moved) == .relatched)  // learns again
}

@Test func reofferWithoutResetKeepsTheLatch() {
    var l = latch()
    _ = l.receive(from: nat)
    do { let changed = l.configure(remote: TransportAddress("192.0.2.11:4002")!, policy: LatchingPolicy(), resetLatch: false); #expect(!changed) }
    #expect(l.remote == nat && l.latched)
}

@Test func portLatchingKeepsTheLatchAcrossReset() {
    let policy = LatchingPolicy(portLatching: true)
    var l = latch(policy)
    _ = l.receive(from: nat)
    l.configure(remote: TransportAddress("192.0.2.11:4002")!, policy: policy, resetLatch: true)
    #expect(l.remote == nat && l.latched)
    #expect(l.receive(from: stranger) == .accept)
    #expect(l.remote == nat)
}

@Test func unlatchedReofferFollowsTheSDP() {
    var l = latch()
    let newSDP = TransportAddress("192.0.2.11:4002")!
    do { let changed = l.configure(remote: newSDP, policy: LatchingPolicy(), resetLatch: false); #expect(changed) }
    #expect(l.remote == newSDP)
    do { let changed = l.configure(remote: nil, policy: LatchingPolicy(), resetLatch: false); #expect(changed) }  // hold
    #expect(l.remote == nil)
}

@Test func switchingToAsymmetricDropsTheLearnedRemote() {
    var l = latch()
    _ = l.receive(from: nat)
    l.configure(remote: sdp, policy: LatchingPolicy(asymmetric: true), resetLatch: false)
    #expect(l.remote == sdp && !l.latched)
}

// Delayed endpoint learning (rtpengine's default): inside the window every new source moves
// the latch and strict source is not applied yet; after it, the latch holds.

private let second: UInt64 = 1_000_000_000

private func learning(_ policy: LatchingPolicy = LatchingPolicy(), until: UInt64) -> Latch {
    var l = Latch()
    l.configure(remote: sdp, policy: policy, resetLatch: false, learningUntil: until)
    return l
}

@Test func delayedLearningFollowsEveryNewSourceInsideTheWindow() {
    var l = learning(until: 3 * second)
    #expect(l.receive(from: nat, now: 1 * second) == .relatched)
    #expect(l.receive(from: moved, now: 2 * second) == .relatched)
    #expect(l.remote == moved)
}

@Test func delayedLearningLocksAfterTheWindow() {
    var l = learning(until: 3 * second)
    #expect(l.receive(from: nat, now: 1 * second) == .relatched)
    #expect(l.receive(from: stranger, now: 4 * second) == .accept)
    #expect(l.remote == nat)
}

@Test func strictSourceWaitsForTheEndOfTheLearningWindow() {
    var l = learning(LatchingPolicy(strictSource: true), until: 3 * second)
    #expect(l.receive(from: nat, now: 1 * second) == .relatched)
    #expect(l.receive(from: stranger, now: 2 * second) == .relatched, "still learning")
    #expect(l.receive(from: nat, now: 3 * second + 1) == .drop, "locked on the stranger, as rtpengine would")
}

@Test func zeroWindowIsImmediateLearning() {
    var l = learning(until: 0)
    #expect(l.receive(from: nat, now: 1 * second) == .relatched)
    #expect(l.receive(from: stranger, now: 1 * second) == .accept)
    #expect(l.remote == nat)
}
