import Bencode
import Foundation
import Glibc
import TandemBase
import TandemTestSupport
import Testing

extension Integration {
    @Suite struct MediaRelay {
        /// 1. offer/answer, RTP and RTCP both ways, query counts, delete frees the ports.
        @Test func offerAnswerRTPAndRTCPBothWaysQueryDelete() throws {
            let daemon = try Tandemd(slot: 1)
            try withDaemonLog(daemon) {
                let ng = try daemon.client()
                let a = try Phone(), b = try Phone()
                let call = try RelayedCall.setUp(ng, a: a, b: b)

                // Rewritten SDPs point into the daemon's range on its IPv4 address.
                for target in [call.toA, call.toB] {
                    #expect(target.address == "127.0.0.1")
                    #expect(daemon.portRange.contains(target.rtpPort))
                    #expect(target.rtcpPort == target.rtpPort + 1, "a=rtcp must be RTP+1:\n\(target.text)")
                    #expect(!target.rtcpMux)
                }
                #expect(call.toA.rtpPort != call.toB.rtpPort)

                // RTP: 50 each way, intact, from the daemon's port facing the receiver.
                relayRTP(count: 50, ssrc: 0xA0A0_0001, from: a.rtp, to: call.toA.rtp, at: b.rtp, expectedSource: call.toB.rtp)
                relayRTP(count: 50, ssrc: 0xB0B0_0001, from: b.rtp, to: call.toB.rtp, at: a.rtp, expectedSource: call.toA.rtp)

                // RTCP: 3 sender reports each way via port+1.
                for n in 1...3 as ClosedRange<UInt32> {
                    let fromA = relayOne(rtcpSR(ssrc: 0xA0A0_0001, n: n), from: a.rtcp, to: call.toA.rtcp, at: b.rtcp)
                    #expect(fromA == call.toB.rtcp)
                    let fromB = relayOne(rtcpSR(ssrc: 0xB0B0_0001, n: n), from: b.rtcp, to: call.toB.rtcp, at: a.rtcp)
                    #expect(fromB == call.toA.rtcp)
                }
                #expect(a.rtp.hearsNothing(within: 0.1) && b.rtp.hearsNothing(within: 0.1), "RTCP leaked onto RTP ports")

                // query: tags -> medias -> streams -> stats, per tag, and totals.
                let rtpBytes = Int64(50 * (12 + 160)), rtcpBytes = Int64(3 * 28)
                let query = try ng.query(call.callID)
                #expect(query["result"]?.stringValue == "ok", "\(query.pretty)")
                for (tag, target) in [("A-tag", call.toA), ("B-tag", call.toB)] {
                    let streams = query.at("tags", tag, "medias", 0, "streams")
                    #expect(query.int("tags", tag, "medias", 0, "streams", 0, "local port") == Int64(target.rtpPort),
                            "\(tag) RTP local port:\n\(query.pretty)")
                    #expect(streams?[0]?["stats"]?["packets"]?.intValue == 50, "\(tag) RTP packets:\n\(query.pretty)")
                    #expect(streams?[0]?["stats"]?["bytes"]?.intValue == rtpBytes, "\(tag) RTP bytes")
                    #expect(streams?[0]?["stats"]?["errors"]?.intValue == 0, "\(tag) RTP errors")
                    #expect(streams?[1]?["local port"]?.intValue == Int64(target.rtcpPort), "\(tag) RTCP local port")
                    #expect(streams?[1]?["stats"]?["packets"]?.intValue == 3, "\(tag) RTCP packets:\n\(query.pretty)")
                    #expect(streams?[1]?["stats"]?["bytes"]?.intValue == rtcpBytes, "\(tag) RTCP bytes")
                }
                #expect(query.int("tags", "A-tag", "medias", 0, "streams", 0, "SSRC") == 0xA0A0_0001)
                for tag in ["A-tag", "B-tag"] {  // the payload type received most often, named (rtpengine's `codec`)
                    #expect(query.at("tags", tag, "medias", 0, "codec")?.stringValue == "PCMU/8000", "\(tag) codec:\n\(query.pretty)")
                }
                #expect(query.int("totals", "RTP", "packets") == 100, "totals:\n\(query.pretty)")
                #expect(query.int("totals", "RTP", "bytes") == 2 * rtpBytes)
                #expect(query.int("totals", "RTCP", "packets") == 6)
                #expect(query.int("totals", "RTCP", "bytes") == 2 * rtcpBytes)

                // delete: final stats, then the call and its ports are gone.
                let deleted = try ng.delete(call.callID, from: call.fromTag)
                #expect(deleted["result"]?.stringValue == "ok", "\(deleted.pretty)")
                #expect(deleted["warning"] == nil)
                #expect(deleted.int("totals", "RTP", "packets") == 100, "delete reply:\n\(deleted.pretty)")
                #expect(deleted.int("tags", "B-tag", "medias", 0, "streams", 0, "stats", "packets") == 50)
                #expect(try ng.query(call.callID)["error-reason"]?.stringValue == "Unknown call-id")
                #expect(try ng.list().isEmpty)
                for port in [call.toA.rtpPort, call.toA.rtcpPort, call.toB.rtpPort, call.toB.rtcpPort] {
                    #expect(UDPSocket.canBind("127.0.0.1", port), "port \(port) still bound after delete")
                }
                // Nothing relayed any more.
                a.rtp.send(RTPPacket.stream(99, ssrc: 1).bytes, to: call.toA.rtp)
                #expect(b.rtp.hearsNothing(within: 0.3))
            }
        }

        /// 2. rtcp-mux offered and accepted: RTCP on the RTP port both ways.
        @Test func rtcpMux() throws {
            let daemon = try Tandemd(slot: 2)
            try withDaemonLog(daemon) {
                let ng = try daemon.client()
                let a = try Phone(), b = try Phone()
                let call = try RelayedCall.setUp(ng, a: a, b: b, offerSDP: a.sdp(extra: ["a=rtcp-mux"]),
                                                 answerSDP: b.sdp(extra: ["a=rtcp-mux"], session: "2"))
                #expect(call.toB.rtcpMux, "outgoing offer lacks a=rtcp-mux:\n\(call.toB.text)")
                #expect(call.toA.rtcpMux, "answer to the caller lacks a=rtcp-mux:\n\(call.toA.text)")
                #expect(call.toA.rtcpPort == call.toA.rtpPort, "answer must say a=rtcp:<RTP port>:\n\(call.toA.text)")

                relayRTP(count: 10, ssrc: 0xA1, from: a.rtp, to: call.toA.rtp, at: b.rtp, expectedSource: call.toB.rtp)
                relayRTP(count: 10, ssrc: 0xB1, from: b.rtp, to: call.toB.rtp, at: a.rtp, expectedSource: call.toA.rtp)
                for n in 1...3 as ClosedRange<UInt32> {
                    #expect(relayOne(rtcpSR(ssrc: 0xA1, n: n), from: a.rtp, to: call.toA.rtp, at: b.rtp) == call.toB.rtp)
                    #expect(relayOne(rtcpSR(ssrc: 0xB1, n: n), from: b.rtp, to: call.toB.rtp, at: a.rtp) == call.toA.rtp)
                }
                #expect(a.rtcp.hearsNothing(within: 0.1) && b.rtcp.hearsNothing(within: 0.1), "muxed RTCP went to port+1")
                let query = try ng.query(call.callID)
                // Per stream, muxed RTCP counts on the RTP stream (10 RTP + 3 RTCP from each side).
                for tag in ["A-tag", "B-tag"] {
                    #expect(query.int("tags", tag, "medias", 0, "streams", 0, "stats", "packets") == 13, "\(tag):\n\(query.pretty)")
                    #expect(query.int("tags", tag, "medias", 0, "streams", 1, "stats", "packets") == 0, "\(tag)")
                }
                let rtp = query.int("totals", "RTP", "packets") ?? -1, rtcp = query.int("totals", "RTCP", "packets") ?? -1
                #expect(rtp + rtcp == 26, "totals:\n\(query.pretty)")
                // rtpengine's totals are the sums of the stream stats: RTP 26 (muxed RTCP included), RTCP 0.
                #expect(rtp == 26 && rtcp == 0, "totals RTP \(rtp), RTCP \(rtcp)")
            }
        }

        /// 3. Symmetric latching: B's SDP says X, B sends from Y: return traffic goes to Y.
        @Test func symmetricLatching() throws {
            let daemon = try Tandemd(slot: 3, extra: ["--endpoint-learning=immediate"])
            try withDaemonLog(daemon) {
                let ng = try daemon.client()
                let a = try Phone(), x = try Phone()
                guard let y = UDPSocket() else { throw IntegrationError("bind") }
                let call = try RelayedCall.setUp(ng, a: a, b: x)

                // Before B speaks, A's media goes where B's SDP says.
                _ = relayOne(RTPPacket.stream(0, ssrc: 0xA3).bytes, from: a.rtp, to: call.toA.rtp, at: x.rtp)
                // B sends from Y (behind a NAT, say): the daemon latches onto Y.
                _ = relayOne(RTPPacket.stream(0, ssrc: 0xB3).bytes, from: y, to: call.toB.rtp, at: a.rtp)
                relayRTP(count: 10, ssrc: 0xA3, from: a.rtp, to: call.toA.rtp, at: y, expectedSource: call.toB.rtp)
                #expect(x.rtp.hearsNothing(within: 0.2), "return traffic still went to the SDP address")
                let query = try ng.query(call.callID)
                #expect(query.int("tags", "B-tag", "medias", 0, "streams", 0, "endpoint", "port") == Int64(y.port),
                        "query endpoint should show the latched source:\n\(query.pretty)")
            }
        }

        /// rtpengine's default endpoint learning ("delayed", --endpoint-learning): for 3 s after
        /// the last signalling every new source re-latches, after that the endpoint is confirmed by
        /// its next packet and locked.
        @Test func delayedEndpointLearning() throws {
            let daemon = try Tandemd(slot: 16)
            try withDaemonLog(daemon) {
                let ng = try daemon.client()
                let a = try Phone(), x = try Phone()
                guard let y = UDPSocket(), let z = UDPSocket() else { throw IntegrationError("bind") }
                let call = try RelayedCall.setUp(ng, a: a, b: x)
                let answered = Date()
                // Within 3 s: B's media comes from Y, then from X: the endpoint follows.
                _ = relayOne(RTPPacket.stream(0, ssrc: 0xB7).bytes, from: y, to: call.toB.rtp, at: a.rtp)
                relayRTP(count: 2, ssrc: 0xA7, from: a.rtp, to: call.toA.rtp, at: y)
                _ = relayOne(RTPPacket.stream(1, ssrc: 0xB7).bytes, from: x.rtp, to: call.toB.rtp, at: a.rtp)
                relayRTP(count: 2, ssrc: 0xA7, from: a.rtp, to: call.toA.rtp, at: x.rtp)
                #expect(y.hearsNothing(within: 0.1))
                // After 3 s (rtpengine compares whole seconds, so up to 4): X's next packet confirms;
                // a stranger no longer moves the endpoint.
                let wait = 4.2 - Date().timeIntervalSince(answered)
                if wait > 0 { usleep(UInt32(wait * 1_000_000)) }
                _ = relayOne(RTPPacket.stream(2, ssrc: 0xB7).bytes, from: x.rtp, to: call.toB.rtp, at: a.rtp)
                _ = relayOne(RTPPacket.stream(3, ssrc: 0xB7).bytes, from: z, to: call.toB.rtp, at: a.rtp)
                relayRTP(count: 2, ssrc: 0xA7, from: a.rtp, to: call.toA.rtp, at: x.rtp)
                #expect(z.hearsNothing(within: 0.1))
            }
        }

        /// 4. strict-source: after latching, a stranger's packets are dropped and counted; without
        /// it they are forwarded but do not move the latch.
        @Test(arguments: [true, false]) func strictSource(strict: Bool) throws {
            let daemon = try Tandemd(slot: strict ? 4 : 5, extra: ["--endpoint-learning=immediate"])
            try withDaemonLog(daemon) {
                let ng = try daemon.client()
                let a = try Phone(), b = try Phone()
                guard let stranger = UDPSocket() else { throw IntegrationError("bind") }
                let flags = strict ? ["strict-source"] : []
                let call = try RelayedCall.setUp(ng, a: a, b: b, offerOptions: flags, answerOptions: flags)

                // Both sides latch.
                relayRTP(count: 3, ssrc: 0xA4, from: a.rtp, to: call.toA.rtp, at: b.rtp)
                relayRTP(count: 3, ssrc: 0xB4, from: b.rtp, to: call.toB.rtp, at: a.rtp)
                let before = try ng.statistics()

                // A stranger sends 5 packets to A's port.
                for i in 0..<5 { stranger.send(RTPPacket.stream(i, ssrc: 0x5757).bytes, to: call.toA.rtp) }
                if strict {
                    #expect(b.rtp.hearsNothing(within: 0.4), "strict-source forwarded a stranger's packet")
                    if !Tandemd.isReference {  // statistics.tandem is ours
                        let after = try ng.statistics()
                        let drops = (after.int("tandem", "dropsstrictsource") ?? -1) - (before.int("tandem", "dropsstrictsource") ?? 0)
                        #expect(drops == 5, "tandem.dropsstrictsource grew by \(drops), want 5:\n\(after.pretty)")
                    }
                } else {
                    let got = b.rtp.receive(count: 5, timeout: 1)
                    #expect(got.count == 5, "stranger's packets not forwarded without strict-source")
                }
                // Either way, B's media still goes to A, not to the stranger.
                relayRTP(count: 3, ssrc: 0xB4, from: b.rtp, to: call.toB.rtp, at: a.rtp)
                #expect(stranger.hearsNothing(within: 0.2), "the stranger moved the latch")
                // And A still gets through.
                relayRTP(count: 3, ssrc: 0xA4, from: a.rtp, to: call.toA.rtp, at: b.rtp)
                let query = try ng.query(call.callID)
                let packets = query.int("tags", "A-tag", "medias", 0, "streams", 0, "stats", "packets")
                // rtpengine counts the dropped packets in `packets` too (11) and also in `errors`.
                #expect(packets == 11, "A-tag packets counted:\n\(query.pretty)")
                if strict {
                    let errors = query.int("tags", "A-tag", "medias", 0, "streams", 0, "stats", "errors")
                    #expect(errors == 5, "strict-source drops counted as A-tag stream errors:\n\(query.pretty)")
                }
                #expect(query.int("tags", "A-tag", "medias", 0, "streams", 0, "endpoint", "port") == Int64(a.port))
            }
        }

        /// 5. asymmetric: never latch; return traffic always goes to the SDP address.
        @Test func asymmetric() throws {
            let daemon = try Tandemd(slot: 6)
            try withDaemonLog(daemon) {
                let ng = try daemon.client()
                let a = try Phone(), x = try Phone()
                guard let y = UDPSocket() else { throw IntegrationError("bind") }
                let call = try RelayedCall.setUp(ng, a: a, b: x, answerOptions: ["asymmetric"])

                // B sends from Y: forwarded to A...
                relayRTP(count: 3, ssrc: 0xB5, from: y, to: call.toB.rtp, at: a.rtp, expectedSource: call.toA.rtp)
                // ...but A's media keeps going to X, B's SDP address.
                relayRTP(count: 5, ssrc: 0xA5, from: a.rtp, to: call.toA.rtp, at: x.rtp, expectedSource: call.toB.rtp)
                #expect(y.hearsNothing(within: 0.2), "asymmetric call latched onto the source")
            }
        }

        /// 12. IPv4 caller, IPv6 callee (address-family IP6): RTP across families both ways.
        @Test func ipv4ToIPv6Bridging() throws {
            let daemon = try Tandemd(slot: 7)
            try withDaemonLog(daemon) {
                let ng = try daemon.client()
                let a = try Phone("127.0.0.1"), b = try Phone("::1")
                let call = try RelayedCall.setUp(ng, a: a, b: b, offerOptions: ["address-family=IP6"])
                #expect(call.toB.address == "::1", "offer to the IPv6 callee:\n\(call.toB.text)")
                #expect(call.toB.text.contains("c=IN IP6 ::1"))
                #expect(call.toA.address == "127.0.0.1", "answer to the IPv4 caller:\n\(call.toA.text)")
                #expect(call.toA.text.contains("c=IN IP4 127.0.0.1"))

                relayRTP(count: 20, ssrc: 0xA6, from: a.rtp, to: call.toA.rtp, at: b.rtp, expectedSource: call.toB.rtp)
                relayRTP(count: 20, ssrc: 0xB6, from: b.rtp, to: call.toB.rtp, at: a.rtp, expectedSource: call.toA.rtp)
                #expect(relayOne(rtcpSR(ssrc: 0xA6, n: 1), from: a.rtcp, to: call.toA.rtcp, at: b.rtcp) == call.toB.rtcp)
                #expect(relayOne(rtcpSR(ssrc: 0xB6, n: 1), from: b.rtcp, to: call.toB.rtcp, at: a.rtcp) == call.toA.rtcp)
                let query = try ng.query(call.callID)
                #expect(query.at("tags", "B-tag", "medias", 0, "streams", 0, "family")?.stringValue == "IPv6", "\(query.pretty)")
                #expect(query.at("tags", "A-tag", "medias", 0, "streams", 0, "family")?.stringValue == "IPv4")
            }
        }
    }
}
