import STUN
import Testing
import TandemBase
@testable import CallModel

private let browserUfrag = "F7gI"
private let browserPwd = "x9cml/YzichV2+XlhiMu8g"
private let iceOffer = offerSDP(extra: """
a=ice-ufrag:\(browserUfrag)\r
a=ice-pwd:\(browserPwd)\r
a=candidate:1 1 udp 2122260223 198.51.100.1 6000 typ host\r

""")

/// `a=name:value` values of `sdp`.
private func attributes(_ name: String, in sdp: String) -> [String] {
    sdp.split(separator: "\r\n").compactMap { line in
        line.hasPrefix("a=\(name):") ? String(line.dropFirst(name.count + 3)) : nil
    }
}

/// A Binding request as a browser (controlling) sends it: USERNAME, PRIORITY, ICE-CONTROLLING,
/// USE-CANDIDATE, MESSAGE-INTEGRITY with the relay's password, FINGERPRINT.
private func bindingRequest(username: String, password: String, nominate: Bool) throws -> [UInt8] {
    var buffer = [UInt8](repeating: 0, count: 512)
    let count = try buffer.withUnsafeMutableBytes { raw -> Int in
        var w = try STUNWriter(into: raw, type: .bindingRequest,
                               transactionID: STUNTransactionID(high: 0x0102_0304, low: 0x0506_0708_090a_0b0c))
        try w.appendUsername(username)
        try w.appendPriority(1_845_501_695)
        try w.appendICEControlling(tieBreaker: 0x1122_3344_5566_7788)
        if nominate { try w.appendUseCandidate() }
        try w.appendMessageIntegrity(password: password)
        try w.appendFingerprint()
        return w.count
    }
    return Array(buffer[0..<count])
}

@Test func iceOffererGetsCandidatesOnBothAddressesAndTheCalleeNone() throws {
    let h = Harness()
    let offered = try h.offer(iceOffer) { $0.ice = .remove }
    #expect(attributes("candidate", in: offered).isEmpty)
    let answered = try h.answer()
    let candidates = attributes("candidate", in: answered)
    #expect(candidates.count == 4)
    #expect(candidates[0].contains(" 1 UDP 2130706431 127.0.0.1 "))
    #expect(candidates[1].contains(" 1 UDP 2130706175 ::1 "))
    #expect(candidates[2].contains(" 2 UDP 2130706430 127.0.0.1 "))
    #expect(candidates[3].contains(" 2 UDP 2130706174 ::1 "))
    #expect(h.plane.open.count == 6, "RTP+RTCP for the callee, and for the caller on 127.0.0.1 and ::1")
    // A re-answer keeps the credentials and the ports.
    let again = try h.answer()
    #expect(attributes("ice-ufrag", in: again) == attributes("ice-ufrag", in: answered))
    #expect(attributes("candidate", in: again) == candidates)
    try h.registry.delete(callID: "c1", fromTag: nil, toTag: nil, viaBranch: nil, delay: 0, now: h.now)
    #expect(h.plane.open.isEmpty, "the ::1 pair is released with the call")
}

@Test func connectivityCheckIsAnsweredAndNominationRelatches() throws {
    let h = Harness()
    let offered = try h.offer(iceOffer)
    let answered = try h.answer()
    let ufrag = try #require(attributes("ice-ufrag", in: answered).first)
    let pwd = try #require(attributes("ice-pwd", in: answered).first)
    // The browser checks and nominates our ::1 component-1 candidate.
    let v6Candidate = try #require(attributes("candidate", in: answered).first { $0.contains(" ::1 ") })
    let v6Port = try #require(UInt16(v6Candidate.split(separator: " ")[5]))
    let v6Socket = try #require(h.plane.socket(port: v6Port))
    let browser = try #require(TransportAddress("[::1]:50000"))
    let request = try bindingRequest(username: "\(ufrag):\(browserUfrag)", password: pwd, nominate: true)
    h.registry.handleControl(ControlPacket(kind: .stun, socket: v6Socket, source: browser, bytes: request), now: h.now)

    let sent = try #require(h.plane.controlSent.last)
    #expect(h.plane.controlSent.count == 1)
    #expect(sent.from == v6Socket)
    #expect(sent.to == browser)
    try sent.bytes.withUnsafeBytes { raw in
        let response = try STUNMessage(raw)
        #expect(response.messageClass == .successResponse)
        #expect(response.verifyMessageIntegrity(password: pwd) == true)
        #expect(response.fingerprintMatches == true)
        #expect(response.xorMappedAddress == browser)
    }
    // Latched: the ::1 socket talks to the browser, and the callee's media leaves from it.
    #expect(h.plane.forwarding[v6Socket]?.remote == browser)
    #expect(h.plane.forwarding[v6Socket]?.resetLatch == true)
    let towardsCallee = try h.socket(advertisedIn: offered)
    #expect(h.plane.forwarding[towardsCallee]?.rtpOut == v6Socket)

    // A check signed with a wrong password is refused and changes nothing.
    let bad = try bindingRequest(username: "\(ufrag):\(browserUfrag)", password: "wrong-password-0123456789", nominate: true)
    let other = try #require(TransportAddress("[::1]:50002"))
    h.registry.handleControl(ControlPacket(kind: .stun, socket: v6Socket, source: other, bytes: bad), now: h.now)
    #expect(h.plane.forwarding[v6Socket]?.remote == browser)
}

@Test func stunOnASocketWithoutICEIsIgnored() throws {
    let h = Harness()
    let offered = try h.offer()
    _ = try h.answer()
    let socket = try h.socket(advertisedIn: offered)
    let request = try bindingRequest(username: "a:b", password: "0123456789012345678901", nominate: true)
    h.registry.handleControl(ControlPacket(kind: .stun, socket: socket, source: TransportAddress("198.51.100.2:7000")!,
                                           bytes: request), now: h.now)
    #expect(h.plane.controlSent.isEmpty)
}

@Test func noPortsForTheIPv6CandidatesLeavesNothingBehind() throws {
    // Two pairs: enough for the plain call, not for the ::1 pair ICE needs towards the callee.
    let h = Harness(range: 30000...30003)
    #expect(throws: CallError.outOfPorts) { try h.offer(iceOffer) }
    #expect(h.plane.open.isEmpty)
    #expect(h.registry.call("c1") == nil)
    _ = try h.offer()
    #expect(h.plane.open.count == 4)
}

@Test func iceSwitchedOnByForceMovesTheCalleeLegToNewPorts() throws {
    let h = Harness()
    let first = try h.offer()
    _ = try h.answer()
    let again = try h.offer { $0.ice = .force }
    #expect(mediaPort(again) != mediaPort(first))
    #expect(h.plane.socket(port: try #require(mediaPort(first))) == nil, "the old pair is closed")
    #expect(attributes("candidate", in: again).count == 4)
    let third = try h.offer { $0.ice = .force }
    #expect(mediaPort(third) == mediaPort(again), "ports and credentials kept from then on")
    #expect(attributes("ice-ufrag", in: third) == attributes("ice-ufrag", in: again))
}
