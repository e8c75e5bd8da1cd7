// The daemon's DTLS identity: one certificate + private key, generated at start-up (self-signed
// EC P-256, as rtpengine and browsers do) or loaded from PEM files (`--dtls-cert`). It owns the
// OpenSSL SSL_CTX from which every DTLSEndpoint creates its SSL, so the key is parsed once.
import COpenSSL
import Glibc

public struct DTLSError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }

    /// `what` plus the reasons on OpenSSL's (thread-local) error queue, which it empties.
    static func openSSL(_ what: String) -> DTLSError {
        DTLSError(what + opensslErrorQueueText())
    }
}

/// Drains OpenSSL's thread-local error queue into text (": reason; reason"), or "" if empty.
func opensslErrorQueueText() -> String {
    var parts: [String] = []
    while true {
        let code = ERR_get_error()
        if code == 0 { break }
        var buf = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buf, buf.count)
        parts.append(String(decoding: buf.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
    return parts.isEmpty ? "" : ": " + parts.joined(separator: "; ")
}

/// A certificate and its private key, plus the SSL_CTX (DTLS 1.2) built on them. Immutable after
/// init; SSL_CTX is safe to share between threads for SSL_new, so one instance serves all loops.
public final class DTLSCertificate: @unchecked Sendable {
    let x509: OpaquePointer
    let privateKey: OpaquePointer
    let sslContext: OpaquePointer

    /// The DER encoding of the certificate.
    public let der: [UInt8]

    /// The sha-256 fingerprint (what Tandem puts in `a=fingerprint` by default).
    public var fingerprint: DTLSFingerprint { fingerprint(.sha256) }

    /// The fingerprint with another hash (to answer a peer that offered, say, sha-1).
    public func fingerprint(_ hash: DTLSHashFunction) -> DTLSFingerprint {
        // X509_digest cannot fail for a valid certificate and a built-in digest.
        DTLSFingerprint.of(x509: x509, hash: hash)!
    }

    /// Generates a fresh EC P-256 key and a self-signed certificate (SHA-256 signature).
    /// `validity` in seconds; notBefore is back-dated a day against clock skew.
    public static func generateSelfSigned(commonName: String = "tandem", validity: Int = 30 * 86400) throws(DTLSError) -> DTLSCertificate {
        ERR_clear_error()
        guard let pkey = tandem_evp_ec_gen_p256() else { throw .openSSL("EC P-256 key generation failed") }
        guard let x = X509_new() else { EVP_PKEY_free(pkey); throw .openSSL("X509_new failed") }
        var ok = X509_set_version(x, 2) == 1
        var serial: UInt32 = 0
        _ = withUnsafeMutableBytes(of: &serial) { RAND_bytes($0.baseAddress!.assumingMemoryBound(to: UInt8.self), 4) }
        ok = ok && ASN1_INTEGER_set(X509_get_serialNumber(x), Int(serial & 0x7FFF_FFFF)) == 1
        ok = ok && X509_gmtime_adj(X509_getm_notBefore(x), -86400) != nil
        ok = ok && X509_gmtime_adj(X509_getm_notAfter(x), validity) != nil
        ok = ok && X509_set_pubkey(x, pkey) == 1
        if ok, let name = X509_NAME_new() {
            ok = X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, commonName, -1, -1, 0) == 1
            ok = ok && X509_set_subject_name(x, name) == 1 && X509_set_issuer_name(x, name) == 1
            X509_NAME_free(name)
        } else {
            ok = false
        }
        ok = ok && X509_sign(x, pkey, EVP_sha256()) > 0
        guard ok else {
            X509_free(x); EVP_PKEY_free(pkey)
            throw .openSSL("building the self-signed certificate failed")
        }
        return try DTLSCertificate(taking: x, privateKey: pkey)
    }

    /// Loads a PEM certificate and PEM private key (the same file may hold both).
    public convenience init(certificateFile: String, privateKeyFile: String) throws(DTLSError) {
        ERR_clear_error()
        guard let cbio = BIO_new_file(certificateFile, "r") else { throw .openSSL("cannot open \(certificateFile)") }
        defer { BIO_free(cbio) }
        guard let x = PEM_read_bio_X509(cbio, nil, nil, nil) else { throw .openSSL("no PEM certificate in \(certificateFile)") }
        guard let kbio = BIO_new_file(privateKeyFile, "r") else { X509_free(x); throw .openSSL("cannot open \(privateKeyFile)") }
        defer { BIO_free(kbio) }
        guard let k = PEM_read_bio_PrivateKey(kbio, nil, nil, nil) else { X509_free(x); throw .openSSL("no PEM private key in \(privateKeyFile)") }
        try self.init(taking: x, privateKey: k)
    }

    /// Loads from PEM text.
    public convenience init(certificatePEM: String, privateKeyPEM: String) throws(DTLSError) {
        ERR_clear_error()
        func readBIO<T>(_ text: String, _ body: (OpaquePointer) -> T?) -> T? {
            var bytes = Array(text.utf8)
            return bytes.withUnsafeMutableBytes { raw -> T? in
                guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { return nil }
                defer { BIO_free(bio) }
                return body(bio)
            }
        }
        guard let x = readBIO(certificatePEM, { PEM_read_bio_X509($0, nil, nil, nil) }) else { throw .openSSL("no PEM certificate") }
        guard let k = readBIO(privateKeyPEM, { PEM_read_bio_PrivateKey($0, nil, nil, nil) }) else { X509_free(x); throw .openSSL("no PEM private key") }
        try self.init(taking: x, privateKey: k)
    }

    /// Takes ownership of `x509` and `privateKey` (freed on failure too).
    private init(taking x509: OpaquePointer, privateKey: OpaquePointer) throws(DTLSError) {
        guard let ctx = SSL_CTX_new(DTLS_method()) else {
            X509_free(x509); EVP_PKEY_free(privateKey)
            throw .openSSL("SSL_CTX_new(DTLS_method) failed")
        }
        var ok = SSL_CTX_use_certificate(ctx, x509) == 1
        ok = ok && SSL_CTX_use_PrivateKey(ctx, privateKey) == 1
        ok = ok && SSL_CTX_check_private_key(ctx) == 1
        // DTLS-SRTP is DTLS 1.2 in practice; OpenSSL 3.0 has no DTLS 1.3 anyway.
        ok = ok && tandem_ssl_ctx_set_min_proto_version(ctx, DTLS1_2_VERSION) == 1
        ok = ok && tandem_ssl_ctx_set_max_proto_version(ctx, DTLS1_2_VERSION) == 1
        guard ok else {
            SSL_CTX_free(ctx); X509_free(x509); EVP_PKEY_free(privateKey)
            throw .openSSL("certificate/key rejected")
        }
        SSL_CTX_set_options(ctx, tandem_ssl_op_no_query_mtu() | tandem_ssl_op_no_ticket() | tandem_ssl_op_no_renegotiation())
        _ = tandem_ssl_ctx_set_read_ahead(ctx, 1)
        SSL_CTX_set_session_cache_mode_off(ctx)
        self.x509 = x509
        self.privateKey = privateKey
        self.sslContext = ctx
        let len = i2d_X509(x509, nil)
        var der = [UInt8](repeating: 0, count: Int(max(0, len)))
        der.withUnsafeMutableBufferPointer { buf in
            var p = buf.baseAddress
            _ = i2d_X509(x509, &p)
        }
        self.der = der
    }

    deinit {
        SSL_CTX_free(sslContext)
        X509_free(x509)
        EVP_PKEY_free(privateKey)
    }

    /// The certificate as PEM text (for `--dtls-cert` round trips and external test peers).
    public var certificatePEM: String { pem { PEM_write_bio_X509($0, x509) } }

    /// The private key as unencrypted PKCS#8 PEM text.
    public var privateKeyPEM: String { pem { PEM_write_bio_PrivateKey($0, privateKey, nil, nil, 0, nil, nil) } }

    private func pem(_ write: (OpaquePointer) -> Int32) -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { return "" }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else { return "" }
        let n = tandem_bio_ctrl_pending(bio)
        var buf = [UInt8](repeating: 0, count: n)
        let got = buf.withUnsafeMutableBytes { BIO_read(bio, $0.baseAddress, Int32(n)) }
        return String(decoding: buf.prefix(Int(max(0, got))), as: UTF8.self)
    }
}

/// No server-side session cache: every DTLS-SRTP association is a full handshake.
private func SSL_CTX_set_session_cache_mode_off(_ ctx: OpaquePointer) {
    _ = SSL_CTX_ctrl(ctx, SSL_CTRL_SET_SESS_CACHE_MODE, Int(SSL_SESS_CACHE_OFF), nil)
}
