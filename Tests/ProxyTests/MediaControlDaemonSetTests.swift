import Bencode
import NGProtocol
import TandemBase
import Testing
@testable import Proxy

private let ok = NGReply(dictionary: ["result": "ok"])
private let pong = NGReply(dictionary: ["result": "pong"])

private func set(_ options: [String], _ configuration: MediaDaemonSet.Configuration = .init()) throws -> MediaDaemonSet {
    try MediaDaemonSet(parsing: options, configuration: configuration)
}

@Suite("Media daemon options, selection, health, failover")
struct MediaControlDaemonSetTests {
    // MARK: option syntax

    @Test(arguments: [
        ("udp:127.0.0.1:2223", "127.0.0.1", 2223, 1),
        ("udp:127.0.0.1:2223=3", "127.0.0.1", 2223, 3),
        ("udp:[::1]:2223=2", "::1", 2223, 2),
        ("udp6:[2001:db8::7]:22222", "2001:db8::7", 22222, 1),
        ("udp:media.example:9000", "media.example", 9000, 1),
        ("udp:10.0.0.1", "10.0.0.1", 22222, 1),
    ] as [(String, String, UInt16, UInt32)])
    func parsesOption(text: String, host: String, port: UInt16, weight: UInt32) throws {
        let address = try MediaDaemonAddress(parsing: text)
        #expect(address.host == host)
        #expect(address.port == port)
        #expect(address.weight == weight)
    }

    @Test(arguments: ["127.0.0.1:2223", "udp:::1:2223", "udp:[::1:2223", "udp:1.2.3.4:0", "udp:1.2.3.4:x",
                      "udp:1.2.3.4:2223=0", "udp:1.2.3.4:2223=-1", "unix:/run/x.sock", "udp::2223", "udp:[1.2.3.4]:5"])
    func rejectsBadOption(text: String) {
        #expect(throws: MediaDaemonAddressError.self) { try MediaDaemonAddress(parsing: text) }
    }

    @Test func urlIsIdentityWithoutWeight() throws {
        #expect(try MediaDaemonAddress(parsing: "udp:[::1]:2223=5").url == "udp:[::1]:2223")
        #expect(try MediaDaemonAddress(parsing: "udp:[::1]:2223=5").description == "udp:[::1]:2223=5")
        #expect(try MediaDaemonAddress(parsing: "udp:1.2.3.4:5").transportAddress == TransportAddress("1.2.3.4:5"))
    }

    // MARK: selection

    @Test func sameCallSameDaemonAcrossInstancesAndOptionOrder() throws {
        let options = ["udp:10.0.0.1:2223", "udp:10.0.0.2:2223=2", "udp:10.0.0.3:2223=3"]
        var a = try set(options)
        var b = try set(options.reversed())
        for n in 0..<500 {
            let callID = "call-\(n)@host"
            let fromA = try a.select(callID: callID, command: .offer, now: at(0)).get()
            let fromB = try b.select(callID: callID, command: .offer, now: at(0)).get()
            #expect(a.daemons[fromA].address.url == b.daemons[fromB].address.url)
        }
    }

    @Test func weightsDistribution1to3() throws {
        var daemons = try set(["udp:10.0.0.1:2223=1", "udp:10.0.0.2:2223=3"])
        var counts = [0, 0]
        for n in 0..<10_000 {
            counts[try daemons.select(callID: "\(n)-a84b4c76e66710@pc33.atlanta.com", command: .offer, now: at(0)).get()] += 1
        }
        let share = Double(counts[1]) / 10_000
        #expect(abs(share - 0.75) < 0.02, "share of weight-3 daemon: \(share)")
    }

    @Test func equalWeightsSpreadEvenly() throws {
        var daemons = try set((1...4).map { "udp:10.0.0.\($0):2223" })
        var counts = [0, 0, 0, 0]
        for n in 0..<8_000 { counts[try daemons.select(callID: "c\(n)", command: .offer, now: at(0)).get()] += 1 }
        for count in counts { #expect(abs(count - 2_000) < 200, "\(counts)") }
    }

    @Test func downDaemonMovesOnlyItsCalls() throws {
        var daemons = try set((1...4).map { "udp:10.0.0.\($0):2223" })
        let before = try (0..<1_000).map { try daemons.select(callID: "c\($0)", command: .offer, now: at(0)).get() }
        daemons.recordTimeout(daemon: 2, now: at(0))
        let after = try (0..<1_000).map { try daemons.select(callID: "c\($0)", command: .offer, now: at(0)).get() }
        for (old, new) in zip(before, after) {
            if old == 2 { #expect(new != 2) } else { #expect(new == old) }
        }
    }

    @Test func bindingKeepsCallWhileUp() throws {
        var daemons = try set(["udp:10.0.0.1:2223", "udp:10.0.0.2:2223"])
        let callID = "bound-call"
        let ranked = daemons.ranking(callID: callID)
        // Bind to the second-ranked daemon (as after a failover); answer follows the binding.
        daemons.recordReply(ok, command: .offer, callID: callID, daemon: ranked[1], now: at(0))
        #expect(try daemons.select(callID: callID, command: .answer, now: at(1)).get() == ranked[1])
        #expect(try daemons.select(callID: callID, command: .offer, now: at(1)).get() == ranked[1])
    }

    @Test func boundDaemonDownIsAnErrorForAnswerAndDelete() throws {
        var daemons = try set(["udp:10.0.0.1:2223", "udp:10.0.0.2:2223"])
        daemons.recordReply(ok, command: .offer, callID: "x", daemon: 0, now: at(0))
        daemons.recordTimeout(daemon: 0, now: at(1))
        #expect(daemons.select(callID: "x", command: .answer, now: at(2)) == .failure(.boundDaemonDown(daemon: 0)))
        #expect(daemons.select(callID: "x", command: .delete, now: at(2)) == .failure(.boundDaemonDown(daemon: 0)))
        #expect(daemons.select(callID: "x", command: .offer, now: at(2)) == .failure(.boundDaemonDown(daemon: 0)))
        var rehoming = try set(["udp:10.0.0.1:2223", "udp:10.0.0.2:2223"], .init(rehomeOnReoffer: true))
        rehoming.recordReply(ok, command: .offer, callID: "x", daemon: 0, now: at(0))
        rehoming.recordTimeout(daemon: 0, now: at(1))
        #expect(rehoming.select(callID: "x", command: .offer, now: at(2)) == .success(1))
    }

    @Test func deleteForgetsBinding() throws {
        var daemons = try set(["udp:10.0.0.1:2223"])
        daemons.recordReply(ok, command: .offer, callID: "x", daemon: 0, now: at(0))
        #expect(daemons.bindingCount == 1)
        daemons.recordReply(ok, command: .delete, callID: "x", daemon: 0, now: at(1))
        #expect(daemons.bindingCount == 0)
        #expect(daemons.binding(for: "x", now: at(1)) == nil)
    }

    @Test func errorReplyDoesNotBind() throws {
        var daemons = try set(["udp:10.0.0.1:2223"])
        daemons.recordReply(NGReply(dictionary: ["result": "error", "error-reason": "x"]), command: .offer,
                            callID: "x", daemon: 0, now: at(0))
        #expect(daemons.bindingCount == 0)
    }

    @Test func bindingsAreBoundedLRU() throws {
        var daemons = try set(["udp:10.0.0.1:2223", "udp:10.0.0.2:2223"], .init(maxBindings: 3))
        for n in 0..<3 { daemons.bind(callID: "c\(n)", to: 1, now: at(Double(n))) }
        daemons.bind(callID: "c0", to: 1, now: at(3))   // touch c0: c1 is now the oldest
        daemons.bind(callID: "c3", to: 1, now: at(4))
        #expect(daemons.bindingCount == 3)
        #expect(daemons.binding(for: "c1", now: at(4)) == nil)
        #expect(daemons.binding(for: "c0", now: at(4)) == 1)
        #expect(daemons.binding(for: "c3", now: at(4)) == 1)
    }

    @Test func bindingsExpire() throws {
        var daemons = try set(["udp:10.0.0.1:2223"], .init(bindingLifetime: 60))
        daemons.bind(callID: "old", to: 0, now: at(0))
        #expect(daemons.binding(for: "old", now: at(59)) == 0)
        #expect(daemons.binding(for: "old", now: at(61)) == nil)
    }

    @Test func allDownMeansNoDaemon() throws {
        var daemons = try set(["udp:10.0.0.1:2223", "udp:10.0.0.2:2223"])
        daemons.recordTimeout(daemon: 0, now: at(0))
        daemons.recordTimeout(daemon: 1, now: at(0))
        #expect(daemons.select(callID: "x", command: .offer, now: at(0)) == .failure(.noDaemonAvailable))
    }

    // MARK: pings and health

    @Test func pingScheduleAndRecovery() throws {
        var daemons = try set(["udp:10.0.0.1:2223", "udp:10.0.0.2:2223"],
                              .init(pingInterval: 5, downRecheckInterval: 2))
        #expect(daemons.pingsDue(now: at(0)) == [0, 1])
        #expect(daemons.pingsDue(now: at(0)) == [])           // outstanding
        #expect(daemons.nextPingDeadline == nil)
        #expect(daemons.recordPing(daemon: 0, reply: pong, now: at(0.01)) == nil)   // was up already
        #expect(daemons.recordPing(daemon: 1, reply: nil, now: at(1)) == .wentDown(1))
        #expect(daemons.nextPingDeadline == at(3))
        #expect(daemons.pingsDue(now: at(2.9)) == [])
        #expect(daemons.pingsDue(now: at(3)) == [1])          // down: rechecked sooner
        #expect(daemons.recordPing(daemon: 1, reply: pong, now: at(3.1)) == .cameUp(1))
        #expect(daemons.daemons[1].isUp)
        #expect(daemons.pingsDue(now: at(5.01)) == [0])
        #expect(daemons.pingsDue(now: at(8.1)) == [1])
    }

    @Test func nonPongPingReplyMarksDown() throws {
        var daemons = try set(["udp:10.0.0.1:2223"])
        _ = daemons.pingsDue(now: at(0))
        #expect(daemons.recordPing(daemon: 0, reply: ok, now: at(0.1)) == .wentDown(0))
    }

    @Test func requestTimeoutMarksDownAndPingBringsBack() throws {
        var daemons = try set(["udp:10.0.0.1:2223", "udp:10.0.0.2:2223"], .init(pingInterval: 5, downRecheckInterval: 5))
        let home = daemons.ranking(callID: "call")[0]
        #expect(daemons.recordTimeout(daemon: home, now: at(10)) == .wentDown(home))
        #expect(try daemons.select(callID: "call", command: .offer, now: at(10)).get() != home)
        #expect(daemons.pingsDue(now: at(15)).contains(home))
        daemons.recordPing(daemon: home, reply: pong, now: at(15.1))
        #expect(try daemons.select(callID: "call", command: .offer, now: at(16)).get() == home)
    }
}

@Suite("MediaControlRequest failover")
struct MediaControlRequestTests {
    let policy = NGRetransmitPolicy(timeout: 1, retransmissions: 1)

    private func offer(_ callID: String) -> KamailioRequest {
        let message = KamailioMessageContext(kind: .request, callID: callID, fromTag: "ft", sdp: Array("v=0\r\n".utf8))
        return try! KamailioFlags.request("replace-origin", command: .offer, message: message)
    }

    @Test func offerFailsOverAfterTimeoutWithNewCookie() throws {
        var daemons = try set(["udp:10.0.0.1:2223", "udp:10.0.0.2:2223"])
        var cookies = NGCookieGenerator(prefix: "t")
        let ranked = daemons.ranking(callID: "c1")
        var request = MediaControlRequest(offer("c1"), policy: policy)
        guard case .send(let first, let to) = request.start(set: &daemons, cookies: &cookies, now: at(0)) else {
            Issue.record("no send"); return
        }
        #expect(to == ranked[0])
        guard case .send(let again, to: ranked[0]) = request.timerFired(set: &daemons, cookies: &cookies, now: at(1)) else {
            Issue.record("no retransmission"); return
        }
        #expect(again == first)
        guard case .send(let second, let next) = request.timerFired(set: &daemons, cookies: &cookies, now: at(2)) else {
            Issue.record("no failover"); return
        }
        #expect(next == ranked[1])
        #expect(NGDatagram(parsing: second)!.cookie != NGDatagram(parsing: first)!.cookie)
        #expect(!daemons.daemons[ranked[0]].isUp)
        // A late reply from the first daemon is ignored.
        #expect(request.receive(replyBytes(to: first, ["result": "ok"]), from: ranked[0], set: &daemons,
                                cookies: &cookies, now: at(2.1)) == .none)
        let reply = request.receive(replyBytes(to: second, ["sdp": "v=0", "result": "ok"]), from: ranked[1],
                                    set: &daemons, cookies: &cookies, now: at(2.2))
        guard case .completed(let answer, from: ranked[1]) = reply else { Issue.record("\(reply)"); return }
        #expect(answer.sdp == Array("v=0".utf8))
        #expect(daemons.binding(for: "c1", now: at(3)) == ranked[1])
    }

    @Test func answerToDeadDaemonReportsTimeoutNoFailover() throws {
        var daemons = try set(["udp:10.0.0.1:2223", "udp:10.0.0.2:2223"])
        var cookies = NGCookieGenerator(prefix: "t")
        daemons.recordReply(ok, command: .offer, callID: "c2", daemon: 0, now: at(0))
        let message = KamailioMessageContext(kind: .reply, callID: "c2", fromTag: "ft", toTag: "tt", sdp: [])
        var request = MediaControlRequest(try KamailioFlags.request("", command: .answer, message: message), policy: policy)
        guard case .send(_, to: 0) = request.start(set: &daemons, cookies: &cookies, now: at(1)) else {
            Issue.record("not sent to bound daemon"); return
        }
        _ = request.timerFired(set: &daemons, cookies: &cookies, now: at(2))
        #expect(request.timerFired(set: &daemons, cookies: &cookies, now: at(3)) == .failed(.timedOut(daemon: 0)))
        // The next request for the call is refused at once.
        var delete = MediaControlRequest(command: .delete, callID: "c2", request: ["command": "delete", "call-id": "c2"])
        #expect(delete.start(set: &daemons, cookies: &cookies, now: at(4)) == .failed(.boundDaemonDown(daemon: 0)))
    }

    @Test func loadLimitTriesNextDaemon() throws {
        var daemons = try set(["udp:10.0.0.1:2223", "udp:10.0.0.2:2223"])
        var cookies = NGCookieGenerator(prefix: "t")
        var request = MediaControlRequest(offer("c3"), policy: policy)
        guard case .send(let first, let to) = request.start(set: &daemons, cookies: &cookies, now: at(0)) else { return }
        let busy = request.receive(replyBytes(to: first, ["result": "load limit", "message": "busy"]), from: to,
                                   set: &daemons, cookies: &cookies, now: at(0.1))
        guard case .send(let second, let other) = busy else { Issue.record("\(busy)"); return }
        #expect(other != to)
        #expect(daemons.daemons[to].isUp)   // it answered: alive, just busy
        // The second is busy too: nothing left, the last reply is returned.
        let last = request.receive(replyBytes(to: second, ["result": "error", "error-reason": "Ran out of ports"]),
                                   from: other, set: &daemons, cookies: &cookies, now: at(0.2))
        guard case .completed(let reply, from: other) = last else { Issue.record("\(last)"); return }
        #expect(reply.errorReason == "Ran out of ports")
    }

    @Test func allDaemonsTimeOut() throws {
        var daemons = try set(["udp:10.0.0.1:2223", "udp:10.0.0.2:2223"])
        var cookies = NGCookieGenerator(prefix: "t")
        var request = MediaControlRequest(offer("c4"), policy: NGRetransmitPolicy(timeout: 1, retransmissions: 0))
        _ = request.start(set: &daemons, cookies: &cookies, now: at(0))
        guard case .send = request.timerFired(set: &daemons, cookies: &cookies, now: at(1)) else { return }
        let last = request.timerFired(set: &daemons, cookies: &cookies, now: at(2))
        guard case .failed(.timedOut) = last else { Issue.record("\(last)"); return }
        #expect(request.deadline == nil)
        #expect(daemons.daemons.allSatisfy { !$0.isUp })
    }

    @Test func maxDaemonsLimit() throws {
        var daemons = try set((1...3).map { "udp:10.0.0.\($0):2223" })
        var cookies = NGCookieGenerator(prefix: "t")
        var request = MediaControlRequest(offer("c5"), policy: NGRetransmitPolicy(timeout: 1, retransmissions: 0), maxDaemons: 1)
        _ = request.start(set: &daemons, cookies: &cookies, now: at(0))
        #expect(request.timerFired(set: &daemons, cookies: &cookies, now: at(1)) == .failed(.triedTooMany))
    }
}
