import CSRTP
import Crypto
import Testing

// libsrtp2 as the oracle: for every suite Debian's libsrtp2 (NSS backend) supports, our SRTP and
// SRTCP packets must be byte-identical to libsrtp2's for the same master key and salt, and each
// side must unprotect the other's. Thousands of packets per suite, two SSRCs (one starting at
// seq 65500 so the ROC rolls over), varying payload sizes, CSRCs and header extensions.

/// The suites Debian's libsrtp2 2.5 can create a session for (checked by `libsrtpSupport`).
let oracleSuites: [SRTPSuite] = SRTPSuite.allCases

@Suite struct SRTPOracleTests {
    @Test func libsrtpSupportsEverySuite() {
        for suite in SRTPSuite.allCases {
            let key = [UInt8](repeating: 1, count: suite.masterKeyLength)
            let salt = [UInt8](repeating: 2, count: suite.masterSaltLength)
            let l = LibSRTP(suite: suite, masterKey: key, masterSalt: salt, inbound: false)
            #expect(l.ok, "libsrtp2 refuses \(suite.sdesName): status \(l.status.rawValue)")
        }
    }

    /// libsrtp2 2.5 runs an AES-256 PRF over `key || salt || 0^8` for AES-192 (its KDF key
    /// length is rounded up to 46 bytes); RFC 6188 §4 and rtpengine use the AES-192 PRF. We
    /// default to the RFC and can reproduce libsrtp2 on request.
    @Test func aes192KeyDerivationIsRFC6188NotLibsrtp2() throws {
        var rng = TestRNG(seed: 192)
        let key = rng.bytes(24), salt = rng.bytes(14)
        let rtp = makeRTP(seq: 7, ts: 0, ssrc: 0x0102_0304, payload: rng.bytes(160))
        let (ref, st) = LibSRTP(suite: .aes192CMHmacSHA1_80, masterKey: key, masterSalt: salt, inbound: false).protect(rtp)
        #expect(st == srtp_err_status_ok)
        let rfc = try SRTPContext(suite: .aes192CMHmacSHA1_80, masterKey: key, masterSalt: salt).protect(rtp)
        let quirkKeys = try SRTPSessionKeys(suite: .aes192CMHmacSHA1_80, masterKey: key, masterSalt: salt, libsrtp2AES192Quirk: true)
        let quirk = try SRTPContext(suite: .aes192CMHmacSHA1_80, sessionKeys: quirkKeys).protect(rtp)
        #expect(rfc != ref)
        #expect(quirk == ref)
        // The RFC keys are the AES-192 PRF of the master key (RFC 3711 §4.3.3 with AES-192).
        let rfcKeys = try SRTPSessionKeys(suite: .aes192CMHmacSHA1_80, masterKey: key, masterSalt: salt)
        #expect(rfcKeys.rtpKey == (try SRTPSessionKeys.prf(masterKey: key, masterSalt: salt, label: 0, length: 24)))
    }

    @Test(arguments: oracleSuites, [false, true])
    func byteIdenticalToLibsrtp(suite: SRTPSuite, withMKI: Bool) throws {
        var rng = TestRNG(seed: 0x5EED_0000 + UInt64(suite.rawValue) * 2 + (withMKI ? 1 : 0))
        let key = rng.bytes(suite.masterKeyLength)
        let salt = rng.bytes(suite.masterSaltLength)
        let mkiBytes: [UInt8]? = withMKI ? [0xDE, 0xAD, 0xBE, 0xEF] : nil
        let mki = try mkiBytes.map { bytes throws(SRTPError) in try SRTPMKI(bytes: bytes) }

        // AES-192: Debian's libsrtp2 2.5 derives keys differently from RFC 6188 (see
        // aes192KeyDerivationIsRFC6188NotLibsrtp2); the packet transform is compared with its KDF.
        let keys = try SRTPSessionKeys(suite: suite, masterKey: key, masterSalt: salt,
                                       libsrtp2AES192Quirk: suite.masterKeyLength == 24)
        let ours = try SRTPContext(suite: suite, sessionKeys: keys, mki: mki)
        let oursRx = try SRTPContext(suite: suite, sessionKeys: keys, mki: mki)
        let theirs = LibSRTP(suite: suite, masterKey: key, masterSalt: salt, mki: mkiBytes, inbound: false)
        let theirsRx = LibSRTP(suite: suite, masterKey: key, masterSalt: salt, mki: mkiBytes, inbound: true)
        try #require(theirs.ok && theirsRx.ok)

        let ssrcs: [UInt32] = [0x1234_5678, 0xCAFE_BABE]
        var seqs: [UInt16] = [65500, 1000]
        var ts: [UInt32] = [0, 0x1000_0000]
        let packets = 2500
        var rtcpCount = 0
        for i in 0..<packets {
            let k = i % 2
            let payload = rng.bytes(rng.int(0...320))
            let csrcs = rng.int(0...9) < 7 ? 0 : rng.int(1...3)
            let ext: Int? = rng.int(0...4) == 0 ? rng.int(0...3) : nil
            let rtp = makeRTP(seq: seqs[k], ts: ts[k], ssrc: ssrcs[k], csrcs: csrcs, extWords: ext,
                              payload: payload, marker: i % 50 == 0, pt: 0)
            seqs[k] &+= 1
            ts[k] &+= 160

            let mine = try ours.protect(rtp)
            let (ref, st) = theirs.protect(rtp)
            try #require(st == srtp_err_status_ok)
            try #require(mine == ref, "\(suite.sdesName) packet \(i): ours \(hexString(mine)) libsrtp \(hexString(ref))")
            // Cross-unprotect: libsrtp2 opens ours, we open libsrtp2's.
            let (opened, st2) = theirsRx.unprotect(mine)
            try #require(st2 == srtp_err_status_ok && opened == rtp, "libsrtp2 unprotect of ours, packet \(i)")
            try #require(try oursRx.unprotect(ref) == rtp, "our unprotect of libsrtp2's, packet \(i)")

            if i % 7 == 3 {
                let rtcp = makeRTCP(ssrc: ssrcs[k], extraWords: rng.int(0...40), rng: &rng)
                let mineC = try ours.protectRTCP(rtcp)
                let (refC, stc) = theirs.protectRTCP(rtcp)
                try #require(stc == srtp_err_status_ok)
                try #require(mineC == refC, "\(suite.sdesName) RTCP \(rtcpCount): ours \(hexString(mineC)) libsrtp \(hexString(refC))")
                let (openedC, stc2) = theirsRx.unprotectRTCP(mineC)
                if withMKI && suite.srtpTagLength != suite.srtcpTagLength {
                    // libsrtp2 2.5 bug: srtp_unprotect_rtcp_mki looks for the MKI using the SRTP
                    // (32-bit) tag length, so it cannot open its own SRTCP of the _32 suites with an
                    // MKI either; ours is byte-identical to its own (checked above), so same result.
                    try #require(stc2 != srtp_err_status_ok)
                } else {
                    try #require(stc2 == srtp_err_status_ok && openedC == rtcp, "libsrtp2 unprotect of our SRTCP \(rtcpCount)")
                }
                try #require(try oursRx.unprotectRTCP(refC) == rtcp, "our unprotect of libsrtp2's SRTCP \(rtcpCount)")
                rtcpCount += 1
            }
        }
        // The first SSRC wrapped: ROC 1 on both sides.
        #expect(ours.rolloverCounter(forSSRC: ssrcs[0]) == 1)
        #expect(oursRx.rolloverCounter(forSSRC: ssrcs[0]) == 1)
        #expect(oursRx.rolloverCounter(forSSRC: ssrcs[1]) == 0)
    }
}
