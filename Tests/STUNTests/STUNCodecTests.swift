import Testing
import STUN
import TandemBase

@Suite struct STUNCodecTests {
    static let tid = STUNTransactionID(high: 0x0102_0304, low: 0x0506_0708_090a_0b0c)

    @Test func messageTypesInterleaveClassBits() {
        #expect(STUNMessageType.bindingRequest.rawValue == 0x0001)
        #expect(STUNMessageType.bindingIndication.rawValue == 0x0011)
        #expect(STUNMessageType.bindingSuccess.rawValue == 0x0101)
        #expect(STUNMessageType.bindingError.rawValue == 0x0111)
        #expect(STUNMessageType(method: 0x003, class: .errorResponse).rawValue == 0x0113)  // TURN Allocate error
        for method in UInt16(0)...0x0fff {
            for c in STUNMessageClass.allCases {
                let t = STUNMessageType(method: method, class: c)
                #expect(t.method == method && t.messageClass == c)
                #expect(t.rawValue & 0xc000 == 0)
            }
        }
    }

    @Test func crc32CheckValue() {
        let check = Array("123456789".utf8).withUnsafeBytes { stunFingerprint($0) } ^ 0x5354_554E
        #expect(check == 0xCBF4_3926)
    }

    @Test func transactionIDBytesRoundTrip() {
        #expect(Self.tid.bytes == Array(1...12))
        #expect(STUNTransactionID(bytes: Self.tid.bytes) == Self.tid)
        #expect(STUNTransactionID(bytes: [1, 2, 3]) == nil)
        #expect(STUNTransactionID.random() != STUNTransactionID.random())
    }

    @Test(arguments: ["192.0.2.1:32853", "[2001:db8::1]:1", "0.0.0.0:0", "[::ffff:10.0.0.1]:65535",
                      "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:5060"])
    func addressesRoundTrip(text: String) throws {
        let a = addr(text)
        for _ in 0..<8 {
            let tid = STUNTransactionID.random()
            let bytes = try build(.bindingSuccess, tid) { w in
                try w.appendMappedAddress(a)
                try w.appendXORMappedAddress(a)
            }
            try withMessage(bytes) { m in
                #expect(m.mappedAddress == a)
                #expect(m.xorMappedAddress == a)
                #expect(m.transactionID == tid)
            }
        }
    }

    @Test func errorResponsesRoundTrip() throws {
        let bytes = try build(.bindingError, Self.tid) { w in
            try w.appendErrorCode(420, reason: "Unknown Attribute")
            try w.appendUnknownAttributes([STUNAttributeType(0x0003), STUNAttributeType(0x7777), STUNAttributeType(0x0042)])
            try w.appendMessageIntegrity(password: "pw")
            try w.appendFingerprint()
        }
        #expect(bytes.count % 4 == 0)
        try withMessage(bytes) { m in
            #expect(m.type == .bindingError)
            #expect(m.errorCode?.code == 420)
            #expect(m.errorCode?.reason == "Unknown Attribute")
            #expect(m.unknownAttributes.map(\.rawValue) == [0x0003, 0x7777, 0x0042])
            #expect(m.verifyMessageIntegrity(password: "pw") == true)
            #expect(m.fingerprintMatches == true)
        }
        for code in [300, 400, 401, 487, 500, 699] {
            let b = try build(.bindingError, Self.tid) { try $0.appendErrorCode(code, reason: "") }
            #expect(try withMessage(b) { $0.errorCode?.code } == code)
        }
        #expect(throws: STUNError.badErrorCode) { try build(.bindingError, Self.tid) { try $0.appendErrorCode(700, reason: "x") } }
    }

    @Test func integritySHA256AloneAndAfterSHA1() throws {
        let only = try build(.bindingRequest, Self.tid) { w in
            try w.appendUsername("a:b")
            try w.appendMessageIntegritySHA256(password: "secret")
            try w.appendFingerprint()
        }
        try withMessage(only) { m in
            #expect(m.verifyMessageIntegrity(password: "secret") == nil)
            #expect(m.verifyMessageIntegritySHA256(password: "secret") == true)
            #expect(m.verifyMessageIntegritySHA256(password: "Secret") == false)
            #expect(m.fingerprintMatches == true)
        }
        let both = try build(.bindingRequest, Self.tid) { w in
            try w.appendUsername("a:b")
            try w.appendMessageIntegrity(password: "secret")
            try w.appendMessageIntegritySHA256(password: "secret")
            try w.appendFingerprint()
        }
        try withMessage(both) { m in
            #expect(m.verifyMessageIntegrity(password: "secret") == true)
            #expect(m.verifyMessageIntegritySHA256(password: "secret") == true)
        }
    }

    /// RFC 8489 section 14.5: attributes after MESSAGE-INTEGRITY (but FINGERPRINT and
    /// MESSAGE-INTEGRITY-SHA256) are ignored; unknown comprehension-required ones are counted
    /// only before it.
    @Test func attributesAfterIntegrityAreIgnored() throws {
        // Hand-built: USERNAME "a:b", MI (garbage), then USERNAME "x:y" and an unknown 0x0003.
        var bytes: [UInt8] = [0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42] + Self.tid.bytes
        bytes += [0x00, 0x06, 0x00, 0x03, 0x61, 0x3a, 0x62, 0x00]
        bytes += [0x00, 0x08, 0x00, 0x14] + [UInt8](repeating: 7, count: 20)
        bytes += [0x00, 0x06, 0x00, 0x03, 0x78, 0x3a, 0x79, 0x00]
        bytes += [0x00, 0x03, 0x00, 0x00]
        bytes[3] = UInt8(bytes.count - 20)
        try withMessage(bytes) { m in
            #expect(m.username == "a:b")
            #expect(m.unknownComprehensionRequiredCount == 0)
            #expect(m.hasMessageIntegrity)
            #expect(m.verifyMessageIntegrity(password: "p") == false)
            #expect(Array(m.attributes.map(\.type.rawValue)) == [0x0006, 0x0008, 0x0006, 0x0003])
        }
    }

    @Test func unknownAttributesAreReported() throws {
        let bytes = try build(.bindingRequest, Self.tid) { w in
            try w.append(STUNAttributeType(0x0003), bytes: UnsafeRawBufferPointer(start: nil, count: 0))
            try w.append(STUNAttributeType(0xC057), text: "optional, ignored")
            try w.append(STUNAttributeType(0x0003), text: "again")
            try w.append(STUNAttributeType(0x0042), text: "x")
        }
        try withMessage(bytes) { m in
            #expect(m.unknownComprehensionRequiredCount == 3)
            #expect(m.unknownComprehensionRequired.map(\.rawValue) == [0x0003, 0x0042])
            #expect(m.attribute(STUNAttributeType(0xC057)).map { String(decoding: $0, as: UTF8.self) } == "optional, ignored")
        }
    }

    @Test func headerErrors() throws {
        let good = RFC5769.request
        #expect(parseError(good) == nil)
        #expect(parseError([]) == .tooShort)
        #expect(parseError(Array(good[0..<19])) == .tooShort)
        var b = good; b[0] = 0x80
        #expect(parseError(b) == .notSTUN)
        b = good; b[0] = 0x40
        #expect(parseError(b) == .notSTUN)
        b = good; b[7] ^= 1
        #expect(parseError(b) == .badMagicCookie)
        b = good; b[3] = 0x57
        #expect(parseError(b) == .lengthNotMultipleOf4)
        b = good; b[3] = 0x5c
        #expect(parseError(b) == .lengthMismatch(header: 112, datagram: 108))
        #expect(parseError(Array(good[0..<104])) == .lengthMismatch(header: 108, datagram: 104))
        b = good + [0, 0, 0, 0]
        #expect(parseError(b) == .lengthMismatch(header: 108, datagram: 112))
    }

    @Test func attributeErrors() throws {
        func message(_ attrs: [UInt8]) -> [UInt8] {
            [0x00, 0x01, UInt8(attrs.count >> 8), UInt8(attrs.count & 0xff), 0x21, 0x12, 0xa4, 0x42] + Self.tid.bytes + attrs
        }
        #expect(parseError(message([0x00, 0x06, 0x00, 0x05, 1, 2, 3, 4])) == .truncatedAttribute(offset: 20))
        #expect(parseError(message([0x00, 0x06, 0x00, 0x04, 1, 2, 3, 4, 0x00, 0x06, 0x00, 0x01])) == .truncatedAttribute(offset: 28))
        #expect(parseError(message([0x00, 0x24, 0x00, 0x03, 1, 2, 3, 0])) == .badAttributeLength(.priority, 3))
        #expect(parseError(message([0x00, 0x25, 0x00, 0x04, 1, 2, 3, 0])) == .badAttributeLength(.useCandidate, 4))
        #expect(parseError(message([0x80, 0x29, 0x00, 0x04, 1, 2, 3, 0])) == .badAttributeLength(.iceControlled, 4))
        #expect(parseError(message([0x00, 0x08, 0x00, 0x04, 1, 2, 3, 0])) == .badAttributeLength(.messageIntegrity, 4))
        #expect(parseError(message([0x80, 0x28, 0x00, 0x00])) == .badAttributeLength(.fingerprint, 0))
        #expect(parseError(message([0x00, 0x20, 0x00, 0x08, 0, 3, 0, 0, 1, 2, 3, 4])) == .badAddressFamily(3))
        #expect(parseError(message([0x00, 0x20, 0x00, 0x14, 0, 1, 0, 0] + [UInt8](repeating: 0, count: 16))) == .badAttributeLength(.xorMappedAddress, 20))
        #expect(parseError(message([0x00, 0x01, 0x00, 0x08, 0, 2, 0, 0, 1, 2, 3, 4])) == .badAttributeLength(.mappedAddress, 8))
        #expect(parseError(message([0x00, 0x09, 0x00, 0x04, 0, 0, 2, 0])) == .badErrorCode)
        #expect(parseError(message([0x00, 0x09, 0x00, 0x04, 0, 0, 4, 100])) == .badErrorCode)
        #expect(parseError(message([0x00, 0x0a, 0x00, 0x03, 0, 1, 2, 0])) == .badAttributeLength(.unknownAttributes, 3))
        #expect(parseError(message([0x80, 0x28, 0x00, 0x04, 1, 2, 3, 4, 0x80, 0x22, 0x00, 0x00])) == .attributeAfterFingerprint)
        #expect(parseError(message([0x00, 0x06, 0x02, 0x04] + [UInt8](repeating: 0x61, count: 516))) == .badAttributeLength(.username, 516))
    }

    @Test func writerErrors() throws {
        var small = [UInt8](repeating: 0, count: 19)
        small.withUnsafeMutableBytes { raw in
            #expect(throws: STUNError.bufferTooSmall) { _ = try STUNWriter(into: raw, type: .bindingRequest, transactionID: Self.tid) }
        }
        var buffer = [UInt8](repeating: 0, count: 40)
        try buffer.withUnsafeMutableBytes { raw in
            var w = try STUNWriter(into: raw, type: .bindingRequest, transactionID: Self.tid)
            try w.appendPriority(1)
            #expect(throws: STUNError.bufferTooSmall) { try w.appendUsername("0123456789") }
            #expect(w.count == 28)
            try w.appendFingerprint()
            #expect(throws: STUNError.attributeOrder) { try w.appendUseCandidate() }
        }
        var larger = [UInt8](repeating: 0, count: 100)
        try larger.withUnsafeMutableBytes { raw in
            var w = try STUNWriter(into: raw, type: .bindingRequest, transactionID: Self.tid)
            try w.appendMessageIntegrity(password: "k")
            #expect(throws: STUNError.attributeOrder) { try w.appendUseCandidate() }
            #expect(throws: STUNError.attributeOrder) { try w.appendMessageIntegrity(password: "k") }
        }
    }

    /// Random and mutated inputs never crash the parser nor the accessors.
    @Test func garbageNeverCrashes() throws {
        var g = SplitMix64(state: 42)
        let seeds = [RFC5769.request, RFC5769.ipv4Response, RFC5769.ipv6Response]
        for round in 0..<30_000 {
            var bytes: [UInt8]
            if round % 3 == 0 {
                bytes = (0..<Int(g.next() % 120)).map { _ in UInt8(truncatingIfNeeded: g.next()) }
                if bytes.count >= 8, round % 2 == 0 {  // plausible header so attribute parsing runs
                    bytes[0] &= 0x3f
                    bytes[2] = 0; bytes[3] = UInt8(truncatingIfNeeded: bytes.count - 20) & 0xfc
                    bytes[4] = 0x21; bytes[5] = 0x12; bytes[6] = 0xa4; bytes[7] = 0x42
                }
            } else {
                bytes = seeds[Int(g.next() % 3)]
                for _ in 0..<(1 + Int(g.next() % 4)) {
                    bytes[Int(g.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: g.next())
                }
                if g.next() % 4 == 0 { bytes = Array(bytes.prefix(Int(g.next() % UInt64(bytes.count)))) }
            }
            _ = bytes.withUnsafeBytes { raw -> Int in
                guard let m = try? STUNMessage(raw) else { return 0 }
                var n = 0
                for a in m.attributes { n += a.value.count }
                _ = (m.username, m.software, m.priority, m.iceControlled, m.iceControlling, m.useCandidate,
                     m.mappedAddress, m.xorMappedAddress, m.errorCode, m.unknownAttributes,
                     m.unknownComprehensionRequired, m.fingerprintMatches,
                     m.verifyMessageIntegrity(password: "x"), m.verifyMessageIntegritySHA256(password: "x"))
                return n
            }
        }
    }
}
