import TandemBase

/// What an offer or answer asks of the call model: the typed meaning of rtpengine's ng keys and
/// flags, independent of how they were spelled on the wire (NGProtocol does the spelling).
public struct OfferAnswerOptions: Sendable, Equatable {
    public var fromTag: String
    public var toTag: String?
    public var viaBranch: String?
    public var label: String?

    /// Which SDP address to believe for the sender's media (rtpengine default: the SDP's).
    public var addressSource: AddressSource = .sdp
    /// `received-from`: where the SIP message came from (used by `SIP source address`).
    public var receivedFrom: IPAddress?
    /// `media-address`: the address to advertise in the rewritten SDP's c= lines instead of the
    /// interface's (rtpengine 10.5 behaviour, see golden case 009).
    public var mediaAddress: IPAddress?
    /// How to write `a=rtcp` (`no-rtcp-attribute`, `full-rtcp-attribute`).
    public var rtcpAttribute: RTCPAttributeStyle = .port

    /// `direction`: interface names for the sending side (0) and the receiving side (1).
    public var direction: [String] = []
    /// `address-family`: the family to advertise to the receiving side.
    public var addressFamily: IPAddress.Family?

    public var replace: Set<Replacement> = []
    public var ice: ICEMode = .default
    public var rtcpMux: Set<RTCPMuxFlag> = []
    /// `transport-protocol`: the protocol to write into the receiving side's m= lines.
    public var transportProtocol: String?
    /// `generate-mid`: an offer's m= lines without a=mid get `a=mid:N` (N = 1-based m= index),
    /// as rtpengine 10.5 does; no effect on an answer (golden 173, 178, 179).
    public var generateMid = false
    /// `SDES`, `DTLS`, `DTLS-fingerprint` (Security/SecurityOptions.swift).
    public var security = SecurityOptions()

    /// `asymmetric`, `strict source`, `media handover`, `port latching`.
    public var latching = LatchingPolicy()
    /// `endpoint-learning` for this request; nil = the daemon's setting.
    public var endpointLearning: EndpointLearning?
    /// The `codec` dictionary, codec flags and ptime keys (Codecs/CodecOptions.swift).
    public var codecs = CodecOptions()

    /// rtpengine's endpoint learning modes (`--endpoint-learning`, ng `endpoint-learning`).
    public enum EndpointLearning: String, Sendable, Equatable {
        case delayed, immediate, off, heuristic

        /// Seconds during which a new source still moves the latch.
        var window: Double { self == .delayed || self == .heuristic ? 3 : 0 }
    }

    public init(fromTag: String, toTag: String? = nil) {
        self.fromTag = fromTag
        self.toTag = toTag
    }

    public enum RTCPAttributeStyle: Sendable, Equatable {
        case omit, port, full
    }

    public enum AddressSource: Sendable, Equatable {
        /// `trust address` (the default): the c= address in the SDP.
        case sdp
        /// `SIP source address`: the `received-from` address, keeping the SDP's ports.
        case sipSource
    }

    /// rtpengine's `replace` list.
    public enum Replacement: String, Sendable, CaseIterable {
        case origin
        case sessionConnection = "session-connection"
        case sdpVersion = "SDP-version"
        case username
        case sessionName = "session-name"
        case zeroAddress = "zero-address"
        case originFull = "origin-full"
    }

    /// rtpengine's `ICE` key.
    public enum ICEMode: String, Sendable, Equatable {
        case `default`, remove, force, forceRelay = "force-relay", optional
    }

    /// rtpengine's `rtcp-mux` list (RFC 5761 handling).
    public enum RTCPMuxFlag: String, Sendable, CaseIterable {
        /// Always offer rtcp-mux to the receiving side.
        case offer
        /// Offer it and pretend it was accepted: no separate RTCP port advertised (WebRTC).
        case require
        /// Don't pass the sender's rtcp-mux on, but accept it back to the sender.
        case demux
        /// Accept the sender's rtcp-mux and pass it on.
        case accept
        /// Refuse the sender's rtcp-mux.
        case reject
    }
}
