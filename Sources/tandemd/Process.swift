import Dispatch
import Foundation
import Glibc
import TandemBase

let tandemVersion = "0.1.0"

/// Writes a line to stderr (the `stderr` global is not concurrency-safe to touch from Swift 6).
func printError(_ text: String) {
    _ = text.withCString { Glibc.write(STDERR_FILENO, $0, strlen($0)) }
}

/// The config file's text; nil when it does not exist (rtpengine tolerates a missing default file).
func readConfigFile(_ path: String) throws -> String? {
    guard FileManager.default.fileExists(atPath: path) else { return nil }
    return try String(contentsOfFile: path, encoding: .utf8)
}

/// Classic double-fork-free detach: the parent exits, the child leaves the terminal session.
func detach() {
    let pid = fork()
    if pid < 0 {
        printError("tandemd: fork failed: \(String(cString: strerror(errno)))\n")
        exit(1)
    }
    if pid > 0 { exit(0) }
    _ = setsid()
}

func writePidfile(_ path: String) {
    let text = "\(getpid())\n"
    if (try? text.write(toFile: path, atomically: true, encoding: .utf8)) == nil {
        printError("tandemd: cannot write pidfile \(path)\n")
    }
}

/// SIGINT and SIGTERM, blocked in every thread and taken with `sigwait` by the main thread:
/// blocked before any thread exists (threads inherit the mask), a signal stays pending until the
/// main thread takes it, whichever thread the kernel picked — no dependency on how libdispatch
/// delivers signals, and no handler running on a packet loop thread.
enum TerminationSignals {
    static var set: sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        return set
    }

    /// Call first thing in `main`, before any thread is started.
    static func block() {
        var signals = set
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        signal(SIGPIPE, SIG_IGN)
    }
}

/// Blocks the main thread until SIGINT or SIGTERM, then runs `shutdown` (which exits).
func waitForTermination(_ shutdown: () -> Void) -> Never {
    var signals = TerminationSignals.set
    var received: Int32 = 0
    while sigwait(&signals, &received) != 0 {}
    shutdown()
    exit(0)
}

/// Addresses of the host's network devices, so `--interface=NAME/eth0` and `any` can resolve.
enum NetworkDevices {
    static func current() -> [String: [IPAddress]] {
        var result: [String: [IPAddress]] = [:]
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return result }
        defer { freeifaddrs(list) }
        var cursor: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let sa = entry.pointee.ifa_addr, let ip = address(of: sa) else { continue }
            result[String(cString: entry.pointee.ifa_name), default: []].append(ip)
        }
        return result
    }

    private static func address(of sa: UnsafeMutablePointer<sockaddr>) -> IPAddress? {
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        let length: socklen_t
        switch Int32(sa.pointee.sa_family) {
        case AF_INET: length = socklen_t(MemoryLayout<sockaddr_in>.size)
        case AF_INET6: length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        default: return nil
        }
        guard getnameinfo(sa, length, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0 else { return nil }
        let text = String(cString: host)
        return IPAddress(text.split(separator: "%").first.map(String.init) ?? text)
    }
}
