import Crypto

/// The daemon's DTLS certificate: one self-signed EC P-256 certificate per process start (as
/// rtpengine makes one at start-up), unless start-up installs one loaded from files.
public enum DTLSIdentity {
    /// Set once at start-up, before any packet loop runs (then only read): a loaded certificate.
    nonisolated(unsafe) public static var configured: DTLSCertificate?

    /// Generated on first use; nil only if OpenSSL cannot make a key (then no DTLS is offered).
    public static let generated: DTLSCertificate? = try? DTLSCertificate.generateSelfSigned(commonName: "tandem")

    public static var current: DTLSCertificate? { configured ?? generated }

    /// Loads `--dtls-cert`/`--dtls-key` into `configured` (start-up only); the error says why not.
    public static func load(certificateFile: String, keyFile: String?) -> String? {
        do {
            configured = try DTLSCertificate(certificateFile: certificateFile, privateKeyFile: keyFile ?? certificateFile)
            return nil
        } catch {
            return error.description
        }
    }
}
