import Testing
import SIP

@Suite("Response building and identifiers")
struct HelperTests {
    @Test func replyCopiesHeadersAndAddsTag() throws {
        let r = try Fixtures.parseRequest(Fixtures.kamailioInvite)
        let reply = SIPResponse(replyingTo: r, statusCode: 408, toTag: "px1")
        #expect(reply.reasonPhrase == "Request Timeout")
        #expect(reply.headers.values("Via") == r.headers.values("Via"))
        #expect(reply.headers["From"] == r.headers["From"])
        #expect(reply.headers.callID == r.headers.callID)
        #expect(reply.headers.cseq == r.headers.cseq)
        #expect(reply.headers.to?.tag == "px1")
        #expect(!reply.headers.contains("Record-Route") && !reply.headers.contains("Contact"))
        #expect(reply.body.isEmpty)
    }

    @Test func trying100HasNoTagAndEchoesTimestamp() throws {
        var r = try Fixtures.parseRequest(Fixtures.sippInvite)
        r.headers.append("Timestamp", "54")
        let trying = SIPResponse(replyingTo: r, statusCode: 100)
        #expect(trying.headers.to?.tag == nil && trying.reasonPhrase == "Trying")
        #expect(trying.headers["Timestamp"] == "54")
    }

    @Test func existingToTagIsKept() throws {
        var r = TX.request(.bye)
        r.headers.set("To", "<sip:bob@b.example>;tag=dialog")
        let reply = SIPResponse(replyingTo: r, statusCode: 481, toTag: "new")
        #expect(reply.headers.to?.tag == "dialog")
        #expect(SIPResponse(replyingTo: r, statusCode: 200, reason: "Fine").reasonPhrase == "Fine")
    }

    @Test func randomTagWhenNoneGiven() {
        let r = TX.request(.options)
        let a = SIPResponse(replyingTo: r, statusCode: 404).headers.to?.tag
        let b = SIPResponse(replyingTo: r, statusCode: 404).headers.to?.tag
        #expect(a != nil && a != b)
    }

    @Test func branchesAndTags() {
        struct Counter: RandomNumberGenerator {
            var state: UInt64 = 0
            mutating func next() -> UInt64 { state &+= 0x9E37_79B9_7F4A_7C15; return state }
        }
        var rng = Counter()
        let branch = SIPIdentifiers.branch(using: &rng)
        #expect(branch.hasPrefix("z9hG4bK") && branch.count == 27)
        #expect(SIPIdentifiers.isRFC3261Branch(branch))
        #expect(!SIPIdentifiers.isRFC3261Branch("z9hG4b"))
        var rng2 = Counter()
        #expect(SIPIdentifiers.branch(using: &rng2) == branch)   // deterministic with a seeded RNG
        #expect(SIPIdentifiers.tag(using: &rng).count == 12)
        #expect(SIPIdentifiers.callID(host: "h", using: &rng).hasSuffix("@h"))
        #expect(SIPIdentifiers.branch() != SIPIdentifiers.branch())
        #expect(Via("SIP/2.0/UDP h;branch=\(SIPIdentifiers.branch())") != nil)
    }

    @Test func cancelRequestFields() {
        let invite = TX.request(.invite)
        let cancel = SIPRequest(cancelling: invite)
        #expect(cancel.method == .cancel && cancel.uri == invite.uri)
        #expect(cancel.headers.values("Via") == [invite.headers.first("Via")!])
        #expect(cancel.headers.cseq == CSeq(number: 1, method: .cancel))
        #expect(cancel.headers["To"] == invite.headers["To"])
        #expect(cancel.headers.values("Route") == invite.headers.values("Route"))
        #expect(cancel.headers.maxForwards?.value == 70)
    }
}
