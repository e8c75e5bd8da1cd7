import Testing
import SIP
import TandemBase

@Suite("Non-INVITE transactions")
struct NonInviteTransactionTests {
    let bye = TX.request(.bye)

    @Test func clientTimerEDoublesToT2ThenFTimesOut() {
        var t = ClientNonInviteTransaction(request: bye, reliable: false)
        var driver = FakeTimerDriver()
        let start = t.start(now: TX.t0)
        #expect(start == [.transmit(.request(bye)), .schedule(.e, at: TX.at(0.5)), .schedule(.f, at: TX.at(32))])
        driver.record(start)
        let produced = driver.advance(&t, until: TX.at(40))
        #expect(driver.retransmitTimes == [0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5].map(TX.at))
        #expect(produced.contains(.timeout) && t.isTerminated)
    }

    @Test func clientProvisionalSwitchesEToT2() {
        var t = ClientNonInviteTransaction(request: bye, reliable: false)
        var driver = FakeTimerDriver()
        driver.record(t.start(now: TX.t0))
        _ = driver.advance(&t, until: TX.at(0.5))   // E at 0.5 -> next at 1.5
        let trying = TX.response(100, to: bye, toTag: nil)
        #expect(t.receive(trying, now: TX.at(0.6)) == [.passToTU(.response(trying))])
        _ = driver.advance(&t, until: TX.at(10))
        // 0.5 (Trying), then 1.5 (armed before the 100), then every T2: 5.5, 9.5.
        #expect(driver.retransmitTimes == [0.5, 1.5, 5.5, 9.5].map(TX.at))
    }

    @Test func clientFinalCompletesThenK() {
        var t = ClientNonInviteTransaction(request: bye, reliable: false)
        _ = t.start(now: TX.t0)
        let ok = TX.response(200, to: bye)
        let actions = t.receive(ok, now: TX.at(0.2))
        #expect(actions == [.cancelTimer(.e), .cancelTimer(.f), .passToTU(.response(ok)), .schedule(.k, at: TX.at(5.2))])
        #expect(t.receive(ok, now: TX.at(0.7)).isEmpty)   // retransmission absorbed
        #expect(t.timerFired(.k, now: TX.at(5.2)) == [.terminated])
    }

    @Test func clientReliable() {
        var t = ClientNonInviteTransaction(request: bye, reliable: true)
        #expect(t.start(now: TX.t0) == [.transmit(.request(bye)), .schedule(.f, at: TX.at(32))])
        #expect(t.receive(TX.response(481, to: bye), now: TX.at(1)).last == .terminated)
    }

    @Test func clientReliableTimeout() {
        var t = ClientNonInviteTransaction(request: bye, reliable: true)
        _ = t.start(now: TX.t0)
        #expect(t.timerFired(.f, now: TX.at(32)) == [.timeout, .terminated])
    }

    @Test func clientTransportError() {
        var t = ClientNonInviteTransaction(request: bye, reliable: false)
        _ = t.start(now: TX.t0)
        #expect(t.transportError(now: TX.at(0.1)) == [.transportFailed, .cancelTimer(.e), .cancelTimer(.f), .terminated])
    }

    @Test func serverAbsorbsRetransmissions() {
        var t = ServerNonInviteTransaction(request: bye, reliable: false)
        #expect(t.start(now: TX.t0) == [.passToTU(.request(bye))])
        #expect(t.receive(bye, now: TX.at(0.5)).isEmpty)   // Trying: nothing to resend
        let trying = TX.response(100, to: bye, toTag: nil)
        _ = t.send(trying, now: TX.at(0.6))
        #expect(t.receive(bye, now: TX.at(1.5)) == [.transmit(.response(trying))])
        let ok = TX.response(200, to: bye)
        #expect(t.send(ok, now: TX.at(2)) == [.transmit(.response(ok)), .schedule(.j, at: TX.at(34))])
        #expect(t.receive(bye, now: TX.at(3.5)) == [.transmit(.response(ok))])
        #expect(t.send(TX.response(500, to: bye), now: TX.at(4)).isEmpty)
        #expect(t.timerFired(.j, now: TX.at(34)) == [.terminated])
    }

    @Test func serverReliableTerminatesOnFinal() {
        var t = ServerNonInviteTransaction(request: bye, reliable: true)
        _ = t.start(now: TX.t0)
        let ok = TX.response(200, to: bye)
        #expect(t.send(ok, now: TX.at(1)) == [.transmit(.response(ok)), .terminated])
    }

    @Test func serverTransportError() {
        var t = ServerNonInviteTransaction(request: bye, reliable: false)
        _ = t.start(now: TX.t0)
        _ = t.send(TX.response(200, to: bye), now: TX.t0)
        #expect(t.transportError(now: TX.at(1)) == [.transportFailed, .cancelTimer(.j), .terminated])
    }

    @Test func cancelTransactionAfterInvite200() throws {
        // CANCEL after the INVITE was answered 200: the CANCEL's own transaction answers 200
        // (§9.2 "no effect"); the INVITE transaction is untouched.
        let invite = TX.request(.invite)
        var inviteTx = ServerInviteTransaction(request: invite, reliable: false)
        _ = inviteTx.start(now: TX.t0)
        _ = inviteTx.send(TX.response(200, to: invite), now: TX.at(1))
        let cancel = SIPRequest(cancelling: invite)
        var cancelTx = ServerNonInviteTransaction(request: cancel, reliable: false)
        _ = cancelTx.start(now: TX.at(1.1))
        let ok = SIPResponse(replyingTo: cancel, statusCode: 200, toTag: "totag")
        #expect(TX.transmitted(cancelTx.send(ok, now: TX.at(1.1))) == [.response(ok)])
        #expect(!inviteTx.isAwaitingFinalResponse)
    }

    @Test func anyTransactionWrappers() {
        var server = ServerTransaction(request: bye, reliable: false)
        guard case .nonInvite = server else { Issue.record("BYE should be non-INVITE"); return }
        #expect(server.start(now: TX.t0) == [.passToTU(.request(bye))])
        var client = ClientTransaction(request: TX.request(.invite), reliable: true)
        guard case .invite = client else { Issue.record("INVITE should be INVITE"); return }
        #expect(client.start(now: TX.t0).count == 2)
        #expect(client.timerFired(.b, now: TX.at(32)) == [.timeout, .terminated])
        #expect(client.isTerminated)
    }
}
