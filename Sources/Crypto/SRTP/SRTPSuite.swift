// SRTP crypto suites (RFC 3711, RFC 4568 SDES names, RFC 6188 AES-192/256, RFC 7714 AES-GCM),
// the MKI, and the typed errors of the SRTP/SRTCP transforms.

/// An SRTP crypto suite, named as in SDES `a=crypto` (and rtpengine's `SDES-...` flags).
public enum SRTPSuite: Int, CaseIterable, Sendable, Hashable {
    case aesCM128HmacSHA1_80
    case aesCM128HmacSHA1_32
    case aes192CMHmacSHA1_80
    case aes192CMHmacSHA1_32
    case aes256CMHmacSHA1_80
    case aes256CMHmacSHA1_32
    case aeadAES128GCM
    case aeadAES256GCM
    case nullHmacSHA1_80
    case nullHmacSHA1_32

    /// The RFC 4568 / RFC 6188 / RFC 7714 crypto-suite name used in `a=crypto`.
    public var sdesName: String {
        switch self {
        case .aesCM128HmacSHA1_80: "AES_CM_128_HMAC_SHA1_80"
        case .aesCM128HmacSHA1_32: "AES_CM_128_HMAC_SHA1_32"
        case .aes192CMHmacSHA1_80: "AES_192_CM_HMAC_SHA1_80"
        case .aes192CMHmacSHA1_32: "AES_192_CM_HMAC_SHA1_32"
        case .aes256CMHmacSHA1_80: "AES_256_CM_HMAC_SHA1_80"
        case .aes256CMHmacSHA1_32: "AES_256_CM_HMAC_SHA1_32"
        case .aeadAES128GCM: "AEAD_AES_128_GCM"
        case .aeadAES256GCM: "AEAD_AES_256_GCM"
        case .nullHmacSHA1_80: "NULL_HMAC_SHA1_80"
        case .nullHmacSHA1_32: "NULL_HMAC_SHA1_32"
        }
    }

    /// Looks a suite up by its SDES name (exact, case-sensitive as in RFC 4568).
    public init?(sdesName: some StringProtocol) {
        guard let s = SRTPSuite.allCases.first(where: { $0.sdesName == sdesName }) else { return nil }
        self = s
    }

    /// The DTLS-SRTP protection profile (RFC 5764 §4.1.2, RFC 7714 §14.2), if there is one.
    public var dtlsProfileID: UInt16? {
        switch self {
        case .aesCM128HmacSHA1_80: 0x0001
        case .aesCM128HmacSHA1_32: 0x0002
        case .nullHmacSHA1_80: 0x0005
        case .nullHmacSHA1_32: 0x0006
        case .aeadAES128GCM: 0x0007
        case .aeadAES256GCM: 0x0008
        default: nil
        }
    }

    /// OpenSSL's name for the DTLS-SRTP profile (`SSL_CTX_set_tlsext_use_srtp`), if it has one.
    public var openSSLProfileName: String? {
        switch self {
        case .aesCM128HmacSHA1_80: "SRTP_AES128_CM_SHA1_80"
        case .aesCM128HmacSHA1_32: "SRTP_AES128_CM_SHA1_32"
        case .aeadAES128GCM: "SRTP_AEAD_AES_128_GCM"
        case .aeadAES256GCM: "SRTP_AEAD_AES_256_GCM"
        default: nil
        }
    }

    /// The suite for a DTLS-SRTP protection profile id.
    public init?(dtlsProfileID: UInt16) {
        guard let s = SRTPSuite.allCases.first(where: { $0.dtlsProfileID == dtlsProfileID }) else { return nil }
        self = s
    }

    /// Master key length in bytes (also the session encryption key length). The NULL suites
    /// still carry an AES-128 master key: the key derivation runs on it.
    public var masterKeyLength: Int {
        switch self {
        case .aesCM128HmacSHA1_80, .aesCM128HmacSHA1_32, .aeadAES128GCM, .nullHmacSHA1_80, .nullHmacSHA1_32: 16
        case .aes192CMHmacSHA1_80, .aes192CMHmacSHA1_32: 24
        case .aes256CMHmacSHA1_80, .aes256CMHmacSHA1_32, .aeadAES256GCM: 32
        }
    }

    /// Master salt length: 112 bits for AES-CM, 96 bits for AES-GCM (RFC 7714 §8.2).
    public var masterSaltLength: Int { isAEAD ? 12 : 14 }
    /// Session salt length (equal to the master salt length).
    public var sessionSaltLength: Int { masterSaltLength }
    /// `masterKeyLength + masterSaltLength`: the length of an SDES `inline:` key parameter.
    public var keyingMaterialLength: Int { masterKeyLength + masterSaltLength }
    /// Session authentication key length: 160 bits for HMAC-SHA1, none for AEAD.
    public var authKeyLength: Int { isAEAD ? 0 : 20 }
    /// Authentication tag appended to SRTP packets.
    public var srtpTagLength: Int {
        switch self {
        case .aesCM128HmacSHA1_32, .aes192CMHmacSHA1_32, .aes256CMHmacSHA1_32, .nullHmacSHA1_32: 4
        case .aeadAES128GCM, .aeadAES256GCM: 16
        default: 10
        }
    }
    /// Authentication tag appended to SRTCP packets: the `_32` suites still use 80 bits for
    /// SRTCP (RFC 4568 §6.2.1 and libsrtp).
    public var srtcpTagLength: Int { isAEAD ? 16 : 10 }
    /// AES-GCM (RFC 7714) rather than AES-CM/NULL + HMAC-SHA1.
    public var isAEAD: Bool { self == .aeadAES128GCM || self == .aeadAES256GCM }
    /// Payloads are encrypted (false for the NULL suites, which only authenticate).
    public var encrypts: Bool { self != .nullHmacSHA1_80 && self != .nullHmacSHA1_32 }
}

/// A Master Key Identifier (RFC 3711 §3.1): `length` bytes carried in every packet.
/// SDES writes it as `|value:length` (RFC 4568 §6.1), e.g. `1:4` is the bytes 00 00 00 01.
public struct SRTPMKI: Sendable, Hashable {
    /// The identifier as it appears on the wire (1...16 bytes).
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) throws(SRTPError) {
        guard (1...16).contains(bytes.count) else { throw .invalidMKI }
        self.bytes = bytes
    }

    /// `value` big-endian in `length` bytes, as SDES `value:length`.
    public init(value: UInt64, length: Int) throws(SRTPError) {
        guard (1...16).contains(length), length >= 8 || value >> (8 * UInt64(length)) == 0 else { throw .invalidMKI }
        var b = [UInt8](repeating: 0, count: length)
        for i in 0..<min(length, 8) { b[length - 1 - i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
        self.bytes = b
    }

    public var length: Int { bytes.count }
}

/// Why an SRTP/SRTCP operation failed. Thrown with typed throws: throwing allocates nothing.
public enum SRTPError: Error, Sendable, Hashable {
    /// Master/session key of the wrong length for the suite.
    case invalidKey
    /// Master/session salt of the wrong length for the suite.
    case invalidSalt
    /// MKI length outside 1...16 or value too large for it.
    case invalidMKI
    /// Replay window or SSRC table size out of range.
    case invalidConfiguration
    /// OpenSSL refused an operation (never expected after set-up).
    case cryptoFailure
    /// The packet is shorter than its header (+ trailer when unprotecting).
    case tooShort
    /// `protect`: the buffer has no room for the trailer (index, MKI, tag).
    case bufferTooSmall
    /// The authentication tag does not match.
    case authFailed
    /// The packet index was already received (inside the replay window).
    case replayed
    /// The packet index is behind the replay window.
    case tooOld
    /// The packet's MKI is not this context's.
    case unknownMKI

    /// `replayed` or `tooOld`: both are replay-protection rejections.
    public var isReplay: Bool { self == .replayed || self == .tooOld }
}

extension SRTPSuite {
    /// Bytes of DTLS-SRTP keying material to export (RFC 5764 §4.2: `2 × (key + salt)`, label
    /// `EXTRACTOR-dtls_srtp`).
    public var dtlsKeyingMaterialLength: Int { 2 * keyingMaterialLength }

    /// Splits exported DTLS-SRTP keying material `client_key | server_key | client_salt |
    /// server_salt` (RFC 5764 §4.2) into the client's and the server's master key and salt.
    /// The DTLS client protects with the client half; the server with the server half.
    public func splitDTLSKeyingMaterial(_ m: [UInt8]) throws(SRTPError)
        -> (clientKey: [UInt8], clientSalt: [UInt8], serverKey: [UInt8], serverSalt: [UInt8]) {
        guard m.count == dtlsKeyingMaterialLength else { throw .invalidKey }
        let k = masterKeyLength, s = masterSaltLength
        return (Array(m[0..<k]), Array(m[(2 * k)..<(2 * k + s)]), Array(m[k..<(2 * k)]), Array(m[(2 * k + s)..<(2 * k + 2 * s)]))
    }
}
