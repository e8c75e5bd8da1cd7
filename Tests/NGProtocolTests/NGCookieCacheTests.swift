import Testing
import TandemBase
@testable import NGProtocol

private func key(_ cookie: String, _ source: String? = nil) -> NGCookieKey {
    NGCookieKey(cookie: bytes(cookie), source: source.flatMap { TransportAddress($0) })
}

private let t0 = MonotonicTime(seconds: 100)

@Suite struct NGCookieCacheTests {
    @Test func firstSightExecutesThenRetransmissionGetsSameBytes() {
        var cache = NGCookieCache<Int>()
        guard case .execute = cache.begin(key("c1"), now: t0, waiter: 1) else { Issue.record("expected execute"); return }
        #expect(cache.complete(key("c1"), reply: bytes("c1 d6:result4:ponge"), now: t0).isEmpty)
        guard case .cached(let reply) = cache.begin(key("c1"), now: t0 + 5, waiter: 2) else { Issue.record("expected cached"); return }
        #expect(reply == bytes("c1 d6:result4:ponge"))
    }

    @Test func duplicatesWhileRunningWaitAndAreReturnedOnCompletion() {
        var cache = NGCookieCache<Int>()
        _ = cache.begin(key("c1"), now: t0, waiter: 1)
        guard case .inProgress = cache.begin(key("c1"), now: t0 + 0.5, waiter: 2) else { Issue.record("expected wait"); return }
        guard case .inProgress = cache.begin(key("c1"), now: t0 + 1, waiter: 3) else { Issue.record("expected wait"); return }
        #expect(cache.complete(key("c1"), reply: bytes("r"), now: t0 + 2) == [2, 3])
    }

    @Test func entriesExpireAfterLifetime() {
        var cache = NGCookieCache<Int>(lifetime: 30)
        _ = cache.begin(key("c1"), now: t0, waiter: 0)
        _ = cache.complete(key("c1"), reply: bytes("r"), now: t0)
        guard case .cached = cache.begin(key("c1"), now: t0 + 29.9, waiter: 0) else { Issue.record("expected cached"); return }
        guard case .execute = cache.begin(key("c1"), now: t0 + 30, waiter: 0) else { Issue.record("expected expiry"); return }
        #expect(cache.count == 1)
    }

    @Test func sameCookieFromAnotherSourceIsANewCommand() {
        var cache = NGCookieCache<Int>()
        _ = cache.begin(key("1_1", "192.0.2.1:5060"), now: t0, waiter: 0)
        _ = cache.complete(key("1_1", "192.0.2.1:5060"), reply: bytes("a"), now: t0)
        guard case .execute = cache.begin(key("1_1", "192.0.2.2:5060"), now: t0, waiter: 0) else {
            Issue.record("expected a separate entry"); return
        }
        #expect(cache.count == 2)
    }

    @Test func entryCapEvictsOldestFirst() {
        var cache = NGCookieCache<Int>(maxEntries: 3)
        for index in 0..<5 {
            _ = cache.begin(key("c\(index)"), now: t0 + Double(index), waiter: 0)
            _ = cache.complete(key("c\(index)"), reply: bytes("r\(index)"), now: t0 + Double(index))
        }
        #expect(cache.count == 3)
        guard case .execute = cache.begin(key("c0"), now: t0 + 6, waiter: 0) else { Issue.record("c0 should be evicted"); return }
        guard case .cached = cache.begin(key("c4"), now: t0 + 6, waiter: 0) else { Issue.record("c4 should remain"); return }
    }

    @Test func byteCapEvictsOldestFirst() {
        var cache = NGCookieCache<Int>(maxBytes: 100)
        for index in 0..<4 {
            _ = cache.begin(key("k\(index)"), now: t0, waiter: 0)
            _ = cache.complete(key("k\(index)"), reply: [UInt8](repeating: 0x61, count: 40), now: t0)
        }
        #expect(cache.totalBytes <= 100)
        #expect(cache.count == 2)
    }

    @Test func completingAnEvictedEntryStoresItWithoutWaiters() {
        var cache = NGCookieCache<Int>(maxEntries: 1)
        _ = cache.begin(key("a"), now: t0, waiter: 0)
        _ = cache.begin(key("a"), now: t0, waiter: 9)
        _ = cache.begin(key("b"), now: t0, waiter: 0)  // evicts a
        #expect(cache.complete(key("a"), reply: bytes("ra"), now: t0).isEmpty)
        guard case .cached(let reply) = cache.begin(key("a"), now: t0, waiter: 0) else { Issue.record("expected cached"); return }
        #expect(reply == bytes("ra"))
    }

    @Test func manyEntriesStayBoundedAndConsistent() {
        var cache = NGCookieCache<Int>(lifetime: 10, maxEntries: 1000)
        for index in 0..<20_000 {
            let now = t0 + Double(index) * 0.01
            _ = cache.begin(key("c\(index % 3000)"), now: now, waiter: index)
            _ = cache.complete(key("c\(index % 3000)"), reply: bytes("r"), now: now)
        }
        #expect(cache.count <= 1000)
        // Each live entry accounts for its cookie ("c0".."c2999": 2-5 bytes) plus a 1-byte reply.
        #expect(cache.totalBytes >= cache.count * 3 && cache.totalBytes <= cache.count * 6)
    }
}
