import Crypto
import Testing

// Known-answer tests beside the code:
//   RFC 3711 Appendix B.2 (AES-CM keystream) and B.3 (key derivation),
//   RFC 6188 §7.1-7.4 (AES-256 / AES-192 keystream and key derivation),
//   RFC 7714 §16 (AES-GCM SRTP) and §17 (AES-GCM SRTCP, encrypted and tag-only),
//   and libsrtp's srtp_driver known packets (AES-128 and AES-256, master key in).

/// Session keys given directly, the same for RTP and RTCP (the RFC vectors' shape).
private func direct(_ key: [UInt8], _ salt: [UInt8], auth: [UInt8]) -> SRTPSessionKeys {
    SRTPSessionKeys(rtpKey: key, rtpSalt: salt, rtpAuthKey: auth, rtcpKey: key, rtcpSalt: salt, rtcpAuthKey: auth)
}

/// The AES-CM keystream for SSRC 0, index 0 (IV = salt·2^16), of `blocks` blocks: the PRF with
/// label 0 computes exactly that.
private func keystream(key: String, salt: String = "F0F1F2F3F4F5F6F7F8F9FAFBFCFD", blocks: Int) throws -> [UInt8] {
    try SRTPSessionKeys.prf(masterKey: hex(key), masterSalt: hex(salt), label: 0, length: 16 * blocks)
}

@Suite struct SRTPVectorsTests {
    // MARK: RFC 3711 Appendix B.2 — AES-CM keystream

    @Test func rfc3711B2KeystreamThroughProtect() throws {
        // Session key/salt of B.2; SSRC 0, SEQ 0, ROC 0: a zero payload encrypts to the keystream.
        let ctx = try SRTPContext(suite: .aesCM128HmacSHA1_80,
                                  sessionKeys: direct(hex("2B7E151628AED2A6ABF7158809CF4F3C"),
                                                      hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD"), auth: [UInt8](repeating: 0, count: 20)))
        let out = try ctx.protect(makeRTP(seq: 0, ts: 0, ssrc: 0, payload: [UInt8](repeating: 0, count: 48)))
        #expect(Array(out[12..<60]) == hex("""
            E03EAD0935C95E80E166B16DD92B4EB4 D23513162B02D0F72A43A2FE4A5F97AB 41E95B3BB0A2E8DD477901E4FCA894C0
            """))
    }

    @Test func rfc3711B2KeystreamSegmentEnd() throws {
        let ks = try keystream(key: "2B7E151628AED2A6ABF7158809CF4F3C", blocks: 0xFF02)
        #expect(Array(ks[0..<48]) == hex("E03EAD0935C95E80E166B16DD92B4EB4 D23513162B02D0F72A43A2FE4A5F97AB 41E95B3BB0A2E8DD477901E4FCA894C0"))
        #expect(Array(ks[(0xFEFF * 16)...]) == hex("EC8CDF7398607CB0F2D21675EA9EA1E4 362B7C3C6773516318A077D7FC5073AE 6A2CC3787889374FBEB4C81B17BA6C44"))
    }

    // MARK: RFC 3711 Appendix B.3 — key derivation

    @Test func rfc3711B3KeyDerivation() throws {
        let keys = try SRTPSessionKeys(suite: .aesCM128HmacSHA1_80, masterKey: hex("E1F97A0D3E018BE0D64FA32C06DE4139"),
                                       masterSalt: hex("0EC675AD498AFEEBB6960B3AABE6"))
        #expect(keys.rtpKey == hex("C61E7A93744F39EE10734AFE3FF7A087"))
        #expect(keys.rtpSalt == hex("30CBBC08863D8C85D49DB34A9AE1"))
        #expect(keys.rtpAuthKey == hex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4"))
        // B.3 lists 94 bytes of auth-key PRF output (the multi-block counter).
        let long = try SRTPSessionKeys.prf(masterKey: hex("E1F97A0D3E018BE0D64FA32C06DE4139"),
                                           masterSalt: hex("0EC675AD498AFEEBB6960B3AABE6"), label: 1, length: 94)
        #expect(long == hex("""
            CEBE321F6FF7716B6FD4AB49AF256A156D38BAA48F0A0ACF3C34E2359E6CDBCE
            E049646C43D9327AD175578EF72270986371C10C9A369AC2F94A8C5FBCDDDC25
            6D6E919A48B610EF17C2041E474035766B68642C59BBFC2F34DB60DBDFB2
            """))
    }

    // MARK: RFC 6188 §7 — AES-256 and AES-192

    @Test func rfc6188Section7_1AES256Keystream() throws {
        let ks = try keystream(key: "57f82fe3613fd170a85ec93c40b1f0922ec4cb0dc025b58272147cc438944a98", blocks: 0xFF02)
        #expect(Array(ks[0..<48]) == hex("92bdd28a93c3f52511c677d08b5515a49da71b2378a854f67050756ded165bac63c4868b7096d88421b563b8c94c9a31"))
        #expect(Array(ks[(0xFEFF * 16)...]) == hex("cea518c90fd91ced9cbb18c078a547113dbc4814f4da5f00a08772b63c6a046d6eb246913062a16891433e97dd01a57f"))
    }

    @Test func rfc6188Section7_2AES256KeyDerivation() throws {
        let keys = try SRTPSessionKeys(suite: .aes256CMHmacSHA1_80,
                                       masterKey: hex("f0f04914b513f2763a1b1fa130f10e2998f6f6e43e4309d1e622a0e332b9f1b6"),
                                       masterSalt: hex("3b04803de51ee7c96423ab5b78d2"))
        #expect(keys.rtpKey == hex("5ba1064e30ec51613cad926c5a28ef731ec7fb397f70a960653caf06554cd8c4"))
        #expect(keys.rtpSalt == hex("fa31791685ca444a9e07c6c64e93"))
        #expect(keys.rtpAuthKey == hex("fd9c32d39ed5fbb5a9dc96b30818454d1313dc05"))
    }

    @Test func rfc6188Section7_3AES192Keystream() throws {
        let ks = try keystream(key: "eab234764e517b2d3d160d587d8c86219740f65f99b6bcf7", blocks: 0xFF02)
        #expect(Array(ks[0..<48]) == hex("35096cba4610028dc1b57503804ce37c5de986291dcce161d5165ec4568f5c9a474a40c77894bc17180202272a4c264d"))
        #expect(Array(ks[(0xFEFF * 16)...]) == hex("d108d1a31a00bad6367ec23eb044b415c8f57129fdeb970b59f917b257662d4ca5dab625811034e8cebdfeb6dc158dd3"))
    }

    @Test func rfc6188Section7_4AES192KeyDerivation() throws {
        let keys = try SRTPSessionKeys(suite: .aes192CMHmacSHA1_80,
                                       masterKey: hex("73edc66c4fa15776fb57f9505c17136550ffda71f3e8e5f1"),
                                       masterSalt: hex("c8522f3acd4ce86d5add78edbb11"))
        #expect(keys.rtpKey == hex("31874736a8f1143870c26e4857d8a5b2c4a354407faadabb"))
        #expect(keys.rtpSalt == hex("2372b82d639b6d8503a47adc0a6c"))
        #expect(keys.rtpAuthKey == hex("355b10973cd95b9eacf4061c7e1a7151e7cfbfcb"))
    }

    // MARK: RFC 7714 §16 — AES-GCM SRTP (session key/salt given, ROC 0, SEQ 0xf17b)

    static let gcmKey128 = hex("000102030405060708090a0b0c0d0e0f")
    static let gcmKey256 = hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
    static let gcmSalt = hex("517569642070726f2071756f")  // "Quid pro quo"
    static let gcmRTP = hex("8040f17b 8041f8d3 5501a0b2 47616c6c 69612065 7374206f 6d6e6973 20646976 69736120 696e2070 61727465 73207472 6573")
    static let gcmRTCP = hex("81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61 deadbeef deadbeef deadbeef deadbeef deadbeef")

    private func gcm(_ suite: SRTPSuite, encryptRTCP: Bool = true) throws -> SRTPContext {
        try SRTPContext(suite: suite,
                        sessionKeys: direct(suite == .aeadAES128GCM ? Self.gcmKey128 : Self.gcmKey256, Self.gcmSalt, auth: []),
                        options: SRTPOptions(encryptRTCP: encryptRTCP))
    }

    @Test func rfc7714Section16_1AES128GCMSRTP() throws {
        let want = hex("""
            8040f17b 8041f8d3 5501a0b2 f24de3a3 fb34de6c acba861c 9d7e4bca be633bd5 0d294e6f 42a5f47a
            51c7d19b 36de3adf 8833899d 7f27beb1 6a9152cf 765ee439 0cce
            """)
        #expect(try gcm(.aeadAES128GCM).protect(Self.gcmRTP) == want)
        let rx = try gcm(.aeadAES128GCM)
        #expect(try rx.unprotect(want) == Self.gcmRTP)
        #expect(throws: SRTPError.replayed) { try rx.unprotect(want) }
    }

    @Test func rfc7714Section16_2AES256GCMSRTP() throws {
        let want = hex("""
            8040f17b 8041f8d3 5501a0b2 32b1de78 a822fe12 ef9f78fa 332e33aa b1801238 9a58e2f3 b50b2a02
            76ffae0f 1ba63799 b87b7aa3 db36dfff d6b0f9bb 7878d7a7 6c13
            """)
        #expect(try gcm(.aeadAES256GCM).protect(Self.gcmRTP) == want)
        #expect(try gcm(.aeadAES256GCM).unprotect(want) == Self.gcmRTP)
    }

    // MARK: RFC 7714 §17 — AES-GCM SRTCP (SSRC "Mars", SRTCP index 0x5d4)

    @Test func rfc7714Section17_1AES128GCMSRTCPEncrypted() throws {
        let want = hex("""
            81c8000d 4d617273 63e94885 dcdab67c a727d766 2f6b7e99 7ff5c0f7 6c06f32d c676a5f1 730d6fda
            4ce09b46 86303ded 0bb9275b c84aa458 96cf4d2f c5abf872 45d9eade 800005d4
            """)
        let tx = try gcm(.aeadAES128GCM)
        tx.setSRTCPIndex(0x5d4, forSSRC: 0x4d61_7273)
        #expect(try tx.protectRTCP(Self.gcmRTCP) == want)
        #expect(try gcm(.aeadAES128GCM).unprotectRTCP(want) == Self.gcmRTCP)
    }

    @Test func rfc7714Section17_2AES256GCMSRTCPEncrypted() throws {
        let wire = hex("""
            81c8000d 4d617273 d50ae4d1 f5ce5d30 4ba297e4 7d470c28 2c3ece5d bffe0a50 a2eaa5c1 110555be
            8415f658 c61de047 6f1b6fad 1d1eb30c 4446839f 57ff6f6c b26ac3be 800005d4
            """)
        #expect(try gcm(.aeadAES256GCM).unprotectRTCP(wire) == Self.gcmRTCP)
        let tx = try gcm(.aeadAES256GCM)
        tx.setSRTCPIndex(0x5d4, forSSRC: 0x4d61_7273)
        #expect(try tx.protectRTCP(Self.gcmRTCP) == wire)
    }

    @Test func rfc7714Section17_3AES128GCMSRTCPTagOnly() throws {
        let want = hex("""
            81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61 deadbeef deadbeef
            deadbeef deadbeef deadbeef 841dd968 3dd78ec9 2ae58790 125f62b3 000005d4
            """)
        let tx = try gcm(.aeadAES128GCM, encryptRTCP: false)
        tx.setSRTCPIndex(0x5d4, forSSRC: 0x4d61_7273)
        #expect(try tx.protectRTCP(Self.gcmRTCP) == want)
        #expect(try gcm(.aeadAES128GCM).unprotectRTCP(want) == Self.gcmRTCP)
    }

    @Test func rfc7714Section17_4AES256GCMSRTCPTagOnly() throws {
        let wire = hex("""
            81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61 deadbeef deadbeef
            deadbeef deadbeef deadbeef 91db4afb feee5a97 8fab4393 ed2615fe 000005d4
            """)
        #expect(try gcm(.aeadAES256GCM).unprotectRTCP(wire) == Self.gcmRTCP)
    }

    // MARK: libsrtp test/srtp_driver.c known packets (master key and salt in: KDF + AES-CM + HMAC)

    @Test func libsrtpDriverAES128Packet() throws {
        let ctx = try SRTPContext(suite: .aesCM128HmacSHA1_80, masterKey: hex("e1f97a0d3e018be0d64fa32c06de4139"),
                                  masterSalt: hex("0ec675ad498afeebb6960b3aabe6"))
        let plain = hex("800f1234decafbadcafebabe") + [UInt8](repeating: 0xAB, count: 16)
        let want = hex("800f1234decafbadcafebabe 4e55dc4ce79978d88ca4d215949d2402 b78d6acc99ea179b8dbb")
        #expect(try ctx.protect(plain) == want)
    }

    @Test func libsrtpDriverAES256Packet() throws {
        let ctx = try SRTPContext(suite: .aes256CMHmacSHA1_80,
                                  masterKey: hex("f0f04914b513f2763a1b1fa130f10e2998f6f6e43e4309d1e622a0e332b9f1b6"),
                                  masterSalt: hex("3b04803de51ee7c96423ab5b78d2"))
        let plain = hex("800f1234decafbadcafebabe") + [UInt8](repeating: 0xAB, count: 16)
        let want = hex("800f1234decafbadcafebabe f1d9de17ff251ff1aa007774b0b4b40d a08d9d9a5b3a55d8873b")
        #expect(try ctx.protect(plain) == want)
    }

    // MARK: suite table

    @Test func suiteParameters() {
        for s in SRTPSuite.allCases { #expect(SRTPSuite(sdesName: s.sdesName) == s) }
        #expect(SRTPSuite(sdesName: "AES_CM_128_HMAC_SHA1_81") == nil)
        #expect(SRTPSuite.aesCM128HmacSHA1_32.srtpTagLength == 4 && SRTPSuite.aesCM128HmacSHA1_32.srtcpTagLength == 10)
        #expect(SRTPSuite.aeadAES256GCM.keyingMaterialLength == 44 && SRTPSuite.aes192CMHmacSHA1_80.keyingMaterialLength == 38)
        #expect(SRTPSuite(dtlsProfileID: 0x0007) == .aeadAES128GCM)
        #expect(SRTPSuite.nullHmacSHA1_80.encrypts == false)
    }

    @Test func dtlsKeyingMaterialSplit() throws {
        let m = [UInt8](0..<60)
        let h = try SRTPSuite.aesCM128HmacSHA1_80.splitDTLSKeyingMaterial(m)
        #expect(h.clientKey == Array(0..<16) && h.serverKey == Array(16..<32))
        #expect(h.clientSalt == Array(32..<46) && h.serverSalt == Array(46..<60))
        #expect(SRTPSuite.aeadAES256GCM.dtlsKeyingMaterialLength == 88)
        #expect(throws: SRTPError.invalidKey) { try SRTPSuite.aeadAES128GCM.splitDTLSKeyingMaterial(m) }
    }
}
