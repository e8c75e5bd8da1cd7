import CTandemSys
import Dispatch
import Glibc

// One per-core packet loop: a thread (optionally pinned), an epoll fd, a mailbox and a port
// slice. Everything the packet path touches is created on the loop thread and owned by it
// (share nothing); other threads only post jobs. All sockets of a call live on one loop.

public final class PacketLoop: @unchecked Sendable {
    public struct Options: Sendable {
        /// CPU to pin the loop thread to; nil = not pinned.
        public var cpu: Int?
        /// Datagrams per recvmmsg/sendmmsg.
        public var batchSize = 32
        /// Bytes per receive slot; larger datagrams are counted malformed and dropped.
        public var bufferSize = 2048
        /// epoll events per wake-up.
        public var maxEvents = 128
        /// SO_RCVBUF/SO_SNDBUF requested per media socket (the kernel caps them at rmem_max/wmem_max).
        public var receiveBufferBytes = 1 << 20
        public var sendBufferBytes = 1 << 20
        /// Mean interval of the RTCP reports generated for transcoded legs (RFC 3550: 5 s).
        public var rtcpIntervalSeconds = 5.0

        public init(cpu: Int? = nil) { self.cpu = cpu }
    }

    public let index: Int
    public let portSlice: ClosedRange<UInt16>?
    public let options: Options
    private let mailbox = Mailbox()
    private let epollFD: Int32
    private let lock = Lock()
    private var thread: pthread_t?
    private var stopped = false
    private var releaseOnExit = false
    /// Set while the loop thread runs; read only on that thread (see contextIfOnLoopThread).
    nonisolated(unsafe) private var loopContext: LoopContext?

    /// A loop serving `portSlice` (nil: this loop opens no ports). Call `start()` to run it.
    public init(index: Int, portSlice: ClosedRange<UInt16>?, options: Options = Options()) {
        self.index = index
        self.portSlice = portSlice
        var o = options
        o.batchSize = max(1, min(1024, o.batchSize))
        o.bufferSize = max(64, o.bufferSize)
        o.maxEvents = max(1, o.maxEvents)
        self.options = o
        epollFD = tandem_epoll_create()
        let ready = epollFD >= 0 && mailbox.eventFD >= 0
            && tandem_epoll_add(epollFD, mailbox.eventFD, UInt32(EPOLLIN.rawValue), LoopCore.mailboxTag) == 0
        if !ready {  // out of fds: a loop that never runs and refuses every job
            stopped = true
            mailbox.requestStop()
            releaseDescriptors()
        }
    }

    /// Whether the loop thread has been started and not stopped.
    public var isRunning: Bool { lock.withLock { thread != nil && !stopped } }

    deinit { stop() }

    /// Starts the loop thread. Jobs posted before `start()` run once it is up. Idempotent.
    public func start() {
        lock.withLock {
            guard thread == nil, !stopped else { return }
            let arg = Unmanaged.passRetained(self).toOpaque()
            var tid = pthread_t()
            let rc = pthread_create(&tid, nil, { arg in
                let loop = Unmanaged<PacketLoop>.fromOpaque(arg!).takeRetainedValue()
                loop.run()
                return nil
            }, arg)
            if rc == 0 {
                thread = tid
            } else {
                Unmanaged<PacketLoop>.fromOpaque(arg).release()
            }
        }
    }

    /// Runs queued jobs, closes every socket, joins the thread and releases the loop's fds.
    /// Jobs posted afterwards are refused. Idempotent. Called from a job on the loop itself, it
    /// only asks the loop to exit (it cannot join itself); the thread then releases the fds.
    public func stop() {
        let (first, tid): (Bool, pthread_t?) = lock.withLock {
            if stopped { return (false, nil) }
            stopped = true
            return (true, thread)
        }
        guard first else { return }
        if let tid, pthread_equal(tid, pthread_self()) != 0 {
            lock.withLock { releaseOnExit = true }
            mailbox.requestStop()
            pthread_detach(tid)
            return
        }
        mailbox.requestStop()
        if let tid { pthread_join(tid, nil) }
        releaseDescriptors()
    }

    private func releaseDescriptors() {
        mailbox.closeDescriptor()
        if epollFD >= 0 { Glibc.close(epollFD) }
    }

    /// Runs `job` on the loop thread (FIFO with other jobs). Returns false if the loop is
    /// stopping or stopped: then the job will never run.
    @discardableResult
    public func execute(_ job: @escaping @Sendable (LoopContext) -> Void) -> Bool {
        mailbox.post(job)
    }

    /// Runs `body` on the loop thread and waits for its result; nil if the loop is stopped.
    /// Blocks the caller: for tests, tools and start-up, not for an event-loop thread.
    /// Called on the loop thread itself (from a job), it runs `body` inline instead of deadlocking.
    public func sync<T: Sendable>(_ body: @escaping @Sendable (LoopContext) -> T) -> T? {
        if let context = contextIfOnLoopThread() { return body(context) }
        let box = ResultBox<T>()
        guard execute({ ctx in box.set(body(ctx)) }) else { return nil }
        return box.wait()
    }

    /// Runs `body` on the loop thread and resumes with its result; nil if the loop is stopped.
    public func perform<T: Sendable>(_ body: @escaping @Sendable (LoopContext) -> T) async -> T? {
        await withCheckedContinuation { (cont: CheckedContinuation<T?, Never>) in
            let accepted = execute { ctx in cont.resume(returning: body(ctx)) }
            if !accepted { cont.resume(returning: nil) }
        }
    }

    /// Installs the periodic tick handler from any thread (see LoopContext.setTickHandler).
    public func setTickHandler(interval: Duration, _ handler: @escaping @Sendable (LoopContext) -> Void) {
        execute { ctx in ctx.setTickHandler(interval: interval, handler) }
    }

    private func contextIfOnLoopThread() -> LoopContext? {
        let tid: pthread_t? = lock.withLock { thread }
        guard let tid, pthread_equal(tid, pthread_self()) != 0 else { return nil }
        return loopContext
    }

    /// The loop thread's body.
    private func run() {
        if let cpu = options.cpu { _ = tandem_pin_thread(Int32(cpu)) }
        let core = LoopCore(epollFD: epollFD, portSlice: portSlice, options: options)
        let context = LoopContext(index: index, core: core)
        loopContext = context
        defer { loopContext = nil }
        var now: UInt64 = 0
        var running = true
        while running {
            let mailboxReady = core.poll(timeoutMs: context.pollTimeoutMs(), now: &now)
            context.now.nanoseconds = now
            context.serveReadyControl()
            if mailboxReady {
                let (jobs, stop) = mailbox.take()
                for job in jobs { job(context) }
                running = !stop
            }
            context.tickIfDue()
        }
        context.udpPlane.closeAll()
        context.userState = nil
        core.deallocate()
        if lock.withLock({ releaseOnExit }) { releaseDescriptors() }
    }
}

/// One result handed from the loop thread to a waiting thread.
private final class ResultBox<T: Sendable>: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private var value: T?

    func set(_ v: T) {
        value = v
        semaphore.signal()
    }

    func wait() -> T? {
        semaphore.wait()
        return value
    }
}
