import TandemBase

/// The INVITE server transaction (RFC 3261 §17.2.1, with RFC 6026's Accepted state).
///
/// ```
/// start -> Proceeding --2xx from TU--> Accepted --Timer L--> Terminated  (ACK goes to the TU)
///              |
///              +--300-699 from TU--> Completed --ACK--> Confirmed --Timer I--> Terminated
///                                        +--Timer H--> .timeout, Terminated
/// ```
/// INVITE retransmissions are absorbed: in Proceeding the last provisional response (if any)
/// is sent again, in Completed the final response. Timer G retransmits a non-2xx final over
/// unreliable transports (T1, doubling, capped at T2). The 100 Trying is the TU's to send.
public struct ServerInviteTransaction: SIPTransaction {
    private enum State: Hashable, Sendable {
        case idle, proceeding, accepted, completed, confirmed, terminated
    }

    /// The INVITE that created the transaction.
    public let request: SIPRequest
    public let isReliable: Bool
    public let settings: SIPTimerSettings
    private var state: State = .idle
    private var timers = ArmedTimers()
    private var lastResponse: SIPResponse?
    private var retransmitInterval: Double

    public init(request: SIPRequest, reliable: Bool, settings: SIPTimerSettings = .default) {
        self.request = request
        self.isReliable = reliable
        self.settings = settings
        self.retransmitInterval = settings.t1
    }

    public var isTerminated: Bool { state == .terminated }

    /// The last response sent (provisional or final), if any.
    public var lastSentResponse: SIPResponse? { lastResponse }

    /// True while no final response was sent: a CANCEL can still stop it with a 487 (§9.2).
    public var isAwaitingFinalResponse: Bool { state == .proceeding }

    /// Enters Proceeding and hands the INVITE to the TU.
    public mutating func start(now: MonotonicTime) -> [SIPTransactionAction] {
        guard state == .idle else { return [] }
        state = .proceeding
        return [.passToTU(.request(request))]
    }

    /// A request matched to this transaction: a retransmitted INVITE, or an ACK.
    public mutating func receive(_ request: SIPRequest, now: MonotonicTime) -> [SIPTransactionAction] {
        if request.method == .ack { return receiveACK(request, now: now) }
        guard request.method == .invite else { return [] }
        switch state {
        case .proceeding, .completed:
            return lastResponse.map { [.transmit(.response($0))] } ?? []
        case .idle, .accepted, .confirmed, .terminated:
            return []
        }
    }

    private mutating func receiveACK(_ ack: SIPRequest, now: MonotonicTime) -> [SIPTransactionAction] {
        switch state {
        case .completed:
            let cancelled = timers.cancel(.g) + timers.cancel(.h)
            if isReliable {
                state = .terminated
                return cancelled + timers.terminate()
            }
            state = .confirmed
            return cancelled + [timers.arm(.i, at: now + settings.t4)]
        case .accepted:
            // RFC 6026: an ACK for a 2xx that matches the transaction is the TU's (end-to-end).
            return [.passToTU(.request(ack))]
        case .idle, .proceeding, .confirmed, .terminated:
            return []
        }
    }

    /// A response from the TU for this INVITE.
    public mutating func send(_ response: SIPResponse, now: MonotonicTime) -> [SIPTransactionAction] {
        switch state {
        case .proceeding:
            lastResponse = response
            if response.isProvisional { return [.transmit(.response(response))] }
            if response.isSuccess {
                state = .accepted
                return [.transmit(.response(response)), timers.arm(.l, at: now + settings.transactionTimeout)]
            }
            return complete(response, now: now)
        case .accepted where response.isSuccess:
            // 2xx retransmissions (and 2xx of other forks) are the TU's; pass them through.
            return [.transmit(.response(response))]
        default:
            return []
        }
    }

    private mutating func complete(_ response: SIPResponse, now: MonotonicTime) -> [SIPTransactionAction] {
        state = .completed
        var actions: [SIPTransactionAction] = [.transmit(.response(response))]
        if !isReliable { actions.append(timers.arm(.g, at: now + retransmitInterval)) }
        actions.append(timers.arm(.h, at: now + settings.transactionTimeout))
        return actions
    }

    public mutating func timerFired(_ timer: SIPTimer, now: MonotonicTime) -> [SIPTransactionAction] {
        guard timers.fire(timer, now: now) else { return [] }
        switch (timer, state) {
        case (.g, .completed):
            retransmitInterval = min(retransmitInterval * 2, settings.t2)
            let resend: [SIPTransactionAction] = lastResponse.map { [.transmit(.response($0))] } ?? []
            return resend + [timers.arm(.g, at: now + retransmitInterval)]
        case (.h, .completed):
            state = .terminated
            return [.timeout] + timers.terminate()
        case (.i, .confirmed), (.l, .accepted):
            state = .terminated
            return timers.terminate()
        default:
            return []
        }
    }

    public mutating func transportError(now: MonotonicTime) -> [SIPTransactionAction] {
        guard state != .terminated, state != .idle else { return [] }
        state = .terminated
        return [.transportFailed] + timers.terminate()
    }
}
