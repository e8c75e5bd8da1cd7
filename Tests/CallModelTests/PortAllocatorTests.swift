import Testing
import CallModel

@Test func allocatesEvenRunsRoundRobin() throws {
    var a = try #require(PortAllocator(range: 31001...31010))
    #expect(a.range == 31002...31010)
    #expect(a.allocate(count: 2) == 31002)
    #expect(a.allocate(count: 2) == 31004)
    #expect(a.allocate(count: 1) == 31006)
    #expect(a.allocate(count: 2) == 31008)  // 31007 is skipped: runs start even
    #expect(a.reservedCount == 7)
    #expect(a.isReserved(31003) && !a.isReserved(31007))
}

@Test func doesNotReuseJustFreedPortsImmediately() throws {
    var a = try #require(PortAllocator(range: 31000...31007))
    let first = a.allocate(count: 2)
    #expect(first == 31000)
    a.release(first: 31000, count: 2)
    #expect(a.allocate(count: 2) == 31002)  // cursor moved on
    #expect(a.allocate(count: 2) == 31004)
    #expect(a.allocate(count: 2) == 31006)
    #expect(a.allocate(count: 2) == 31000)  // wrapped round to the freed run
    #expect(a.allocate(count: 2) == nil)
}

@Test func exhaustionReturnsNilAndReservesNothing() throws {
    var a = try #require(PortAllocator(range: 31000...31005))
    #expect(a.allocate(count: 4) == 31000)
    #expect(a.allocate(count: 4) == nil)  // 31004...31007 would leave the slice
    #expect(a.reservedCount == 4)
    #expect(a.allocate(count: 2) == 31004)
    #expect(a.allocate(count: 1) == nil)
    #expect(a.reservedCount == 6)
    #expect(a.allocate(count: 0) == nil)
    #expect(a.allocate(count: 100) == nil)
}

@Test func unbindablePortsAreSkippedNotReserved() throws {
    var a = try #require(PortAllocator(range: 31000...31009))
    var probed: [UInt16] = []
    let first = a.allocate(count: 2) { port in
        probed.append(port)
        return port != 31001 && port != 31002
    }
    #expect(first == 31004)
    #expect(probed == [31000, 31001, 31002, 31004, 31005])
    #expect(!a.isReserved(31000) && !a.isReserved(31001))
    #expect(a.reservedCount == 2)
}

@Test func runFailureSkipsPastTheFailingPort() throws {
    var a = try #require(PortAllocator(range: 31000...31015))
    var tried: [UInt16] = []
    let first = a.allocate(count: 4) { start in
        tried.append(start)
        return start == 31000 ? 3 : nil  // 31003 is taken
    }
    #expect(tried == [31000, 31004])  // 31002 contains 31003 too: not retried
    #expect(first == 31004)
}

@Test func allPortsUnbindableIsExhaustion() throws {
    var a = try #require(PortAllocator(range: 31000...31009))
    var calls = 0
    #expect(a.allocate(count: 2, bindable: { _ in calls += 1; return false }) == nil)
    #expect(a.reservedCount == 0)
    #expect(calls == 5)  // one probe per even start, one lap
}

@Test func releaseIgnoresForeignPorts() throws {
    var a = try #require(PortAllocator(range: 31000...31003))
    a.release(30000)
    a.release(31001)
    #expect(a.reservedCount == 0)
    #expect(PortAllocator(range: 65535...65535) == nil)
    var top = try #require(PortAllocator(range: 65534...65535))
    #expect(top.allocate(count: 2) == 65534)
}

@Test func splitsRangeIntoEvenSlices() throws {
    let s = try #require(PortAllocator.slices(of: 30001...30100, parts: 3))
    #expect(s.count == 3)
    for r in s { #expect(r.lowerBound % 2 == 0) }
    #expect(s.first?.lowerBound == 30002 && s.last?.upperBound == 30100)
    for (x, y) in zip(s, s.dropFirst()) { #expect(x.upperBound + 1 == y.lowerBound) }
    let sizes = s.map { $0.count }
    #expect(sizes.max()! - sizes.min()! <= 2)
    #expect(PortAllocator.slices(of: 30000...30001, parts: 2) == nil)
    #expect(PortAllocator.slices(of: 30000...30002, parts: 2) == [30000...30001, 30002...30002])
    #expect(PortAllocator.slices(of: 30000...30009, parts: 0) == nil)
    #expect(PortAllocator.slices(of: 30000...39999, parts: 1) == [30000...39999])
}
