/// `a=crypto:<tag> <crypto-suite> <key-params> [<session-params>]` (SDES, RFC 4568 §9.1), e.g.
/// `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1u...|2^20|1:4`.
public struct Crypto: SDPAttributeValue {
    public static let attributeName = "crypto"

    public var tag: Int
    /// As written (`AES_CM_128_HMAC_SHA1_80`, `AEAD_AES_256_GCM`, ...).
    public var suite: String
    /// One or more `;`-separated key parameters (usually one).
    public var keyParams: [KeyParam]
    /// `UNENCRYPTED_SRTCP`, `KDR=...`, `WSH=...`, ... in order.
    public var sessionParams: [String]

    /// `<method>:<key||salt base64>[|<lifetime>][|<mki>:<length>]`.
    public struct KeyParam: Hashable, Sendable {
        /// `inline` (matched case-insensitively, as rtpengine does).
        public var method: String
        /// The base64 master key and salt as written.
        public var keySalt: String
        /// `2^31` or a decimal count, as written.
        public var lifetime: String?
        public var mki: MKI?

        public init(method: String = "inline", keySalt: String, lifetime: String? = nil, mki: MKI? = nil) {
            self.method = method
            self.keySalt = keySalt
            self.lifetime = lifetime
            self.mki = mki
        }

        /// The decoded master key followed by the master salt; nil if the base64 is bad.
        public var keySaltBytes: [UInt8]? { Base64.decode(keySalt) }
    }

    public struct MKI: Hashable, Sendable {
        /// Decimal digits as written.
        public var value: String
        /// Bytes of MKI in each packet, 1...128.
        public var length: Int
        public init(value: String, length: Int) {
            self.value = value
            self.length = length
        }
    }

    public init(tag: Int, suite: String, keyParams: [KeyParam], sessionParams: [String] = []) {
        self.tag = tag
        self.suite = suite
        self.keyParams = keyParams
        self.sessionParams = sessionParams
    }

    public init?(value: String) {
        let tokens = Text.tokens(value)
        guard tokens.count >= 3, let tag = Text.decimal(tokens[0], max: 999_999_999) else { return nil }
        var keyParams: [KeyParam] = []
        for piece in Text.pieces(tokens[2], separator: UInt8(ascii: ";")) {
            guard let param = Crypto.parseKeyParam(piece) else { return nil }
            keyParams.append(param)
        }
        self.init(tag: tag, suite: tokens[1], keyParams: keyParams, sessionParams: Array(tokens.dropFirst(3)))
    }

    public var value: String {
        let keys = keyParams.map(Crypto.text(of:)).joined(separator: ";")
        return ([String(tag), suite, keys] + sessionParams).joined(separator: " ")
    }

    /// The first key parameter (the one SDES endpoints use).
    public var key: KeyParam? { keyParams.first }

    private static func parseKeyParam(_ text: String) -> KeyParam? {
        let (method, info) = Text.splitFirst(text, at: UInt8(ascii: ":"))
        guard !method.isEmpty, let info else { return nil }
        let parts = Text.pieces(info, separator: UInt8(ascii: "|"))
        guard let keySalt = parts.first, Base64.isBase64Text(keySalt), parts.count <= 3 else { return nil }
        var param = KeyParam(method: method, keySalt: keySalt)
        for (i, part) in parts.dropFirst().enumerated() {
            // rtpengine's rule: a part containing ':' is the MKI (and must come last).
            if part.utf8.contains(UInt8(ascii: ":")) {
                guard i == parts.count - 2, let mki = parseMKI(part) else { return nil }
                param.mki = mki
            } else {
                guard param.lifetime == nil, isLifetime(part) else { return nil }
                param.lifetime = part
            }
        }
        return param
    }

    private static func parseMKI(_ text: String) -> MKI? {
        let (value, lengthText) = Text.splitFirst(text, at: UInt8(ascii: ":"))
        guard Text.isDigits(value), let lengthText, let length = Text.decimal(lengthText, max: 128), length > 0 else { return nil }
        return MKI(value: value, length: length)
    }

    private static func isLifetime(_ text: String) -> Bool {
        let (base, exponent) = Text.splitFirst(text, at: UInt8(ascii: "^"))
        if let exponent { return base == "2" && Text.isDigits(exponent) }
        return Text.isDigits(text)
    }

    private static func text(of param: KeyParam) -> String {
        var text = "\(param.method):\(param.keySalt)"
        if let lifetime = param.lifetime { text += "|\(lifetime)" }
        if let mki = param.mki { text += "|\(mki.value):\(mki.length)" }
        return text
    }
}
