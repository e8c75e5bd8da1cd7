import Crypto
import NGProtocol

/// What an offer or answer asks about SRTP: rtpengine's `SDES` list (or `SDES-...` flags),
/// `DTLS`, and `DTLS-fingerprint`.
public struct SecurityOptions: Sendable, Equatable {
    /// `SDES-off`: no a=crypto towards the receiving party.
    public var sdesOff = false
    /// `SDES-no-SUITE`: suites left out of our offer.
    public var excludedSuites: Set<String> = []
    /// `SDES-only-SUITE`: accepted (rtpengine 10.5 still offers every suite with it, golden 152).
    public var onlySuites: Set<String> = []
    /// `SDES-nonew`: accepted (10.5 still adds its own suites on an initial offer, golden 153).
    public var noNew = false
    /// `SDES-pad`: base64 keys with `=` padding.
    public var pad = false
    /// `SDES-lifetime`: `|2^31` after our keys.
    public var lifetime = false
    /// Session parameters added to our a=crypto lines.
    public var unencryptedSRTP = false
    public var unencryptedSRTCP = false
    public var unauthenticatedSRTP = false

    /// `DTLS`: off, or the role preference (`passive`; `active` reverts `--dtls-passive`).
    public var dtls: DTLSMode = .default
    /// `DTLS-fingerprint`: the hash of the fingerprint we write (default sha-256, or the peer's).
    public var fingerprintHash: DTLSHashFunction?

    public enum DTLSMode: Sendable, Equatable {
        case `default`, off, passive, active
    }

    public init() {}

    /// Reads the ng request's `SDES` entries (without the `SDES-` prefix), `DTLS` and `DTLS-fingerprint`.
    init(request: NGRequest) {
        for entry in request.sdes {
            let lower = entry.lowercased()
            switch lower {
            case "off", "no", "disable", "disabled": sdesOff = true
            case "nonew": noNew = true
            case "pad": pad = true
            case "lifetime": lifetime = true
            case "unencrypted_srtp", "unencrypted-srtp": unencryptedSRTP = true
            case "unencrypted_srtcp", "unencrypted-srtcp": unencryptedSRTCP = true
            case "unauthenticated_srtp", "unauthenticated-srtp": unauthenticatedSRTP = true
            default:
                if lower.hasPrefix("no-") { excludedSuites.insert(String(entry.dropFirst(3)).uppercased()) }
                if lower.hasPrefix("only-") { onlySuites.insert(String(entry.dropFirst(5)).uppercased()) }
            }
        }
        switch request.dtls {
        case .off: dtls = .off
        case .passive: dtls = .passive
        case .active: dtls = .active
        case nil: dtls = .default
        }
        fingerprintHash = request.dtlsFingerprint.flatMap { DTLSHashFunction(sdpName: $0) }
    }

    /// Session parameters written after our keys, in rtpengine's order.
    var sessionParameters: [String] {
        var out: [String] = []
        if unencryptedSRTP { out.append("UNENCRYPTED_SRTP") }
        if unencryptedSRTCP { out.append("UNENCRYPTED_SRTCP") }
        if unauthenticatedSRTP { out.append("UNAUTHENTICATED_SRTP") }
        return out
    }
}
