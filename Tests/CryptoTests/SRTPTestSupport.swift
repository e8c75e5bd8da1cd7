import CSRTP
import Crypto

// Helpers for the SRTP tests: hex, deterministic packets, and libsrtp2 (Debian, NSS backend)
// wrapped as the test oracle.

func hex(_ s: String) -> [UInt8] {
    let digits = s.filter { !$0.isWhitespace }.utf8.map { c -> UInt8 in
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: fatalError("bad hex digit")
        }
    }
    precondition(digits.count % 2 == 0)
    return stride(from: 0, to: digits.count, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
}

func hexString(_ b: some Collection<UInt8>) -> String {
    b.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
}

/// xorshift64*: deterministic test data.
struct TestRNG {
    var state: UInt64
    init(seed: UInt64) { state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed }
    mutating func next() -> UInt64 {
        state ^= state >> 12; state ^= state << 25; state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }
    mutating func int(_ r: ClosedRange<Int>) -> Int { r.lowerBound + Int(next() % UInt64(r.count)) }
    mutating func bytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8(truncatingIfNeeded: next()) } }
}

/// An RTP packet: V=2, `csrcs` CSRCs, optional one-byte-header extension of `extWords` words.
func makeRTP(seq: UInt16, ts: UInt32, ssrc: UInt32, csrcs: Int = 0, extWords: Int? = nil,
             payload: [UInt8], marker: Bool = false, pt: UInt8 = 0) -> [UInt8] {
    var p: [UInt8] = [0x80 | (extWords != nil ? 0x10 : 0) | UInt8(csrcs), (marker ? 0x80 : 0) | pt]
    p += [UInt8(seq >> 8), UInt8(seq & 0xFF)]
    p += withUnsafeBytes(of: ts.bigEndian, Array.init)
    p += withUnsafeBytes(of: ssrc.bigEndian, Array.init)
    for i in 0..<csrcs { p += withUnsafeBytes(of: (0x1000_0000 + UInt32(i)).bigEndian, Array.init) }
    if let w = extWords {
        p += [0xBE, 0xDE, UInt8(w >> 8), UInt8(w & 0xFF)]
        for i in 0..<(4 * w) { p.append(UInt8(truncatingIfNeeded: 0x11 * (i + 1))) }
    }
    return p + payload
}

/// An RTCP sender report (+ `extraWords` of report-block-ish bytes) from `ssrc`.
func makeRTCP(ssrc: UInt32, extraWords: Int, rng: inout TestRNG) -> [UInt8] {
    let words = 6 + extraWords  // SR: header, SSRC, NTP(2), RTP ts, counts(2) => length field
    var p: [UInt8] = [0x80, 200, UInt8(words >> 8), UInt8(words & 0xFF)]
    p += withUnsafeBytes(of: ssrc.bigEndian, Array.init)
    p += rng.bytes(4 * (words - 1))
    return p
}

/// Runs an in-place transform on a copy of `packet` in a buffer with `room` spare bytes.
func transformed(_ packet: [UInt8], room: Int = 64,
                 _ body: (UnsafeMutableRawBufferPointer, inout Int) throws(SRTPError) -> Void) throws(SRTPError) -> [UInt8] {
    var buf = packet + [UInt8](repeating: 0, count: room)
    var len = packet.count
    var failure: SRTPError?
    buf.withUnsafeMutableBytes { b in
        do throws(SRTPError) { try body(b, &len) } catch { failure = error }
    }
    if let failure { throw failure }
    return Array(buf[0..<len])
}

extension SRTPContext {
    func protect(_ p: [UInt8]) throws(SRTPError) -> [UInt8] { try transformed(p) { b, l throws(SRTPError) in try protect(packet: b, length: &l) } }
    func unprotect(_ p: [UInt8]) throws(SRTPError) -> [UInt8] { try transformed(p) { b, l throws(SRTPError) in try unprotect(packet: b, length: &l) } }
    func protectRTCP(_ p: [UInt8]) throws(SRTPError) -> [UInt8] { try transformed(p) { b, l throws(SRTPError) in try protectRTCP(packet: b, length: &l) } }
    func unprotectRTCP(_ p: [UInt8]) throws(SRTPError) -> [UInt8] { try transformed(p) { b, l throws(SRTPError) in try unprotectRTCP(packet: b, length: &l) } }
}

// MARK: - libsrtp2 oracle

private let srtpInitialized: Bool = srtp_init() == srtp_err_status_ok

/// The libsrtp2 crypto policy for one of our suites (RTP, RTCP).
func libsrtpPolicies(_ suite: SRTPSuite) -> (srtp_crypto_policy_t, srtp_crypto_policy_t) {
    var rtp = srtp_crypto_policy_t(), rtcp = srtp_crypto_policy_t()
    switch suite {
    case .aesCM128HmacSHA1_80:
        srtp_crypto_policy_set_rtp_default(&rtp); srtp_crypto_policy_set_rtp_default(&rtcp)
    case .aesCM128HmacSHA1_32:
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&rtp); srtp_crypto_policy_set_rtp_default(&rtcp)
    case .aes192CMHmacSHA1_80:
        srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80(&rtp); srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80(&rtcp)
    case .aes192CMHmacSHA1_32:
        srtp_crypto_policy_set_aes_cm_192_hmac_sha1_32(&rtp); srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80(&rtcp)
    case .aes256CMHmacSHA1_80:
        srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&rtp); srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&rtcp)
    case .aes256CMHmacSHA1_32:
        srtp_crypto_policy_set_aes_cm_256_hmac_sha1_32(&rtp); srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&rtcp)
    case .aeadAES128GCM:
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&rtp); srtp_crypto_policy_set_aes_gcm_128_16_auth(&rtcp)
    case .aeadAES256GCM:
        srtp_crypto_policy_set_aes_gcm_256_16_auth(&rtp); srtp_crypto_policy_set_aes_gcm_256_16_auth(&rtcp)
    case .nullHmacSHA1_80:
        srtp_crypto_policy_set_null_cipher_hmac_sha1_80(&rtp); srtp_crypto_policy_set_null_cipher_hmac_sha1_80(&rtcp)
    case .nullHmacSHA1_32:
        srtp_crypto_policy_set_null_cipher_hmac_sha1_80(&rtp); rtp.auth_tag_len = 4
        srtp_crypto_policy_set_null_cipher_hmac_sha1_80(&rtcp)
    }
    return (rtp, rtcp)
}

/// One libsrtp2 session (one direction, any SSRC), optionally with one MKI'd master key.
final class LibSRTP {
    private(set) var session: srtp_t?
    let status: srtp_err_status_t
    let useMKI: Bool

    init(suite: SRTPSuite, masterKey: [UInt8], masterSalt: [UInt8], mki: [UInt8]? = nil, inbound: Bool, window: Int = 128) {
        precondition(srtpInitialized)
        var policy = srtp_policy_t()
        (policy.rtp, policy.rtcp) = libsrtpPolicies(suite)
        policy.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound
        policy.window_size = UInt(window)
        policy.allow_repeat_tx = 0
        var key = masterKey + masterSalt + [UInt8](repeating: 0, count: 16)
        var mkiID = mki ?? [0]
        useMKI = mki != nil
        var s: srtp_t?
        status = key.withUnsafeMutableBufferPointer { k in
            mkiID.withUnsafeMutableBufferPointer { m in
                var mk = srtp_master_key_t(key: k.baseAddress, mki_id: m.baseAddress, mki_size: UInt32(mki?.count ?? 0))
                return withUnsafeMutablePointer(to: &mk) { mkp in
                    var keys: [UnsafeMutablePointer<srtp_master_key_t>?] = [mkp]
                    return keys.withUnsafeMutableBufferPointer { kp in
                        if mki != nil {
                            policy.keys = kp.baseAddress
                            policy.num_master_keys = 1
                        } else {
                            policy.key = k.baseAddress
                        }
                        return srtp_create(&s, &policy)
                    }
                }
            }
        }
        session = s
    }

    deinit { if let session { srtp_dealloc(session) } }

    var ok: Bool { status == srtp_err_status_ok }

    private func run(_ p: [UInt8], _ f: (srtp_t?, UnsafeMutableRawPointer, UnsafeMutablePointer<Int32>) -> srtp_err_status_t) -> ([UInt8], srtp_err_status_t) {
        var buf = p + [UInt8](repeating: 0, count: 64 + Int(tandem_srtp_max_trailer_len()))
        var len = Int32(p.count)
        let st = buf.withUnsafeMutableBytes { f(session, $0.baseAddress!, &len) }
        return (Array(buf[0..<Int(len)]), st)
    }

    func protect(_ p: [UInt8]) -> ([UInt8], srtp_err_status_t) {
        run(p) { s, b, l in useMKI ? srtp_protect_mki(s, b, l, 1, 0) : srtp_protect(s, b, l) }
    }
    func unprotect(_ p: [UInt8]) -> ([UInt8], srtp_err_status_t) {
        run(p) { s, b, l in useMKI ? srtp_unprotect_mki(s, b, l, 1) : srtp_unprotect(s, b, l) }
    }
    func protectRTCP(_ p: [UInt8]) -> ([UInt8], srtp_err_status_t) {
        run(p) { s, b, l in useMKI ? srtp_protect_rtcp_mki(s, b, l, 1, 0) : srtp_protect_rtcp(s, b, l) }
    }
    func unprotectRTCP(_ p: [UInt8]) -> ([UInt8], srtp_err_status_t) {
        run(p) { s, b, l in useMKI ? srtp_unprotect_rtcp_mki(s, b, l, 1) : srtp_unprotect_rtcp(s, b, l) }
    }
}
