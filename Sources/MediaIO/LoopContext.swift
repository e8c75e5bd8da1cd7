import CTandemSys
import Glibc
import CallModel
import TandemBase

// What control-plane code running on a loop thread (a mailbox job or the tick handler) sees.
// Not Sendable: it belongs to its loop thread; never keep it beyond the job.

public final class LoopContext {
    /// Index of the loop (0 ..< number of loops).
    public let index: Int
    /// The loop's UDP data plane.
    public let udpPlane: UDPMediaPlane
    /// The same, as the call model's contract.
    public var plane: MediaPlane { udpPlane }
    /// The time of the current wake-up (monotonic, read once per wake-up).
    public internal(set) var now: MonotonicTime
    /// Free for the control plane: its per-loop call registry lives here.
    public var userState: AnyObject?

    let core: LoopCore
    /// Control descriptors served on this loop (LoopContext.addReadHandler), by fd.
    private var readHandlers: [Int32: (LoopContext) -> Void] = [:]
    private var tickHandler: ((LoopContext) -> Void)?
    private var tickInterval: UInt64 = 0
    private var nextTick: UInt64 = 0

    init(index: Int, core: LoopCore) {
        self.index = index
        self.core = core
        self.udpPlane = UDPMediaPlane(core: core)
        self.now = MonotonicTime(nanoseconds: tandem_monotonic_ns(0))
    }

    /// The loop's counters now.
    public var counters: LoopCounters { core.counters.pointee }

    /// Calls `handler` on this loop thread about every `interval` (for no-media timeouts);
    /// replaces any previous handler. An interval of zero or less removes it.
    public func setTickHandler(interval: Duration, _ handler: @escaping (LoopContext) -> Void) {
        let ns = interval.components.seconds * 1_000_000_000 + interval.components.attoseconds / 1_000_000_000
        guard ns > 0 else {
            tickHandler = nil
            return
        }
        tickHandler = handler
        tickInterval = UInt64(ns)
        nextTick = now.nanoseconds &+ tickInterval
    }

    /// Serves a control descriptor (e.g. the ng UDP socket) on this loop: `handler` runs on the
    /// loop thread whenever `fd` is readable (level-triggered: it should drain what it can, and
    /// may leave the rest for the next wake-up to keep media flowing). The caller keeps owning
    /// `fd`; call `removeReadHandler` before closing it. False if epoll refused it.
    public func addReadHandler(fd: Int32, _ handler: @escaping (LoopContext) -> Void) -> Bool {
        guard fd >= 0, readHandlers[fd] == nil,
              tandem_epoll_add(core.epollFD, fd, UInt32(EPOLLIN.rawValue), LoopCore.controlTagBit | UInt64(UInt32(fd))) == 0
        else { return false }
        readHandlers[fd] = handler
        core.readyControl.reserveCapacity(readHandlers.count)
        return true
    }

    /// Stops serving `fd` (it is not closed).
    public func removeReadHandler(fd: Int32) {
        guard readHandlers.removeValue(forKey: fd) != nil else { return }
        _ = tandem_epoll_del(core.epollFD, fd)
    }

    /// Runs the handlers of the control descriptors the last poll found ready.
    func serveReadyControl() {
        guard !core.readyControl.isEmpty else { return }
        for fd in core.readyControl {
            readHandlers[fd]?(self)
        }
        core.readyControl.removeAll(keepingCapacity: true)
    }

    /// epoll timeout until the next tick: -1 (none) or milliseconds, rounded up.
    func pollTimeoutMs() -> Int32 {
        let reports = core.transcoding.timeoutMs(now: now.nanoseconds)
        guard tickHandler != nil else { return reports }
        let t = now.nanoseconds
        guard nextTick > t else { return 0 }
        let tick = Int32(min(60_000, (nextTick - t + 999_999) / 1_000_000))
        return reports < 0 ? tick : min(tick, reports)
    }

    /// Runs the tick handler if it is due.
    func tickIfDue() {
        core.sendDueReports(now: now.nanoseconds)
        guard let handler = tickHandler, now.nanoseconds >= nextTick else { return }
        nextTick = max(nextTick &+ tickInterval, now.nanoseconds)  // no burst of catch-up ticks
        handler(self)
    }
}
