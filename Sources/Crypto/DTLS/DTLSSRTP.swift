// DTLS-SRTP (RFC 5764): the use_srtp profiles and the keying material exported after the
// handshake, split into client/server master keys and salts (section 4.2).

/// An SRTP protection profile negotiated through the DTLS `use_srtp` extension.
/// Raw values are the IANA profile ids (RFC 5764 section 4.1.2, RFC 7714 section 14.2).
public enum DTLSSRTPProfile: UInt16, Sendable, CaseIterable, CustomStringConvertible {
    case aes128CmSha1_80 = 0x0001
    case aes128CmSha1_32 = 0x0002
    case aeadAes128Gcm = 0x0007
    case aeadAes256Gcm = 0x0008

    /// Tandem's default preference (rtpengine offers the AES-CM profiles first too).
    public static let defaultPreference: [DTLSSRTPProfile] = [.aes128CmSha1_80, .aes128CmSha1_32, .aeadAes128Gcm, .aeadAes256Gcm]

    /// OpenSSL's name for the profile (`SSL_set_tlsext_use_srtp`, `openssl s_client -use_srtp`).
    public var openSSLName: String {
        switch self {
        case .aes128CmSha1_80: return "SRTP_AES128_CM_SHA1_80"
        case .aes128CmSha1_32: return "SRTP_AES128_CM_SHA1_32"
        case .aeadAes128Gcm: return "SRTP_AEAD_AES_128_GCM"
        case .aeadAes256Gcm: return "SRTP_AEAD_AES_256_GCM"
        }
    }

    /// The SDES crypto-suite name of the same transform (RFC 4568 / RFC 7714).
    public var sdesName: String {
        switch self {
        case .aes128CmSha1_80: return "AES_CM_128_HMAC_SHA1_80"
        case .aes128CmSha1_32: return "AES_CM_128_HMAC_SHA1_32"
        case .aeadAes128Gcm: return "AEAD_AES_128_GCM"
        case .aeadAes256Gcm: return "AEAD_AES_256_GCM"
        }
    }

    /// Master key length in bytes.
    public var masterKeyLength: Int {
        switch self {
        case .aes128CmSha1_80, .aes128CmSha1_32, .aeadAes128Gcm: return 16
        case .aeadAes256Gcm: return 32
        }
    }

    /// Master salt length in bytes (112 bits for AES-CM, 96 bits for GCM).
    public var masterSaltLength: Int {
        switch self {
        case .aes128CmSha1_80, .aes128CmSha1_32: return 14
        case .aeadAes128Gcm, .aeadAes256Gcm: return 12
        }
    }

    public var description: String { openSSLName }
}

/// One direction's SRTP master key and salt.
public struct SRTPMasterKeySalt: Hashable, Sendable {
    public var key: [UInt8]
    public var salt: [UInt8]
    public init(key: [UInt8], salt: [UInt8]) { self.key = key; self.salt = salt }
}

/// What a completed DTLS-SRTP handshake yields: the profile and the master keys/salts.
/// `local` protects what this endpoint sends; `remote` unprotects what it receives.
public struct DTLSSRTPKeyMaterial: Hashable, Sendable {
    public var profile: DTLSSRTPProfile
    public var client: SRTPMasterKeySalt
    public var server: SRTPMasterKeySalt
    /// True if this endpoint was the DTLS client (so `local` is `client`).
    public var isClient: Bool

    public var local: SRTPMasterKeySalt { isClient ? client : server }
    public var remote: SRTPMasterKeySalt { isClient ? server : client }

    public init(profile: DTLSSRTPProfile, client: SRTPMasterKeySalt, server: SRTPMasterKeySalt, isClient: Bool) {
        self.profile = profile; self.client = client; self.server = server; self.isClient = isClient
    }

    /// Splits exported keying material laid out as client_key | server_key | client_salt |
    /// server_salt (RFC 5764 section 4.2). `exported.count` must be 2 * (key + salt) lengths.
    public init?(profile: DTLSSRTPProfile, exported: [UInt8], isClient: Bool) {
        let k = profile.masterKeyLength, s = profile.masterSaltLength
        guard exported.count == 2 * (k + s) else { return nil }
        client = SRTPMasterKeySalt(key: Array(exported[0..<k]), salt: Array(exported[2 * k..<2 * k + s]))
        server = SRTPMasterKeySalt(key: Array(exported[k..<2 * k]), salt: Array(exported[2 * k + s..<2 * k + 2 * s]))
        self.profile = profile
        self.isClient = isClient
    }

    /// The number of bytes to export with label "EXTRACTOR-dtls_srtp".
    public static func exportLength(_ profile: DTLSSRTPProfile) -> Int {
        2 * (profile.masterKeyLength + profile.masterSaltLength)
    }
}
