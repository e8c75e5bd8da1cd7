// RFC 5769 "Test Vectors for STUN" sections 2.1-2.3 (2.4, long-term credentials, is out of scope
// for ICE). The bytes are the RFC's; MESSAGE-INTEGRITY and FINGERPRINT checking against them also
// proves the transcription.
import Testing
import STUN
import TandemBase

enum RFC5769 {
    static let password = "VOkJxbRl1RmTxUk/WvJxBt"
    static let transactionID = STUNTransactionID(bytes: [0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae])!

    /// 2.1 Sample Request: SOFTWARE "STUN test client", PRIORITY, ICE-CONTROLLED, USERNAME
    /// "evtj:h6vY" (padded with spaces), MESSAGE-INTEGRITY, FINGERPRINT.
    static let request = hex("""
        00 01 00 58 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
        80 22 00 10 53 54 55 4e 20 74 65 73 74 20 63 6c 69 65 6e 74
        00 24 00 04 6e 00 01 ff
        80 29 00 08 93 2f f9 b1 51 26 3b 36
        00 06 00 09 65 76 74 6a 3a 68 36 76 59 20 20 20
        00 08 00 14 9a ea a7 0c bf d8 cb 56 78 1e f2 b5 b2 d3 f2 49 c1 b5 71 a2
        80 28 00 04 e5 7a 3b cf
        """)

    /// 2.2 Sample IPv4 Response: SOFTWARE "test vector" (padded with a space),
    /// XOR-MAPPED-ADDRESS 192.0.2.1:32853, MESSAGE-INTEGRITY, FINGERPRINT.
    static let ipv4Response = hex("""
        01 01 00 3c 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
        80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
        00 20 00 08 00 01 a1 47 e1 12 a6 43
        00 08 00 14 2b 91 f5 99 fd 9e 90 c3 8c 74 89 f9 2a f9 ba 53 f0 6b e7 d7
        80 28 00 04 c0 7d 4c 96
        """)

    /// 2.3 Sample IPv6 Response: XOR-MAPPED-ADDRESS [2001:db8:1234:5678:11:2233:4455:6677]:32853.
    static let ipv6Response = hex("""
        01 01 00 48 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
        80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
        00 20 00 14 00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9
        00 08 00 14 a3 82 95 4e 4b e6 7b f1 17 84 c9 7c 82 92 c2 75 bf e3 ed 41
        80 28 00 04 c8 fb 0b 4c
        """)
}

@Suite struct RFC5769Tests {
    @Test func sampleRequestParsesAndVerifies() throws {
        #expect(RFC5769.request.count == 108)
        try withMessage(RFC5769.request) { m in
            #expect(m.type == .bindingRequest)
            #expect(m.messageClass == .request)
            #expect(m.transactionID == RFC5769.transactionID)
            #expect(m.software == "STUN test client")
            #expect(m.username == "evtj:h6vY")
            #expect(m.priority == 0x6e0001ff)
            #expect(m.iceControlled == 0x932ff9b151263b36)
            #expect(m.iceControlling == nil)
            #expect(m.useCandidate == false)
            #expect(m.unknownComprehensionRequiredCount == 0)
            #expect(m.fingerprintMatches == true)
            #expect(m.verifyMessageIntegrity(password: RFC5769.password) == true)
            #expect(m.verifyMessageIntegrity(password: "VOkJxbRl1RmTxUk/WvJxBT") == false)
            #expect(m.verifyMessageIntegritySHA256(password: RFC5769.password) == nil)
        }
    }

    @Test(arguments: [
        (RFC5769.ipv4Response, "192.0.2.1:32853"),
        (RFC5769.ipv6Response, "[2001:db8:1234:5678:11:2233:4455:6677]:32853"),
    ])
    func sampleResponsesParseVerifyAndDecode(vector: [UInt8], mapped: String) throws {
        try withMessage(vector) { m in
            #expect(m.type == .bindingSuccess)
            #expect(m.transactionID == RFC5769.transactionID)
            #expect(m.software == "test vector")
            #expect(m.xorMappedAddress == addr(mapped))
            #expect(m.fingerprintMatches == true)
            #expect(m.verifyMessageIntegrity(password: RFC5769.password) == true)
            #expect(m.verifyMessageIntegrity(password: "wrong") == false)
        }
    }

    /// The writer reproduces the vectors byte for byte; the RFC pads with 0x20, which the
    /// writer's padding byte allows.
    @Test func requestReEncodesByteIdentically() throws {
        let bytes = try build(.bindingRequest, RFC5769.transactionID, padding: 0x20) { w in
            try w.appendSoftware("STUN test client")
            try w.appendPriority(0x6e0001ff)
            try w.appendICEControlled(tieBreaker: 0x932ff9b151263b36)
            try w.appendUsername("evtj:h6vY")
            try w.appendMessageIntegrity(password: RFC5769.password)
            try w.appendFingerprint()
        }
        #expect(bytes == RFC5769.request)
    }

    @Test(arguments: [
        (RFC5769.ipv4Response, "192.0.2.1:32853"),
        (RFC5769.ipv6Response, "[2001:db8:1234:5678:11:2233:4455:6677]:32853"),
    ])
    func responsesReEncodeByteIdentically(vector: [UInt8], mapped: String) throws {
        let bytes = try build(.bindingSuccess, RFC5769.transactionID, padding: 0x20) { w in
            try w.appendSoftware("test vector")
            try w.appendXORMappedAddress(addr(mapped))
            try w.appendMessageIntegrity(password: RFC5769.password)
            try w.appendFingerprint()
        }
        #expect(bytes == vector)
    }

    /// A flipped bit anywhere before FINGERPRINT breaks the FINGERPRINT; one inside the part
    /// covered by MESSAGE-INTEGRITY (other than the length field) breaks the integrity too.
    @Test func everyFlippedBitIsNoticed() throws {
        let v = RFC5769.request
        for i in 20..<(v.count - 8) {
            var bytes = v
            bytes[i] ^= 0x01
            guard parseError(bytes) == nil else { continue }  // a flip in a TLV header may unframe it
            try withMessage(bytes) { m in
                let fp = m.fingerprintMatches
                let mi = m.verifyMessageIntegrity(password: RFC5769.password)
                #expect(fp != true || mi != true, "byte \(i)")
                if i < v.count - 32 { #expect(mi != true, "byte \(i)") }
            }
        }
    }
}
