import Bencode
import Foundation
import NGProtocol
import TandemBase
import Testing

extension Integration {
    @Suite struct ControlProtocol {
        /// Ports in use over every interface address (statistics -> interfaces -> ports.used).
        static func portsUsed(_ ng: NGClient) throws -> Int64 {
            let interfaces = try ng.statistics()["interfaces"]?.listValue ?? []
            return interfaces.reduce(0) { $0 + ($1["ports"]?["used"]?.intValue ?? 0) }
        }

        /// 7. A retransmitted offer (same cookie) gets the byte-identical reply and allocates nothing
        /// new; any later request with that cookie (ping, delete) gets the cached offer reply.
        @Test func retransmittedCookie() throws {
            let daemon = try Tandemd(slot: 8)
            try withDaemonLog(daemon) {
                let ng = try daemon.client()
                let a = try Phone()
                let offer = NGClientRequest.offer(callID: "retrans", fromTag: "A-tag", sdp: Array(a.sdp().utf8))
                let body = BencodeValue.dictionary(offer).encoded
                let cookie = Array("retrans-cookie-1".utf8)

                let first = try ng.exchange(cookie: cookie, body: body)
                #expect(try NGClient.decodeReply(first)["result"]?.stringValue == "ok")
                let usedAfterFirst = try Self.portsUsed(ng)
                #expect(usedAfterFirst > 0)

                let second = try ng.exchange(cookie: cookie, body: body)
                #expect(second == first, "retransmission got a different reply")
                #expect(try ng.list() == ["retrans"])
                #expect(try Self.portsUsed(ng) == usedAfterFirst, "retransmission allocated ports")

                // Two copies back to back (the second arrives while the first may still run).
                let cookie2 = Array("retrans-cookie-2".utf8)
                let offer2 = BencodeValue.dictionary(
                    NGClientRequest.offer(callID: "retrans-2", fromTag: "A-tag", sdp: Array(a.sdp().utf8))).encoded
                let datagram = NGDatagram(cookie: cookie2, body: offer2).framed
                ng.socket.send(datagram, to: ng.server)
                ng.socket.send(datagram, to: ng.server)
                let replies = ng.socket.receive(count: 2, timeout: 2).map(\.bytes)
                #expect(replies.count == 2, "a back-to-back duplicate got \(replies.count) replies")
                if replies.count == 2 { #expect(replies[0] == replies[1]) }
                let port1 = try SDPTarget(try NGClient.decodeReply(replies[0])["sdp"]?.stringValue ?? "").rtpPort
                #expect(try ng.list() == ["retrans", "retrans-2"])
                #expect(try Self.portsUsed(ng) == 2 * usedAfterFirst)
                #expect(port1 != 0)

                // rtpengine: a different command with a cached cookie gets the cached reply.
                let ping = try ng.exchange(cookie: cookie, body: BencodeValue.dictionary(["command": "ping"]).encoded)
                #expect(ping == first, "ping with the offer's cookie: \(String(decoding: ping, as: UTF8.self).prefix(80))")
                let delete = try ng.exchange(
                    cookie: cookie, body: BencodeValue.dictionary(NGClientRequest.delete(callID: "retrans", fromTag: nil)).encoded)
                #expect(delete == first, "delete with the offer's cookie was executed")
                #expect(try ng.list() == ["retrans", "retrans-2"])
            }
        }

        /// 8. Bad input over UDP: the right error reply each, and no state change.
        @Test func badInput() throws {
            let daemon = try Tandemd(slot: 9)
            try withDaemonLog(daemon) {
                let ng = try daemon.client()
                let a = try Phone(), b = try Phone()
                let call = try RelayedCall.setUp(ng, a: a, b: b, callID: "existing")
                let baselineCalls = try ng.list()
                let baselinePorts = try Self.portsUsed(ng)
                #expect(baselineCalls == ["existing"])

                func reply(_ body: [UInt8]) throws -> BencodeDictionary {
                    try NGClient.decodeReply(try ng.exchange(cookie: NGClientRequest.randomCookie(), body: body))
                }
                func reply(_ dict: BencodeDictionary) throws -> BencodeDictionary { try reply(BencodeValue.dictionary(dict).encoded) }
                func expectError(_ got: BencodeDictionary, _ reason: String, _ what: String,
                                 sourceLocation: SourceLocation = #_sourceLocation) throws {
                    #expect(got["result"]?.stringValue == "error", "\(what): \(got.pretty)", sourceLocation: sourceLocation)
                    #expect(got["error-reason"]?.stringValue == reason, "\(what): \(got.pretty)", sourceLocation: sourceLocation)
                    #expect(try ng.list() == baselineCalls, "\(what) changed the call list", sourceLocation: sourceLocation)
                }
                let sdp = Array(a.sdp().utf8)

                // Framing and decoding.
                try expectError(try reply(Array("garbage".utf8)), "Invalid NG data format", "non-bencode body")
                try expectError(try reply(Array("l4:pinge".utf8)), "Invalid NG data format", "bencode list body")
                try expectError(try reply(Array("i42e".utf8)), "Invalid NG data format", "bencode integer body")
                try expectError(try reply(Array("d7:command4:pi".utf8)), "Could not decode bencode dictionary",
                                "truncated bencode string")
                try expectError(try reply(Array("d7:commandi1ee".utf8)), "Dictionary contains no key \"command\"",
                                "non-string command")
                try expectError(try reply(["call-id": "x"]), "Dictionary contains no key \"command\"", "no command")
                // rtpengine accepts a dictionary cut off where a key or list item could start.
                #expect(try reply(Array("d7:command4:ping".utf8))["result"]?.stringValue == "pong", "unterminated dict")
                #expect(try reply(Array("d7:command4:list5:flagsl4:abcd".utf8))["calls"] != nil, "unterminated list")
                try expectError(try reply(Array("d7:command4:ping5:flags".utf8)), "Could not decode bencode dictionary",
                                "key without value")

                // JSON in, JSON out.
                let jsonPing = try ng.exchange(cookie: Array("j1".utf8), body: Array(#"{"command":"ping"}"#.utf8))
                #expect(String(decoding: jsonPing, as: UTF8.self) == #"j1 {"result":"pong"}"#)
                let jsonQuery = try ng.exchange(cookie: Array("j2".utf8), body: Array(#"{"command":"query","call-id":"nope"}"#.utf8))
                let jsonQueryBody = NGDatagram(parsing: jsonQuery)?.body ?? []
                #expect(jsonQueryBody.first == UInt8(ascii: "{"), "JSON request got a non-JSON reply")
                let decodedQuery = try? BencodeValue.decodeJSON(jsonQueryBody)
                #expect(decodedQuery?["error-reason"]?.stringValue == "Unknown call-id")
                let brokenJSON = try ng.exchange(cookie: Array("j3".utf8), body: Array(#"{"command":"#.utf8))
                let brokenBody = NGDatagram(parsing: brokenJSON)?.body ?? []
                #expect((try? BencodeValue.decodeJSON(brokenBody))?["error-reason"]?.stringValue == "Failed to parse JSON document",
                        "broken JSON: \(String(decoding: brokenBody, as: UTF8.self))")

                // Missing keys (exact rtpengine reasons).
                try expectError(try reply(["command": "offer", "from-tag": "A", "sdp": .string(sdp)]),
                                "No call-id in message", "offer without call-id")
                try expectError(try reply(["command": "offer", "call-id": "new-1", "sdp": .string(sdp)]),
                                "No from-tag in message", "offer without from-tag")
                try expectError(try reply(["command": "offer", "call-id": "new-2", "from-tag": "A"]),
                                "No SDP body in message", "offer without sdp")
                try expectError(try reply(["command": "answer", "call-id": "existing", "from-tag": "A-tag", "sdp": .string(sdp)]),
                                "No to-tag in message", "answer without to-tag")
                try expectError(try reply(["command": "delete"]), "No call-id in message", "delete without call-id")

                // Commands.
                try expectError(try reply(["command": "frobnicate"]), "Unrecognized command", "unknown command")
                try expectError(try reply(["command": "PING"]), "Unrecognized command", "commands are case-sensitive")
                try expectError(try reply(NGClientRequest.answer(callID: "nope", fromTag: "A", toTag: "B", sdp: sdp)),
                                "Unknown call-id", "answer of an unknown call")
                try expectError(try reply(NGClientRequest.query(callID: "nope")), "Unknown call-id", "query of an unknown call")
                try expectError(try reply(NGClientRequest.offer(callID: "new-3", fromTag: "A", sdp: Array("this is not SDP".utf8))),
                                "Failed to parse SDP", "garbage SDP")

                // delete of an unknown call: ok + warning; with `fatal`: the error.
                let soft = try reply(NGClientRequest.delete(callID: "nope", fromTag: "A"))
                #expect(soft["result"]?.stringValue == "ok", "\(soft.pretty)")
                #expect(soft["warning"]?.stringValue == "Call-ID not found or tags didn't match", "\(soft.pretty)")
                try expectError(try reply(NGClientRequest.delete(callID: "nope", fromTag: "A", options: ["fatal"])),
                                "Call-ID not found or tags didn't match", "fatal delete of an unknown call")

                // No cookie (no space): no reply at all.
                #expect(ng.raw(Array("d7:command4:pinge".utf8), timeout: 0.3) == nil, "datagram without cookie answered")
                #expect(ng.raw(Array("cookieonly".utf8), timeout: 0.3) == nil, "cookie-only datagram answered")
                #expect(ng.raw(Array(" d7:command4:pinge".utf8), timeout: 0.3) == nil, "empty cookie answered")

                // Oversized (60 KB): an offer with a 60 KB SDP, and 60 KB of junk. Error replies.
                let bigSDP = Array(a.sdp().utf8) + Array(repeating: UInt8(ascii: "x"), count: 60_000)
                // (rtpengine 10.5 answers both exactly so.)
                try expectError(try reply(NGClientRequest.offer(callID: "big", fromTag: "A", sdp: bigSDP)),
                                "Failed to parse SDP", "60 KB offer")
                try expectError(try reply([UInt8](repeating: UInt8(ascii: "z"), count: 60_000)), "Invalid NG data format",
                                "60 KB junk")

                // Nothing changed, and the daemon still works.
                #expect(try ng.list() == baselineCalls)
                #expect(try Self.portsUsed(ng) == baselinePorts, "an error reply leaked ports")
                #expect(ng.ping())
                relayRTP(count: 5, ssrc: 0xA8, from: a.rtp, to: call.toA.rtp, at: b.rtp)
            }
        }
    }
}
