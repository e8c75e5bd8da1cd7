import TandemBase

/// The INVITE client transaction (RFC 3261 §17.1.1, with RFC 6026's Accepted state).
///
/// ```
/// start -> Calling --1xx--> Proceeding --300-699--> Completed --Timer D--> Terminated
///             |  \______________________/                 (ACK sent by us, §17.1.1.3)
///             |           2xx
///             |            v
///             |        Accepted --Timer M--> Terminated     (every 2xx goes to the TU)
///             +--Timer B--> .timeout, Terminated
/// ```
/// Timer A retransmits the INVITE over unreliable transports (T1, 2*T1, 4*T1 ... uncapped)
/// while Calling. Timer B (64*T1) runs only while Calling: once a provisional response
/// arrived the proxy's Timer C (§16.6 step 11) bounds the wait, not the transaction.
public struct ClientInviteTransaction: SIPTransaction {
    private enum State: Hashable, Sendable {
        case idle, calling, proceeding, accepted, completed, terminated
    }

    /// The INVITE as sent (its top Via carries our branch).
    public let request: SIPRequest
    public let isReliable: Bool
    public let settings: SIPTimerSettings
    private var state: State = .idle
    private var timers = ArmedTimers()
    private var retransmitInterval: Double
    /// The ACK sent for the non-2xx final response; re-sent for each retransmission of it.
    private var ack: SIPRequest?

    public init(request: SIPRequest, reliable: Bool, settings: SIPTimerSettings = .default) {
        self.request = request
        self.isReliable = reliable
        self.settings = settings
        self.retransmitInterval = settings.t1
    }

    public var isTerminated: Bool { state == .terminated }

    /// True once a provisional response arrived: a CANCEL may be sent now (§9.1).
    public var hasReceivedProvisional: Bool { state == .proceeding }

    /// True once any final response arrived.
    public var hasReceivedFinal: Bool { state == .accepted || state == .completed || state == .terminated }

    /// Sends the INVITE and starts Timers A (unreliable only) and B.
    public mutating func start(now: MonotonicTime) -> [SIPTransactionAction] {
        guard state == .idle else { return [] }
        state = .calling
        var actions: [SIPTransactionAction] = [.transmit(.request(request))]
        if !isReliable { actions.append(timers.arm(.a, at: now + retransmitInterval)) }
        actions.append(timers.arm(.b, at: now + settings.transactionTimeout))
        return actions
    }

    /// A response matched to this transaction (see `ClientTransactionKey`).
    public mutating func receive(_ response: SIPResponse, now: MonotonicTime) -> [SIPTransactionAction] {
        switch state {
        case .calling, .proceeding:
            if response.isProvisional { return receiveProvisional(response) }
            if response.isSuccess { return accept(response, now: now) }
            return complete(response, now: now)
        case .accepted:
            // RFC 6026 §8.4: 2xx retransmissions and 2xx from other forks go to the TU.
            return response.isSuccess ? [.passToTU(.response(response))] : []
        case .completed:
            // A retransmitted final response: answer it with the same ACK, tell nobody.
            guard response.isFinal, !response.isSuccess, let ack else { return [] }
            return [.transmit(.request(ack))]
        case .idle, .terminated:
            return []
        }
    }

    private mutating func receiveProvisional(_ response: SIPResponse) -> [SIPTransactionAction] {
        var actions: [SIPTransactionAction] = []
        if state == .calling {
            state = .proceeding
            actions += timers.cancel(.a) + timers.cancel(.b)
        }
        return actions + [.passToTU(.response(response))]
    }

    private mutating func accept(_ response: SIPResponse, now: MonotonicTime) -> [SIPTransactionAction] {
        state = .accepted
        return timers.cancel(.a) + timers.cancel(.b) + [
            .passToTU(.response(response)),
            timers.arm(.m, at: now + settings.transactionTimeout),
        ]
    }

    private mutating func complete(_ response: SIPResponse, now: MonotonicTime) -> [SIPTransactionAction] {
        let ack = SIPRequest(ackFor: request, response: response)
        self.ack = ack
        var actions = timers.cancel(.a) + timers.cancel(.b)
        actions += [.transmit(.request(ack)), .passToTU(.response(response))]
        if isReliable {
            state = .terminated
            return actions + timers.terminate()
        }
        state = .completed
        // Timer D: at least 32 s on unreliable transports, zero on reliable ones (§17.1.1.2).
        return actions + [timers.arm(.d, at: now + max(32, settings.transactionTimeout / 2))]
    }

    public mutating func timerFired(_ timer: SIPTimer, now: MonotonicTime) -> [SIPTransactionAction] {
        guard timers.fire(timer, now: now) else { return [] }
        switch (timer, state) {
        case (.a, .calling):
            retransmitInterval *= 2
            return [.transmit(.request(request)), timers.arm(.a, at: now + retransmitInterval)]
        case (.b, .calling):
            state = .terminated
            return [.timeout] + timers.terminate()
        case (.d, .completed), (.m, .accepted):
            state = .terminated
            return timers.terminate()
        default:
            return []
        }
    }

    public mutating func transportError(now: MonotonicTime) -> [SIPTransactionAction] {
        switch state {
        case .calling, .proceeding, .completed:
            state = .terminated
            return [.transportFailed] + timers.terminate()
        case .idle, .accepted, .terminated:
            return []
        }
    }
}
