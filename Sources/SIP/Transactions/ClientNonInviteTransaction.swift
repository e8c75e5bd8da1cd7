import TandemBase

/// The non-INVITE client transaction (RFC 3261 §17.1.2): BYE, CANCEL, OPTIONS, REGISTER ...
///
/// ```
/// start -> Trying --1xx--> Proceeding --200-699--> Completed --Timer K--> Terminated
///            \________________/ --Timer F--> .timeout, Terminated
/// ```
/// Timer E retransmits over unreliable transports: T1, 2*T1, ... capped at T2 while Trying,
/// every T2 while Proceeding. Timer F (64*T1) bounds the whole wait.
public struct ClientNonInviteTransaction: SIPTransaction {
    private enum State: Hashable, Sendable {
        case idle, trying, proceeding, completed, terminated
    }

    public let request: SIPRequest
    public let isReliable: Bool
    public let settings: SIPTimerSettings
    private var state: State = .idle
    private var timers = ArmedTimers()
    private var retransmitInterval: Double

    public init(request: SIPRequest, reliable: Bool, settings: SIPTimerSettings = .default) {
        self.request = request
        self.isReliable = reliable
        self.settings = settings
        self.retransmitInterval = settings.t1
    }

    public var isTerminated: Bool { state == .terminated }

    /// Sends the request and starts Timers E (unreliable only) and F.
    public mutating func start(now: MonotonicTime) -> [SIPTransactionAction] {
        guard state == .idle else { return [] }
        state = .trying
        var actions: [SIPTransactionAction] = [.transmit(.request(request))]
        if !isReliable { actions.append(timers.arm(.e, at: now + retransmitInterval)) }
        actions.append(timers.arm(.f, at: now + settings.transactionTimeout))
        return actions
    }

    /// A response matched to this transaction.
    public mutating func receive(_ response: SIPResponse, now: MonotonicTime) -> [SIPTransactionAction] {
        switch state {
        case .trying, .proceeding:
            if response.isProvisional {
                state = .proceeding
                return [.passToTU(.response(response))]
            }
            return complete(response, now: now)
        case .idle, .completed, .terminated:
            // Retransmitted finals are absorbed in Completed (§17.1.2.2).
            return []
        }
    }

    private mutating func complete(_ response: SIPResponse, now: MonotonicTime) -> [SIPTransactionAction] {
        let actions = timers.cancel(.e) + timers.cancel(.f) + [.passToTU(.response(response))]
        if isReliable {
            state = .terminated
            return actions + timers.terminate()
        }
        state = .completed
        return actions + [timers.arm(.k, at: now + settings.t4)]
    }

    public mutating func timerFired(_ timer: SIPTimer, now: MonotonicTime) -> [SIPTransactionAction] {
        guard timers.fire(timer, now: now) else { return [] }
        switch (timer, state) {
        case (.e, .trying):
            retransmitInterval = min(retransmitInterval * 2, settings.t2)
            return [.transmit(.request(request)), timers.arm(.e, at: now + retransmitInterval)]
        case (.e, .proceeding):
            return [.transmit(.request(request)), timers.arm(.e, at: now + settings.t2)]
        case (.f, .trying), (.f, .proceeding):
            state = .terminated
            return [.timeout] + timers.terminate()
        case (.k, .completed):
            state = .terminated
            return timers.terminate()
        default:
            return []
        }
    }

    public mutating func transportError(now: MonotonicTime) -> [SIPTransactionAction] {
        guard state == .trying || state == .proceeding else { return [] }
        state = .terminated
        return [.transportFailed] + timers.terminate()
    }
}
