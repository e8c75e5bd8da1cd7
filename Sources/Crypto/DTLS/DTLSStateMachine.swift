// The DTLS endpoint's life cycle, kept apart from OpenSSL so it can be tested with a mock clock:
// each event returns the action the endpoint must take (the style of swift-nio's
// ProtocolNegotiationHandlerStateMachine). OpenSSL does the handshake itself; this machine
// decides when to drive it, when the retransmission timer is due, when to give up, and what to
// report, exactly once.
import TandemBase

/// Why a DTLS endpoint failed. No keys are ever reported after a failure.
public enum DTLSFailure: Error, Equatable, Sendable, CustomStringConvertible {
    /// The peer's certificate does not have the fingerprint given in SDP. `actual` is its
    /// digest with the expected hash function.
    case fingerprintMismatch(expected: DTLSFingerprint, actual: DTLSFingerprint?)
    /// The peer sent no certificate.
    case noPeerCertificate
    /// The handshake completed without a common `use_srtp` profile.
    case noSRTPProfile
    /// No answer from the peer after the configured number of retransmissions.
    case timeout(retransmissions: Int)
    /// OpenSSL reported a handshake error or a fatal alert (its error text).
    case handshake(String)
    /// Exporting the keying material failed.
    case keyExport(String)

    public var description: String {
        switch self {
        case .fingerprintMismatch(let e, let a): return "peer certificate fingerprint mismatch: expected \(e), got \(a.map(\.description) ?? "none")"
        case .noPeerCertificate: return "peer sent no certificate"
        case .noSRTPProfile: return "no common DTLS-SRTP profile"
        case .timeout(let n): return "DTLS handshake timed out after \(n) retransmissions"
        case .handshake(let s): return "DTLS handshake failed\(s)"
        case .keyExport(let s): return "DTLS-SRTP key export failed\(s)"
        }
    }
}

struct DTLSStateMachine {
    struct Handshake: Equatable {
        var retransmissions = 0
        var deadline: MonotonicTime?
    }

    enum State: Equatable {
        case idle
        case handshaking(Handshake)
        /// Handshake done, but no remote fingerprint known yet (the ClientHello overtook the
        /// SDP answer): keys are held until it is set and checked.
        case awaitingFingerprint
        case connected
        case failed(DTLSFailure)
        case closed
    }

    let maxRetransmissions: Int
    private(set) var state: State = .idle

    init(maxRetransmissions: Int) { self.maxRetransmissions = maxRetransmissions }

    var nextTimeout: MonotonicTime? {
        if case .handshaking(let h) = state { return h.deadline }
        return nil
    }

    var isFinished: Bool {
        switch state {
        case .failed, .closed: return true
        default: return false
        }
    }

    // MARK: events

    enum StartAction: Equatable { case driveHandshake, none }

    mutating func start() -> StartAction {
        guard case .idle = state else { return .none }
        state = .handshaking(Handshake())
        return .driveHandshake
    }

    enum DatagramAction: Equatable { case driveHandshake, readRecords, drop }

    mutating func datagramReceived() -> DatagramAction {
        switch state {
        case .idle:
            // A server may get the ClientHello before anyone called start().
            state = .handshaking(Handshake())
            return .driveHandshake
        case .handshaking: return .driveHandshake
        case .awaitingFingerprint, .connected: return .readRecords
        case .failed, .closed: return .drop
        }
    }

    /// What one SSL_do_handshake / DTLSv1_handle_timeout call came to.
    enum HandshakeStep: Equatable {
        /// Still going; `timerRemaining` is OpenSSL's retransmission timer (seconds), nil if none.
        case inProgress(timerRemaining: Double?)
        case completed(fingerprintKnown: Bool)
        case failed(DTLSFailure)
    }

    enum StepAction: Equatable { case wait, reportConnected, holdKeys, reportFailed(DTLSFailure), none }

    mutating func handshakeStepped(_ step: HandshakeStep, now: MonotonicTime) -> StepAction {
        guard case .handshaking(var h) = state else { return .none }
        switch step {
        case .inProgress(let remaining):
            h.deadline = remaining.map { now + $0 }
            state = .handshaking(h)
            return .wait
        case .completed(fingerprintKnown: true):
            state = .connected
            return .reportConnected
        case .completed(fingerprintKnown: false):
            state = .awaitingFingerprint
            return .holdKeys
        case .failed(let reason):
            state = .failed(reason)
            return .reportFailed(reason)
        }
    }

    /// OpenSSL retransmitted a flight (its timer callback ran), from a timer or a read.
    mutating func retransmitted(count: Int = 1) {
        guard count > 0, case .handshaking(var h) = state else { return }
        h.retransmissions += count
        state = .handshaking(h)
    }

    enum TimerAction: Equatable { case none, retransmit, giveUp(DTLSFailure) }

    mutating func timerFired(now: MonotonicTime) -> TimerAction {
        guard case .handshaking(let h) = state, let deadline = h.deadline, now >= deadline else { return .none }
        if h.retransmissions >= maxRetransmissions {
            let reason = DTLSFailure.timeout(retransmissions: h.retransmissions)
            state = .failed(reason)
            return .giveUp(reason)
        }
        return .retransmit
    }

    /// The remote fingerprint was set; `verified` is the check against the peer certificate
    /// (nil if the handshake is not complete yet, so nothing to check).
    mutating func fingerprintChecked(_ result: DTLSFailure?) -> StepAction {
        guard case .awaitingFingerprint = state else { return .none }
        if let result {
            state = .failed(result)
            return .reportFailed(result)
        }
        state = .connected
        return .reportConnected
    }

    /// A fatal error after the handshake (an alert); reported once.
    mutating func failedAfterHandshake(_ reason: DTLSFailure) -> StepAction {
        switch state {
        case .failed, .closed: return .none
        default:
            state = .failed(reason)
            return .reportFailed(reason)
        }
    }

    enum CloseAction: Equatable { case sendCloseNotify, none }

    /// Local close (call deleted, re-offer replaced the endpoint).
    mutating func close() -> CloseAction {
        switch state {
        case .idle: state = .closed; return .none
        case .handshaking, .awaitingFingerprint, .connected: state = .closed; return .sendCloseNotify
        case .failed, .closed: return .none
        }
    }

    /// The peer sent close_notify. True if `.closed` is to be reported.
    mutating func closeNotifyReceived() -> Bool {
        switch state {
        case .failed, .closed: return false
        default: state = .closed; return true
        }
    }
}
