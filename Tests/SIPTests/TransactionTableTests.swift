import Testing
import SIP

@Suite("Transaction matching")
struct TransactionTableTests {
    @Test func serverKeyAckMapsToInviteCancelSeparate() throws {
        let invite = TX.request(.invite, branch: "z9hG4bKabc")
        let key = try #require(invite.transactionKey)
        #expect(key.method == "INVITE" && key.branch == "z9hG4bKabc" && key.sentBy == "10.0.0.1:5060")
        let ack = SIPRequest(ackFor: invite, response: TX.response(486, to: invite))
        #expect(ack.transactionKey == key)
        let cancel = SIPRequest(cancelling: invite)
        #expect(cancel.transactionKey != key)
        #expect(cancel.transactionKey?.method == "CANCEL")
        #expect(ServerTransactionKey(cancelTargetOf: cancel) == key)
        #expect(ServerTransactionKey(cancelTargetOf: invite) == nil)
    }

    @Test func sentByDistinguishesSameBranch() {
        let a = TX.request(.options, branch: "z9hG4bKsame", sentBy: "10.0.0.1:5060")
        let b = TX.request(.options, branch: "z9hG4bKsame", sentBy: "10.0.0.2:5060")
        #expect(a.transactionKey != b.transactionKey)
        let upper = TX.request(.options, branch: "z9hG4bKsame", sentBy: "HOST.example")
        let lower = TX.request(.options, branch: "z9hG4bKsame", sentBy: "host.example")
        #expect(upper.transactionKey == lower.transactionKey)
    }

    @Test func legacyBranchFallsBackToDialogFields() {
        let a = TX.request(.invite, branch: "1234")
        var b = a
        b.headers.set("Call-ID", "other")
        #expect(a.transactionKey != b.transactionKey)
        let ack = SIPRequest(ackFor: a, response: TX.response(404, to: a))
        #expect(ack.transactionKey == a.transactionKey)
        var noBranch = a
        noBranch.headers.set("Via", "SIP/2.0/UDP 10.0.0.1:5060")
        #expect(noBranch.transactionKey != nil)
    }

    @Test func clientMatchingByBranchAndCSeqMethod() throws {
        var table = TransactionTable<ServerTransaction, ClientTransaction>()
        let invite = TX.request(.invite, branch: "z9hG4bKout")
        let cancel = SIPRequest(cancelling: invite)
        let inviteKey = try #require(ClientTransactionKey(request: invite))
        let cancelKey = try #require(ClientTransactionKey(request: cancel))
        #expect(inviteKey != cancelKey && inviteKey.branch == cancelKey.branch)
        table[client: inviteKey] = ClientTransaction(request: invite, reliable: false)
        table[client: cancelKey] = ClientTransaction(request: cancel, reliable: false)
        #expect(table.count == 2)
        let r487 = TX.response(487, to: invite)
        let rCancel = SIPResponse(replyingTo: cancel, statusCode: 200)
        #expect(table.client(matching: r487)?.key == inviteKey)
        #expect(table.client(matching: rCancel)?.key == cancelKey)
        var stray = r487
        stray.headers.set("Via", "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKother")
        #expect(table.client(matching: stray) == nil)
        table[client: inviteKey] = nil
        #expect(table.count == 1)
    }

    @Test func endToEndThroughTable() throws {
        // UAC -> proxy server transaction -> proxy client transaction -> UAS, with a 180 and 486.
        var table = TransactionTable<ServerTransaction, ClientTransaction>()
        let incoming = TX.request(.invite, branch: "z9hG4bKuac")
        let sKey = try #require(incoming.transactionKey)
        table[server: sKey] = ServerTransaction(request: incoming, reliable: false)
        #expect(TX.passed(table[server: sKey]?.start(now: TX.t0) ?? []) == [.request(incoming)])

        var outgoing = incoming
        outgoing.headers.pushVia(Via(transport: "UDP", host: "10.9.9.9", port: 5060, branch: "z9hG4bKproxy"))
        let cKey = try #require(ClientTransactionKey(request: outgoing))
        table[client: cKey] = ClientTransaction(request: outgoing, reliable: false)
        #expect(TX.transmitted(table[client: cKey]?.start(now: TX.t0) ?? []) == [.request(outgoing)])

        let busy = SIPResponse(replyingTo: outgoing, statusCode: 486, toTag: "uas")
        let matched = try #require(table.client(matching: busy))
        let up = table[client: matched.key]?.receive(busy, now: TX.at(1)) ?? []
        var forwarded = try #require(TX.passed(up).first?.response)
        forwarded.headers.popVia()
        #expect(forwarded.headers.topVia?.branch == "z9hG4bKuac")
        let down = table[server: sKey]?.send(forwarded, now: TX.at(1)) ?? []
        #expect(TX.transmitted(down) == [.response(forwarded)])
    }
}
