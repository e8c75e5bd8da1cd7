import Bencode
import NGProtocol
import TandemBase

/// A decoded ng reply: the dictionary and its `result`.
public struct NGReply: Hashable, Sendable {
    public var dictionary: BencodeDictionary

    public init(dictionary: BencodeDictionary) { self.dictionary = dictionary }

    /// `ok`, `pong`, `error`, `load limit`... nil when missing or not a string.
    public var result: String? { dictionary["result"]?.stringValue }
    public var errorReason: String? { dictionary["error-reason"]?.stringValue }
    public var warning: String? { dictionary["warning"]?.stringValue }
    public var sdp: [UInt8]? { dictionary["sdp"]?.bytesValue }

    public var isSuccess: Bool { result == "ok" || result == "pong" }

    /// Replies after which the module tries the next daemon of the set instead of failing
    /// (`rtpp_function_call()`: `result: "load limit"`, and errors "Parallel session limit
    /// reached" and "Ran out of ports").
    public var asksToTryAnotherDaemon: Bool {
        if result == "load limit" { return true }
        guard result == "error", let reason = errorReason else { return false }
        return reason == "Parallel session limit reached" || reason == "Ran out of ports"
    }
}

/// Makes cookies the way Kamailio does (`gencookie()`: `"%d_%u_%u"` of server id, a random
/// number and a sequence number): unique per proxy process; deterministic given its seed.
public struct NGCookieGenerator: Sendable {
    public var prefix: String
    public private(set) var sequence: UInt32

    public init(prefix: String, start: UInt32 = 0) {
        self.prefix = prefix
        self.sequence = start
    }

    /// A generator for a process: server id and a random number (the I/O layer calls this once).
    public static func random(serverID: Int = 0) -> NGCookieGenerator {
        NGCookieGenerator(prefix: "\(serverID)_\(UInt32.random(in: 0...UInt32.max))",
                          start: UInt32.random(in: 0...UInt32.max))
    }

    public mutating func next() -> [UInt8] {
        defer { sequence &+= 1 }
        return Array("\(prefix)_\(sequence)".utf8)
    }
}

/// Retransmission policy for one ng request over UDP.
public struct NGRetransmitPolicy: Hashable, Sendable {
    /// How long to wait for a reply after each send.
    public var timeout: Double
    /// Sends after the first, each with the same cookie. Total sends = retransmissions + 1.
    public var retransmissions: Int

    public init(timeout: Double = 1.0, retransmissions: Int = 4) {
        self.timeout = timeout
        self.retransmissions = max(0, retransmissions)
    }

    /// Kamailio's module parameters: `rtpengine_tout_ms` (default 1000) and `rtpengine_retr`
    /// (default 5). In `send_rtpp_command()` `rtpengine_retr` is the total number of sends, not the
    /// number of retransmissions: the defaults mean 5 sends, 5 s in all.
    public static func kamailio(toutMs: Int = 1000, retr: Int = 5) -> NGRetransmitPolicy {
        NGRetransmitPolicy(timeout: Double(toutMs) / 1000, retransmissions: max(1, retr) - 1)
    }

    /// From first send to giving up.
    public var totalTime: Double { timeout * Double(retransmissions + 1) }
}

/// One ng request in flight, sans-IO: the caller sends the bytes it is given, feeds received
/// datagrams and timer expiries in, and arms a timer for `deadline`.
///
/// Every retransmission is byte-identical (same cookie), so the daemon's cookie cache answers a
/// retransmission of a request it already ran without running it twice, and a reply to ANY
/// send completes the transaction (a late reply to the first send after the second went out is
/// as good as any). A reply's cookie must equal ours exactly; Kamailio compares only the first
/// `strlen(cookie)` bytes (a `memcmp` prefix test), which we do not copy.
public struct NGClientTransaction: Sendable {
    public enum State: Hashable, Sendable {
        case idle
        /// Waiting for a reply; `sends` datagrams sent so far.
        case waiting(sends: Int, deadline: MonotonicTime)
        case completed(NGReply)
        case timedOut
    }

    public enum ReceiveResult: Hashable, Sendable {
        /// The reply: the transaction is done.
        case completed(NGReply)
        /// Not for us, or not now: drop it.
        case ignored(IgnoreReason)
    }

    public enum IgnoreReason: Hashable, Sendable {
        case notAnNGDatagram
        case wrongCookie
        /// Our cookie, but the body is not a bencoded (or JSON) dictionary. Kamailio fails the
        /// request here; we keep waiting, since a retransmission may bring a good copy.
        case undecodableBody
        /// A reply after we completed (a duplicate answering a retransmission) or gave up.
        case notWaiting
    }

    public enum TimerResult: Hashable, Sendable {
        /// Send these bytes again (same cookie) and re-arm the timer for `deadline`.
        case retransmit([UInt8])
        /// Every send went unanswered.
        case timedOut
        /// Fired early (or the transaction is not waiting): nothing to do.
        case notDue
    }

    public let cookie: [UInt8]
    /// The framed request: `COOKIE SP BENCODE`.
    public let datagram: [UInt8]
    public let policy: NGRetransmitPolicy
    public private(set) var state: State = .idle
    /// When the first datagram went out.
    public private(set) var startedAt: MonotonicTime?

    public init(request: BencodeDictionary, cookie: [UInt8], policy: NGRetransmitPolicy = NGRetransmitPolicy()) {
        self.cookie = cookie
        self.policy = policy
        var body: [UInt8] = []
        BencodeValue.dictionary(request).encode(into: &body)
        self.datagram = NGDatagram(cookie: cookie, body: body).framed
    }

    /// When `timerFired` must next be called; nil when not waiting.
    public var deadline: MonotonicTime? {
        if case .waiting(_, let deadline) = state { return deadline }
        return nil
    }

    public var isFinished: Bool {
        switch state {
        case .completed, .timedOut: return true
        case .idle, .waiting: return false
        }
    }

    /// The first send. Calling it again does nothing and returns nil.
    public mutating func start(now: MonotonicTime) -> [UInt8]? {
        guard case .idle = state else { return nil }
        startedAt = now
        state = .waiting(sends: 1, deadline: now + policy.timeout)
        return datagram
    }

    public mutating func receive(_ bytes: some Collection<UInt8>, now: MonotonicTime) -> ReceiveResult {
        guard let datagram = NGDatagram(parsing: bytes) else { return .ignored(.notAnNGDatagram) }
        guard datagram.cookie == cookie else { return .ignored(.wrongCookie) }
        guard case .waiting = state else { return .ignored(.notWaiting) }
        guard case .success(let (dictionary, _)) = datagram.decodeBody() else { return .ignored(.undecodableBody) }
        let reply = NGReply(dictionary: dictionary)
        state = .completed(reply)
        return .completed(reply)
    }

    public mutating func timerFired(now: MonotonicTime) -> TimerResult {
        guard case .waiting(let sends, let deadline) = state, now >= deadline else { return .notDue }
        if sends > policy.retransmissions {
            state = .timedOut
            return .timedOut
        }
        state = .waiting(sends: sends + 1, deadline: now + policy.timeout)
        return .retransmit(datagram)
    }
}
