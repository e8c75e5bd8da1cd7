import Bencode
import NGProtocol
import TandemBase

/// One media-control command for one call, across the daemon set, sans-IO: picks the daemon,
/// runs an `NGClientTransaction` to it, and on failure moves on the way the module's
/// `rtpp_function_call()` loop does — with one difference: only an OFFER moves to another
/// daemon (after a timeout, `load limit`, "Parallel session limit reached" or "Ran out of
/// ports"); any other command reports the error, since the call's state lives on its daemon.
///
/// Each daemon attempt gets a fresh cookie (as `send_rtpp_command()` calls `gencookie()`);
/// retransmissions to one daemon reuse theirs. A late reply from a daemon we already gave up on
/// is ignored: that daemon may now hold an orphan call, which its own timeout will clear.
public struct MediaControlRequest: Sendable {
    public enum Action: Hashable, Sendable {
        /// Send these bytes to daemon `to` (a first send or a retransmission); then wait for
        /// `deadline`.
        case send([UInt8], to: Int)
        /// The reply (any `result`, including `error`: the caller decides what it means).
        case completed(NGReply, from: Int)
        case failed(MediaControlError)
        /// Nothing to do (a datagram for someone else, or a timer that fired early).
        case none
    }

    public let command: NGCommand
    public let callID: String
    public let request: BencodeDictionary
    public let policy: NGRetransmitPolicy
    /// Most daemons to try (Kamailio `queried_nodes_limit`, default 30).
    public let maxDaemons: Int
    public private(set) var tried: [Int] = []
    public private(set) var transaction: NGClientTransaction?
    public private(set) var outcome: Action?

    public init(command: NGCommand, callID: String, request: BencodeDictionary,
                policy: NGRetransmitPolicy = NGRetransmitPolicy(), maxDaemons: Int = 30) {
        self.command = command
        self.callID = callID
        self.request = request
        self.policy = policy
        self.maxDaemons = max(1, maxDaemons)
    }

    public init(_ request: KamailioRequest, policy: NGRetransmitPolicy = NGRetransmitPolicy(), maxDaemons: Int = 30) {
        self.init(command: request.command, callID: request.callID, request: request.dictionary,
                  policy: policy, maxDaemons: maxDaemons)
    }

    /// The daemon currently asked.
    public var daemon: Int? { tried.last }

    /// When `timerFired` is due.
    public var deadline: MonotonicTime? { outcome == nil ? transaction?.deadline : nil }

    public mutating func start(set: inout MediaDaemonSet, cookies: inout NGCookieGenerator, now: MonotonicTime) -> Action {
        guard outcome == nil, transaction == nil else { return .none }
        return tryNext(set: &set, cookies: &cookies, now: now, lastReply: nil)
    }

    public mutating func receive(_ datagram: some Collection<UInt8>, from daemon: Int, set: inout MediaDaemonSet,
                                 cookies: inout NGCookieGenerator, now: MonotonicTime) -> Action {
        guard outcome == nil, daemon == self.daemon, var transaction else { return .none }
        let result = transaction.receive(datagram, now: now)
        self.transaction = transaction
        guard case .completed(let reply) = result else { return .none }
        set.recordReply(reply, command: command, callID: callID, daemon: daemon, now: now)
        if reply.asksToTryAnotherDaemon, command == .offer {
            return tryNext(set: &set, cookies: &cookies, now: now, lastReply: (reply, daemon))
        }
        return finish(.completed(reply, from: daemon))
    }

    public mutating func timerFired(set: inout MediaDaemonSet, cookies: inout NGCookieGenerator, now: MonotonicTime) -> Action {
        guard outcome == nil, var transaction, let daemon else { return .none }
        let result = transaction.timerFired(now: now)
        self.transaction = transaction
        switch result {
        case .notDue: return .none
        case .retransmit(let bytes): return .send(bytes, to: daemon)
        case .timedOut:
            set.recordTimeout(daemon: daemon, now: now)
            guard command == .offer else { return finish(.failed(.timedOut(daemon: daemon))) }
            return tryNext(set: &set, cookies: &cookies, now: now, lastReply: nil, lastTimeout: daemon)
        }
    }

    private mutating func tryNext(set: inout MediaDaemonSet, cookies: inout NGCookieGenerator, now: MonotonicTime,
                                  lastReply: (NGReply, Int)?, lastTimeout: Int? = nil) -> Action {
        func giveUp(_ error: MediaControlError) -> Action {
            if let (reply, daemon) = lastReply { return finish(.completed(reply, from: daemon)) }
            if let lastTimeout, error == .noDaemonAvailable { return finish(.failed(.timedOut(daemon: lastTimeout))) }
            return finish(.failed(error))
        }
        guard tried.count < maxDaemons else { return giveUp(.triedTooMany) }
        switch set.select(callID: callID, command: command, excluding: Set(tried), now: now) {
        case .failure(let error):
            return giveUp(error)
        case .success(let daemon):
            tried.append(daemon)
            var transaction = NGClientTransaction(request: request, cookie: cookies.next(), policy: policy)
            let bytes = transaction.start(now: now)!
            self.transaction = transaction
            return .send(bytes, to: daemon)
        }
    }

    private mutating func finish(_ action: Action) -> Action {
        outcome = action
        return action
    }
}
