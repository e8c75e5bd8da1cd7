import Glibc
import NGProtocol
import TandemBase

/// The media daemons one proxy drives, sans-IO: which daemon a call goes to, which daemons are
/// up, and when to ping them.
///
/// **Selection** is weighted rendezvous (highest-random-weight) hashing of the call-id: every
/// daemon gets the score `-weight / ln(u)`, `u` a uniform number in (0, 1) from a fixed 64-bit
/// hash (FNV-1a, then the splitmix64 finaliser) of the daemon's `url` and the call-id; the
/// highest score among the daemons that are up wins. This gives each daemon a share of calls
/// proportional to its weight, sends a call to the same daemon from every proxy instance
/// (the hash has no per-process seed and does not depend on the order of the options), and when
/// a daemon goes down only ITS calls move (each to its next-ranked daemon) — Kamailio's
/// `select_rtpp_node_new()` instead takes the byte sum of the call-id modulo the sum of the
/// enabled weights, so one daemon going down reshuffles most new calls across all of them.
///
/// **Bindings**: after a successful reply the call stays on its daemon (like the module's
/// hash table, `hash_table_tout`), bounded by `maxBindings` (least recently used go first) and
/// `bindingLifetime`; a reply to `delete` forgets it. A bound call whose daemon is down gets
/// `boundDaemonDown` for answer/delete/...: its media state lives there.
///
/// **Health**: a timed-out request or ping marks a daemon down; a `pong` marks it up again.
/// `pingsDue(now:)` says which daemons to ping (every `pingInterval` while up, every
/// `downRecheckInterval` while down), `nextPingDeadline` when to ask next.
public struct MediaDaemonSet: Sendable {
    public struct Configuration: Hashable, Sendable {
        public var pingInterval: Double
        public var downRecheckInterval: Double
        public var maxBindings: Int
        /// Seconds a binding lives after its last use (Kamailio `hash_table_tout`: 3600).
        public var bindingLifetime: Double
        /// An offer (re-INVITE) for a call bound to a daemon that is down: false reports
        /// `boundDaemonDown`, true moves the call to the next daemon (its old state is lost).
        public var rehomeOnReoffer: Bool

        public init(pingInterval: Double = 5, downRecheckInterval: Double = 5, maxBindings: Int = 100_000,
                    bindingLifetime: Double = 3600, rehomeOnReoffer: Bool = false) {
            self.pingInterval = pingInterval
            self.downRecheckInterval = downRecheckInterval
            self.maxBindings = max(1, maxBindings)
            self.bindingLifetime = bindingLifetime
            self.rehomeOnReoffer = rehomeOnReoffer
        }
    }

    public struct Daemon: Hashable, Sendable {
        public let address: MediaDaemonAddress
        public internal(set) var isUp: Bool = true
        public internal(set) var nextPingAt: MonotonicTime = .zero
        public internal(set) var pingOutstanding = false
        /// Seed of the call-id hash: FNV-1a state after the daemon's url.
        let hashSeed: UInt64
    }

    public enum Transition: Hashable, Sendable {
        case wentDown(Int)
        case cameUp(Int)
    }

    public let configuration: Configuration
    public private(set) var daemons: [Daemon]

    private struct Binding {
        var daemon: Int
        var lastUsed: MonotonicTime
        var generation: UInt64
    }

    private var bindings: [String: Binding] = [:]
    private var order: [(callID: String, generation: UInt64)] = []
    private var orderHead = 0
    private var nextGeneration: UInt64 = 0

    public init(_ addresses: [MediaDaemonAddress], configuration: Configuration = Configuration()) {
        self.configuration = configuration
        self.daemons = addresses.map { Daemon(address: $0, hashSeed: Self.fnv1a(Array($0.url.utf8) + [0])) }
    }

    /// From option values (`udp:127.0.0.1:2223=3`).
    public init(parsing options: [String], configuration: Configuration = Configuration()) throws(MediaDaemonAddressError) {
        var addresses: [MediaDaemonAddress] = []
        for option in options { addresses.append(try MediaDaemonAddress(parsing: option)) }
        self.init(addresses, configuration: configuration)
    }

    public var bindingCount: Int { bindings.count }

    // MARK: - Selection

    /// Daemons in preference order for this call-id (all of them, up or down).
    public func ranking(callID: String) -> [Int] {
        let key = Array(callID.utf8)
        let scored = daemons.indices.map { index -> (Int, Double) in
            let daemon = daemons[index]
            let hash = Self.mix(Self.fnv1a(key, seed: daemon.hashSeed))
            // 53 random bits -> u in (0, 1), never 0 or 1.
            let u = (Double(hash >> 11) + 0.5) / 9_007_199_254_740_992.0
            return (index, -Double(daemon.address.weight) / Glibc.log(u))
        }
        return scored.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.map(\.0)
    }

    /// The daemon this command for this call goes to. `excluding`: daemons already tried for
    /// this request.
    public mutating func select(callID: String, command: NGCommand, excluding: Set<Int> = [],
                                now: MonotonicTime) -> Result<Int, MediaControlError> {
        if let bound = binding(for: callID, now: now) {
            if daemons[bound].isUp, !excluding.contains(bound) { return .success(bound) }
            if !(command == .offer && configuration.rehomeOnReoffer) {
                return .failure(.boundDaemonDown(daemon: bound))
            }
        }
        guard let first = ranking(callID: callID).first(where: { daemons[$0].isUp && !excluding.contains($0) }) else {
            return .failure(.noDaemonAvailable)
        }
        return .success(first)
    }

    /// The daemon a call is bound to, if any (expired bindings are dropped here).
    public mutating func binding(for callID: String, now: MonotonicTime) -> Int? {
        guard let entry = bindings[callID] else { return nil }
        if now.seconds(since: entry.lastUsed) > configuration.bindingLifetime {
            bindings[callID] = nil
            return nil
        }
        return entry.daemon
    }

    public mutating func bind(callID: String, to daemon: Int, now: MonotonicTime) {
        nextGeneration += 1
        bindings[callID] = Binding(daemon: daemon, lastUsed: now, generation: nextGeneration)
        order.append((callID, nextGeneration))
        evict(now: now)
    }

    public mutating func forget(callID: String) {
        bindings[callID] = nil
    }

    private mutating func evict(now: MonotonicTime) {
        while orderHead < order.count {
            let (callID, generation) = order[orderHead]
            guard let entry = bindings[callID], entry.generation == generation else {
                orderHead += 1   // stale slot: re-bound or forgotten since
                continue
            }
            let expired = now.seconds(since: entry.lastUsed) > configuration.bindingLifetime
            guard expired || bindings.count > configuration.maxBindings else { break }
            bindings[callID] = nil
            orderHead += 1
        }
        if orderHead > 1024, orderHead * 2 > order.count {
            order.removeFirst(orderHead)
            orderHead = 0
        }
    }

    // MARK: - Outcomes

    /// A reply arrived from `daemon` for `command` on `callID`: the daemon is alive; a success
    /// binds the call to it, a reply to delete forgets the binding.
    @discardableResult
    public mutating func recordReply(_ reply: NGReply, command: NGCommand, callID: String?, daemon: Int,
                                     now: MonotonicTime) -> Transition? {
        let transition = markUp(daemon, now: now)
        guard let callID else { return transition }
        switch command {
        case .delete:
            if bindings[callID]?.daemon == daemon { forget(callID: callID) }
        case .ping, .list, .statistics:
            break
        default:
            if reply.isSuccess { bind(callID: callID, to: daemon, now: now) }
        }
        return transition
    }

    /// A request to `daemon` went unanswered after all retransmissions.
    @discardableResult
    public mutating func recordTimeout(daemon: Int, now: MonotonicTime) -> Transition? {
        markDown(daemon, now: now)
    }

    /// Administrative override (e.g. an RPC "disable"): down until a pong or `setUp(_:true)`.
    @discardableResult
    public mutating func setUp(_ daemon: Int, _ up: Bool, now: MonotonicTime) -> Transition? {
        up ? markUp(daemon, now: now) : markDown(daemon, now: now)
    }

    // MARK: - Pings

    /// Daemons to ping now; each is marked as having a ping outstanding until `recordPing`.
    public mutating func pingsDue(now: MonotonicTime) -> [Int] {
        var due: [Int] = []
        for index in daemons.indices where !daemons[index].pingOutstanding && daemons[index].nextPingAt <= now {
            daemons[index].pingOutstanding = true
            due.append(index)
        }
        return due
    }

    /// When `pingsDue` will next return something; nil while every daemon has a ping out.
    public var nextPingDeadline: MonotonicTime? {
        daemons.filter { !$0.pingOutstanding }.map(\.nextPingAt).min()
    }

    /// The outcome of a ping: its reply, or nil when it timed out. Only `result: "pong"` counts
    /// as alive, as in the module's `rtpp_test()`.
    @discardableResult
    public mutating func recordPing(daemon: Int, reply: NGReply?, now: MonotonicTime) -> Transition? {
        daemons[daemon].pingOutstanding = false
        if reply?.result == "pong" { return markUp(daemon, now: now) }
        return markDown(daemon, now: now)
    }

    private mutating func markUp(_ index: Int, now: MonotonicTime) -> Transition? {
        let was = daemons[index].isUp
        daemons[index].isUp = true
        if !daemons[index].pingOutstanding { daemons[index].nextPingAt = now + configuration.pingInterval }
        return was ? nil : .cameUp(index)
    }

    private mutating func markDown(_ index: Int, now: MonotonicTime) -> Transition? {
        let was = daemons[index].isUp
        daemons[index].isUp = false
        if !daemons[index].pingOutstanding { daemons[index].nextPingAt = now + configuration.downRecheckInterval }
        return was ? .wentDown(index) : nil
    }

    // MARK: - Hash

    static func fnv1a(_ bytes: [UInt8], seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
        var hash = seed
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// splitmix64's finaliser: spreads FNV's weak low-entropy bits over the whole word.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

/// Why a media-control request could not be served.
public enum MediaControlError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Every daemon is down (or was tried).
    case noDaemonAvailable
    /// The call's state lives on a daemon that is down.
    case boundDaemonDown(daemon: Int)
    /// The daemon did not answer any retransmission.
    case timedOut(daemon: Int)
    /// `maxDaemons` daemons were tried (Kamailio `queried_nodes_limit`).
    case triedTooMany

    public var description: String {
        switch self {
        case .noDaemonAvailable: return "no available media daemon"
        case .boundDaemonDown(let daemon): return "media daemon \(daemon) holding the call is down"
        case .timedOut(let daemon): return "timeout waiting for a reply from media daemon \(daemon)"
        case .triedTooMany: return "queried media daemons limit reached"
        }
    }
}
