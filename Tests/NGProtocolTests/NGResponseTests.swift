import Bencode
import Testing
@testable import NGProtocol

@Suite struct NGResponseTests {
    /// Expected bytes are what rtpengine 10.5 sent for the same reply.
    static let cases: [(NGResponse, NGEncoding, String)] = [
        (.pong, .bencode, "d6:result4:ponge"),
        (.pong, .json, "{\"result\":\"pong\"}"),
        (.error(.noSDPBody), .bencode, "d6:result5:error12:error-reason22:No SDP body in messagee"),
        (.error(.noSDPBody), .json, "{\"result\":\"error\",\"error-reason\":\"No SDP body in message\"}"),
        (.ok(warning: .callIDNotFoundOrTagsMismatch), .bencode,
         "d7:warning38:Call-ID not found or tags didn't match6:result2:oke"),
        (.ok(["calls": ["a"]]), .bencode, "d5:callsl1:ae6:result2:oke"),
        (.ok(["calls": .list([])]), .json, "{\"calls\":[],\"result\":\"ok\"}"),
        (.sdp(Array("v=0\r\n".utf8)), .bencode, "d3:sdp5:v=0\r\n6:result2:oke"),
        (.sdp(Array("v=0\r\n".utf8)), .json, "{\"sdp\":\"v=0\\r\\n\",\"result\":\"ok\"}"),
        (.loadLimit(.sessionLimitReached), .bencode, "d6:result10:load limit7:message30:Parallel session limit reachede"),
    ]

    @Test(arguments: cases)
    func encodesLikeRtpengine(response: NGResponse, encoding: NGEncoding, expected: String) {
        #expect(text(response.encoded(as: encoding)) == expected)
    }

    @Test func resultFieldInFieldsDoesNotDuplicate() {
        let response = NGResponse.ok(["result": "bogus", "x": 1])
        #expect(text(response.encoded(as: .bencode)) == "d1:xi1e6:result2:oke")
    }
}
