// SRTP keying of one direction of one media socket, as plain values (the call model does not
// depend on Crypto; the data plane turns this into an SRTP context on the control path).

/// One SRTP/SRTCP crypto context's parameters: an SDES `a=crypto` line's key (or a DTLS-SRTP
/// exporter half) and session parameters.
public struct SRTPParameters: Hashable, Sendable {
    /// Crypto suite by its RFC 4568 / 6188 / 7714 SDES name, e.g. "AES_CM_128_HMAC_SHA1_80".
    public var suite: String
    /// Master key (16, 24 or 32 bytes by suite).
    public var masterKey: [UInt8]
    /// Master salt (14 bytes for AES-CM/NULL, 12 for AEAD).
    public var masterSalt: [UInt8]
    /// The MKI carried in every packet, as on the wire (1...16 bytes); nil = no MKI.
    public var mki: [UInt8]?
    /// SDES `UNENCRYPTED_SRTP`: RTP payloads are authenticated but not encrypted.
    public var unencryptedSRTP: Bool
    /// SDES `UNENCRYPTED_SRTCP`: SRTCP payloads are not encrypted (E bit clear).
    public var unencryptedSRTCP: Bool

    public init(suite: String, masterKey: [UInt8], masterSalt: [UInt8], mki: [UInt8]? = nil,
                unencryptedSRTP: Bool = false, unencryptedSRTCP: Bool = false) {
        self.suite = suite
        self.masterKey = masterKey
        self.masterSalt = masterSalt
        self.mki = mki
        self.unencryptedSRTP = unencryptedSRTP
        self.unencryptedSRTCP = unencryptedSRTCP
    }
}
