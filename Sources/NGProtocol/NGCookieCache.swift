import TandemBase

/// What identifies a retransmission: the cookie AND the address it came from.
///
/// rtpengine keys on the cookie alone. We add the source because cookies are only unique per
/// proxy (Kamailio builds them from its pid and a counter), so two proxies can collide; a
/// retransmission always comes from the same socket as the original. `source` is nil where
/// there is no datagram address (tests, stream transports).
public struct NGCookieKey: Hashable, Sendable {
    public var cookie: [UInt8]
    public var source: TransportAddress?

    public init(cookie: [UInt8], source: TransportAddress?) {
        self.cookie = cookie
        self.source = source
    }
}

/// Remembers replies by cookie so that a retransmitted request gets the byte-identical reply
/// without running the command twice, and tracks commands still running so that duplicates can
/// wait for them. Sans-IO: time is passed in. Memory is bounded by entry count and reply bytes;
/// the oldest entries go first. `Waiter` is whatever the I/O layer needs to answer a parked
/// duplicate later (typically its source address).
///
/// An entry lives `lifetime` seconds from when its command arrived (rtpengine: 30-60 s).
/// Evicting a running entry drops its parked waiters; the proxy retransmits again, then runs
/// into a cache miss and executes the command a second time — acceptable for a cache under
/// memory pressure.
public struct NGCookieCache<Waiter> {
    public enum Lookup {
        /// Not seen: run the command, then call `complete`.
        case execute
        /// Seen and answered: send exactly these bytes.
        case cached([UInt8])
        /// Seen and still running: the waiter was parked and is returned by `complete`.
        case inProgress
    }

    fileprivate enum State {
        case running(waiters: [Waiter])
        case done(reply: [UInt8])
    }

    fileprivate struct Entry {
        var state: State
        var created: MonotonicTime
        var generation: UInt64
        var bytes: Int
    }

    public let lifetime: Double
    public let maxEntries: Int
    public let maxBytes: Int

    private var entries: [NGCookieKey: Entry] = [:]
    /// Keys in arrival order; stale slots (re-inserted keys) are skipped by generation.
    private var order: [(key: NGCookieKey, generation: UInt64)] = []
    private var orderHead = 0
    private var nextGeneration: UInt64 = 0
    public private(set) var totalBytes = 0

    public init(lifetime: Double = 60, maxEntries: Int = 20_000, maxBytes: Int = 64 << 20) {
        self.lifetime = lifetime
        self.maxEntries = max(1, maxEntries)
        self.maxBytes = max(1, maxBytes)
    }

    public var count: Int { entries.count }

    /// Looks a request up on arrival. A miss registers the key as running.
    public mutating func begin(_ key: NGCookieKey, now: MonotonicTime, waiter: Waiter) -> Lookup {
        expire(now: now)
        if var entry = entries[key] {
            switch entry.state {
            case .done(let reply):
                return .cached(reply)
            case .running(var waiters):
                waiters.append(waiter)
                entry.state = .running(waiters: waiters)
                entries[key] = entry
                return .inProgress
            }
        }
        insert(key, state: .running(waiters: []), bytes: key.cookie.count, now: now)
        return .execute
    }

    /// Stores the reply of a finished command and hands back the duplicates that waited for it.
    public mutating func complete(_ key: NGCookieKey, reply: [UInt8], now: MonotonicTime) -> [Waiter] {
        let size = key.cookie.count + reply.count
        guard var entry = entries[key] else {
            insert(key, state: .done(reply: reply), bytes: size, now: now)
            return []
        }
        var waiters: [Waiter] = []
        if case .running(let parked) = entry.state { waiters = parked }
        totalBytes += size - entry.bytes
        entry.bytes = size
        entry.state = .done(reply: reply)
        entries[key] = entry
        evictOverflow()
        return waiters
    }

    /// Drops entries older than `lifetime`. Called by `begin`; call it from a timer too if the
    /// listener can be idle for long.
    public mutating func expire(now: MonotonicTime) {
        while let (key, generation) = oldest() {
            guard let entry = entries[key], entry.generation == generation else {
                orderHead += 1
                continue
            }
            guard now.seconds(since: entry.created) >= lifetime else { break }
            orderHead += 1
            remove(key)
        }
        compactOrder()
    }

    private func oldest() -> (NGCookieKey, UInt64)? {
        orderHead < order.count ? (order[orderHead].key, order[orderHead].generation) : nil
    }

    private mutating func insert(_ key: NGCookieKey, state: State, bytes: Int, now: MonotonicTime) {
        nextGeneration &+= 1
        if let old = entries[key] { totalBytes -= old.bytes }
        entries[key] = Entry(state: state, created: now, generation: nextGeneration, bytes: bytes)
        totalBytes += bytes
        order.append((key, nextGeneration))
        evictOverflow()
    }

    private mutating func evictOverflow() {
        while entries.count > maxEntries || (totalBytes > maxBytes && entries.count > 1), let (key, generation) = oldest() {
            orderHead += 1
            if entries[key]?.generation == generation { remove(key) }
        }
        compactOrder()
    }

    private mutating func remove(_ key: NGCookieKey) {
        if let entry = entries.removeValue(forKey: key) { totalBytes -= entry.bytes }
    }

    /// Reclaims the consumed front of `order` once it is at least half of the array, so the
    /// queue stays O(live entries) with amortised O(1) cost.
    private mutating func compactOrder() {
        guard orderHead > 32, orderHead * 2 >= order.count else { return }
        order.removeFirst(orderHead)
        orderHead = 0
    }
}

extension NGCookieCache: Sendable where Waiter: Sendable {}
extension NGCookieCache.Entry: Sendable where Waiter: Sendable {}
extension NGCookieCache.State: Sendable where Waiter: Sendable {}
