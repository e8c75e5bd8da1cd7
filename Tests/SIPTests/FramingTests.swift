import Testing
import SIP

@Suite("Stream framing")
struct FramingTests {
    @Test func completeMessageWithBody() {
        let bytes = Fixtures.crlf(Fixtures.sippInvite)
        #expect(SIPFraming.frame(bytes) == .message(length: bytes.count))
        #expect(SIPFraming.frame(bytes.dropLast()) == .needMoreData)
        #expect(SIPFraming.frame(bytes.prefix(40)) == .needMoreData)
    }

    @Test func twoMessagesBackToBack() throws {
        let first = Fixtures.crlf(Fixtures.sippInvite)
        let second = Fixtures.crlf(Fixtures.ringing)
        let stream = first + second
        guard case .message(let n) = SIPFraming.frame(stream) else { Issue.record("no frame"); return }
        #expect(n == first.count)
        #expect(try SIPMessage.parse(stream.prefix(n)).request?.method == .invite)
        #expect(SIPFraming.frame(stream.dropFirst(n)) == .message(length: second.count))
    }

    @Test func keepAlivesAndMissingContentLength() {
        #expect(SIPFraming.frame(Array("\r\n\r\n".utf8)) == .keepAlive(length: 4))
        #expect(SIPFraming.frame([UInt8]()) == .needMoreData)
        let noLength = Array("OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x\r\n\r\nleftover".utf8)
        #expect(SIPFraming.frame(noLength) == .message(length: noLength.count - 8))
    }

    @Test func badOrHugeInputsAreInvalid() {
        let bad = Array("OPTIONS sip:a@b SIP/2.0\r\nl: x\r\n\r\n".utf8)
        guard case .invalid(let e) = SIPFraming.frame(bad) else { Issue.record("accepted"); return }
        #expect(e.kind == .badContentLength)
        let huge = Array("OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 9999999\r\n\r\n".utf8)
        guard case .invalid = SIPFraming.frame(huge) else { Issue.record("accepted"); return }
        let endless = Array(repeating: UInt8(ascii: "a"), count: 70_000)
        guard case .invalid = SIPFraming.frame(endless) else { Issue.record("accepted"); return }
    }
}
