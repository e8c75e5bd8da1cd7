import SDP
import TandemBase

/// The calls owned by one packet loop, and the ng operations on them. Sans-IO: time comes in as
/// `now`, sockets through the `MediaPlane`. Every operation either completes or throws leaving
/// the registry and the plane exactly as they were.
public final class CallRegistry {
    public struct Settings: Sendable, Equatable {
        public var interfaces: InterfaceSet
        public var timeout: Double = 60
        public var silentTimeout: Double = 3600
        public var offerTimeout: Double = 3600
        /// 0 disables the hard limit.
        public var finalTimeout: Double = 0
        /// Default `delete-delay` for `delete` (rtpengine: 30 s).
        public var deleteDelay: Double = 30
        /// -1: unlimited.
        public var maxSessions: Int = -1
        /// `--endpoint-learning` (rtpengine's default: delayed).
        public var endpointLearning: OfferAnswerOptions.EndpointLearning = .delayed
        /// `--dtls-passive`: answer DTLS offers as the server unless ng `DTLS=active`.
        public var dtlsPassive = false

        public init(interfaces: InterfaceSet) { self.interfaces = interfaces }
    }

    public let settings: Settings
    let plane: MediaPlane
    public private(set) var calls: [String: Call] = [:]
    public internal(set) var counters = RegistryCounters()
    /// ICE-lite agents by the socket whose connectivity checks they answer (CallRegistry+ICE).
    var iceBindings: [SocketHandle: ICEBinding] = [:]
    var iceSocketsByCall: [String: [SocketHandle]] = [:]
    /// DTLS-SRTP associations by the leg's RTP socket (CallRegistry+DTLS).
    var dtlsBindings: [SocketHandle: DTLSBinding] = [:]
    var dtlsSocketsByCall: [String: [SocketHandle]] = [:]

    public init(settings: Settings, plane: MediaPlane) {
        self.settings = settings
        self.plane = plane
    }

    public func call(_ callID: String) -> Call? { calls[callID] }

    /// Processes an offer: the SDP belongs to `options.fromTag`; the returned SDP goes to the peer.
    public func offer(callID: String, sdp: String, options: OfferAnswerOptions,
                      now: MonotonicTime, wallClock: Double) throws(CallError) -> String {
        let parsed = try Self.parse(sdp)
        let media = try SenderMedia.read(parsed, options: options)
        let existing = calls[callID]
        if existing == nil, settings.maxSessions >= 0, calls.count >= settings.maxSessions {
            throw .tooManyCalls
        }
        let call = existing ?? Call(callID: callID, now: now, wallClock: wallClock)
        let negotiation = Negotiation(call: call, plane: plane, interfaces: settings.interfaces,
                                      learning: options.endpointLearning ?? settings.endpointLearning)
        let output = try negotiation.offer(parsed, text: sdp, media: media, options: withDefaults(options), wallClock: wallClock)
        refreshICE(call)
        refreshDTLS(call, now: now)
        call.lastSignal = now
        call.deleteAt = nil
        if existing == nil {
            calls[callID] = call
            counters.callsCreated += 1
        }
        return output
    }

    /// Processes an answer: the SDP belongs to `options.toTag`; the returned SDP goes to the offerer.
    public func answer(callID: String, sdp: String, options: OfferAnswerOptions,
                       now: MonotonicTime, wallClock: Double) throws(CallError) -> String {
        guard let call = calls[callID] else { throw .unknownCallID }
        let parsed = try Self.parse(sdp)
        let media = try SenderMedia.read(parsed, options: options)
        let negotiation = Negotiation(call: call, plane: plane, interfaces: settings.interfaces,
                                      learning: options.endpointLearning ?? settings.endpointLearning)
        let output = try negotiation.answer(parsed, text: sdp, media: media, options: withDefaults(options), wallClock: wallClock)
        refreshICE(call)
        refreshDTLS(call, now: now)
        call.lastSignal = now
        call.answered = true
        return output
    }

    /// Deletes a call (or, with a from-tag naming one branch of several, only that branch), now or
    /// after `delay` seconds. Returns the final statistics of what was (or will be) deleted.
    @discardableResult
    public func delete(callID: String, fromTag: String?, toTag: String?, viaBranch: String?,
                       delay: Double?, now: MonotonicTime) throws(CallError) -> Call {
        guard let call = calls[callID] else { throw .unknownCallID }
        if let fromTag, !fromTag.isEmpty, call.monologue(tag: fromTag) == nil {
            throw .unknownTag(fromTag)
        }
        let wait = delay ?? settings.deleteDelay
        if wait > 0 {
            call.deleteAt = now + wait
        } else {
            destroy(call, reason: .deleted)
        }
        return call
    }

    /// Closes every socket of the call and forgets it.
    func destroy(_ call: Call, reason: RemovalReason) {
        for socket in call.sockets { plane.close(socket) }
        forgetICE(call.callID)
        forgetDTLS(call.callID)
        calls[call.callID] = nil
        counters.count(reason)
    }

    /// Destroys every call; used at shutdown.
    public func destroyAll() {
        for call in Array(calls.values) { destroy(call, reason: .deleted) }
    }

    /// Daemon-wide defaults an ng request may override (`--dtls-passive`).
    private func withDefaults(_ options: OfferAnswerOptions) -> OfferAnswerOptions {
        guard settings.dtlsPassive, options.security.dtls == .default else { return options }
        var copy = options
        copy.security.dtls = .passive
        return copy
    }

    static func parse(_ sdp: String) throws(CallError) -> SessionDescription {
        guard !sdp.isEmpty else { throw .noSDP }
        do {
            return try SessionDescription(parsing: sdp)
        } catch {
            throw .sdpParse(error.description)
        }
    }
}

/// Why a call left the registry, for `statistics`.
public enum RemovalReason: Sendable {
    case deleted, timeout, silentTimeout, offerTimeout, finalTimeout
}

/// Lifetime counters of one registry, summed over loops by `statistics`.
public struct RegistryCounters: Sendable, Equatable {
    public var callsCreated: UInt64 = 0
    public var deleted: UInt64 = 0
    public var timeouts: UInt64 = 0
    public var silentTimeouts: UInt64 = 0
    public var offerTimeouts: UInt64 = 0
    public var finalTimeouts: UInt64 = 0
    /// DTLS-SRTP handshakes completed, and failed (wrong fingerprint, error, no answer).
    public var dtlsHandshakes: UInt64 = 0
    public var dtlsFailures: UInt64 = 0
    /// ICE connectivity checks answered with success, and STUN datagrams on ICE legs rejected
    /// (401/400 answers or dropped: bad MESSAGE-INTEGRITY, wrong username, malformed).
    public var stunChecks: UInt64 = 0
    public var stunRejected: UInt64 = 0

    public init() {}

    mutating func count(_ reason: RemovalReason) {
        switch reason {
        case .deleted: deleted += 1
        case .timeout: timeouts += 1
        case .silentTimeout: silentTimeouts += 1
        case .offerTimeout: offerTimeouts += 1
        case .finalTimeout: finalTimeouts += 1
        }
    }

    public static func + (a: Self, b: Self) -> Self {
        var s = a
        s.callsCreated += b.callsCreated
        s.deleted += b.deleted
        s.timeouts += b.timeouts
        s.silentTimeouts += b.silentTimeouts
        s.offerTimeouts += b.offerTimeouts
        s.finalTimeouts += b.finalTimeouts
        s.dtlsHandshakes += b.dtlsHandshakes
        s.dtlsFailures += b.dtlsFailures
        s.stunChecks += b.stunChecks
        s.stunRejected += b.stunRejected
        return s
    }
}
