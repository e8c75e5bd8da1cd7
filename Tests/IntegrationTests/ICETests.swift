import Foundation
import STUN
import TandemBase
import TandemTestSupport
import Testing

extension Integration {
    @Suite struct ICE {
        /// A browser offering ICE over IPv6 gets tandemd's candidates (127.0.0.1 and ::1); its
        /// connectivity check from an IPv4 socket on the 127.0.0.1 candidate (the separately
        /// allocated pair) is answered from that socket, signed with tandemd's password, and after
        /// the nomination the callee's RTP reaches the browser's IPv4 socket from that candidate.
        @Test(.enabled(if: !Tandemd.isReference, "tandemd's ICE-lite agent"))
        func connectivityCheckAndNominationOnTheOtherFamilysCandidate() throws {
            let daemon = try Tandemd(slot: 17)
            try withDaemonLog(daemon) {
                let ng = try daemon.client()
                let browser = try Phone("::1"), b = try Phone("::1")  // the callee side follows the offer's family
                let browserICE = ["a=ice-ufrag:F7gI", "a=ice-pwd:x9cml/YzichV2+XlhiMu8g",
                                  "a=candidate:1 1 udp 2122260223 ::1 \(browser.port) typ host"]
                let call = try RelayedCall.setUp(ng, a: browser, b: b, offerSDP: browser.sdp(extra: browserICE))
                let lines = call.answerOut.text.split(whereSeparator: \.isNewline).map(String.init)
                let ufrag = try #require(lines.first { $0.hasPrefix("a=ice-ufrag:") }).dropFirst(12)
                let pwd = String(try #require(lines.first { $0.hasPrefix("a=ice-pwd:") }).dropFirst(10))
                let candidate = try #require(lines.first { $0.hasPrefix("a=candidate:") && $0.contains(" 1 UDP ") && $0.contains(" 127.0.0.1 ") })
                let v4Port = try #require(UInt16(candidate.split(separator: " ")[5]))
                #expect(daemon.portRange.contains(v4Port))
                #expect(v4Port != call.toA.rtpPort, "the 127.0.0.1 candidate has its own port pair")
                let v4 = TransportAddress(ip: IPAddress("127.0.0.1")!, port: v4Port)
                let browser4 = try #require(UDPSocket("127.0.0.1"))

                var buffer = [UInt8](repeating: 0, count: 512)
                let count = try buffer.withUnsafeMutableBytes { raw -> Int in
                    var w = try STUNWriter(into: raw, type: .bindingRequest,
                                           transactionID: STUNTransactionID(high: 0x0A0B_0C0D, low: 0x0102_0304_0506_0708))
                    try w.appendUsername("\(ufrag):F7gI")
                    try w.appendPriority(2_122_260_223)
                    try w.appendICEControlling(tieBreaker: 42)
                    try w.appendUseCandidate()
                    try w.appendMessageIntegrity(password: pwd)
                    try w.appendFingerprint()
                    return w.count
                }
                browser4.send(Array(buffer[0..<count]), to: v4)
                let reply = try #require(browser4.receive(timeout: 2), "no STUN response")
                #expect(reply.from == v4)
                try reply.bytes.withUnsafeBytes { raw in
                    let response = try STUNMessage(raw)
                    #expect(response.messageClass == .successResponse)
                    #expect(response.verifyMessageIntegrity(password: pwd) == true)
                    #expect(response.xorMappedAddress == browser4.address)
                }
                relayRTP(count: 10, ssrc: 0xB0B0_0002, from: b.rtp, to: call.toB.rtp, at: browser4, expectedSource: v4)
                #expect(browser.rtp.hearsNothing(within: 0.2), "media still sent to the SDP address")
            }
        }
    }
}
