import Bencode
import Testing
@testable import NGProtocol

@Suite struct NGClientRequestTests {
    @Test func optionsSplitIntoKeysListsAndFlags() {
        let dict = NGClientRequest.offer(callID: "c", fromTag: "f", sdp: bytes("v=0"), options: [
            "trust-address", "ICE=remove", "direction=priv", "direction=pub", "replace=origin,session-connection",
        ])
        #expect(text(BencodeValue.dictionary(dict).encoded) ==
            "d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp3:v=03:ICE6:remove9:directionl4:priv3:pube"
            + "7:replacel6:origin18:session-connectione5:flagsl13:trust-addressee")
    }

    @Test func builtRequestsParseBackIntoTheSameMeaning() throws {
        let dict = NGClientRequest.answer(callID: "c", fromTag: "f", toTag: "t", sdp: bytes("v=0"),
                                          options: ["ICE=force", "rtcp-mux=demux", "strict-source"])
        let parsed = try NGRequest.parse(dict)
        #expect(parsed.command == .answer)
        #expect(parsed.toTag == "t")
        #expect(parsed.ice == .force)
        #expect(parsed.rtcpMux == [.demux])
        #expect(parsed.flags == [.strictSource])
    }

    @Test func deleteWithoutFromTag() throws {
        let parsed = try NGRequest.parse(NGClientRequest.delete(callID: "c", fromTag: nil))
        #expect(parsed.callID == "c")
        #expect(parsed.fromTag == nil)
    }

    @Test func cookiesArePrintableAndVary() {
        let a = NGClientRequest.randomCookie()
        let b = NGClientRequest.randomCookie()
        #expect(!a.isEmpty && !a.contains(UInt8(ascii: " ")))
        #expect(a != b)
    }
}
