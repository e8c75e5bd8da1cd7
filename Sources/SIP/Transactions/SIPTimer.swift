import TandemBase

/// The RFC 3261 §17 / RFC 6026 transaction timers. The driver (I/O layer) keeps a timer per
/// (transaction, timer) and calls `timerFired` when it expires; `.schedule` for a timer that is
/// already scheduled replaces it.
public enum SIPTimer: String, Hashable, Sendable, CustomStringConvertible {
    /// Client INVITE: retransmit INVITE (unreliable only). B: give up waiting for a response.
    case a = "A", b = "B"
    /// Client INVITE: how long to absorb final-response retransmissions after sending ACK.
    case d = "D"
    /// Client non-INVITE: retransmit request (unreliable only). F: give up. K: absorb retransmissions.
    case e = "E", f = "F", k = "K"
    /// Server INVITE: retransmit non-2xx final (unreliable only). H: give up waiting for ACK.
    /// I: absorb ACK retransmissions.
    case g = "G", h = "H", i = "I"
    /// Server non-INVITE: absorb request retransmissions after the final response.
    case j = "J"
    /// RFC 6026: server INVITE stays in Accepted (after 2xx) for L, client INVITE for M.
    case l = "L", m = "M"

    public var description: String { "Timer " + rawValue }
}

/// T1 (RTT estimate), T2 (maximum retransmit interval for non-INVITE requests and INVITE
/// responses) and T4 (maximum time a message stays in the network), in seconds (§17.1.1.1).
public struct SIPTimerSettings: Hashable, Sendable {
    public var t1: Double
    public var t2: Double
    public var t4: Double

    public init(t1: Double = 0.5, t2: Double = 4, t4: Double = 5) {
        self.t1 = t1
        self.t2 = t2
        self.t4 = t4
    }

    public static let `default` = SIPTimerSettings()

    /// 64*T1: Timers B, F, H, J (unreliable), L and M.
    var transactionTimeout: Double { 64 * t1 }
}

/// What a transaction asks its driver to do, in order.
public enum SIPTransactionAction: Hashable, Sendable {
    /// Send this message to the transaction's peer (the request's destination, or the address
    /// a response goes to per §18.2.2).
    case transmit(SIPMessage)
    /// Hand to the transaction user (the proxy core): a new request, a response to forward, an
    /// ACK for a 2xx.
    case passToTU(SIPMessage)
    /// Start (or restart) the timer to fire at the given time.
    case schedule(SIPTimer, at: MonotonicTime)
    /// Stop the timer: it must not fire any more (a late fire is ignored anyway).
    case cancelTimer(SIPTimer)
    /// Client: no final response in time (Timer B/F); the proxy acts as if a 408 arrived
    /// (§16.7 step 2 / §16.8). Server INVITE: no ACK for the final response (Timer H).
    case timeout
    /// The transport reported a failure sending (§17.1.4, §17.2.4); a proxy treats it as 503.
    case transportFailed
    /// The transaction is over: remove it from the table. Always the last action.
    case terminated
}

/// The armed timers of one transaction and their deadlines. A fire for a timer that is not
/// armed (cancelled, or rescheduled to a later time) is stale and ignored, so the driver may
/// be sloppy about cancelling.
struct ArmedTimers: Hashable, Sendable {
    private var deadlines: [SIPTimer: MonotonicTime] = [:]

    mutating func arm(_ timer: SIPTimer, at time: MonotonicTime) -> SIPTransactionAction {
        deadlines[timer] = time
        return .schedule(timer, at: time)
    }

    mutating func cancel(_ timer: SIPTimer) -> [SIPTransactionAction] {
        deadlines.removeValue(forKey: timer) == nil ? [] : [.cancelTimer(timer)]
    }

    /// Consumes the timer when the fire is genuine (armed and due).
    mutating func fire(_ timer: SIPTimer, now: MonotonicTime) -> Bool {
        guard let deadline = deadlines[timer], now >= deadline else { return false }
        deadlines[timer] = nil
        return true
    }

    /// Cancels everything still armed, in a stable order, then `.terminated`.
    mutating func terminate() -> [SIPTransactionAction] {
        let pending = deadlines.keys.sorted { $0.rawValue < $1.rawValue }
        deadlines = [:]
        return pending.map { .cancelTimer($0) } + [.terminated]
    }

    func deadline(_ timer: SIPTimer) -> MonotonicTime? { deadlines[timer] }
}

/// The events every transaction accepts, so a table can drive them uniformly.
public protocol SIPTransaction: Sendable {
    /// True once `.terminated` was returned.
    var isTerminated: Bool { get }
    /// A timer the transaction scheduled has expired.
    mutating func timerFired(_ timer: SIPTimer, now: MonotonicTime) -> [SIPTransactionAction]
    /// The transport failed to send a message of this transaction.
    mutating func transportError(now: MonotonicTime) -> [SIPTransactionAction]
}
