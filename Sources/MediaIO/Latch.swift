import CallModel
import TandemBase

// The source check and latching decision for one socket, as a pure value type (rtpengine's
// rules):
//
// - symmetric (default): the first packet latches the remote to its source, whatever SDP said
//   (NAT traversal: the phone's real address is where its packets come from). A packet from the
//   SDP address also confirms the latch. After latching, packets from other sources are still
//   relayed but do not move the latch.
// - asymmetric: never latch; media always goes to the SDP address.
// - strict source: after latching (or, when asymmetric, against the SDP address), packets from any
//   other source are dropped.
// - media handover: every new source re-latches (the phone moved, e.g. Wi-Fi -> LTE).
// - delayed learning (rtpengine's default endpoint learning): for a few seconds after signalling
//   (`learningUntil`) every new source moves the latch, and strict source is not yet applied.
// - port latching: a latched remote survives a re-offer that asks to reset it (`resetLatch`).
//   Media handover still moves it: that flag asks for it explicitly.
//
// It holds no reference types (TransportAddress is a value enum), so a packet loop keeps it
// inline in its endpoint table.

public struct Latch: Hashable, Sendable {
    public enum Verdict: Sendable, Equatable {
        /// Relay the packet; the remote did not change.
        case accept
        /// Relay the packet; the remote is now the packet's source.
        case relatched
        /// Drop the packet (strict source).
        case drop
    }

    public private(set) var policy = LatchingPolicy()
    /// The remote from SDP (nil: unknown, or on hold).
    public private(set) var signalled: TransportAddress?
    /// Where media for this socket's remote goes, and the source it is expected from.
    public private(set) var remote: TransportAddress?
    /// Whether `remote` was learned (or confirmed) from traffic.
    public private(set) var latched = false
    /// Monotonic nanoseconds until which every new source moves the latch (delayed learning).
    public private(set) var learningUntil: UInt64 = 0

    public init() {}

    /// Applies an offer/answer: the SDP remote and the policy. Returns true when `remote` changed.
    @discardableResult
    public mutating func configure(remote sdp: TransportAddress?, policy: LatchingPolicy, resetLatch: Bool,
                                   learningUntil: UInt64 = 0) -> Bool {
        let before = remote
        self.policy = policy
        self.learningUntil = learningUntil
        signalled = sdp
        if policy.asymmetric {
            latched = false
            remote = sdp
        } else if latched {
            if resetLatch && !policy.portLatching {
                latched = false
                remote = sdp
            }  // else keep the learned remote
        } else {
            remote = sdp
        }
        return before != remote
    }

    /// Decides what to do with a packet from `source` arriving at `now` (monotonic ns), latching
    /// as the policy says.
    public mutating func receive(from source: TransportAddress, now: UInt64 = 0) -> Verdict {
        if policy.asymmetric {
            guard policy.strictSource, let expected = signalled else { return .accept }
            return source == expected ? .accept : .drop
        }
        if source == remote {
            latched = true
            return .accept
        }
        if !latched || policy.mediaHandover || now < learningUntil {
            remote = source
            latched = true
            return .relatched
        }
        return policy.strictSource ? .drop : .accept
    }
}
