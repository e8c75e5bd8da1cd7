/// A point on a monotonic clock in nanoseconds. Sans-IO code takes it as `now`; only the I/O
/// layer reads the real clock, so tests drive time by hand.
public struct MonotonicTime: Comparable, Hashable, Sendable {
    public var nanoseconds: UInt64

    public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }
    public init(seconds: Double) { self.nanoseconds = UInt64(max(0, seconds) * 1e9) }

    public static let zero = MonotonicTime(nanoseconds: 0)

    public var seconds: Double { Double(nanoseconds) / 1e9 }

    public static func < (a: Self, b: Self) -> Bool { a.nanoseconds < b.nanoseconds }

    public static func + (t: Self, seconds: Double) -> Self {
        Self(nanoseconds: t.nanoseconds &+ UInt64(max(0, seconds) * 1e9))
    }

    /// Seconds elapsed since `earlier`; zero if `earlier` is later (a stats snapshot may race a tick).
    public func seconds(since earlier: Self) -> Double {
        nanoseconds >= earlier.nanoseconds ? Double(nanoseconds - earlier.nanoseconds) / 1e9 : 0
    }
}
