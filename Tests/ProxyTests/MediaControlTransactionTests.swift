import Bencode
import NGProtocol
import TandemBase
import Testing
@testable import Proxy

func at(_ seconds: Double) -> MonotonicTime { MonotonicTime(seconds: seconds) }

/// A daemon's reply datagram to `datagram` (whatever its cookie), with this body.
func replyBytes(to datagram: [UInt8], _ body: BencodeDictionary) -> [UInt8] {
    let cookie = NGDatagram(parsing: datagram)!.cookie
    return NGDatagram(cookie: cookie, body: BencodeValue.dictionary(body).encoded).framed
}

func started(_ transaction: inout NGClientTransaction, _ now: MonotonicTime) throws -> [UInt8] {
    let bytes = transaction.start(now: now)
    return try #require(bytes)
}

@Suite("NGClientTransaction on a fake clock")
struct MediaControlTransactionTests {
    let request: BencodeDictionary = ["command": "ping"]

    @Test func startSendsFramedRequestOnce() throws {
        var transaction = NGClientTransaction(request: request, cookie: Array("c1".utf8))
        let bytes = try started(&transaction, at(0))
        #expect(String(decoding: bytes, as: UTF8.self) == "c1 d7:command4:pinge")
        #expect(transaction.start(now: at(0)) == nil)
        #expect(transaction.deadline == at(1))
    }

    @Test func retransmitsSameBytesOnSchedule() throws {
        var transaction = NGClientTransaction(request: request, cookie: Array("c1".utf8),
                                              policy: NGRetransmitPolicy(timeout: 1, retransmissions: 2))
        let first = try started(&transaction, at(10))
        #expect(transaction.timerFired(now: at(10.5)) == .notDue)
        #expect(transaction.timerFired(now: at(11)) == .retransmit(first))
        #expect(transaction.deadline == at(12))
        #expect(transaction.timerFired(now: at(12)) == .retransmit(first))
        #expect(transaction.deadline == at(13))
        #expect(transaction.timerFired(now: at(13)) == .timedOut)
        #expect(transaction.state == .timedOut)
        #expect(transaction.deadline == nil)
    }

    @Test func kamailioPolicyCountsTotalSends() throws {
        // rtpengine_retr=5 means five sends in send_rtpp_command(): four retransmissions.
        let policy = NGRetransmitPolicy.kamailio(toutMs: 1000, retr: 5)
        #expect(policy.retransmissions == 4)
        #expect(policy.totalTime == 5)
        var transaction = NGClientTransaction(request: request, cookie: Array("k".utf8), policy: policy)
        _ = transaction.start(now: at(0))
        var sends = 1
        var t = 1.0
        while case .retransmit = transaction.timerFired(now: at(t)) { sends += 1; t += 1 }
        #expect(sends == 5)
        #expect(t == 5)
        #expect(transaction.state == .timedOut)
    }

    @Test func replyCompletes() throws {
        var transaction = NGClientTransaction(request: request, cookie: Array("c1".utf8))
        let sent = try started(&transaction, at(0))
        let result = transaction.receive(replyBytes(to: sent, ["result": "pong"]), now: at(0.1))
        guard case .completed(let reply) = result else { Issue.record("not completed: \(result)"); return }
        #expect(reply.result == "pong")
        #expect(reply.isSuccess)
        #expect(transaction.isFinished)
        #expect(transaction.timerFired(now: at(5)) == .notDue)
    }

    @Test func wrongCookieIgnored() throws {
        var transaction = NGClientTransaction(request: request, cookie: Array("c1".utf8))
        _ = transaction.start(now: at(0))
        let other = NGDatagram(cookie: Array("c2".utf8), body: Array("d6:result4:ponge".utf8)).framed
        #expect(transaction.receive(other, now: at(0.1)) == .ignored(.wrongCookie))
        // A cookie that merely starts with ours is not ours (Kamailio's memcmp would take it).
        let prefixed = NGDatagram(cookie: Array("c10".utf8), body: Array("d6:result4:ponge".utf8)).framed
        #expect(transaction.receive(prefixed, now: at(0.1)) == .ignored(.wrongCookie))
        #expect(transaction.receive(Array("garbage".utf8), now: at(0.1)) == .ignored(.notAnNGDatagram))
        #expect(transaction.deadline == at(1))
    }

    @Test func lateReplyAfterRetransmissionCompletes() throws {
        var transaction = NGClientTransaction(request: request, cookie: Array("c1".utf8),
                                              policy: NGRetransmitPolicy(timeout: 1, retransmissions: 3))
        let sent = try started(&transaction, at(0))
        #expect(transaction.timerFired(now: at(1)) == .retransmit(sent))
        #expect(transaction.timerFired(now: at(2)) == .retransmit(sent))
        // The reply to the first send arrives now: same cookie, accepted.
        let result = transaction.receive(replyBytes(to: sent, ["result": "ok"]), now: at(2.3))
        #expect(result == .completed(NGReply(dictionary: ["result": "ok"])))
        // The duplicate reply to a retransmission is dropped.
        #expect(transaction.receive(replyBytes(to: sent, ["result": "ok"]), now: at(2.4)) == .ignored(.notWaiting))
    }

    @Test func replyAfterTimeoutIgnored() throws {
        var transaction = NGClientTransaction(request: request, cookie: Array("c1".utf8),
                                              policy: NGRetransmitPolicy(timeout: 1, retransmissions: 0))
        let sent = try started(&transaction, at(0))
        #expect(transaction.timerFired(now: at(1)) == .timedOut)
        #expect(transaction.receive(replyBytes(to: sent, ["result": "pong"]), now: at(1.2)) == .ignored(.notWaiting))
    }

    @Test func undecodableBodyKeepsWaiting() throws {
        var transaction = NGClientTransaction(request: request, cookie: Array("c1".utf8))
        _ = transaction.start(now: at(0))
        let bad = NGDatagram(cookie: Array("c1".utf8), body: Array("d6:resu".utf8)).framed
        #expect(transaction.receive(bad, now: at(0.1)) == .ignored(.undecodableBody))
        #expect(transaction.deadline == at(1))
    }

    @Test func jsonReplyAccepted() throws {
        var transaction = NGClientTransaction(request: request, cookie: Array("c1".utf8))
        _ = transaction.start(now: at(0))
        let json = NGDatagram(cookie: Array("c1".utf8), body: Array(#"{"result":"pong"}"#.utf8)).framed
        #expect(transaction.receive(json, now: at(0.1)) == .completed(NGReply(dictionary: ["result": "pong"])))
    }

    @Test func replyClassification() {
        #expect(NGReply(dictionary: ["result": "load limit", "message": "x"]).asksToTryAnotherDaemon)
        #expect(NGReply(dictionary: ["result": "error", "error-reason": "Ran out of ports"]).asksToTryAnotherDaemon)
        #expect(NGReply(dictionary: ["result": "error", "error-reason": "Parallel session limit reached"]).asksToTryAnotherDaemon)
        #expect(!NGReply(dictionary: ["result": "error", "error-reason": "Unknown call-id"]).asksToTryAnotherDaemon)
        #expect(!NGReply(dictionary: ["result": "ok"]).asksToTryAnotherDaemon)
    }

    @Test func cookieGeneratorIsSequential() {
        var cookies = NGCookieGenerator(prefix: "0_77", start: 9)
        #expect(String(decoding: cookies.next(), as: UTF8.self) == "0_77_9")
        #expect(String(decoding: cookies.next(), as: UTF8.self) == "0_77_10")
        var random = NGCookieGenerator.random(serverID: 3)
        #expect(String(decoding: random.next(), as: UTF8.self).hasPrefix("3_"))
    }
}
