import Bencode
import Foundation
import Glibc
import NGProtocol
import TandemBase
import TandemTestSupport
import Testing

extension Integration {
    @Suite struct Lifecycle {
        /// 6. --timeout=2: an answered call without media disappears within ~3-4 s and counts as a
        /// timeout; a call with media every 200 ms (both ways) outlives the timeout.
        @Test func noMediaTimeout() throws {
            let daemon = try Tandemd(slot: 10, timeout: 2)
            try withDaemonLog(daemon) {
                let ng = try daemon.client()
                let a = try Phone(), b = try Phone(), c = try Phone(), d = try Phone()
                let silent = try RelayedCall.setUp(ng, a: a, b: b, callID: "silent")
                let start = Date()
                let talking = try RelayedCall.setUp(ng, a: c, b: d, callID: "talking")

                var gone: Double?
                var i = 0
                while Date().timeIntervalSince(start) < 4.5 {
                    c.rtp.send(RTPPacket.stream(i, ssrc: 0xC6).bytes, to: talking.toA.rtp)
                    d.rtp.send(RTPPacket.stream(i, ssrc: 0xD6).bytes, to: talking.toB.rtp)
                    i += 1
                    if gone == nil, try ng.query(silent.callID)["error-reason"]?.stringValue == "Unknown call-id" {
                        gone = Date().timeIntervalSince(start)
                    }
                    usleep(200_000)
                }
                #expect(gone != nil, "silent call still there 4.5 s after its answer with --timeout=2")
                if let gone {
                    // rtpengine checks once a second against whole seconds: 1.x s is possible there.
                    #expect(gone >= 1.0, "silent call removed after \(gone) s, long before the 2 s timeout")
                    #expect(gone <= 4.2, "silent call removed only after \(gone) s")
                }
                #expect(try ng.list() == ["talking"])
                let query = try ng.query(talking.callID)
                #expect(query["result"]?.stringValue == "ok", "call with media timed out:\n\(query.pretty)")
                #expect((query.int("totals", "RTP", "packets") ?? 0) >= Int64(2 * (i - 1)))
                let stats = try ng.statistics()
                #expect(stats.int("totalstatistics", "timeoutsessions") == 1, "\(stats.pretty)")
                #expect(stats.int("currentstatistics", "sessionsown") == 1)
                // The timed-out call's ports are free again.
                for port in [silent.toA.rtpPort, silent.toA.rtcpPort, silent.toB.rtpPort, silent.toB.rtcpPort] {
                    #expect(UDPSocket.canBind("127.0.0.1", port), "port \(port) of the timed-out call still bound")
                }
                c.rtp.drain(quiet: 0.05)
                d.rtp.drain(quiet: 0.05)
            }
        }

        /// 9. A tiny port range: offers until "Ran out of ports"; the failed offer leaves nothing
        /// behind, earlier calls keep relaying, and deleting one makes room again.
        @Test func portExhaustion() throws {
            let daemon = try Tandemd(slot: 11, mediaPorts: 8, threads: 1)
            try withDaemonLog(daemon) {
                let ng = try daemon.client()
                var calls: [(RelayedCall, Phone, Phone)] = []
                var failure: BencodeDictionary?
                for n in 0..<6 {
                    let a = try Phone(), b = try Phone()
                    let reply = try ng.request(NGClientRequest.offer(callID: "c\(n)", fromTag: "A-tag", sdp: Array(a.sdp().utf8)))
                    if reply["result"]?.stringValue != "ok" {
                        failure = reply
                        #expect(try ng.list() == calls.map(\.0.callID).sorted(), "failed offer left a call behind")
                        break
                    }
                    let answer = try ng.answer("c\(n)", from: "A-tag", to: "B-tag", sdp: b.sdp(session: "2"))
                    calls.append((RelayedCall(callID: "c\(n)", fromTag: "A-tag", toTag: "B-tag",
                                              offerOut: try SDPTarget(reply["sdp"]?.stringValue ?? ""),
                                              answerOut: try SDPTarget(answer)), a, b))
                }
                #expect(failure?["error-reason"]?.stringValue == "Ran out of ports", "\(failure?.pretty ?? "no failure")")
                #expect(calls.count == 2, "8 ports hold \(calls.count) calls of 2 RTP/RTCP pairs each")
                // A second failing attempt fails the same way and still leaks nothing.
                let again = try ng.request(NGClientRequest.offer(callID: "again", fromTag: "A-tag", sdp: Array(try Phone().sdp().utf8)))
                #expect(again["error-reason"]?.stringValue == "Ran out of ports")

                for (call, a, b) in calls {
                    relayRTP(count: 5, ssrc: 0xA9, from: a.rtp, to: call.toA.rtp, at: b.rtp)
                    relayRTP(count: 5, ssrc: 0xB9, from: b.rtp, to: call.toB.rtp, at: a.rtp)
                }
                guard let first = calls.first else { return }
                #expect(try ng.delete(first.0.callID, from: "A-tag")["result"]?.stringValue == "ok")
                let a = try Phone(), b = try Phone()
                let replacement = try RelayedCall.setUp(ng, a: a, b: b, callID: "replacement")
                relayRTP(count: 5, ssrc: 0xAA, from: a.rtp, to: replacement.toA.rtp, at: b.rtp)
                #expect(try ng.list() == (calls.dropFirst().map(\.0.callID) + ["replacement"]).sorted())
            }
        }

        /// 10. Thousands of random datagrams at a call's ports: counted and dropped (or relayed when
        /// they happen to be valid), the call keeps relaying, the daemon keeps answering.
        @Test func randomGarbageIsCountedAndDropped() throws {
            let daemon = try Tandemd(slot: 12)
            try withDaemonLog(daemon) {
                let ng = try daemon.client()
                let a = try Phone(), b = try Phone()
                let call = try RelayedCall.setUp(ng, a: a, b: b)
                relayRTP(count: 2, ssrc: 0xA10, from: a.rtp, to: call.toA.rtp, at: b.rtp)
                relayRTP(count: 2, ssrc: 0xB10, from: b.rtp, to: call.toB.rtp, at: a.rtp)
                let before = try ng.statistics()

                var rng = SplitMix64(seed: UInt64.random(in: 0...UInt64.max))
                let seed = rng.state
                let routes: [(UDPSocket, TransportAddress)] = [
                    (a.rtp, call.toA.rtp), (a.rtcp, call.toA.rtcp), (b.rtp, call.toB.rtp), (b.rtcp, call.toB.rtcp),
                ]
                var surelyMalformed = 0
                let count = 3000
                for n in 0..<count {
                    let size = Int(rng.next() % 1501)
                    var bytes = (0..<size).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                    if n % 3 == 0, size > 0 { bytes[0] = 0x80 | (bytes[0] & 0x3f) }  // version 2: exercise the parsers
                    if size < 8 || bytes[0] >> 6 != 2 { surelyMalformed += 1 }
                    let (socket, to) = routes[n % routes.count]
                    socket.send(bytes, to: to)
                    if n % 64 == 63 { usleep(2_000) }  // stay below the receive buffers
                }
                for socket in [a.rtp, a.rtcp, b.rtp, b.rtcp] { socket.drain(quiet: 0.15) }
                #expect(ng.ping(), "daemon stopped answering after garbage")
                let after = try ng.statistics()

                // The call still relays valid media both ways, untouched.
                relayRTP(count: 10, ssrc: 0xA10, from: a.rtp, to: call.toA.rtp, at: b.rtp, expectedSource: call.toB.rtp)
                relayRTP(count: 10, ssrc: 0xB10, from: b.rtp, to: call.toB.rtp, at: a.rtp, expectedSource: call.toA.rtp)
                #expect(relayOne(rtcpSR(ssrc: 0xA10, n: 9), from: a.rtcp, to: call.toA.rtcp, at: b.rtcp) == call.toB.rtcp)
                let query = try ng.query(call.callID)
                #expect(query["result"]?.stringValue == "ok")
                guard !Tandemd.isReference else { return }  // statistics.tandem is ours

                let malformed = (after.int("tandem", "dropsmalformed") ?? 0) - (before.int("tandem", "dropsmalformed") ?? 0)
                let received = (after.int("tandem", "packetsreceived") ?? 0) - (before.int("tandem", "packetsreceived") ?? 0)
                let overflows = (after.int("tandem", "kerneloverflows") ?? 0) - (before.int("tandem", "kerneloverflows") ?? 0)
                #expect(malformed >= Int64(surelyMalformed) - overflows,
                        "seed \(seed): \(malformed) counted malformed, \(surelyMalformed) surely malformed, \(overflows) kernel overflows")
                #expect(malformed <= Int64(count))
                #expect(received + overflows >= Int64(count) - 5, "seed \(seed): daemon saw \(received) of \(count)")
                // Per-stream errors count every drop (malformed, and RTP arriving on a non-mux RTCP port,
                // which has nowhere to go); statistics' relayedpacketerrors is their sum.
                let errors = [("A-tag", 0), ("A-tag", 1), ("B-tag", 0), ("B-tag", 1)].reduce(Int64(0)) {
                    $0 + (query.int("tags", $1.0, "medias", 0, "streams", $1.1, "stats", "errors") ?? 0)
                }
                let allDrops = (after.int("totalstatistics", "relayedpacketerrors") ?? 0)
                    - (before.int("totalstatistics", "relayedpacketerrors") ?? 0)
                #expect(errors == allDrops, "per-stream errors \(errors) vs relayedpacketerrors \(allDrops):\n\(after.pretty)")
                #expect(errors >= malformed)
                #expect(ng.ping())
            }
        }

        /// 11. SIGTERM / SIGINT: exit status 0 within 2 s, every port free afterwards.
        @Test(arguments: [SIGTERM, SIGINT]) func signalShutdown(signal: Int32) throws {
            let daemon = try Tandemd(slot: signal == SIGTERM ? 13 : 14)
            let call = try withDaemonLog(daemon) { () throws -> RelayedCall in
                let ng = try daemon.client()
                let a = try Phone(), b = try Phone()
                let call = try RelayedCall.setUp(ng, a: a, b: b)
                relayRTP(count: 3, ssrc: 0xA11, from: a.rtp, to: call.toA.rtp, at: b.rtp)
                return call
            }
            let took = daemon.signal(signal, waitUpTo: 2)
            #expect(took != nil, "tandemd still running 2 s after signal \(signal):\n\(daemon.log)")
            #expect(daemon.process.terminationReason == .exit, "tandemd died of a signal:\n\(daemon.log)")
            #expect(daemon.exitStatus == 0, "exit status \(daemon.exitStatus.map(String.init) ?? "?"):\n\(daemon.log)")
            for port in [call.toA.rtpPort, call.toA.rtcpPort, call.toB.rtpPort, call.toB.rtcpPort] {
                #expect(UDPSocket.canBind("127.0.0.1", port), "media port \(port) still bound")
            }
            #expect(UDPSocket.canBind("127.0.0.1", daemon.ngPort), "ng port still bound")
        }

        /// SIGTERM right after a burst of commands, with several threads running, eight times:
        /// always exit 0 within 2 s (the signal is blocked in every thread and taken by sigwait).
        @Test func signalAfterBurstIsNeverLost() throws {
            for round in 1...8 {
                let daemon = try Tandemd(slot: 18, threads: 2)
                let ng = try daemon.client()
                for _ in 0..<200 { _ = ng.ping() }
                let took = daemon.signal(SIGTERM, waitUpTo: 2)
                #expect(took != nil, "round \(round): tandemd still running 2 s after SIGTERM:\n\(daemon.log)")
                #expect(daemon.exitStatus == 0, "round \(round): exit status \(daemon.exitStatus.map(String.init) ?? "?")")
                if took == nil { return }
            }
        }
    }
}

/// A small seedable generator, so that a failing garbage run can be told apart by its seed.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
