import COpenSSL

// SRTP key derivation (RFC 3711 §4.3) with key_derivation_rate 0: the AES-CM PRF keyed with
// the master key (AES-128/192/256 by its length, RFC 6188 §4), input `master_salt XOR
// (label << 48)` as the counter block's upper 112 bits. AES-GCM's 96-bit master salt is
// zero-padded on the right to 112 bits (RFC 7714 §11, as libsrtp does).

/// The six session keys of one SRTP crypto context (RTP and RTCP: encryption key, salt,
/// authentication key). Derived once at set-up; nothing here runs per packet.
public struct SRTPSessionKeys: Sendable, Hashable {
    public var rtpKey: [UInt8]
    public var rtpSalt: [UInt8]
    public var rtpAuthKey: [UInt8]
    public var rtcpKey: [UInt8]
    public var rtcpSalt: [UInt8]
    public var rtcpAuthKey: [UInt8]

    /// KDF labels (RFC 3711 §4.3.2).
    public enum Label: UInt8, Sendable {
        case rtpEncryption = 0x00, rtpAuthentication = 0x01, rtpSalt = 0x02
        case rtcpEncryption = 0x03, rtcpAuthentication = 0x04, rtcpSalt = 0x05
    }

    /// Session keys given directly (the RFC 7714 vectors, or keys derived elsewhere).
    public init(rtpKey: [UInt8], rtpSalt: [UInt8], rtpAuthKey: [UInt8],
                rtcpKey: [UInt8], rtcpSalt: [UInt8], rtcpAuthKey: [UInt8]) {
        self.rtpKey = rtpKey; self.rtpSalt = rtpSalt; self.rtpAuthKey = rtpAuthKey
        self.rtcpKey = rtcpKey; self.rtcpSalt = rtcpSalt; self.rtcpAuthKey = rtcpAuthKey
    }

    /// Derives the session keys of `suite` from a master key and salt (kdr = 0).
    ///
    /// `libsrtp2AES192Quirk` reproduces libsrtp2 (≤ 2.5, as in Debian) for the AES-192 suites,
    /// which is not RFC 6188: it runs an AES-256 PRF keyed with the first 32 bytes of
    /// `masterKey || masterSalt || 0^8` and uses the remaining 14 bytes as the salt. Only for
    /// talking to such a peer; rtpengine and the RFC use the AES-192 PRF (the default).
    public init(suite: SRTPSuite, masterKey: [UInt8], masterSalt: [UInt8], libsrtp2AES192Quirk: Bool = false) throws(SRTPError) {
        guard masterKey.count == suite.masterKeyLength else { throw .invalidKey }
        guard masterSalt.count == suite.masterSaltLength else { throw .invalidSalt }
        let k = suite.masterKeyLength, s = suite.sessionSaltLength, a = suite.authKeyLength
        var prfKey = masterKey, prfSalt = masterSalt
        if libsrtp2AES192Quirk && masterKey.count == 24 {
            let padded = masterKey + masterSalt + [UInt8](repeating: 0, count: 8)
            prfKey = Array(padded[0..<32])
            prfSalt = Array(padded[32..<46])
        }
        func d(_ l: Label, _ n: Int) throws(SRTPError) -> [UInt8] {
            try SRTPSessionKeys.prf(masterKey: prfKey, masterSalt: prfSalt, label: l.rawValue, length: n)
        }
        rtpKey = try d(.rtpEncryption, k)
        rtpSalt = try d(.rtpSalt, s)
        rtpAuthKey = try d(.rtpAuthentication, a)
        rtcpKey = try d(.rtcpEncryption, k)
        rtcpSalt = try d(.rtcpSalt, s)
        rtcpAuthKey = try d(.rtcpAuthentication, a)
    }

    /// The SRTP PRF (RFC 3711 §4.3.3): `length` bytes of AES-CM keystream under `masterKey`
    /// (16, 24 or 32 bytes) with IV `(masterSalt XOR label·2^48)·2^16`, index DIV kdr = 0.
    /// `masterSalt` is 14 bytes, or 12 (AES-GCM) which is zero-padded to 14.
    public static func prf(masterKey: [UInt8], masterSalt: [UInt8], label: UInt8, length: Int) throws(SRTPError) -> [UInt8] {
        guard let cipher = aesCTR(keyLength: masterKey.count) else { throw .invalidKey }
        guard masterSalt.count == 14 || masterSalt.count == 12 else { throw .invalidSalt }
        if length == 0 { return [] }
        var iv = [UInt8](repeating: 0, count: 16)
        for i in 0..<masterSalt.count { iv[i] = masterSalt[i] }
        iv[7] ^= label
        var out = [UInt8](repeating: 0, count: length)
        guard let ctx = EVP_CIPHER_CTX_new() else { throw .cryptoFailure }
        defer { EVP_CIPHER_CTX_free(ctx) }
        var outl: Int32 = 0
        let ok = out.withUnsafeMutableBufferPointer { o in
            EVP_EncryptInit_ex(ctx, cipher, nil, masterKey, iv) == 1
                && EVP_EncryptUpdate(ctx, o.baseAddress, &outl, o.baseAddress, Int32(length)) == 1
        }
        guard ok else { throw .cryptoFailure }
        return out
    }

    static func aesCTR(keyLength: Int) -> OpaquePointer? {
        switch keyLength {
        case 16: EVP_aes_128_ctr()
        case 24: EVP_aes_192_ctr()
        case 32: EVP_aes_256_ctr()
        default: nil
        }
    }

    static func aesGCM(keyLength: Int) -> OpaquePointer? {
        switch keyLength {
        case 16: EVP_aes_128_gcm()
        case 24: EVP_aes_192_gcm()
        case 32: EVP_aes_256_gcm()
        default: nil
        }
    }
}
