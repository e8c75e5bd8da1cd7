import Testing
@testable import SDP

@Suite("Parse errors")
struct ParseErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let sdp: String
        let error: SDPError
        var testDescription: String { error.description }
    }

    static let cases: [Case] = [
        Case(sdp: "", error: .emptyInput),
        Case(sdp: "o=- 1 1 IN IP4 1.2.3.4\r\nv=0\r\n", error: .missingVersionLine),
        Case(sdp: "\r\nv=0\r\n", error: .missingVersionLine),
        Case(sdp: " v=0\r\n", error: .missingVersionLine),
        Case(sdp: "v0\r\n", error: .missingVersionLine),
        Case(sdp: "v=0\r\ns=-\r\nbogus\r\n", error: .malformedLine(line: 3)),
        Case(sdp: "v=0\r\n\r\ns=-\r\n", error: .malformedLine(line: 2)),              // blank line inside
        Case(sdp: "v=0\nx\n", error: .malformedLine(line: 2)),
        Case(sdp: "v=0\r\na =foo\r\n", error: .malformedLine(line: 2)),
        Case(sdp: "v=0\r\nm=audio x RTP/AVP 0\r\n", error: .malformedMediaLine(line: 2, reason: "port is not a number")),
        Case(sdp: "v=0\r\nm=audio -1 RTP/AVP 0\r\n", error: .malformedMediaLine(line: 2, reason: "port is not a number")),
        Case(sdp: "v=0\r\nm=audio 65536 RTP/AVP 0\r\n", error: .malformedMediaLine(line: 2, reason: "port exceeds 65535")),
        Case(sdp: "v=0\r\nm=audio 99999999999999999999999 RTP/AVP 0\r\n", error: .malformedMediaLine(line: 2, reason: "port exceeds 65535")),
        Case(sdp: "v=0\r\nm=audio 5000/0 RTP/AVP 0\r\n", error: .malformedMediaLine(line: 2, reason: "bad number of ports")),
        Case(sdp: "v=0\r\nm=audio 5000/x RTP/AVP 0\r\n", error: .malformedMediaLine(line: 2, reason: "bad number of ports")),
        Case(sdp: "v=0\r\nm=audio\r\n", error: .malformedMediaLine(line: 2, reason: "missing port")),
        Case(sdp: "v=0\r\nm=audio 5000\r\n", error: .malformedMediaLine(line: 2, reason: "missing transport protocol")),
        Case(sdp: "v=0\r\ns=-\r\nm=audio 5000 RTP/AVP\r\n", error: .malformedMediaLine(line: 3, reason: "missing format list")),
        Case(sdp: "v=0\r\no=- 1 IN IP4 1.2.3.4\r\n", error: .malformedOrigin(line: 2)),
        Case(sdp: "v=0\r\nc=IN IP4\r\n", error: .malformedConnection(line: 2)),
        Case(sdp: "v=0\r\nc=IN IP4 224.2.1.1/x\r\n", error: .malformedConnection(line: 2)),
        Case(sdp: "v=0\r\nc=IN IP6 ff15::101/3/2\r\n", error: .malformedConnection(line: 2)),
        Case(sdp: "v=0\r\nv=0\r\n", error: .misplacedLine(line: 2, type: "v", reason: "may only be the first line")),
        Case(sdp: "v=0\r\nm=audio 1 RTP/AVP 0\r\no=- 1 1 IN IP4 1.2.3.4\r\n",
             error: .misplacedLine(line: 3, type: "o", reason: "is inside a media section")),
        Case(sdp: "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\no=- 1 1 IN IP4 1.2.3.4\r\n",
             error: .misplacedLine(line: 3, type: "o", reason: "appears twice")),
        Case(sdp: "v=0\r\nm=audio 1 RTP/AVP 0\r\ns=-\r\n", error: .misplacedLine(line: 3, type: "s", reason: "is inside a media section")),
        Case(sdp: "v=0\r\nm=audio 1 RTP/AVP 0\r\nc=IN IP4 1.1.1.1\r\nc=IN IP4 1.1.1.1\r\n",
             error: .misplacedLine(line: 4, type: "c", reason: "appears twice at one level")),
    ]

    @Test("rejects malformed input with the line number", arguments: cases)
    func rejects(_ c: Case) {
        #expect(throws: c.error) { try SessionDescription(parsing: c.sdp) }
        #expect(c.error.line == nil || c.error.description.hasPrefix("line \(c.error.line ?? 0):"))
    }

    @Test func oneConnectionPerLevelIsFine() throws {
        let sdp = try SessionDescription(parsing: "v=0\r\nc=IN IP4 1.1.1.1\r\nm=audio 1 RTP/AVP 0\r\nc=IN IP4 2.2.2.2\r\nm=audio 2 RTP/AVP 0\r\nc=IN IP4 3.3.3.3\r\n")
        #expect(sdp.media.map { $0.connection?.address } == ["2.2.2.2", "3.3.3.3"])
    }

    @Test func invalidUTF8IsRejectedWithLine() {
        var bytes = Array("v=0\r\ns=ok\r\na=bad".utf8)
        bytes.append(0xFF)
        bytes += Array("\r\n".utf8)
        #expect(throws: SDPError.invalidUTF8(line: 3)) { try SessionDescription(parsing: bytes) }
    }

    @Test func sizeAndLineLimits() {
        let limits = SDPParseLimits(maxBytes: 20, maxLines: 3)
        #expect(throws: SDPError.inputTooLarge(size: 21, limit: 20)) {
            try SessionDescription(parsing: String(repeating: "x", count: 21), limits: limits)
        }
        #expect(throws: SDPError.inputTooLarge(size: 21, limit: 20)) {
            try SessionDescription(parsing: Array(repeating: UInt8(ascii: "x"), count: 21), limits: limits)
        }
        #expect(throws: SDPError.tooManyLines(limit: 3)) {
            try SessionDescription(parsing: "v=0\na=1\na=2\na=3\n", limits: limits)
        }
        #expect((try? SessionDescription(parsing: "v=0\na=1\na=2\n", limits: limits)) != nil)
        let big = "v=0\r\n" + String(repeating: "a=x\r\n", count: 5000)
        #expect(throws: SDPError.tooManyLines(limit: SDPParseLimits.default.maxLines)) { try SessionDescription(parsing: big) }
    }

    @Test func errorDescriptionsAreReadable() {
        #expect(SDPError.malformedMediaLine(line: 7, reason: "port exceeds 65535").description
            == "line 7: bad m= line: port exceeds 65535")
        #expect(SDPError.emptyInput.description == "SDP is empty")
        #expect(SDPError.missingVersionLine.line == 1)
    }
}

@Test func parsingInitializerIsUsableAsAFunction() throws {
    let parse: (String) throws(SDPError) -> SessionDescription = SessionDescription.init(parsing:)
    #expect(try parse(Fixtures.sippOffer).media.count == 1)
}
