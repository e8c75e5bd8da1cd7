// Requests made by other implementations, answered by our ICE-lite agent. Each fixture was
// generated once and frozen here; the script that made it is beside it, and our answer was
// checked by the same implementation (tools/interop/aioice.sh runs the live version).
import Testing
import STUN
import TandemBase

@Suite struct InteropTests {
    static let relay = ICEShortTermCredentials(ufrag: "RlYuFrAg", pwd: "relaypasswordrelaypassword")
    static let browser = ICEShortTermCredentials(ufrag: "brws", pwd: "browserpasswordbrowserpass")

    /// aioice 0.13.0 (aiortc's ICE), as its Connection.build_request + Transaction send it:
    ///   m = stun.Message(message_method=stun.Method.BINDING, message_class=stun.Class.REQUEST,
    ///                    transaction_id=bytes.fromhex("a1a2a3a4a5a6a7a8a9aaabac"))
    ///   m.attributes["USERNAME"] = "RlYuFrAg:brws"
    ///   m.attributes["PRIORITY"] = candidate_priority(1, "prflx")
    ///   m.attributes["ICE-CONTROLLING"] = 0x0102030405060708
    ///   m.attributes["USE-CANDIDATE"] = None
    ///   m.add_message_integrity(b"relaypasswordrelaypassword"); m.add_fingerprint()
    static let aioiceRequest = hex("""
        0001004c2112a442a1a2a3a4a5a6a7a8a9aaabac0006000d526c5975467241673a62727773000000002400046effffff
        802a000801020304050607080025000000080014da970f106284ff0fd78febc3bbeb5b1c969485dc8028000443c0eae0
        """)

    /// Our answer to it from 203.0.113.9:61000, which aioice's stun.parse_message accepts
    /// (FINGERPRINT) and whose check_message_integrity(b"relaypasswordrelaypassword") is True,
    /// XOR-MAPPED-ADDRESS decoding to ('203.0.113.9', 61000).
    static let ourResponse = hex("""
        0101002c2112a442a1a2a3a4a5a6a7a8a9aaabac002000080001cf5aea12d54b00080014a657dfdd22e85e48eecc6da3
        1db8c6d695bf82c180280004a827b45f
        """)

    /// Python's hmac/hashlib/zlib (tools/fuzz/seeds/stun/browser-nominate): a request with
    /// libwebrtc's GOOG-NETWORK-INFO (0xC057) beside the ICE attributes.
    static let pythonRequest = hex("""
        000100542112a4420102030405060708090a0b0c0006000d526c5975467241673a62727773000000802a0008112233445566
        778800250000002400046e7f1effc05700040001000a00080014e1661b58e69b1e6d0706e5c70d2334fe80a2c8aa8028000402d679f8
        """)

    /// Same, MESSAGE-INTEGRITY-SHA256 instead of MESSAGE-INTEGRITY (tools/fuzz/seeds/stun/browser-sha256).
    static let pythonSHA256Request = hex("""
        000100582112a4420102030405060708090a0b0c0006000d526c5975467241673a62727773000000802a0008112233445566
        778800250000002400046e7f1eff001c0020ecc8958dc0058067b528895b2a39b71cac8e00ab3e4fe6b6f9755cbccf569df4
        802800047a9ae52d
        """)

    @Test func aioiceRequestIsAnsweredAsAioiceExpects() throws {
        var agent = ICELiteAgent(local: Self.relay, remote: Self.browser)
        let from = addr("203.0.113.9:61000"), to = addr("192.0.2.1:30000")
        let (outcome, response) = agent.handle(Self.aioiceRequest, from: from, to: to, now: .zero)
        #expect(outcome == .success(length: 64))
        #expect(response == Self.ourResponse)
        #expect(agent.drainEvents() == [.validCheck(from: from, to: to), .nominated(from: from, to: to)])
    }

    @Test(arguments: [pythonRequest, pythonSHA256Request])
    func pythonBuiltRequestsVerify(request: [UInt8]) throws {
        var agent = ICELiteAgent(local: Self.relay, remote: Self.browser)
        let (outcome, _) = agent.handle(request, from: addr("198.51.100.7:54321"), to: addr("192.0.2.1:30000"), now: .zero)
        guard case .success = outcome else { Issue.record("\(outcome)"); return }
        #expect(agent.counters.nominations == 1)
    }
}
