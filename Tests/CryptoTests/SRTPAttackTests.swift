import Crypto
import Testing

// Attacks and state handling: tampering, replay, too-old packets, MKI, truncation, ROC
// estimation around the wrap, the SSRC table. Every failure must leave the context as it was
// (the next valid packet still works).

private let key16 = [UInt8](0..<16), key24 = [UInt8](0..<24), key32 = [UInt8](0..<32)
private let salt14 = [UInt8](100..<114), salt12 = [UInt8](100..<112)

private func pair(_ suite: SRTPSuite, mki: SRTPMKI? = nil, options: SRTPOptions = .init()) throws -> (SRTPContext, SRTPContext) {
    let key = suite.masterKeyLength == 16 ? key16 : suite.masterKeyLength == 24 ? key24 : key32
    let salt = suite.isAEAD ? salt12 : salt14
    return (try SRTPContext(suite: suite, masterKey: key, masterSalt: salt, mki: mki, options: options),
            try SRTPContext(suite: suite, masterKey: key, masterSalt: salt, mki: mki, options: options))
}

private func rtp(_ seq: UInt16, ssrc: UInt32 = 0xAABB_CCDD, size: Int = 160) -> [UInt8] {
    makeRTP(seq: seq, ts: UInt32(seq) &* 160, ssrc: ssrc, payload: (0..<size).map { UInt8(truncatingIfNeeded: $0 &+ Int(seq)) })
}

private func rtcp(ssrc: UInt32 = 0xAABB_CCDD, fill: UInt8 = 7) -> [UInt8] {
    [0x80, 200, 0, 6] + withUnsafeBytes(of: ssrc.bigEndian, Array.init) + [UInt8](repeating: fill, count: 20)
}

@Suite struct SRTPAttackTests {
    @Test(arguments: SRTPSuite.allCases)
    func flippedBitFailsAuthAndLeavesStateUnchanged(suite: SRTPSuite) throws {
        let (tx, rx) = try pair(suite)
        let p0 = try tx.protect(rtp(100)), p1 = try tx.protect(rtp(101))
        // Every byte position: header, payload and tag.
        for i in stride(from: 0, to: p0.count, by: 1) {
            var bad = p0
            bad[i] ^= 0x01
            #expect(throws: SRTPError.authFailed, "byte \(i)") { try rx.unprotect(bad) }
        }
        // Nothing was recorded: the genuine packet is accepted, then the next one.
        #expect(try rx.unprotect(p0) == rtp(100))
        #expect(try rx.unprotect(p1) == rtp(101))

        let c0 = try tx.protectRTCP(rtcp()), c1 = try tx.protectRTCP(rtcp(fill: 8))
        for i in 0..<c0.count {
            var bad = c0
            bad[i] ^= 0x80
            #expect(throws: SRTPError.authFailed, "RTCP byte \(i)") { try rx.unprotectRTCP(bad) }
        }
        #expect(try rx.unprotectRTCP(c0) == rtcp())
        #expect(try rx.unprotectRTCP(c1) == rtcp(fill: 8))
    }

    @Test(arguments: SRTPSuite.allCases)
    func replayedPacketIsRejected(suite: SRTPSuite) throws {
        let (tx, rx) = try pair(suite)
        let p = try (0..<5).map { try tx.protect(rtp(2000 + UInt16($0))) }
        #expect(try rx.unprotect(p[0]) == rtp(2000))
        #expect(try rx.unprotect(p[2]) == rtp(2002))
        #expect(throws: SRTPError.replayed) { try rx.unprotect(p[0]) }
        #expect(throws: SRTPError.replayed) { try rx.unprotect(p[2]) }
        // Out of order inside the window: accepted once.
        #expect(try rx.unprotect(p[1]) == rtp(2001))
        #expect(throws: SRTPError.replayed) { try rx.unprotect(p[1]) }
        #expect(try rx.unprotect(p[4]) == rtp(2004))
        #expect(try rx.unprotect(p[3]) == rtp(2003))

        let c = try (0..<3).map { try tx.protectRTCP(rtcp(fill: UInt8($0))) }
        #expect(try rx.unprotectRTCP(c[1]) == rtcp(fill: 1))
        #expect(throws: SRTPError.replayed) { try rx.unprotectRTCP(c[1]) }
        #expect(try rx.unprotectRTCP(c[0]) == rtcp(fill: 0))
        #expect(try rx.unprotectRTCP(c[2]) == rtcp(fill: 2))
        #expect(throws: SRTPError.replayed) { try rx.unprotectRTCP(c[2]) }
    }

    @Test(arguments: [SRTPSuite.aesCM128HmacSHA1_80, .aeadAES128GCM], [64, 200])
    func tooOldPacketIsRejected(suite: SRTPSuite, window: Int) throws {
        let (tx, rx) = try pair(suite, options: SRTPOptions(replayWindow: window))
        let first = try tx.protect(rtp(10))
        let edge = try tx.protect(rtp(UInt16(10 + 1)))
        var last: [UInt8] = []
        for s in 12...(10 + window) { last = try tx.protect(rtp(UInt16(s))) }
        #expect(try rx.unprotect(last) == rtp(UInt16(10 + window)))
        #expect(throws: SRTPError.tooOld) { try rx.unprotect(first) }   // window behind
        #expect(try rx.unprotect(edge) == rtp(11))                     // window - 1 behind: still in
        #expect(SRTPError.tooOld.isReplay && SRTPError.replayed.isReplay)

        var c: [[UInt8]] = []
        for i in 0...(window + 1) { c.append(try tx.protectRTCP(rtcp(fill: UInt8(truncatingIfNeeded: i)))) }
        #expect(try rx.unprotectRTCP(c[window + 1]) == rtcp(fill: UInt8(truncatingIfNeeded: window + 1)))
        #expect(throws: SRTPError.tooOld) { try rx.unprotectRTCP(c[1]) }
        #expect(try rx.unprotectRTCP(c[2]) == rtcp(fill: 2))
    }

    @Test(arguments: SRTPSuite.allCases)
    func mkiPresentAndAbsentRoundTrips(suite: SRTPSuite) throws {
        let mki = try SRTPMKI(value: 1, length: 4)
        #expect(mki.bytes == [0, 0, 0, 1])
        let (tx, rx) = try pair(suite, mki: mki)
        let (plainTx, plainRx) = try pair(suite)
        let withMKI = try tx.protect(rtp(7)), without = try plainTx.protect(rtp(7))
        #expect(withMKI.count == without.count + 4)
        #expect(tx.srtpOverhead == suite.srtpTagLength + 4 && plainTx.srtpOverhead == suite.srtpTagLength)
        // AES-CM: MKI before the tag; AES-GCM: after it (RFC 7714 §6.1).
        let at = suite.isAEAD ? withMKI.count - 4 : withMKI.count - 4 - suite.srtpTagLength
        #expect(Array(withMKI[at..<(at + 4)]) == [0, 0, 0, 1])
        #expect(try rx.unprotect(withMKI) == rtp(7))
        #expect(try plainRx.unprotect(without) == rtp(7))
        // Another MKI: rejected before any crypto, state untouched.
        var other = withMKI
        other[at + 3] = 2
        #expect(throws: SRTPError.unknownMKI) { try rx.unprotect(other) }
        #expect(throws: SRTPError.replayed) { try rx.unprotect(withMKI) }
        #expect(try rx.unprotect(try tx.protect(rtp(8))) == rtp(8))

        let c = try tx.protectRTCP(rtcp())
        #expect(c.count == rtcp().count + tx.srtcpOverhead && tx.srtcpOverhead == 4 + 4 + suite.srtcpTagLength)
        #expect(try rx.unprotectRTCP(c) == rtcp())
        #expect(try plainRx.unprotectRTCP(try plainTx.protectRTCP(rtcp())) == rtcp())
        #expect(throws: SRTPError.invalidMKI) { try SRTPMKI(value: 256, length: 1) }
    }

    @Test func truncatedAndOversizedInput() throws {
        let (tx, rx) = try pair(.aesCM128HmacSHA1_80)
        #expect(throws: SRTPError.tooShort) { try tx.protect([0x80, 0, 0, 1]) }
        // CC = 15 announces 60 bytes of CSRCs that are not there.
        #expect(throws: SRTPError.tooShort) { try tx.protect([0x8F] + [UInt8](repeating: 0, count: 30)) }
        // X set, extension length beyond the packet.
        #expect(throws: SRTPError.tooShort) { try tx.protect([0x90, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xBE, 0xDE, 0, 9]) }
        // No room for the tag.
        var buf = rtp(1)
        var len = buf.count
        let failure: SRTPError? = buf.withUnsafeMutableBytes { b in
            do throws(SRTPError) { try tx.protect(packet: b, length: &len); return nil } catch { return error }
        }
        #expect(failure == .bufferTooSmall)
        #expect(len == buf.count)
        // Shorter than header + tag.
        let p = try tx.protect(rtp(1, size: 0))
        #expect(throws: SRTPError.tooShort) { try rx.unprotect(Array(p.dropLast())) }
        #expect(throws: SRTPError.tooShort) { try rx.unprotectRTCP(Array(repeating: 0x80, count: 21)) }
        #expect(try rx.unprotect(p) == rtp(1, size: 0))
    }

    @Test(arguments: [SRTPSuite.aesCM128HmacSHA1_32, .aeadAES256GCM])
    func rolloverAroundTheWrapWithReordering(suite: SRTPSuite) throws {
        let (tx, rx) = try pair(suite)
        let seqs: [UInt16] = [65533, 65534, 65535, 0, 1, 2]
        let p = try seqs.map { try tx.protect(rtp($0)) }
        #expect(tx.rolloverCounter(forSSRC: 0xAABB_CCDD) == 1)
        // Arrival order 65533, 0, 65535, 2, 65534, 1: ROC guessed right both ways over the wrap.
        for i in [0, 3, 2, 5, 1, 4] { #expect(try rx.unprotect(p[i]) == rtp(seqs[i]), "seq \(seqs[i])") }
        #expect(rx.rolloverCounter(forSSRC: 0xAABB_CCDD) == 1)
        // A packet claiming ROC 0 seq 3 was never sent: the receiver takes it as ROC 1 and rejects it.
        let stale = try pair(suite).0.protect(rtp(3))
        #expect(throws: SRTPError.authFailed) { try rx.unprotect(stale) }
    }

    @Test func joiningMidStreamNeedsTheROC() throws {
        let (tx, rx) = try pair(.aesCM128HmacSHA1_80)
        tx.setRolloverCounter(5, forSSRC: 0xAABB_CCDD)
        let p = try tx.protect(rtp(40000))
        #expect(throws: SRTPError.authFailed) { try rx.unprotect(p) }  // a receiver assuming ROC 0
        rx.setRolloverCounter(5, forSSRC: 0xAABB_CCDD)
        #expect(try rx.unprotect(p) == rtp(40000))
        #expect(rx.rolloverCounter(forSSRC: 0xAABB_CCDD) == 5)
    }

    @Test func ssrcTableEvictsLeastRecentlyUsed() throws {
        let (tx, rx) = try pair(.aesCM128HmacSHA1_80, options: SRTPOptions(maxStreams: 2))
        let a = try tx.protect(rtp(1, ssrc: 1)), b = try tx.protect(rtp(1, ssrc: 2))
        let a2 = try tx.protect(rtp(2, ssrc: 1)), c = try tx.protect(rtp(1, ssrc: 3))
        #expect(try rx.unprotect(a) == rtp(1, ssrc: 1))
        #expect(try rx.unprotect(b) == rtp(1, ssrc: 2))
        #expect(try rx.unprotect(a2) == rtp(2, ssrc: 1))
        #expect(try rx.unprotect(c) == rtp(1, ssrc: 3))  // evicts SSRC 2 (least recently used)
        #expect(rx.rolloverCounter(forSSRC: 2) == nil)
        #expect(rx.rolloverCounter(forSSRC: 1) == 0)
        #expect(throws: SRTPError.replayed) { try rx.unprotect(a2) }
        // A forged packet from a new SSRC evicts nothing.
        var forged = try tx.protect(rtp(1, ssrc: 4))
        forged[forged.count - 1] ^= 1
        #expect(throws: SRTPError.authFailed) { try rx.unprotect(forged) }
        #expect(rx.rolloverCounter(forSSRC: 4) == nil && rx.rolloverCounter(forSSRC: 1) == 0 && rx.rolloverCounter(forSSRC: 3) == 0)
    }

    @Test func unencryptedSRTPAndSRTCPOptions() throws {
        let opts = SRTPOptions(encryptRTP: false, encryptRTCP: false)
        let (tx, rx) = try pair(.aesCM128HmacSHA1_80, options: opts)
        let p = try tx.protect(rtp(9))
        #expect(Array(p[0..<(p.count - 10)]) == rtp(9))  // authenticated only
        #expect(try rx.unprotect(p) == rtp(9))
        let c = try tx.protectRTCP(rtcp())
        #expect(Array(c[0..<rtcp().count]) == rtcp() && c[rtcp().count] & 0x80 == 0)  // E = 0
        #expect(try rx.unprotectRTCP(c) == rtcp())
        // An encrypting receiver still opens E=0 SRTCP.
        let (_, encRx) = try pair(.aesCM128HmacSHA1_80)
        #expect(try encRx.unprotectRTCP(c) == rtcp())
    }

    @Test func badConfigurationIsRejected() {
        #expect(throws: SRTPError.invalidKey) { try SRTPContext(suite: .aesCM128HmacSHA1_80, masterKey: key32, masterSalt: salt14) }
        #expect(throws: SRTPError.invalidSalt) { try SRTPContext(suite: .aeadAES128GCM, masterKey: key16, masterSalt: salt14) }
        #expect(throws: SRTPError.invalidConfiguration) {
            try SRTPContext(suite: .aesCM128HmacSHA1_80, masterKey: key16, masterSalt: salt14, options: SRTPOptions(replayWindow: 0))
        }
        #expect(throws: SRTPError.invalidMKI) { try SRTPMKI(bytes: []) }
    }
}

@Suite struct SRTPInPlaceFailureTests {
    /// A rejected packet leaves the caller's buffer byte for byte as it was (AES-GCM included,
    /// which decrypts before it can check the tag).
    @Test(arguments: SRTPSuite.allCases)
    func rejectedPacketBufferIsUntouched(suite: SRTPSuite) throws {
        let (tx, rx) = try pair(suite)
        var bad = try tx.protect(rtp(300))
        bad[bad.count - 1] ^= 0x40
        var buf = bad + [UInt8](repeating: 0, count: 32)
        let before = buf
        var len = bad.count
        let err: SRTPError? = buf.withUnsafeMutableBytes { b in
            do throws(SRTPError) { try rx.unprotect(packet: b, length: &len); return nil } catch { return error }
        }
        #expect(err == .authFailed)
        #expect(buf == before && len == bad.count)

        var badC = try tx.protectRTCP(rtcp())
        badC[10] ^= 0x01
        var bufC = badC + [UInt8](repeating: 0, count: 32)
        let beforeC = bufC
        var lenC = badC.count
        let errC: SRTPError? = bufC.withUnsafeMutableBytes { b in
            do throws(SRTPError) { try rx.unprotectRTCP(packet: b, length: &lenC); return nil } catch { return error }
        }
        #expect(errC == .authFailed)
        #expect(bufC == beforeC && lenC == badC.count)
    }
}
