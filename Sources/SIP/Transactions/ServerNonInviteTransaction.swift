import TandemBase

/// The non-INVITE server transaction (RFC 3261 §17.2.2).
///
/// ```
/// start -> Trying --1xx from TU--> Proceeding --200-699 from TU--> Completed --Timer J--> Terminated
/// ```
/// Retransmitted requests are absorbed: nothing is sent in Trying, the last provisional in
/// Proceeding, the final response in Completed. Timer J is 64*T1 on unreliable transports,
/// zero on reliable ones.
public struct ServerNonInviteTransaction: SIPTransaction {
    private enum State: Hashable, Sendable {
        case idle, trying, proceeding, completed, terminated
    }

    public let request: SIPRequest
    public let isReliable: Bool
    public let settings: SIPTimerSettings
    private var state: State = .idle
    private var timers = ArmedTimers()
    private var lastResponse: SIPResponse?

    public init(request: SIPRequest, reliable: Bool, settings: SIPTimerSettings = .default) {
        self.request = request
        self.isReliable = reliable
        self.settings = settings
    }

    public var isTerminated: Bool { state == .terminated }

    /// True while no final response was sent.
    public var isAwaitingFinalResponse: Bool { state == .trying || state == .proceeding }

    /// Enters Trying and hands the request to the TU.
    public mutating func start(now: MonotonicTime) -> [SIPTransactionAction] {
        guard state == .idle else { return [] }
        state = .trying
        return [.passToTU(.request(request))]
    }

    /// A retransmission of the request.
    public mutating func receive(_ request: SIPRequest, now: MonotonicTime) -> [SIPTransactionAction] {
        switch state {
        case .proceeding, .completed:
            return lastResponse.map { [.transmit(.response($0))] } ?? []
        case .idle, .trying, .terminated:
            return []
        }
    }

    /// A response from the TU.
    public mutating func send(_ response: SIPResponse, now: MonotonicTime) -> [SIPTransactionAction] {
        guard state == .trying || state == .proceeding else { return [] }
        lastResponse = response
        if response.isProvisional {
            state = .proceeding
            return [.transmit(.response(response))]
        }
        if isReliable {
            state = .terminated
            return [.transmit(.response(response))] + timers.terminate()
        }
        state = .completed
        return [.transmit(.response(response)), timers.arm(.j, at: now + settings.transactionTimeout)]
    }

    public mutating func timerFired(_ timer: SIPTimer, now: MonotonicTime) -> [SIPTransactionAction] {
        guard timers.fire(timer, now: now), timer == .j, state == .completed else { return [] }
        state = .terminated
        return timers.terminate()
    }

    public mutating func transportError(now: MonotonicTime) -> [SIPTransactionAction] {
        guard state == .proceeding || state == .completed else { return [] }
        state = .terminated
        return [.transportFailed] + timers.terminate()
    }
}
