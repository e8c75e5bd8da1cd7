import SIP
import TandemBase

/// Builders for transaction tests: a request with one Via, responses to it, and a fake clock.
enum TX {
    static let t0 = MonotonicTime(seconds: 1000)

    static func at(_ seconds: Double) -> MonotonicTime { t0 + seconds }

    static func request(_ method: SIPMethod, branch: String = "z9hG4bKclient1", sentBy: String = "10.0.0.1:5060") -> SIPRequest {
        var h = SIPHeaders()
        h.append("Via", "SIP/2.0/UDP \(sentBy);branch=\(branch)")
        h.append("Max-Forwards", "70")
        h.append("From", "<sip:alice@a.example>;tag=fromtag")
        h.append("To", "<sip:bob@b.example>")
        h.append("Call-ID", "call-1@a.example")
        h.append("CSeq", "1 \(method.name)")
        h.append("Route", "<sip:p2.example;lr>")
        return SIPRequest(method: method, uri: SIPURI(user: "bob", host: "b.example"), headers: h)
    }

    static func response(_ code: Int, to request: SIPRequest, toTag: String? = "totag") -> SIPResponse {
        SIPResponse(replyingTo: request, statusCode: code, toTag: toTag)
    }

    static func transmitted(_ actions: [SIPTransactionAction]) -> [SIPMessage] {
        actions.compactMap { if case .transmit(let m) = $0 { return m } else { return nil } }
    }

    static func passed(_ actions: [SIPTransactionAction]) -> [SIPMessage] {
        actions.compactMap { if case .passToTU(let m) = $0 { return m } else { return nil } }
    }

    static func scheduled(_ actions: [SIPTransactionAction]) -> [SIPTimer: MonotonicTime] {
        var out: [SIPTimer: MonotonicTime] = [:]
        for case .schedule(let timer, let time) in actions { out[timer] = time }
        return out
    }

    static func terminated(_ actions: [SIPTransactionAction]) -> Bool { actions.last == .terminated }
}

/// Drives one transaction's timers like the I/O layer would: remembers every `.schedule`, forgets
/// on `.cancelTimer`, and fires due timers in time order as the clock advances.
struct FakeTimerDriver {
    var pending: [SIPTimer: MonotonicTime] = [:]
    var log: [SIPTransactionAction] = []

    mutating func record(_ actions: [SIPTransactionAction]) {
        log += actions
        for action in actions {
            switch action {
            case .schedule(let t, let at): pending[t] = at
            case .cancelTimer(let t): pending[t] = nil
            case .terminated: pending = [:]
            default: break
            }
        }
    }

    /// Fires every timer due up to `until`, feeding the results back; returns what they produced.
    mutating func advance<T: SIPTransaction>(_ transaction: inout T, until: MonotonicTime) -> [SIPTransactionAction] {
        var produced: [SIPTransactionAction] = []
        while let (timer, at) = pending.filter({ $0.value <= until }).min(by: { $0.value < $1.value }) {
            pending[timer] = nil
            let actions = transaction.timerFired(timer, now: at)
            record(actions)
            produced += actions.map { $0 }
            if case .transmit = actions.first { retransmitTimes.append(at) }
        }
        return produced
    }

    var retransmitTimes: [MonotonicTime] = []
}
