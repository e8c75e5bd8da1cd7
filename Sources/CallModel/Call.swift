import STUN
import TandemBase

/// One call (SIP Call-ID): a set of monologues, one per SIP tag, each the media of one party.
///
/// Invariant: every socket a monologue holds was opened through the owning loop's MediaPlane and
/// is closed exactly once, when the call (or that monologue) is released.
public final class Call {
    public let callID: String
    /// Wall-clock creation time (seconds since the epoch), reported by `query` as `created`.
    public let createdWallClock: Double
    public let createdAt: MonotonicTime
    public internal(set) var lastSignal: MonotonicTime
    /// Monologues in creation order; tags are unique except for the empty tag of a pending branch.
    public internal(set) var monologues: [Monologue] = []
    /// Set by `delete` with a delay: the call is destroyed when the clock passes it.
    public internal(set) var deleteAt: MonotonicTime?
    /// Set once an answer has been processed (selects `--timeout` vs `--offer-timeout`).
    public internal(set) var answered = false

    init(callID: String, now: MonotonicTime, wallClock: Double) {
        self.callID = callID
        self.createdAt = now
        self.lastSignal = now
        self.createdWallClock = wallClock
    }

    func monologue(tag: String) -> Monologue? {
        guard !tag.isEmpty else { return nil }
        return monologues.first { $0.tag == tag }
    }

    /// A branch created by an offer whose answerer is not known yet (no to-tag), matched by the
    /// offer's via-branch when one was given.
    func pendingBranch(offerer: Monologue, viaBranch: String?) -> Monologue? {
        let pending = monologues.filter { $0.tag.isEmpty && $0.offerer === offerer }
        if let viaBranch { return pending.first { $0.viaBranch == viaBranch } }
        return pending.last
    }

    func add(_ monologue: Monologue) {
        monologues.append(monologue)
    }

    func remove(_ monologue: Monologue) {
        monologues.removeAll { $0 === monologue }
    }

    /// Every socket of the call, for release and for activity checks.
    var sockets: [SocketHandle] {
        monologues.flatMap(\.allSockets)
    }
}

/// The media of one party (one SIP tag): what it sent us in SDP and the local sockets it talks to.
public final class Monologue {
    /// The SIP tag; empty while this is a pending branch of an offer not yet answered.
    public internal(set) var tag: String
    public internal(set) var label: String?
    public internal(set) var viaBranch: String?
    /// The monologue this one exchanges media with now.
    public internal(set) weak var peer: Monologue?
    /// For a pending branch: the party whose offer created it.
    weak var offerer: Monologue?
    public let createdWallClock: Double
    /// Legs facing the current peer. Forked calls give the offerer one set of sockets per branch
    /// (as rtpengine does); the sets facing other branches wait in `parked`.
    public internal(set) var medias: [MediaLeg] = []
    var parked: [ObjectIdentifier: [MediaLeg]] = [:]
    /// Whether this party has given us an SDP yet.
    public internal(set) var hasSDP = false
    /// What the party's first SDP said (for `replace username/session-name`), and its last SDP
    /// as received plus the o= version we sent for it (for `replace SDP-version`).
    var firstOriginUsername: String?
    var firstSessionName: String?
    var lastSDP: String?
    var lastSentVersion: String?

    public var peerTag: String? { peer?.tag }

    var allSockets: [SocketHandle] {
        (medias + parked.values.joined()).flatMap(\.sockets)
    }

    /// The legs this party would use facing `other`: the current ones, the set parked for that
    /// branch, or — a branch never faced — the same streams without sockets yet. Pure.
    func legs(facing other: Monologue) -> [MediaLeg] {
        guard let current = peer, current !== other else { return medias }
        return parked[ObjectIdentifier(other)] ?? medias.map { $0.unsocketed() }
    }

    /// Stores `legs` as the set facing `other` and makes `other` the peer, parking the old set.
    func adopt(_ legs: [MediaLeg], facing other: Monologue) {
        if let current = peer, current !== other {
            parked[ObjectIdentifier(current)] = medias
            parked[ObjectIdentifier(other)] = nil
        }
        medias = legs
        peer = other
    }

    init(tag: String, wallClock: Double) {
        self.tag = tag
        self.createdWallClock = wallClock
    }
}

/// One m= line of one party: its local socket pair and the remote addresses from its SDP.
public struct MediaLeg: Equatable {
    public var index: Int
    public var type: String
    public var proto: String
    public var interface: LocalInterface
    /// Local sockets advertised to this party: RTP (even port) and RTCP (port + 1).
    public var rtp: SocketHandle?
    public var rtcp: SocketHandle?
    /// Where this party receives RTP / RTCP, from its SDP; nil before its SDP or on hold (0.0.0.0).
    public var remoteRTP: TransportAddress?
    public var remoteRTCP: TransportAddress?
    /// The party offered or answered a=rtcp-mux.
    public var offeredMux = false
    /// RTCP to and from this party travels on the RTP port (negotiated).
    public var muxed = false
    /// We offered a=rtcp-mux to this party (it may accept it in its answer).
    public var muxOfferedByUs = false
    /// How to answer this party's own rtcp-mux offer.
    public var muxAcceptance = MuxAcceptance.followPeer
    /// The party's c= address was 0.0.0.0 (old-style hold).
    public var zeroAddress = false
    /// The party said a=sendonly or a=inactive (it does not want to receive media).
    public var onHold = false
    /// The party's m= payload types and a=ptime.
    public var formats: [String] = []
    public var ptime: String?
    /// Codec lists, ptime and transcoding (Codecs/CodecNegotiation.swift).
    public var codec = CodecLegState()
    /// The last SDP moved the party's address: a latch learned before must be forgotten.
    var addressChanged = false
    /// m= port 0 from this party.
    public var rejected = false
    public var latching = LatchingPolicy()

    // ICE (REFERENCE-NOTES §4 "ICE"). What the party's SDP said:
    /// The party's m= section (or session) carried ICE attributes.
    public var remoteHasICE = false
    /// The party's ice-ufrag / ice-pwd (for checking and signing its connectivity checks).
    public var remoteICE: ICEShortTermCredentials?
    /// The party's a=ice-options value (e.g. `trickle`).
    public var remoteICEOptions: String?
    /// Its offer came with `ICE=optional`/`force-relay`: it hears our ICE back only if the
    /// answerer spoke ICE.
    public var iceFollowsAnswer = false
    /// What we tell the party: our credentials (generated once per leg, kept across re-offers)
    /// and whether the SDP sent to it now carries our ICE attributes and candidates.
    public var localICE: ICEShortTermCredentials?
    public var iceAdvertised = false
    /// The a=ice-options value written to the party with our candidates.
    public var iceOptionsOut: String?
    /// Socket pairs on the interface's other addresses (rtpengine advertises 127.0.0.1 and ::1
    /// candidates on separately allocated ports), in candidate order after the main pair.
    public var iceExtra: [ICESocketPair] = []
    /// The pairs the party nominated (ICE-lite): media to it leaves from that socket, to that address.
    public var iceSelectedRTP: ICESelection?
    public var iceSelectedRTCP: ICESelection?
    /// The party's a=mid (an answer without one gets it back, as rtpengine does).
    public var mid: String?
    /// SDES / DTLS-SRTP with this party (Security/LegSecurity.swift).
    public var security = LegSecurity()

    var sockets: [SocketHandle] { [rtp, rtcp].compactMap { $0 } + iceExtra.flatMap { [$0.rtp, $0.rtcp] } }

    /// The same party's leg without sockets (a new set is opened for another branch).
    func unsocketed() -> MediaLeg {
        var copy = self
        copy.rtp = nil
        copy.rtcp = nil
        copy.iceExtra = []
        copy.localICE = nil
        copy.iceAdvertised = false
        copy.iceSelectedRTP = nil
        copy.iceSelectedRTCP = nil
        copy.muxed = false
        copy.muxOfferedByUs = false
        copy.security = LegSecurity()
        return copy
    }

    /// Forgets nominations once ICE is no longer advertised to the party or their socket was replaced.
    mutating func dropStaleICESelections() {
        let current = Set(sockets)
        if !iceAdvertised || !(iceSelectedRTP.map { current.contains($0.socket) } ?? true) { iceSelectedRTP = nil }
        if !iceAdvertised || !(iceSelectedRTCP.map { current.contains($0.socket) } ?? true) { iceSelectedRTCP = nil }
    }

    /// Where RTP to this party leaves from: the nominated ICE socket, else its RTP socket.
    var rtpOutSocket: SocketHandle? { iceSelectedRTP?.socket ?? rtp }
    /// Where RTCP to this party leaves from: its RTP socket when muxed.
    var rtcpOutSocket: SocketHandle? { muxed ? rtpOutSocket : (iceSelectedRTCP?.socket ?? rtcp) }
    /// RTP-component sockets (component 1) and RTCP ones (component 2), main pair first.
    var rtpSockets: [SocketHandle] { [rtp].compactMap { $0 } + iceExtra.map(\.rtp) }
    var rtcpSockets: [SocketHandle] { [rtcp].compactMap { $0 } + iceExtra.map(\.rtcp) }

    init(index: Int, type: String, proto: String, interface: LocalInterface) {
        self.index = index
        self.type = type
        self.proto = proto
        self.interface = interface
    }
}

/// rtpengine's rtcp-mux answer policy towards a party that offered rtcp-mux.
public enum MuxAcceptance: Equatable, Sendable {
    /// Accept it exactly when the other party accepted ours (rtpengine's default).
    case followPeer
    /// `accept` / `demux`: accept it whatever the other party does.
    case accept
    /// `reject`: refuse it.
    case reject
}

/// A socket pair opened for ICE on another address of a leg's interface.
public struct ICESocketPair: Equatable {
    public var interface: LocalInterface
    public var rtp: SocketHandle
    public var rtcp: SocketHandle
}

/// A nominated ICE pair of one component: our socket and the party's address.
public struct ICESelection: Equatable {
    public var socket: SocketHandle
    public var remote: TransportAddress
}
