import Crypto
import SDP

/// SRTP state of one leg (one party's m= line): what the party said (a=crypto, a=fingerprint,
/// a=setup), what we told it, and the keys the data plane uses on the leg's sockets.
public struct LegSecurity: Equatable {
    // What the party's last SDP said.
    public var remoteCryptos: [SDESCrypto] = []
    public var remoteFingerprint: DTLSFingerprint?
    public var remoteSetup: DTLSSetup?

    /// Our generated key per suite towards this party: kept across re-offers (rtpengine does).
    var localKeys: [String: SDESCrypto] = [:]
    /// The same for our answers to this party's SDES offers (kept across re-answers; a key we
    /// offered it is not reused when it becomes the offerer, golden 159).
    var answerKeys: [String: SDESCrypto] = [:]
    /// `SDES-no-…` of this party's offer: suites we will not answer it with (golden 169).
    var excludedInAnswer: Set<String> = []
    /// The a=crypto lines we offered this party (its answer names one by tag).
    var offeredCryptos: [SDESCrypto] = []
    /// Our line the party accepted in its answer (offered first again on a re-offer).
    var negotiated: SDESCrypto?
    /// Security lines of the SDP we send this party (a=crypto..., a=setup, a=fingerprint).
    public internal(set) var sdpLines: [SDPLine] = []

    /// DTLS-SRTP with this party, once negotiated: our role and the fingerprint it must present.
    public internal(set) var dtls: DTLSPlan?

    /// Keying of what the party sends (decrypt on its sockets) and of what we send it (encrypt).
    public internal(set) var inbound: SRTPParameters?
    public internal(set) var outbound: SRTPParameters?
    /// DTLS-SRTP without rtcp-mux runs a second association on the RTCP port (RFC 5764 §4.1,
    /// as rtpengine does): its keys serve the RTCP socket. SDES keys serve both sockets.
    public internal(set) var rtcpInbound: SRTPParameters?
    public internal(set) var rtcpOutbound: SRTPParameters?
    /// The key of the a=crypto line `outbound` came from (to recognise an offerer's own line).
    var outboundKeySalt: [UInt8]?

    public init() {}

    /// SDES negotiated on a suite Tandem has no transform for (F8): no media either way.
    var unusableSuite = false

    /// DTLS negotiated but no keys yet, or an unusable suite: no media flows to or from the
    /// party (never in clear).
    var blocksMedia: Bool { unusableSuite || (dtls != nil && (inbound == nil || outbound == nil)) }

    /// The suite in effect, for `query`.
    public var suite: String? { outbound?.suite ?? inbound?.suite }

    mutating func installDTLSKeys(_ keys: DTLSSRTPKeyMaterial, rtcpComponent: Bool) {
        let suite = keys.profile.sdesName
        let decrypt = SRTPParameters(suite: suite, masterKey: keys.remote.key, masterSalt: keys.remote.salt)
        let encrypt = SRTPParameters(suite: suite, masterKey: keys.local.key, masterSalt: keys.local.salt)
        if rtcpComponent {
            (rtcpInbound, rtcpOutbound) = (decrypt, encrypt)
        } else {
            (inbound, outbound) = (decrypt, encrypt)
        }
    }

    mutating func clearKeys() {
        (inbound, outbound, rtcpInbound, rtcpOutbound) = (nil, nil, nil, nil)
    }
}

extension MediaLeg {
    /// DTLS on a separate RTCP port whose association has no keys yet: no RTCP to or from it.
    var dtlsRTCPPending: Bool {
        security.dtls != nil && !muxed && rtcp != nil && (security.rtcpInbound == nil || security.rtcpOutbound == nil)
    }

    /// The keying of the RTCP socket: its own DTLS association's when not muxed, else the RTP keys.
    var rtcpKeys: (decrypt: SRTPParameters?, encrypt: SRTPParameters?) {
        security.dtls != nil && !muxed ? (security.rtcpInbound, security.rtcpOutbound) : (security.inbound, security.outbound)
    }
}

/// A DTLS-SRTP association to set up with a party.
public struct DTLSPlan: Equatable, Sendable {
    public var role: DTLSRole
    public var remoteFingerprint: DTLSFingerprint
}

/// Protocols that carry SRTP (RFC 3711 / 5124 / 5764 names).
enum SecureTransport {
    static func isSecure(_ proto: String) -> Bool {
        let upper = proto.uppercased()
        return upper.hasSuffix("/SAVP") || upper.hasSuffix("/SAVPF")
    }
}
