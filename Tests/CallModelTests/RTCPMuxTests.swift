import Testing
import TandemBase
@testable import CallModel

// rtcp-mux decisions (rtpengine's `rtcp-mux` flags), asserted on SDP output and on forwarding.

private func lines(_ sdp: String) -> [Substring] { sdp.split(separator: "\r\n") }

@Test func muxOfferIsPassedOnByDefault() throws {
    let h = Harness()
    let offered = try h.offer(offerSDP(extra: "a=rtcp-mux\r\n"))
    #expect(lines(offered).contains("a=rtcp-mux"))
    let answered = try h.answer(answerSDP(extra: "a=rtcp-mux\r\n"))
    #expect(lines(answered).contains("a=rtcp-mux"))
    // Both sides muxed: the rtcp line names the RTP port.
    let port = try #require(mediaPort(answered))
    #expect(lines(answered).contains("a=rtcp:\(port)"))
}

@Test func muxRefusedByCalleeIsRefusedToCallerByDefault() throws {
    let h = Harness()
    _ = try h.offer(offerSDP(extra: "a=rtcp-mux\r\n"))
    let answered = try h.answer()
    #expect(!lines(answered).contains("a=rtcp-mux"))
}

@Test func demuxStripsMuxTowardsCalleeButAcceptsIt() throws {
    let h = Harness()
    let offered = try h.offer(offerSDP(extra: "a=rtcp-mux\r\n")) { $0.rtcpMux = [.demux] }
    #expect(!lines(offered).contains("a=rtcp-mux"))
    let answered = try h.answer()
    #expect(lines(answered).contains("a=rtcp-mux"))
}

@Test func offerFlagOffersMuxToCalleeEvenIfCallerDidNot() throws {
    let h = Harness()
    let offered = try h.offer { $0.rtcpMux = [.offer] }
    #expect(lines(offered).contains("a=rtcp-mux"))
    let answered = try h.answer(answerSDP(extra: "a=rtcp-mux\r\n"))
    #expect(!lines(answered).contains("a=rtcp-mux"), "the caller never offered it")
    // RTCP from the caller's RTCP socket now goes to the callee's RTP socket (muxed).
    let bRTP = try h.socket(advertisedIn: offered)
    #expect(h.plane.forwarding.contains { $0.value.rtcpOut == bRTP })
}

@Test func rejectRefusesCallersMux() throws {
    let h = Harness()
    _ = try h.offer(offerSDP(extra: "a=rtcp-mux\r\n")) { $0.rtcpMux = [.reject] }
    let answered = try h.answer(answerSDP(extra: "a=rtcp-mux\r\n"))
    #expect(!lines(answered).contains("a=rtcp-mux"))
}

@Test func acceptAcceptsCallersMuxWhateverTheCalleeDoes() throws {
    let h = Harness()
    _ = try h.offer(offerSDP(extra: "a=rtcp-mux\r\n")) { $0.rtcpMux = [.accept] }
    let answered = try h.answer()
    #expect(lines(answered).contains("a=rtcp-mux"))
}

@Test func requireMakesCalleeSideMuxedAtOnce() throws {
    let h = Harness()
    let offered = try h.offer { $0.rtcpMux = [.require] }
    #expect(lines(offered).contains("a=rtcp-mux"))
    let port = try #require(mediaPort(offered))
    #expect(lines(offered).contains("a=rtcp:\(port)"))
}
