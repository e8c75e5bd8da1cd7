// Port allocation as pure state (no sockets): one packet loop's slice of --port-min..--port-max.
//
// Invariants:
// - A run of `count` consecutive ports always starts at an even port and lies inside the slice
//   (runs never wrap around the end of the slice).
// - Allocation is round-robin from a cursor that moves past every run handed out, so a port that
//   was just freed is not handed out again until the cursor comes round (rtpengine does the same:
//   late packets of a finished call must not reach the next call).
// - A candidate run that the caller cannot bind (another program holds a port, or it lies in the
//   kernel's ephemeral range and got taken) is skipped for this attempt, not marked reserved:
//   it may become bindable later.
// - Exhaustion returns nil and leaves nothing reserved by that attempt.

/// Hands out runs of consecutive UDP ports from one loop's slice of the configured range.
public struct PortAllocator: Sendable {
    /// The slice this allocator owns; `lowerBound` is even.
    public let range: ClosedRange<UInt16>
    /// One bit per port of `range`: set = reserved.
    private var reservedBits: [UInt64]
    /// The even port where the next search starts.
    private var cursor: UInt16
    /// How many ports are reserved now.
    public private(set) var reservedCount = 0

    /// `range.lowerBound` is rounded up to an even port. Nil if nothing even remains in range.
    public init?(range: ClosedRange<UInt16>) {
        let lower = Int(range.lowerBound) + Int(range.lowerBound & 1)
        guard lower <= Int(range.upperBound) else { return nil }
        self.range = UInt16(lower)...range.upperBound
        self.reservedBits = [UInt64](repeating: 0, count: (Int(range.upperBound) - lower) / 64 + 1)
        self.cursor = UInt16(lower)
    }

    /// Number of ports in the slice.
    public var capacity: Int { Int(range.upperBound) - Int(range.lowerBound) + 1 }

    /// Whether `port` is currently reserved by this allocator.
    public func isReserved(_ port: UInt16) -> Bool {
        guard range.contains(port) else { return false }
        let i = Int(port - range.lowerBound)
        return reservedBits[i >> 6] & (1 << UInt64(i & 63)) != 0
    }

    private mutating func setReserved(_ port: UInt16, _ on: Bool) {
        let i = Int(port - range.lowerBound)
        if on { reservedBits[i >> 6] |= 1 << UInt64(i & 63) } else { reservedBits[i >> 6] &= ~(1 << UInt64(i & 63)) }
    }

    /// Finds and reserves a run of `count` ports. `tryRun` gets the first port of a free candidate
    /// run and must bind all `count` ports, returning nil on success or, on failure, the offset
    /// (0..<count) of the port that failed — having already undone the ports it bound. The
    /// allocator then tries the next even port after the failing one. Returns the first port of
    /// the reserved run, or nil when no run could be bound (nothing is reserved then).
    public mutating func allocate(count: Int, tryRun: (UInt16) -> Int?) -> UInt16? {
        guard count > 0, count <= capacity else { return nil }
        let lower = Int(range.lowerBound), upper = Int(range.upperBound)
        var candidate = Int(cursor)
        var knownBad = -1  // a port that failed to bind during this attempt
        for _ in 0..<((capacity + 1) / 2) {  // one lap over every even start
            defer {
                candidate += 2
                if candidate > upper { candidate = lower }
            }
            if candidate + count - 1 > upper { continue }  // runs never wrap
            if knownBad >= candidate && knownBad < candidate + count { continue }
            if firstReserved(from: candidate, count: count) != nil { continue }
            if let failed = tryRun(UInt16(candidate)) {
                knownBad = candidate + max(0, min(failed, count - 1))
                continue
            }
            for p in candidate..<(candidate + count) { setReserved(UInt16(p), true) }
            reservedCount += count
            let after = candidate + count + (count & 1)  // the next even port past the run
            cursor = after > upper ? range.lowerBound : UInt16(after)
            return UInt16(candidate)
        }
        return nil
    }

    /// Like `allocate(count:tryRun:)` with a per-port probe that holds nothing (e.g. a test, or a
    /// caller that binds afterwards): a port whose probe fails is skipped.
    public mutating func allocate(count: Int, bindable: (UInt16) -> Bool) -> UInt16? {
        allocate(count: count) { first in
            for k in 0..<count where !bindable(first + UInt16(k)) { return k }
            return nil
        }
    }

    /// Reserves a run with no probe (every port is considered bindable).
    public mutating func allocate(count: Int) -> UInt16? {
        allocate(count: count) { _ in nil }
    }

    /// Returns one port to the pool; ports outside the slice or not reserved are ignored.
    public mutating func release(_ port: UInt16) {
        guard isReserved(port) else { return }
        setReserved(port, false)
        reservedCount -= 1
    }

    /// Returns `count` ports starting at `first` to the pool.
    public mutating func release(first: UInt16, count: Int) {
        for k in 0..<count where Int(first) + k <= Int(UInt16.max) { release(first + UInt16(k)) }
    }

    private func firstReserved(from start: Int, count: Int) -> Int? {
        for p in start..<(start + count) where isReserved(UInt16(p)) { return p }
        return nil
    }
}

extension PortAllocator {
    /// Splits `range` into `parts` per-loop slices with even boundaries (each slice starts at an
    /// even port, so runs never straddle two loops), as equal as pairs of ports allow.
    /// Nil when the range holds fewer even-aligned pairs than `parts`.
    public static func slices(of range: ClosedRange<UInt16>, parts: Int) -> [ClosedRange<UInt16>]? {
        guard parts > 0 else { return nil }
        let lower = Int(range.lowerBound) + Int(range.lowerBound & 1)
        let upper = Int(range.upperBound)
        guard lower <= upper else { return nil }
        let pairs = (upper - lower + 2) / 2  // the last "pair" may be a single even port
        guard pairs >= parts else { return nil }
        var result: [ClosedRange<UInt16>] = []
        var start = lower
        for i in 0..<parts {
            // Extra pairs go to the last slices: the last one may hold a lone even port.
            let share = pairs / parts + (i >= parts - pairs % parts ? 1 : 0)
            let end = min(upper, start + 2 * share - 1)
            result.append(UInt16(start)...UInt16(end))
            start = end + 1
        }
        return result
    }
}
