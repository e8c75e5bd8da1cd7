import Testing
@testable import SIP

@Suite("Malformed input")
struct ParseErrorTests {
    static let good = """
        OPTIONS sip:a@b SIP/2.0
        Via: SIP/2.0/UDP h;branch=z9hG4bKx
        From: <sip:x@y>;tag=1
        To: <sip:a@b>
        Call-ID: c
        CSeq: 1 OPTIONS

        """

    private func error(_ text: String) -> SIPParseError? {
        do {
            _ = try SIPMessage.parse(Fixtures.crlf(text))
            return nil
        } catch {
            return error
        }
    }

    @Test func goodOneParses() { #expect(error(Self.good) == nil) }

    @Test("Unanswerable: no reply possible", arguments: [
        ("", SIPParseError.Kind.empty),
        ("\n\n\n", .empty),
        ("HELLO\nVia: x\n\n", .badStartLine),
        ("OPTIONS sip:a@b SIP/3.0\n\n", .unsupportedVersion),
        ("SIP/2.0 99 Weird\n\n", .badStatusCode),
        ("SIP/2.0 OK\n\n", .badStatusCode),
        ("SIP/1.0 200 OK\n\n", .unsupportedVersion),
    ])
    func badStartLines(_ text: String, _ kind: SIPParseError.Kind) throws {
        let e = try #require(error(text))
        #expect(e.kind == kind)
        #expect(!e.isAnswerable && e.response() == nil)
    }

    @Test("Missing mandatory header -> drop", arguments: ["Via", "From", "To", "Call-ID", "CSeq"])
    func missingMandatory(_ name: String) throws {
        let text = Self.good.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix(name + ":") }.joined(separator: "\n")
        let e = try #require(error(text))
        #expect(e.kind == .badMandatoryHeader(name))
        #expect(!e.isAnswerable)
        #expect(e.message.contains(name))
    }

    @Test func malformedVia() throws {
        let e = try #require(error(Self.good.replacing("SIP/2.0/UDP h;", with: "SIP/2.0/UDP;")))
        #expect(e.kind == .badMandatoryHeader("Via"))
    }

    @Test func headerLineWithoutColon() throws {
        let e = try #require(error(Self.good.replacing("Call-ID: c", with: "Call-ID c")))
        #expect(e.kind == .badHeaderLine && !e.isAnswerable)
    }

    @Test func cseqMismatchIsAnswerable() throws {
        let e = try #require(error(Self.good.replacing("1 OPTIONS", with: "1 INVITE")))
        #expect(e.kind == .cseqMethodMismatch)
        let reply = try #require(e.response(toTag: "t1"))
        #expect(reply.statusCode == 400 && reply.headers.to?.tag == "t1")
        #expect(reply.headers.topVia?.branch == "z9hG4bKx")
        #expect(reply.headers.callID == "c")
    }

    @Test func contentLengthLongerThanDatagramIs400() throws {
        let e = try #require(error(Self.good.replacing("CSeq: 1 OPTIONS", with: "CSeq: 1 OPTIONS\nContent-Length: 100")))
        #expect(e.kind == .truncatedBody)
        #expect(e.response()?.statusCode == 400)
    }

    @Test func badContentLength() throws {
        for value in ["abc", "-1", "1 2", "99999999999999"] {
            let e = try #require(error(Self.good.replacing("CSeq: 1 OPTIONS", with: "CSeq: 1 OPTIONS\nl: \(value)")))
            #expect(e.kind == .badContentLength, "\(value)")
            #expect(e.isAnswerable)
        }
    }

    @Test func unsupportedSchemeGets416() throws {
        let e = try #require(error(Self.good.replacing("OPTIONS sip:a@b", with: "OPTIONS http://a.b/")))
        #expect(e.kind == .unsupportedURIScheme)
        #expect(e.response()?.statusCode == 416)
    }

    @Test func badRequestURIIsAnswerable() throws {
        let e = try #require(error(Self.good.replacing("OPTIONS sip:a@b", with: "OPTIONS sip:")))
        #expect(e.kind == .badRequestURI && e.response()?.statusCode == 400)
    }

    @Test func malformedAckIsNotAnswered() throws {
        let text = Self.good.replacing("OPTIONS sip", with: "ACK sip")
        let e = try #require(error(text))
        #expect(e.kind == .cseqMethodMismatch && e.isAnswerable && e.response() == nil)
    }

    @Test func malformedResponseIsDropped() throws {
        let e = try #require(error("SIP/2.0 200 OK\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\nFrom: <sip:x@y>;tag=1\nTo: <sip:a@b>\nCall-ID: c\nCSeq: 1 OPTIONS\nContent-Length: 10\n\n"))
        #expect(e.kind == .truncatedBody && !e.isAnswerable)
    }

    @Test func limits() throws {
        let big = Array(repeating: UInt8(ascii: "a"), count: 70_000)
        #expect(throws: SIPParseError.self) { try SIPMessage.parse(big) }
        var many = "OPTIONS sip:a@b SIP/2.0\n"
        for i in 0..<300 { many += "X-H\(i): v\n" }
        let small = SIPParseLimits(maxMessageSize: 65_535, maxHeaderCount: 256, maxLineLength: 8192)
        do {
            _ = try SIPMessage.parse(Fixtures.crlf(many + "\n"), limits: small)
            Issue.record("accepted too many headers")
        } catch {
            #expect(error.kind == .tooManyHeaders)
        }
        let longLine = "OPTIONS sip:a@b SIP/2.0\nX: " + String(repeating: "y", count: 9000) + "\n\n"
        do {
            _ = try SIPMessage.parse(Fixtures.crlf(longLine))
            Issue.record("accepted a long line")
        } catch {
            #expect(error.kind == .lineTooLong)
        }
    }

    @Test func continuationBeforeFirstHeader() throws {
        let e = try #require(error("OPTIONS sip:a@b SIP/2.0\n folded\n\n"))
        #expect(e.kind == .badHeaderLine)
    }

    @Test func garbageNeverTraps() {
        var rng = SystemRandomNumberGenerator()
        let base = Fixtures.crlf(Fixtures.kamailioInvite)
        for _ in 0..<2000 {
            var bytes = base
            for _ in 0..<4 {
                let i = Int(rng.next(upperBound: UInt(bytes.count)))
                bytes[i] = UInt8(truncatingIfNeeded: rng.next())
            }
            if let m = try? SIPMessage.parse(bytes) { _ = try? SIPMessage.parse(m.serialized()) }
        }
    }
}
