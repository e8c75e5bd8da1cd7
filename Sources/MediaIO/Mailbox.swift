import CTandemSys
import Glibc

// The control path into a loop: an MPSC queue of jobs under a mutex, plus an eventfd registered
// with the loop's epoll to wake it. Locks are fine here (a few thousand jobs per second at most);
// the packet path never touches this.

/// A pthread mutex in stable heap memory (a Swift struct holding pthread_mutex_t inline could be
/// moved, which pthreads forbids).
final class Lock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}

final class Mailbox: @unchecked Sendable {
    typealias Job = @Sendable (LoopContext) -> Void

    /// Written by any thread, read by the loop; closed once stop begins.
    let eventFD: Int32
    private let lock = Lock()
    private var jobs: [Job] = []
    private var closed = false
    private var stopRequested = false

    init() { eventFD = tandem_eventfd() }

    /// Queues a job and wakes the loop. False once the loop is stopping (the job is not run).
    func post(_ job: @escaping Job) -> Bool {
        let accepted = lock.withLock {
            if closed { return false }
            jobs.append(job)
            return true
        }
        if accepted { _ = tandem_eventfd_signal(eventFD) }
        return accepted
    }

    /// Refuses further jobs and tells the loop to exit after running those already queued.
    func requestStop() {
        lock.withLock {
            closed = true
            stopRequested = true
        }
        _ = tandem_eventfd_signal(eventFD)
    }

    /// Called by the loop thread: everything queued, and whether to exit afterwards.
    func take() -> (jobs: [Job], stop: Bool) {
        _ = tandem_eventfd_drain(eventFD)
        return lock.withLock {
            let taken = jobs
            jobs = []
            return (taken, stopRequested)
        }
    }

    var isClosed: Bool { lock.withLock { closed } }

    /// After the loop thread has exited.
    func closeDescriptor() { if eventFD >= 0 { Glibc.close(eventFD) } }
}
