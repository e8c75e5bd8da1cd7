import Testing
import SIP
import TandemBase

@Suite("Server INVITE transaction")
struct ServerInviteTransactionTests {
    let invite = TX.request(.invite, branch: "z9hG4bKuac1")

    private func started(reliable: Bool = false) -> ServerInviteTransaction {
        var t = ServerInviteTransaction(request: invite, reliable: reliable)
        _ = t.start(now: TX.t0)
        return t
    }

    private func ack(for response: SIPResponse) -> SIPRequest {
        SIPRequest(ackFor: invite, response: response)
    }

    @Test func startPassesInviteToTU() {
        var t = ServerInviteTransaction(request: invite, reliable: false)
        #expect(t.start(now: TX.t0) == [.passToTU(.request(invite))])
        #expect(t.isAwaitingFinalResponse)
    }

    @Test func retransmissionBeforeAnyResponseIsAbsorbedSilently() {
        var t = started()
        #expect(t.receive(invite, now: TX.at(0.5)).isEmpty)
    }

    @Test func retransmissionResendsLastProvisional() {
        var t = started()
        let trying = TX.response(100, to: invite, toTag: nil)
        #expect(t.send(trying, now: TX.at(0.01)) == [.transmit(.response(trying))])
        let ringing = TX.response(180, to: invite)
        _ = t.send(ringing, now: TX.at(0.2))
        #expect(t.receive(invite, now: TX.at(0.5)) == [.transmit(.response(ringing))])
        #expect(t.lastSentResponse == ringing)
    }

    @Test func nonSuccessFinalRetransmitsWithGCappedAtT2UntilH() {
        var t = started()
        var driver = FakeTimerDriver()
        let busy = TX.response(486, to: invite)
        let actions = t.send(busy, now: TX.t0)
        #expect(actions == [.transmit(.response(busy)), .schedule(.g, at: TX.at(0.5)), .schedule(.h, at: TX.at(32))])
        driver.record(actions)
        let produced = driver.advance(&t, until: TX.at(40))
        // G: 0.5, 1.5, 3.5, 7.5, then every 4 s (T2) up to H at 32.
        #expect(driver.retransmitTimes == [0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5].map(TX.at))
        #expect(produced.contains(.timeout) && TX.terminated(produced))
    }

    @Test func inviteRetransmissionInCompletedResendsFinal() {
        var t = started()
        let busy = TX.response(486, to: invite)
        _ = t.send(busy, now: TX.t0)
        #expect(t.receive(invite, now: TX.at(0.3)) == [.transmit(.response(busy))])
    }

    @Test func ackAbsorbedAndTimerI() {
        var t = started()
        let busy = TX.response(486, to: invite)
        _ = t.send(busy, now: TX.t0)
        let actions = t.receive(ack(for: busy), now: TX.at(1))
        #expect(actions == [.cancelTimer(.g), .cancelTimer(.h), .schedule(.i, at: TX.at(6))])
        #expect(TX.passed(actions).isEmpty)
        // Retransmitted ACK and INVITE are absorbed in Confirmed.
        #expect(t.receive(ack(for: busy), now: TX.at(2)).isEmpty)
        #expect(t.receive(invite, now: TX.at(2)).isEmpty)
        #expect(t.timerFired(.i, now: TX.at(6)) == [.terminated])
    }

    @Test func ackOnReliableTerminatesAtOnce() {
        var t = started(reliable: true)
        let busy = TX.response(486, to: invite)
        let sent = t.send(busy, now: TX.t0)
        #expect(TX.scheduled(sent)[.g] == nil && TX.scheduled(sent)[.h] == TX.at(32))
        let actions = t.receive(ack(for: busy), now: TX.at(1))
        #expect(actions == [.cancelTimer(.h), .terminated])
    }

    @Test func successGoesToAcceptedAndAckPassesToTU() {
        var t = started()
        let ok = TX.response(200, to: invite)
        let actions = t.send(ok, now: TX.at(1))
        #expect(actions == [.transmit(.response(ok)), .schedule(.l, at: TX.at(33))])
        // The TU's 2xx retransmission is sent; an INVITE retransmission is absorbed.
        #expect(t.send(ok, now: TX.at(1.5)) == [.transmit(.response(ok))])
        #expect(t.receive(invite, now: TX.at(1.6)).isEmpty)
        let ack2xx = ack(for: ok)
        #expect(t.receive(ack2xx, now: TX.at(2)) == [.passToTU(.request(ack2xx))])
        #expect(t.send(TX.response(486, to: invite), now: TX.at(3)).isEmpty)
        #expect(t.timerFired(.l, now: TX.at(33)) == [.terminated])
    }

    @Test func responsesAfterFinalAreIgnored() {
        var t = started()
        _ = t.send(TX.response(404, to: invite), now: TX.t0)
        #expect(t.send(TX.response(180, to: invite), now: TX.at(1)).isEmpty)
        #expect(t.send(TX.response(200, to: invite), now: TX.at(1)).isEmpty)
        #expect(!t.isAwaitingFinalResponse)
    }

    @Test func cancelBeforeAnyResponse487() throws {
        // The proxy matches the CANCEL to this transaction, answers the CANCEL 200 on the
        // CANCEL's own transaction and the INVITE with 487.
        var table = TransactionTable<ServerTransaction, ClientTransaction>()
        let key = try #require(invite.transactionKey)
        table[server: key] = ServerTransaction(request: invite, reliable: false)
        _ = table[server: key]?.start(now: TX.t0)
        let cancel = SIPRequest(cancelling: invite)
        let target = try #require(table.inviteServer(cancelledBy: cancel))
        #expect(target.key == key && target.value.isAwaitingFinalResponse)
        #expect(table.server(matching: cancel) == nil)   // the CANCEL is a new transaction
        let terminated = TX.response(487, to: invite)
        let actions = table[server: key]?.send(terminated, now: TX.at(1)) ?? []
        #expect(TX.transmitted(actions) == [.response(terminated)])
        let ack = SIPRequest(ackFor: invite, response: terminated)
        #expect(table.server(matching: ack)?.key == key)
    }

    @Test func cancelAfter200FindsNoPendingInvite() throws {
        var t = started()
        _ = t.send(TX.response(200, to: invite), now: TX.t0)
        #expect(!t.isAwaitingFinalResponse)   // proxy: answer CANCEL 200, do not send 487
    }

    @Test func transportError() {
        var t = started()
        _ = t.send(TX.response(500, to: invite), now: TX.t0)
        let actions = t.transportError(now: TX.at(0.1))
        #expect(actions.first == .transportFailed && actions.last == .terminated)
    }
}
