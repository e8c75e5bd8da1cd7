import Bencode
import Testing
@testable import CallModel

/// query's per-media `codec`: the payload type the party's RTP stream received most often,
/// named from that party's codec list; absent without RTP or for a payload type not in it
/// (recorded from rtpengine 10.5: Golden/replies/query-with-rtp-codecs.json).
@Suite struct CallReportCodecTests {
    private func media(_ h: Harness, tag: String) throws -> BencodeValue? {
        let call = try #require(h.registry.call("c1"))
        let report = h.registry.report(call, now: h.now, wallClock: 1.7e9)
        return report["tags"]?[tag]?["medias"]?[0]
    }

    private func received(_ payloadType: UInt8?, on socket: SocketHandle, _ h: Harness) {
        var stats = SocketStats()
        stats.rtpPackets = 5
        stats.payloadType = payloadType
        h.plane.statsBySocket[socket] = stats
    }

    @Test func staticAndDynamicCodecNames() throws {
        let h = Harness()
        let opus = "a=rtpmap:96 opus/48000/2\r\na=rtpmap:101 telephone-event/8000\r\n"
        let offered = try h.offer(offerSDP(extra: opus).replacingOccurrences(of: "RTP/AVP 0 8", with: "RTP/AVP 0 8 96 101"))
        let answered = try h.answer(answerSDP(extra: opus).replacingOccurrences(of: "RTP/AVP 0", with: "RTP/AVP 96 0 101"))
        // A sends to the port in the answer (A's leg), B to the port in the offer.
        received(0, on: try h.socket(advertisedIn: answered), h)
        received(96, on: try h.socket(advertisedIn: offered), h)
        #expect(try media(h, tag: "A")?["codec"]?.stringValue == "PCMU/8000")
        #expect(try media(h, tag: "B")?["codec"]?.stringValue == "opus/48000/2")
        received(101, on: try h.socket(advertisedIn: offered), h)
        #expect(try media(h, tag: "B")?["codec"]?.stringValue == "telephone-event/8000")
    }

    @Test func noCodecWithoutRTPOrForAnUnlistedPayloadType() throws {
        let h = Harness()
        _ = try h.offer()
        let answered = try h.answer()
        #expect(try media(h, tag: "A")?["codec"] == nil)
        received(13, on: try h.socket(advertisedIn: answered), h)  // CN: not in A's SDP
        #expect(try media(h, tag: "A")?["codec"] == nil)
        #expect(try media(h, tag: "A")?["streams"]?[0]?["stats"]?["packets"]?.intValue == 5)
    }
}
