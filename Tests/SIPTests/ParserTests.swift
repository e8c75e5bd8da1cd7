import Testing
import SIP

@Suite("Parsing real-world messages")
struct ParserTests {
    @Test func sippInvite() throws {
        let r = try Fixtures.parseRequest(Fixtures.sippInvite)
        #expect(r.method == .invite)
        #expect(r.uri == SIPURI(user: "service", host: "127.0.0.1", port: 5060))
        #expect(r.headers.callID == "1-4018@127.0.1.1")
        #expect(r.headers.cseq == CSeq(number: 1, method: .invite))
        #expect(r.headers.from?.displayName == "sipp")
        #expect(r.headers.from?.tag == "4018SIPpTag001")
        #expect(r.headers.to?.tag == nil)
        #expect(r.headers.maxForwards?.value == 70)
        #expect(r.body == Fixtures.crlf(Fixtures.sdp))
        #expect(r.branch == "z9hG4bK-4018-1-0")
        #expect(r.hasRFC3261Branch)
        #expect(r.headers.contacts?.first?.uri.user == "sipp")
    }

    @Test func kamailioInviteTwoViaLines() throws {
        let r = try Fixtures.parseRequest(Fixtures.kamailioInvite)
        let vias = try #require(r.headers.vias)
        #expect(vias.count == 2)
        #expect(vias[0].host == "10.0.0.1" && vias[0].port == nil)
        #expect(vias[1].received == "203.0.113.5")
        #expect(vias[1].rport == 40312 && vias[1].hasRPort)
        #expect(r.headers.from?.displayName == "Alice, Smith")
        #expect(r.headers.recordRoutes?.first?.uri.isLooseRouting == true)
        #expect(r.headers.values("Allow").count == 11)
        #expect(r.headers.values("User-Agent") == ["Asterisk PBX 18.10.0"])
        #expect(r.body.isEmpty)
    }

    @Test func linphoneCompactFoldedIPv6() throws {
        let r = try Fixtures.parseRequest(Fixtures.linphoneCompact)
        #expect(r.method == .register)
        let via = try #require(r.headers.topVia)
        #expect(via.transport == "TCP" && via.host == "2001:db8::10" && via.port == 5060)
        #expect(via.sentBy == "[2001:db8::10]:5060")
        #expect(via.hasRPort && via.rport == nil)
        #expect(via.parameters.contains("alias"))
        #expect(r.headers.callID == "Zx-1Am9lQ")
        #expect(r.headers.to?.uri.user == "alice")
        #expect(r.headers["User-Agent"] == "Linphone/5.2.0 (belle-sip/5.2.0)")
        #expect(r.headers.values("Supported") == ["outbound", "gruu"])
        let contact = try #require(r.headers.contacts?.first)
        #expect(contact.uri.host == "2001:db8::10" && contact.uri.transport == "tcp")
        #expect(contact.parameters.value("+sip.instance") == "\"<urn:uuid:5ba4c5d6-0000-1000-8000-0021f2a7c5e0>\"")
        #expect(contact.parameters.value("expires") == "3600")
    }

    @Test func responseWithTwoViasInOneLine() throws {
        let r = try Fixtures.parseResponse(Fixtures.ringing)
        #expect(r.statusCode == 180 && r.reasonPhrase == "Ringing")
        #expect(r.headers.vias?.count == 2)
        #expect(r.headers.topVia?.branch == "z9hG4bK1f2e.5a3b0c2d1e0f.0")
        #expect(r.headers.to?.tag == "b0b7ag")
        #expect(r.isProvisional && !r.isFinal)
    }

    @Test func bareLineFeedsAndLeadingKeepAlive() throws {
        let text = "\r\n\r\nOPTIONS sip:a@b SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\nFrom: <sip:x@y>;tag=1\nTo: <sip:a@b>\nCall-ID: c\nCSeq: 1 OPTIONS\n\n"
        let m = try SIPMessage.parse(Array(text.utf8))
        #expect(m.request?.method == .options)
    }

    @Test func missingBlankLineAtEndOfBodylessDatagram() throws {
        let text = "BYE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\r\nFrom: <sip:x@y>;tag=1\r\nTo: <sip:a@b>;tag=2\r\nCall-ID: c\r\nCSeq: 2 BYE\r\n"
        #expect(try SIPMessage.parse(Array(text.utf8)).request?.method == .bye)
    }

    @Test func bodyWithoutContentLengthTakesRestOfDatagram() throws {
        let text = Fixtures.sippInvite.replacing("Content-Length:", with: "X-Old-Length:")
        let r = try Fixtures.parseRequest(text)
        #expect(r.body == Fixtures.crlf(Fixtures.sdp))
    }

    @Test func extraBytesBeyondContentLengthAreIgnored() throws {
        var bytes = Fixtures.crlf(Fixtures.kamailioInvite)
        bytes += Array("garbage".utf8)
        guard case .request(let r) = try SIPMessage.parse(bytes) else { Issue.record("not a request"); return }
        #expect(r.body.isEmpty)
    }

    @Test func shortContentLengthTruncatesBody() throws {
        let text = Fixtures.sippInvite.replacing(/Content-Length:\s+\d+/, with: "Content-Length: 5")
        let r = try Fixtures.parseRequest(text)
        #expect(r.body == Array("v=0\r\n".utf8))
    }

    @Test func statusLineWithEmptyReasonAndExtensionMethod() throws {
        let resp = try SIPMessage.parse(Fixtures.crlf("SIP/2.0 599 \nVia: SIP/2.0/UDP h;branch=z9hG4bKx\nFrom: <sip:x@y>;tag=1\nTo: <sip:a@b>;tag=2\nCall-ID: c\nCSeq: 1 PUBLISH\n\n"))
        #expect(resp.response?.statusCode == 599 && resp.response?.reasonPhrase == "")
        let req = try Fixtures.parseRequest("PUBLISH sip:a@b SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\nFrom: <sip:x@y>;tag=1\nTo: <sip:a@b>\nCall-ID: c\nCSeq: 1 PUBLISH\n\n")
        #expect(req.method == .other("PUBLISH") && req.method.name == "PUBLISH")
    }

    @Test func telRequestURI() throws {
        let r = try Fixtures.parseRequest("INVITE tel:+14085551212;phone-context=example.com SIP/2.0\nVia: SIP/2.0/TLS h:5061;branch=z9hG4bKx\nFrom: <sip:x@y>;tag=1\nTo: <tel:+14085551212>\nCall-ID: c\nCSeq: 1 INVITE\n\n")
        #expect(r.uri.scheme == .tel && r.uri.user == "+14085551212")
        #expect(r.uri.parameters.value("phone-context") == "example.com")
        #expect(r.headers.topVia?.effectivePort == 5061)
    }

    @Test("All methods", arguments: ["INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "UPDATE", "PRACK",
                                     "INFO", "MESSAGE", "NOTIFY", "SUBSCRIBE", "REFER"])
    func knownMethods(_ name: String) {
        let m = SIPMethod(name)
        #expect(m.name == name)
        if case .other = m { Issue.record("\(name) parsed as extension") }
        #expect(SIPMethod(name.lowercased()) == .other(name.lowercased()))
    }
}
