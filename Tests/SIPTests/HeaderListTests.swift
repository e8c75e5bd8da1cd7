import Testing
import SIP

@Suite("Header list operations")
struct HeaderListTests {
    private func sample() -> SIPHeaders {
        var h = SIPHeaders()
        h.append("v", "SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2")
        h.append("VIA", "SIP/2.0/UDP c;branch=z9hG4bK3")
        h.append("From", "\"Doe, John\" <sip:j@x>;tag=1")
        h.append("Date", "Sat, 13 Nov 2010 23:29:00 GMT")
        h.append("l", "0")
        return h
    }

    @Test func lookupIsCaseInsensitiveAndCompact() {
        let h = sample()
        #expect(h.values("via").count == 3)
        #expect(h.values("V").count == 3)
        #expect(h.first("Via") == "SIP/2.0/UDP a;branch=z9hG4bK1")
        #expect(h["content-length"] == "0")
        #expect(h["f"] == "\"Doe, John\" <sip:j@x>;tag=1")
        #expect(h.values("Date") == ["Sat, 13 Nov 2010 23:29:00 GMT"])
        #expect(h.contains("FROM") && !h.contains("To"))
    }

    @Test func compactFormTable() {
        let pairs = ["i": "Call-ID", "f": "From", "t": "To", "v": "Via", "m": "Contact", "l": "Content-Length",
                     "c": "Content-Type", "k": "Supported", "s": "Subject", "e": "Content-Encoding", "o": "Event",
                     "r": "Refer-To", "x": "Session-Expires", "u": "Allow-Events"]
        for (short, long) in pairs {
            #expect(SIPHeaderName.key(short) == SIPHeaderName.key(long), "\(short)")
            #expect(SIPHeaderName.key(short.uppercased()) == long.lowercased())
        }
    }

    @Test func splitRespectsQuotesAndBrackets() {
        var h = SIPHeaders()
        h.append("Contact", "\"A, B\" <sip:a@x;p=\"q,r\">;q=0.5, <sip:b@y?h=1,2>")
        #expect(h.values("Contact") == ["\"A, B\" <sip:a@x;p=\"q,r\">;q=0.5", "<sip:b@y?h=1,2>"])
    }

    @Test func viaPushAndPop() throws {
        var h = sample()
        h.pushVia(Via(transport: "UDP", host: "proxy", port: 5060, branch: "z9hG4bKtop"))
        #expect(h.fields.first?.name == "Via")
        #expect(h.topVia?.branch == "z9hG4bKtop")
        #expect(h.popVia()?.branch == "z9hG4bKtop")
        #expect(h.popVia()?.branch == "z9hG4bK1")
        // The combined line keeps its remaining value.
        #expect(h.fields.first?.value == "SIP/2.0/UDP b;branch=z9hG4bK2")
        #expect(h.popVia()?.branch == "z9hG4bK2")
        #expect(h.popVia()?.branch == "z9hG4bK3")
        #expect(h.popVia() == nil)
        #expect(!h.contains("Via"))
    }

    @Test func setReplaceRemove() {
        var h = sample()
        h.set("Via", "SIP/2.0/TCP z;branch=z9hG4bKz")
        #expect(h.values("Via") == ["SIP/2.0/TCP z;branch=z9hG4bKz"])
        #expect(h.fields.first?.name == "v")
        h["Max-Forwards"] = "70"
        #expect(h.fields.last?.name == "Max-Forwards")
        h.maxForwards = MaxForwards(69)
        #expect(h["max-forwards"] == "69")
        h["Date"] = nil
        #expect(!h.contains("Date"))
        h.remove("content-length")
        #expect(h["l"] == nil)
        h.insertFirst("Record-Route", "<sip:p;lr>")
        #expect(h.fields.first?.name == "Record-Route")
        #expect(h.removeFirstValue("Record-Route") == "<sip:p;lr>" && h.removeFirstValue("Record-Route") == nil)
    }

    @Test func typedSetters() throws {
        var h = SIPHeaders()
        h.to = try #require(NameAddr("<sip:bob@b>"))
        var to = try #require(h.to)
        to.tag = "xyz"
        h.to = to
        #expect(h["To"] == "<sip:bob@b>;tag=xyz")
        h.cseq = CSeq(number: 5, method: .bye)
        #expect(h["CSeq"] == "5 BYE")
        h.callID = "abc@host"
        #expect(h.callID == "abc@host")
        h.from = nil
        #expect(!h.contains("From"))
    }

    @Test func contactWildcard() {
        var h = SIPHeaders()
        h.append("Contact", "*")
        #expect(h.isContactWildcard && h.contacts == nil)
    }
}
