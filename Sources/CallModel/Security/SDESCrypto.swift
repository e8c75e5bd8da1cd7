import Crypto
import SDP

/// One SDES `a=crypto` attribute (RFC 4568 §9.1):
/// `TAG SUITE inline:BASE64(key||salt)[|LIFETIME][|MKI:LENGTH] [SESSION-PARAMS...]`.
/// Only the first key-params entry is read (several keys per line are not used in practice).
public struct SDESCrypto: Equatable, Sendable {
    public var tag: Int
    public var suite: String
    /// Master key followed by master salt.
    public var keySalt: [UInt8]
    /// `|2^31` or a decimal lifetime, as written; nil when absent.
    public var lifetime: String?
    /// MKI value and its length in bytes (`|1:4`); nil when absent.
    public var mki: (value: UInt64, length: Int)?
    /// Session parameters as written (`UNENCRYPTED_SRTP`, `UNENCRYPTED_SRTCP`, ...).
    public var sessionParameters: [String] = []

    public init(tag: Int, suite: String, keySalt: [UInt8], lifetime: String? = nil,
                mki: (value: UInt64, length: Int)? = nil, sessionParameters: [String] = []) {
        self.tag = tag
        self.suite = suite
        self.keySalt = keySalt
        self.lifetime = lifetime
        self.mki = mki
        self.sessionParameters = sessionParameters
    }

    public static func == (a: SDESCrypto, b: SDESCrypto) -> Bool {
        a.tag == b.tag && a.suite == b.suite && a.keySalt == b.keySalt && a.lifetime == b.lifetime
            && a.mki?.value == b.mki?.value && a.mki?.length == b.mki?.length
            && a.sessionParameters == b.sessionParameters
    }

    /// Parses the value of an `a=crypto` attribute; nil when malformed, when the suite is unknown
    /// or when the key has the wrong length for it (such lines are ignored, as rtpengine does).
    public init?(sdpValue: some StringProtocol) {
        // Split on the bytes SP/HTAB (RFC 4568's WSP), not on Characters: a space followed by a
        // combining mark is one Character, so a tab-separated field starting with one would
        // swallow the space it is printed after and the line we echo would not parse again.
        let fields = sdpValue.utf8.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 }).map { String(decoding: $0, as: UTF8.self) }
        guard fields.count >= 3, let tag = Int(fields[0]), tag >= 0, tag <= 999_999_999,
              let info = SDESSuite(name: fields[1]), fields[2].hasPrefix("inline:") else { return nil }
        let keyParams = fields[2].dropFirst("inline:".count).split(separator: ";").first ?? ""
        let parts = keyParams.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard let keySalt = Base64.decode(parts[0]), keySalt.count == info.keySaltLength else { return nil }
        var lifetime: String?
        var mki: (UInt64, Int)?
        for part in parts.dropFirst() {
            if let colon = part.firstIndex(of: ":") {
                guard let value = UInt64(part[..<colon]), let length = Int(part[part.index(after: colon)...]),
                      (1...8).contains(length) else { return nil }
                mki = (value, length)
            } else {
                guard !part.isEmpty else { return nil }
                lifetime = part
            }
        }
        self.init(tag: tag, suite: info.name, keySalt: keySalt, lifetime: lifetime, mki: mki,
                  sessionParameters: Array(fields.dropFirst(3)))
    }

    /// The attribute value; `pad` writes base64 with `=` padding (rtpengine's `SDES-pad`).
    public func sdpValue(pad: Bool = false) -> String {
        var inline = "inline:" + Base64.encode(keySalt, pad: pad)
        if let lifetime { inline += "|" + lifetime }
        if let mki { inline += "|\(mki.value):\(mki.length)" }
        return ([String(tag), suite, inline] + sessionParameters).joined(separator: " ")
    }

    public var unencryptedSRTP: Bool { sessionParameters.contains("UNENCRYPTED_SRTP") }
    public var unencryptedSRTCP: Bool { sessionParameters.contains("UNENCRYPTED_SRTCP") }

    /// The data plane's keying for this line; nil when Tandem has no transform for the suite (F8).
    public var srtpParameters: SRTPParameters? {
        guard let info = SDESSuite(name: suite), info.supported else { return nil }
        let mkiBytes = mki.map { m in (0..<m.length).reversed().map { UInt8(truncatingIfNeeded: m.value >> (8 * UInt64($0))) } }
        return SRTPParameters(suite: suite, masterKey: Array(keySalt.prefix(info.keyLength)),
                              masterSalt: Array(keySalt.dropFirst(info.keyLength)), mki: mkiBytes,
                              unencryptedSRTP: unencryptedSRTP, unencryptedSRTCP: unencryptedSRTCP)
    }

    /// A fresh random key for `suite`.
    static func generate(tag: Int, suite: SDESSuite) -> SDESCrypto {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<suite.keySaltLength).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return SDESCrypto(tag: tag, suite: suite.name, keySalt: bytes)
    }
}

/// The SDES crypto suites rtpengine 10.5 knows, in the order it offers them (golden 063).
public struct SDESSuite: Equatable, Sendable {
    public var name: String
    public var keyLength: Int
    public var saltLength: Int
    /// Tandem has an SRTP transform for it (not for the F8 suites, which rtpengine still offers).
    public var supported: Bool

    var keySaltLength: Int { keyLength + saltLength }

    public static let offerOrder: [SDESSuite] = [
        .init(.aeadAES256GCM), .init(.aeadAES128GCM),
        .init(.aes256CMHmacSHA1_80), .init(.aes256CMHmacSHA1_32),
        .init(.aes192CMHmacSHA1_80), .init(.aes192CMHmacSHA1_32),
        .init(.aesCM128HmacSHA1_80), .init(.aesCM128HmacSHA1_32),
        .init(name: "F8_128_HMAC_SHA1_80", keyLength: 16, saltLength: 14, supported: false),
        .init(name: "F8_128_HMAC_SHA1_32", keyLength: 16, saltLength: 14, supported: false),
        .init(.nullHmacSHA1_80), .init(.nullHmacSHA1_32),
    ]

    /// A suite we have a transform for: name and lengths as the SRTP layer defines them.
    init(_ suite: SRTPSuite) {
        self.init(name: suite.sdesName, keyLength: suite.masterKeyLength,
                  saltLength: suite.masterSaltLength, supported: true)
    }

    public init(name: String, keyLength: Int, saltLength: Int, supported: Bool) {
        self.name = name
        self.keyLength = keyLength
        self.saltLength = saltLength
        self.supported = supported
    }

    /// By SDES name (exact, as RFC 4568 writes them).
    public init?(name: some StringProtocol) {
        guard let found = Self.offerOrder.first(where: { $0.name == name }) else { return nil }
        self = found
    }
}
