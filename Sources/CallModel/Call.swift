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
        monologues.first { $0.tag == tag }
    }

    /// A branch created by an offer whose answerer is not known yet (no to-tag), matched by the
    /// offer's via-branch when one was given.
    func pendingBranch(offerer: Monologue, viaBranch: String?) -> Monologue? {
        let pending = monologues.filter { $0.tag.isEmpty && $0.peerTag == offerer.tag }
        if let viaBranch, let exact = pending.first(where: { $0.viaBranch == viaBranch }) { return exact }
        return viaBranch == nil ? pending.last : pending.first(where: { $0.viaBranch == nil })
    }

    func add(_ monologue: Monologue) {
        monologues.append(monologue)
    }

    func remove(_ monologue: Monologue) {
        monologues.removeAll { $0 === monologue }
    }

    /// Every socket of the call, for release and for activity checks.
    var sockets: [SocketHandle] {
        monologues.flatMap { $0.medias.flatMap(\.sockets) }
    }
}

/// The media of one party (one SIP tag): what it sent us in SDP and the local sockets it talks to.
public final class Monologue {
    /// The SIP tag; empty while this is a pending branch of an offer not yet answered.
    public internal(set) var tag: String
    public internal(set) var label: String?
    public internal(set) var viaBranch: String?
    /// The monologue this one exchanges media with.
    public internal(set) var peerTag: String?
    public let createdWallClock: Double
    public internal(set) var medias: [MediaLeg] = []
    /// Whether this party has given us an SDP yet.
    public internal(set) var hasSDP = false

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
    /// The last SDP moved the party's address: a latch learned before must be forgotten.
    var addressChanged = false
    /// m= port 0 from this party.
    public var rejected = false
    public var latching = LatchingPolicy()

    var sockets: [SocketHandle] { [rtp, rtcp].compactMap { $0 } }

    /// Where RTCP to this party leaves from: its RTP socket when muxed.
    var rtcpOutSocket: SocketHandle? { muxed ? rtp : rtcp }

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
