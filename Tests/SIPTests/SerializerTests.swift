import Testing
import SIP

@Suite("Serializer")
struct SerializerTests {
    @Test("Round trip", arguments: [Fixtures.sippInvite, Fixtures.kamailioInvite, Fixtures.linphoneCompact, Fixtures.ringing])
    func roundTrip(_ text: String) throws {
        let message = try SIPMessage.parse(Fixtures.crlf(text))
        let bytes = message.serialized()
        let again = try SIPMessage.parse(bytes)
        #expect(again.startLine == message.startLine)
        #expect(again.body == message.body)
        let names = { (m: SIPMessage) in m.headers.fields.filter { $0.name.lowercased() != "content-length" && $0.name != "l" } }
        #expect(names(again) == names(message))
        #expect(again.serialized() == bytes)
    }

    @Test func kamailioInviteIsByteIdentical() throws {
        // Already canonical: one space after colons, CRLF, correct Content-Length.
        let bytes = Fixtures.crlf(Fixtures.kamailioInvite)
        let message = try SIPMessage.parse(bytes)
        #expect(message.serialized() == bytes)
    }

    @Test func foldedHeaderIsUnfolded() throws {
        let message = try SIPMessage.parse(Fixtures.crlf(Fixtures.linphoneCompact))
        let text = String(decoding: message.serialized(), as: UTF8.self)
        #expect(text.contains("User-Agent: Linphone/5.2.0 (belle-sip/5.2.0)\r\n"))
        #expect(text.contains("\r\nl: 0\r\n"))
    }

    @Test func contentLengthAlwaysMatchesBody() throws {
        var r = SIPRequest(method: .message, uri: SIPURI(user: "bob", host: "b"))
        r.headers.append("Content-Length", "999")
        r.headers.append("Content-Type", "text/plain")
        r.headers.append("l", "5")
        r.body = Array("hello world".utf8)
        let text = String(decoding: r.serialized(), as: UTF8.self)
        #expect(text == "MESSAGE sip:bob@b SIP/2.0\r\nContent-Length: 11\r\nContent-Type: text/plain\r\n\r\nhello world")
        let bare = SIPResponse(statusCode: 200)
        #expect(String(decoding: bare.serialized(), as: UTF8.self) == "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n")
    }

    @Test func editedRequestSerializes() throws {
        var r = try Fixtures.parseRequest(Fixtures.sippInvite)
        r.headers.pushVia(Via(transport: "UDP", host: "10.1.1.1", port: 5060, branch: "z9hG4bKp1"))
        r.headers.maxForwards = MaxForwards(69)
        r.headers.insertFirst("Record-Route", "<sip:10.1.1.1;lr>")
        r.body = Array("v=0\r\n".utf8)
        let again = try SIPMessage.parse(r.serialized())
        #expect(again.headers.vias?.map(\.branch) == ["z9hG4bKp1", "z9hG4bK-4018-1-0"])
        #expect(again.headers.maxForwards?.value == 69)
        #expect(again.headers.contentLength?.value == 5)
        #expect(again.body == Array("v=0\r\n".utf8))
    }
}
