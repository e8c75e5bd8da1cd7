import Testing
import SIP
import TandemBase

@Suite("Client INVITE transaction")
struct ClientInviteTransactionTests {
    let invite = TX.request(.invite)

    @Test func startSendsAndSchedulesAB() {
        var t = ClientInviteTransaction(request: invite, reliable: false)
        let actions = t.start(now: TX.t0)
        #expect(actions == [.transmit(.request(invite)), .schedule(.a, at: TX.at(0.5)), .schedule(.b, at: TX.at(32))])
        #expect(t.start(now: TX.t0).isEmpty)
    }

    @Test func reliableHasNoTimerA() {
        var t = ClientInviteTransaction(request: invite, reliable: true)
        #expect(TX.scheduled(t.start(now: TX.t0)).keys.sorted { $0.rawValue < $1.rawValue } == [.b])
    }

    @Test func timerADoublesWithoutCapUntilB() {
        var t = ClientInviteTransaction(request: invite, reliable: false)
        var driver = FakeTimerDriver()
        driver.record(t.start(now: TX.t0))
        let produced = driver.advance(&t, until: TX.at(40))
        // A fires at 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 (intervals 0.5, 1, 2, 4, 8, 16); B at 32.
        #expect(driver.retransmitTimes == [0.5, 1.5, 3.5, 7.5, 15.5, 31.5].map(TX.at))
        #expect(produced.contains(.timeout))
        #expect(TX.terminated(produced) && t.isTerminated)
        #expect(produced.contains(.cancelTimer(.a)))
    }

    @Test func provisionalStopsRetransmissionsAndTimerB() {
        var t = ClientInviteTransaction(request: invite, reliable: false)
        var driver = FakeTimerDriver()
        driver.record(t.start(now: TX.t0))
        let ringing = TX.response(180, to: invite)
        let actions = t.receive(ringing, now: TX.at(0.2))
        #expect(actions == [.cancelTimer(.a), .cancelTimer(.b), .passToTU(.response(ringing))])
        driver.record(actions)
        #expect(driver.advance(&t, until: TX.at(200)).isEmpty)
        #expect(t.hasReceivedProvisional)
        // Further provisionals still go up.
        #expect(t.receive(TX.response(183, to: invite), now: TX.at(1)).count == 1)
    }

    @Test func staleTimerFireIsIgnored() {
        var t = ClientInviteTransaction(request: invite, reliable: false)
        _ = t.start(now: TX.t0)
        _ = t.receive(TX.response(100, to: invite, toTag: nil), now: TX.at(0.1))
        #expect(t.timerFired(.a, now: TX.at(0.5)).isEmpty)
        #expect(t.timerFired(.b, now: TX.at(32)).isEmpty)
        #expect(!t.isTerminated)
    }

    @Test func earlyTimerFireIsIgnored() {
        var t = ClientInviteTransaction(request: invite, reliable: false)
        _ = t.start(now: TX.t0)
        #expect(t.timerFired(.b, now: TX.at(10)).isEmpty)
    }

    @Test func nonSuccessFinalGeneratesAck() throws {
        var t = ClientInviteTransaction(request: invite, reliable: false)
        _ = t.start(now: TX.t0)
        let busy = TX.response(486, to: invite, toTag: "busytag")
        let actions = t.receive(busy, now: TX.at(2))
        let ack = try #require(TX.transmitted(actions).first?.request)
        #expect(ack.method == .ack)
        #expect(ack.uri == invite.uri)
        #expect(ack.branch == invite.branch)
        #expect(ack.headers.values("Via").count == 1)
        #expect(ack.headers.callID == invite.headers.callID)
        #expect(ack.headers["From"] == invite.headers["From"])
        #expect(ack.headers.to?.tag == "busytag")
        #expect(ack.headers.cseq == CSeq(number: 1, method: .ack))
        #expect(ack.headers.values("Route") == ["<sip:p2.example;lr>"])
        #expect(TX.passed(actions) == [.response(busy)])
        #expect(TX.scheduled(actions)[.d] == TX.at(34))
        // Retransmitted 486: ACK again, not passed up.
        let again = t.receive(busy, now: TX.at(3))
        #expect(again == [.transmit(.request(ack))])
        #expect(t.timerFired(.d, now: TX.at(34)) == [.terminated])
    }

    @Test func nonSuccessFinalOnReliableTerminatesAtOnce() {
        var t = ClientInviteTransaction(request: invite, reliable: true)
        _ = t.start(now: TX.t0)
        let actions = t.receive(TX.response(503, to: invite), now: TX.at(1))
        #expect(TX.transmitted(actions).first?.request?.method == .ack)
        #expect(actions.suffix(2) == [.cancelTimer(.b), .terminated] || actions.last == .terminated)
        #expect(t.isTerminated)
    }

    @Test func everySuccessGoesToTUAndNoAck() {
        var t = ClientInviteTransaction(request: invite, reliable: false)
        _ = t.start(now: TX.t0)
        _ = t.receive(TX.response(180, to: invite), now: TX.at(1))
        let ok = TX.response(200, to: invite)
        let actions = t.receive(ok, now: TX.at(2))
        #expect(TX.transmitted(actions).isEmpty)
        #expect(TX.passed(actions) == [.response(ok)])
        #expect(TX.scheduled(actions)[.m] == TX.at(34))
        // Retransmission and a second fork's 2xx pass too; a late 487 does not.
        #expect(TX.passed(t.receive(ok, now: TX.at(2.5))) == [.response(ok)])
        let fork2 = TX.response(200, to: invite, toTag: "fork2")
        #expect(TX.passed(t.receive(fork2, now: TX.at(3))) == [.response(fork2)])
        #expect(t.receive(TX.response(487, to: invite), now: TX.at(3)).isEmpty)
        #expect(t.timerFired(.m, now: TX.at(34)) == [.terminated])
    }

    @Test func transportErrorFails() {
        var t = ClientInviteTransaction(request: invite, reliable: false)
        _ = t.start(now: TX.t0)
        let actions = t.transportError(now: TX.at(0.1))
        #expect(actions.first == .transportFailed && actions.last == .terminated)
        #expect(actions.contains(.cancelTimer(.a)) && actions.contains(.cancelTimer(.b)))
    }

    @Test func customTimers() {
        var t = ClientInviteTransaction(request: invite, reliable: false, settings: SIPTimerSettings(t1: 0.1, t2: 1, t4: 2))
        let s = TX.scheduled(t.start(now: TX.t0))
        #expect(s[.a] == TX.at(0.1) && s[.b] == TX.at(6.4))
    }
}
