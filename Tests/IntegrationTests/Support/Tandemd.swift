import Bencode
import Foundation
import TandemTestSupport
import Glibc
import Testing

// A real `tandemd` process per test: unique ng port and media port range, started and awaited
// (ping) with bounded waits, stopped by its PID only. Its stderr goes to a temp file so that a
// failing test can show what the daemon logged.

struct IntegrationError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Port plan: slot k owns 25000 + 100k ..< 25000 + 100(k+1): the ng port is the slot's first
/// port, media ports come from the rest. Slots 0-49 stay inside 25000-29999, away from the
/// ephemeral range (32768-60999), the reference daemon (20000-20999), MediaIO tests (31000-31999).
enum PortSlot {
    static func ngPort(_ slot: Int) -> UInt16 { UInt16(25000 + 100 * slot) }
    static func media(_ slot: Int, count: Int = 98) -> ClosedRange<UInt16> {
        precondition(slot >= 0 && slot < 50 && count >= 2 && count <= 98)
        let first = UInt16(25000 + 100 * slot + 2)
        return first...(first + UInt16(count) - 1)
    }
}

final class Tandemd: @unchecked Sendable {
    let process = Process()
    let ngPort: UInt16
    let portRange: ClosedRange<UInt16>
    let stderrPath: String
    let pidfile: String
    private(set) var exitStatus: Int32?

    /// The tandemd binary: `$TANDEMD`, else `<package root>/.build/debug/tandemd`.
    static func binaryPath(filePath: String = #filePath) throws -> String {
        if let env = ProcessInfo.processInfo.environment["TANDEMD"], !env.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: env) else {
                throw IntegrationError("TANDEMD=\(env) is not an executable file")
            }
            return env
        }
        // <root>/Tests/IntegrationTests/Support/Tandemd.swift
        var root = URL(fileURLWithPath: filePath)
        for _ in 0..<4 { root.deleteLastPathComponent() }
        let path = root.appendingPathComponent(".build/debug/tandemd").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw IntegrationError("tandemd binary not found at \(path): run swift build first (or set TANDEMD)")
        }
        return path
    }

    /// Starts tandemd on `slot`'s ports (or on `ports`, a helper's own range; `slot` then only
    /// names the pidfile) and waits (<= 3 s) until it answers `ping`.
    init(slot: Int, mediaPorts: Int = 98, timeout: Int = 60, threads: Int = 2, extra: [String] = [],
         ports: (ng: UInt16, media: ClosedRange<UInt16>)? = nil, reference: Bool? = nil) throws {
        ngPort = ports?.ng ?? PortSlot.ngPort(slot)
        portRange = ports?.media ?? PortSlot.media(slot, count: mediaPorts)
        stderrPath = NSTemporaryDirectory() + "tandemd-it-\(getpid())-\(slot)-\(UInt32.random(in: 0...UInt32.max)).log"
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        pidfile = NSTemporaryDirectory() + "tandem-integration-slot-\(slot).pid"
        try Self.reclaim(slot: slot, pidfile: pidfile, ngPort: ngPort, media: portRange)
        // TANDEM_IT_DAEMON=rtpengine runs the same tests against the reference daemon (Debian
        // rtpengine, userspace only), to check that what they expect is rtpengine's behaviour.
        let reference = reference ?? Self.isReference
        process.executableURL = URL(fileURLWithPath: reference ? "/usr/bin/rtpengine" : try Self.binaryPath())
        process.arguments = (reference ? ["--table=-1", "--no-fallback", "--log-stderr"] : []) + [
            "--config-file=none", "--foreground", "--listen-ng=127.0.0.1:\(ngPort)",
            "--port-min=\(portRange.lowerBound)", "--port-max=\(portRange.upperBound)",
            "--interface=internal/127.0.0.1", "--interface=internal/::1",
            "--timeout=\(timeout)", "--delete-delay=0", "--num-threads=\(threads)", "--log-level=7",
        ] + extra
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        try process.run()
        try? "\(process.processIdentifier)\n".write(toFile: pidfile, atomically: true, encoding: .utf8)
        let client = try NGClient(port: ngPort)
        let deadline = Date().addingTimeInterval(3)
        while true {
            if !process.isRunning {
                process.waitUntilExit()
                exitStatus = process.terminationStatus
                throw IntegrationError("tandemd exited (status \(process.terminationStatus)) before answering ping:\n\(log)")
            }
            if let reply = try? client.request(["command": "ping"], timeout: 0.2), reply["result"]?.stringValue == "pong" {
                break
            }
            if Date() > deadline {
                stop()
                throw IntegrationError("tandemd did not answer ping on 127.0.0.1:\(ngPort) within 3 s:\n\(log)")
            }
        }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: stderrPath)
        try? FileManager.default.removeItem(atPath: pidfile)
    }

    /// Makes the slot's ports usable: a daemon left behind on this slot by an earlier run that was
    /// killed (its PID is in the slot's pidfile and its command line has our --listen-ng) is
    /// killed by that PID; then every port must be bindable, else the test fails with who to blame.
    static func reclaim(slot: Int, pidfile: String, ngPort: UInt16, media: ClosedRange<UInt16>) throws {
        if let text = try? String(contentsOfFile: pidfile, encoding: .utf8), let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)),
           let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
           String(decoding: cmdline, as: UTF8.self).contains("--listen-ng=127.0.0.1:\(ngPort)\u{0}") {
            kill(pid, SIGKILL)
            for _ in 0..<100 where FileManager.default.fileExists(atPath: "/proc/\(pid)/cmdline") { usleep(10_000) }
        }
        try? FileManager.default.removeItem(atPath: pidfile)
        // A plain bind fails on a port held by anyone, SO_REUSEADDR or not: catch a stray daemon
        // before it silently shares our ng port (tandemd and rtpengine both set SO_REUSEADDR).
        let busy = ([ngPort] + Array(media)).filter { !UDPSocket.canBind("127.0.0.1", $0) }
        guard busy.isEmpty else {
            throw IntegrationError("slot \(slot): UDP ports \(busy.prefix(8)) on 127.0.0.1 are in use by another process "
                + "(see `ss -uapn | grep :\(ngPort)`); integration tests need 127.0.0.1:\(ngPort) and \(media)")
        }
    }

    var pid: pid_t { process.processIdentifier }

    /// Whether the tests drive the reference rtpengine instead of tandemd (TANDEM_IT_DAEMON=rtpengine).
    static var isReference: Bool { ProcessInfo.processInfo.environment["TANDEM_IT_DAEMON"] == "rtpengine" }

    /// The daemon's stderr so far (the last 6 KB).
    var log: String {
        guard let data = FileManager.default.contents(atPath: stderrPath) else { return "(no stderr)" }
        let tail = data.count > 6000 ? data.suffix(6000) : data
        return String(decoding: tail, as: UTF8.self)
    }

    /// Sends `signal` to the daemon (by PID) and waits up to `timeout` s for it to exit. Returns the
    /// time it took, or nil if it is still running.
    @discardableResult
    func signal(_ signal: Int32, waitUpTo timeout: Double = 2.5) -> Double? {
        guard process.isRunning else { return 0 }
        let start = Date()
        kill(pid, signal)
        while process.isRunning {
            if Date().timeIntervalSince(start) > timeout { return nil }
            usleep(10_000)
        }
        process.waitUntilExit()
        exitStatus = process.terminationStatus
        return Date().timeIntervalSince(start)
    }

    /// SIGTERM, then SIGKILL if it did not exit within 3 s. Idempotent.
    func stop() {
        guard process.isRunning else { return }
        if signal(SIGTERM, waitUpTo: 3) == nil {
            kill(pid, SIGKILL)
            process.waitUntilExit()
            exitStatus = process.terminationStatus
        }
    }

    var isRunning: Bool { process.isRunning }

    func client() throws -> NGClient { try NGClient(port: ngPort) }
}
