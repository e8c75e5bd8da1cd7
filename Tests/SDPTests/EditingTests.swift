import Testing
@testable import SDP

@Suite("Editing")
struct EditingTests {
    func asterisk() throws -> MediaDescription {
        try SessionDescription(parsing: Fixtures.asteriskAnswer).media[0]
    }

    @Test func attributeQueries() throws {
        let m = try asterisk()
        #expect(m.attributes("rtpmap") == ["8 PCMA/8000", "0 PCMU/8000", "101 telephone-event/8000"])
        #expect(m.attribute("ptime") == "20")
        #expect(m.attribute("sendrecv") == "")
        #expect(m.hasAttribute("sendrecv"))
        #expect(!m.hasAttribute("send"))           // prefix of a name does not match
        #expect(!m.hasAttribute("rtpmap:8"))
        #expect(m.attribute("nope") == nil)
    }

    @Test func removeByNameAndPredicate() throws {
        var m = try asterisk()
        #expect(m.removeAttributes("rtpmap") == 3)
        #expect(!m.hasAttribute("rtpmap"))
        #expect(m.removeAttributes { name, value in name == "fmtp" && value?.hasPrefix("101 ") == true } == 1)
        #expect(m.removeAttributes { _, value in value == nil } == 1)       // the sendrecv flag
        #expect(m.lines.map(\.value) == ["ptime:20", "maxptime:150"])
    }

    @Test func setReplacesInPlaceOrAppends() throws {
        var m = try asterisk()
        m.setAttribute("ptime", "30")
        #expect(m.lines[4] == SDPLine("a", "ptime:30"))
        m.setAttribute("rtcp-mux")
        #expect(m.lines.last == SDPLine("a", "rtcp-mux"))
        m.replaceAttribute("rtcp-mux", "x")
        #expect(m.lines.last == SDPLine("a", "rtcp-mux:x"))
        m.setAttribute(PTime(milliseconds: 40))
        #expect(m.attribute(PTime.self) == PTime(milliseconds: 40))
    }

    @Test func insertAfterAndBefore() throws {
        var m = try asterisk()
        m.insertAttribute("rtpmap", "96 opus/48000/2", after: "rtpmap")
        #expect(m.lines[3] == SDPLine("a", "rtpmap:96 opus/48000/2"))
        m.insertAttribute("rtcp", "9", before: "rtpmap")
        #expect(m.lines[0] == SDPLine("a", "rtcp:9"))
        m.insertAttribute("x", after: "missing")
        #expect(m.lines.last == SDPLine("a", "x"))
    }

    @Test func directionAccessor() throws {
        var m = try asterisk()
        #expect(m.direction == .sendrecv)
        let index = try #require(m.lines.firstIndex(of: SDPLine("a", "sendrecv")))
        m.direction = .recvonly
        #expect(m.lines[index] == SDPLine("a", "recvonly"))
        m.appendAttribute("inactive")               // duplicates collapse on the next set
        m.direction = .sendonly
        #expect(m.lines.filter { MediaDirection(rawValue: $0.value) != nil } == [SDPLine("a", "sendonly")])
        m.direction = nil
        #expect(m.direction == nil)
    }

    @Test func mediaConnectionIsInsertedInRFCOrder() throws {
        var sdp = try SessionDescription(parsing: Fixtures.multiPort)
        sdp.media[0].lines.insert(SDPLine("i", "title"), at: 0)
        sdp.media[0].appendAttribute("sendrecv")
        sdp.media[0].connection = Connection(addressType: "IP4", address: "198.51.100.1")
        #expect(sdp.media[0].lines.map(\.type) == ["i", "c", "b", "a"])
        sdp.media[0].connection = nil
        #expect(sdp.media[0].lines.map(\.type) == ["i", "b", "a"])
    }

    @Test func sessionConnectionAndOriginInsertion() throws {
        var sdp = try SessionDescription(parsing: "v=0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n")
        sdp.connection = Connection(addressType: "IP6", address: "::1")
        sdp.origin = Origin(username: "-", sessionID: "1", sessionVersion: "1", addressType: "IP6", address: "::1")
        #expect(sdp.lines.map(\.type) == ["v", "o", "s", "c", "t", "a"])
        sdp.connection?.address = "2001:db8::2"
        #expect(sdp.lines[3] == SDPLine("c", "IN IP6 2001:db8::2"))
        sdp.sessionName = "Tandem"
        #expect(sdp.serialized().contains("\r\ns=Tandem\r\n"))
    }

    @Test func flagAccessors() throws {
        var m = try asterisk()
        m.rtcpMux = true
        m.rtcpMux = true
        #expect(m.attributes("rtcp-mux") == [""])
        m.rtcpMux = false
        #expect(!m.rtcpMux)
        var session = try SessionDescription(parsing: Fixtures.sippOffer)
        session.iceLite = true
        #expect(session.serialized().contains("a=ice-lite\r\n"))
        session.iceLite = false
        #expect(session.serialized() == Fixtures.sippOffer)
    }

    @Test func iceCredentialEditing() throws {
        var sdp = try SessionDescription(parsing: Fixtures.chromeOffer)
        sdp.media[0].iceCredentials = ICECredentials(ufrag: "abcd", pwd: "0123456789abcdefghijkl")
        #expect(sdp.media[0].iceUfrag == "abcd")
        #expect(sdp.media[0].icePwd == "0123456789abcdefghijkl")
        sdp.media[0].iceOptions = []
        #expect(!sdp.media[0].hasAttribute(ICE.options))
        sdp.media[0].removeAttributes(Candidate.attributeName)
        sdp.media[0].appendAttribute(Candidate(foundation: "1", component: 1, transport: "UDP", priority: 2130706431,
                                               address: "203.0.113.5", port: 30000, type: "host"))
        #expect(sdp.media[0].candidates.map(\.port) == [30000])
        sdp.media[0].iceCredentials = nil
        #expect(sdp.media[0].iceUfrag == nil && sdp.media[0].icePwd == nil)
    }

    @Test func rewritingLikeARelay() throws {
        var sdp = try SessionDescription(parsing: Fixtures.sippOffer)
        sdp.connection?.address = "198.51.100.7"
        sdp.origin?.address = "198.51.100.7"
        sdp.media[0].mediaLine.port = 30000
        sdp.media[0].mediaLine.formats.append("101")
        sdp.media[0].appendAttribute(RTPMap(payloadType: 101, encoding: "telephone-event", clockRate: 8000))
        sdp.media[0].appendAttribute(FMTP(payloadType: 101, parameters: "0-15"))
        sdp.media[0].direction = .sendrecv
        sdp.media[0].appendAttribute(RTCPAttribute(port: 30001))
        #expect(sdp.serialized() == Fixtures.crlf("""
            v=0
            o=user1 53655765 2353687637 IN IP4 198.51.100.7
            s=-
            c=IN IP4 198.51.100.7
            t=0 0
            m=audio 30000 RTP/AVP 0 101
            a=rtpmap:0 PCMU/8000
            a=rtpmap:101 telephone-event/8000
            a=fmtp:101 0-15
            a=sendrecv
            a=rtcp:30001

            """))
    }

    @Test func lineEndingChangeAppliesToAllLines() throws {
        var sdp = try SessionDescription(parsing: Fixtures.sippOffer)
        sdp.lineEnding = "\n"
        #expect(!sdp.serialized().contains("\r"))
    }

    @Test func valueSemantics() throws {
        let original = try SessionDescription(parsing: Fixtures.sippOffer)
        var copy = original
        copy.media[0].mediaLine.port = 1
        copy.lines.removeAll()
        #expect(original.serialized() == Fixtures.sippOffer)
        #expect(copy != original)
    }
}

@Test func bandwidthLines() throws {
    var sdp = try SessionDescription(parsing: Fixtures.multiPort)
    #expect(sdp.media[0].bandwidths == [Bandwidth(type: "AS", value: 128)])
    sdp.media[0].setBandwidth("AS", 64)
    sdp.media[0].setBandwidth("RR", 0)
    sdp.media[0].lines.insert(SDPLine("c", "IN IP4 1.1.1.1"), at: 0)
    sdp.media[0].appendAttribute("sendrecv")
    sdp.media[0].setBandwidth("TIAS", 64000)
    #expect(sdp.media[0].lines.map(\.text) == ["c=IN IP4 1.1.1.1", "b=AS:64", "b=RR:0", "b=TIAS:64000", "a=sendrecv"])
    sdp.media[0].setBandwidth("RR", nil)
    #expect(sdp.media[0].bandwidths.map(\.type) == ["AS", "TIAS"])
    #expect(Bandwidth(value: "AS") == nil && Bandwidth(value: ":1") == nil && Bandwidth(value: "AS:x") == nil)
}

@Test func payloadTypesOfMediaLine() {
    #expect(MediaLine(value: "audio 1 RTP/AVP 0 8 101 x 200")?.payloadTypes == [0, 8, 101])
    #expect(MediaLine(value: "image 1 udptl t38")?.payloadTypes == [])
}
