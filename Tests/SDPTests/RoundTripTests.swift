import Testing
@testable import SDP

@Suite("Round trip")
struct RoundTripTests {
    @Test("parse then serialize is byte-identical", arguments: Fixtures.all.map(\.name))
    func realisticInputs(name: String) throws {
        let sdp = try #require(Fixtures.all.first { $0.name == name }).sdp
        let parsed = try SessionDescription(parsing: sdp)
        #expect(Array(parsed.serialized().utf8) == Array(sdp.utf8))
        let fromBytes = try SessionDescription(parsing: Array(sdp.utf8))
        #expect(fromBytes == parsed)
        #expect(fromBytes.serializedBytes() == Array(sdp.utf8))
    }

    /// Unusual but accepted inputs that must still print back unchanged.
    @Test("odd but accepted inputs round-trip", arguments: [
        "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\n",
        "v=0\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\nt=0 0\r\n",                  // mixed endings
        "v=0\r\ns=trailing space \r\nt=0 0\r\n",
        "v=0\r\nm=audio  05000  RTP/AVP  0 8 \r\na=x\r\n",                // odd m= spacing
        "v=0\r\nx=unknown type\r\nm=audio 1 RTP/AVP 0\r\ny=also\r\n",
        "v=0\r\ns=-\r\n\r\n\r\n",                                          // blank trailer
        "v=0\r\ns=-\r\n\r",                                                // lone CR trailer
        "v=0\r\ns=value with CR\r\r\n",
        "v=0",
        "v=",
        "v=1\n",
        "v=0\r\ns=caf\u{e9} \u{301}accent\r\na=\u{301}x:y\r\n",            // combining marks
        "v=0\r\nm=video 0 RTP/AVP\r\n",                                    // rejected, no formats
        "v=0\r\na=rtpmap:\r\na=:\r\na=\r\n",
    ])
    func oddInputs(sdp: String) throws {
        let parsed = try SessionDescription(parsing: sdp)
        #expect(Array(parsed.serialized().utf8) == Array(sdp.utf8))
    }

    @Test func lineEndingIsRecordedFromFirstLine() throws {
        #expect(try SessionDescription(parsing: Fixtures.lfOnly).lineEnding == "\n")
        #expect(try SessionDescription(parsing: Fixtures.sippOffer).lineEnding == "\r\n")
        #expect(try SessionDescription(parsing: "v=0").lineEnding == "\r\n")
    }

    @Test func missingFinalNewlineIsTracked() throws {
        let sdp = try SessionDescription(parsing: Fixtures.noFinalNewline)
        #expect(sdp.endsWithLineEnding == false)
        var edited = sdp
        edited.media[0].appendAttribute("sendrecv")
        #expect(edited.serialized().hasSuffix("a=rtpmap:0 PCMU/8000\r\na=sendrecv"))
        edited.endsWithLineEnding = true
        #expect(edited.serialized().hasSuffix("a=sendrecv\r\n"))
    }

    @Test func mixedEndingsKeepPerLineEndingAfterEdits() throws {
        var sdp = try SessionDescription(parsing: "v=0\r\ns=-\nt=0 0\r\n")
        sdp.lines[1].value = "edited"
        sdp.appendAttribute("new")
        #expect(sdp.serialized() == "v=0\r\ns=edited\nt=0 0\r\na=new\r\n")
    }

    @Test func editedMediaLineIsPrintedCanonically() throws {
        var sdp = try SessionDescription(parsing: "v=0\r\nm=audio  05000 RTP/AVP 0\r\n")
        #expect(sdp.media[0].mediaLine.port == 5000)
        sdp.media[0].mediaLine.port = 40000
        #expect(sdp.serialized() == "v=0\r\nm=audio 40000 RTP/AVP 0\r\n")
        // Setting it back to the parsed value restores the original spelling.
        sdp.media[0].mediaLine.port = 5000
        #expect(sdp.serialized() == "v=0\r\nm=audio  05000 RTP/AVP 0\r\n")
    }

    @Test func modelBuiltFromScratchSerializes() {
        var sdp = SessionDescription(lines: [SDPLine("v", "0"), SDPLine("s", "-"), SDPLine("t", "0 0")])
        sdp.origin = Origin(username: "-", sessionID: "1", sessionVersion: "1", addressType: "IP4", address: "10.0.0.1")
        sdp.connection = Connection(addressType: "IP4", address: "10.0.0.1")
        var audio = MediaDescription(mediaLine: MediaLine(media: "audio", port: 4000, proto: "RTP/AVP", formats: ["0"]))
        audio.appendAttribute(StaticPayloadTypes.rtpmap(for: 0)!)
        audio.direction = .sendrecv
        sdp.media.append(audio)
        #expect(sdp.serialized() == """
            v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n\
            m=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n
            """)
    }

    @Test func equalityIgnoresSpellingOfUnchangedMediaLine() throws {
        let a = try SessionDescription(parsing: "v=0\r\nm=audio 5000 RTP/AVP 0\r\n")
        let b = try SessionDescription(parsing: "v=0\r\nm=audio  5000 RTP/AVP 0\r\n")
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
    }
}
