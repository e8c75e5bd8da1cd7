// Certificate fingerprints as carried in SDP `a=fingerprint` (RFC 8122, formerly RFC 4572):
// `hash-func SP fingerprint`, the hash in lower case ("sha-256"), the digest of the certificate's
// DER encoding as upper-case hex byte pairs separated by colons.
import COpenSSL

/// A hash function allowed in `a=fingerprint`. MD2/MD5 are not accepted (RFC 8122 section 5).
public enum DTLSHashFunction: String, Sendable, CaseIterable {
    case sha1 = "sha-1"
    case sha224 = "sha-224"
    case sha256 = "sha-256"
    case sha384 = "sha-384"
    case sha512 = "sha-512"

    /// Parses the SDP token, case-insensitively ("SHA-256" is seen in the wild).
    public init?(sdpName: some StringProtocol) {
        self.init(rawValue: sdpName.lowercased())
    }

    /// Digest length in bytes.
    public var digestLength: Int {
        switch self {
        case .sha1: return 20
        case .sha224: return 28
        case .sha256: return 32
        case .sha384: return 48
        case .sha512: return 64
        }
    }

    var evpMD: OpaquePointer? {
        switch self {
        case .sha1: return EVP_sha1()
        case .sha224: return EVP_sha224()
        case .sha256: return EVP_sha256()
        case .sha384: return EVP_sha384()
        case .sha512: return EVP_sha512()
        }
    }
}

/// A certificate fingerprint: the hash function and the digest bytes.
public struct DTLSFingerprint: Hashable, Sendable, CustomStringConvertible {
    public var hashFunction: DTLSHashFunction
    public var digest: [UInt8]

    public init(hashFunction: DTLSHashFunction, digest: [UInt8]) {
        self.hashFunction = hashFunction
        self.digest = digest
    }

    public enum ParseError: Error, Equatable, Sendable {
        case missingSeparator
        case unsupportedHashFunction(String)
        case badHex
        case wrongDigestLength(expected: Int, got: Int)
    }

    /// Parses the value of an `a=fingerprint` attribute, e.g. `sha-256 AB:CD:...`.
    /// Hex is accepted in either case; the digest length must match the hash function.
    public init(sdpValue: some StringProtocol) throws(ParseError) {
        let trimmed = sdpValue.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard trimmed.count == 2 else { throw .missingSeparator }
        guard let hash = DTLSHashFunction(sdpName: trimmed[0]) else {
            throw .unsupportedHashFunction(String(trimmed[0]))
        }
        var bytes: [UInt8] = []
        for pair in trimmed[1].split(separator: ":", omittingEmptySubsequences: false) {
            // Two hex digits exactly: `UInt8(_:radix:)` alone also takes "+F" and "-0".
            guard pair.utf8.count == 2, pair.utf8.allSatisfy(isHexDigit), let b = UInt8(pair, radix: 16) else { throw .badHex }
            bytes.append(b)
        }
        guard bytes.count == hash.digestLength else {
            throw .wrongDigestLength(expected: hash.digestLength, got: bytes.count)
        }
        self.init(hashFunction: hash, digest: bytes)
    }

    /// Upper-case colon-separated hex of the digest: `AB:CD:...`.
    public var hexDigest: String {
        let digits: [Character] = Array("0123456789ABCDEF")
        var s = ""
        s.reserveCapacity(digest.count * 3)
        for (i, b) in digest.enumerated() {
            if i > 0 { s.append(":") }
            s.append(digits[Int(b >> 4)])
            s.append(digits[Int(b & 0x0F)])
        }
        return s
    }

    /// The `a=fingerprint` attribute value: `sha-256 AB:CD:...`.
    public var sdpValue: String { "\(hashFunction.rawValue) \(hexDigest)" }

    public var description: String { sdpValue }

    /// Digest of an X509 certificate (its DER encoding) with the given hash.
    static func of(x509: OpaquePointer, hash: DTLSHashFunction) -> DTLSFingerprint? {
        var md = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var len: UInt32 = 0
        let ok = md.withUnsafeMutableBufferPointer { X509_digest(x509, hash.evpMD, $0.baseAddress, &len) }
        guard ok == 1 else { return nil }
        return DTLSFingerprint(hashFunction: hash, digest: Array(md.prefix(Int(len))))
    }

    /// Whether `x509` has this fingerprint (digest recomputed with this fingerprint's hash).
    func matches(x509: OpaquePointer) -> Bool {
        guard let actual = DTLSFingerprint.of(x509: x509, hash: hashFunction) else { return false }
        return constantTimeEqual(actual.digest, digest)
    }
}

/// An ASCII hex digit (RFC 5234 HEXDIG, either case).
private func isHexDigit(_ c: UInt8) -> Bool {
    (0x30...0x39).contains(c) || (0x41...0x46).contains(c) || (0x61...0x66).contains(c)
}

@inline(__always)
func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var diff: UInt8 = 0
    for i in 0..<a.count { diff |= a[i] ^ b[i] }
    return diff == 0
}
