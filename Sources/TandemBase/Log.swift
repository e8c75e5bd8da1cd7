import Glibc

/// A minimal syslog-levelled logger writing to stderr (rtpengine's `--log-level` numbers:
/// 3 error, 4 warning, 6 info, 7 debug), shared by the executables. Control paths only: never
/// called per packet.
public struct Log: Sendable {
    public let level: Int
    /// The program name each line starts with.
    public let name: String

    public init(level: Int, name: String) {
        self.level = level
        self.name = name
    }

    public func error(_ message: @autoclosure () -> String) { write(3, "ERR", message) }
    public func warning(_ message: @autoclosure () -> String) { write(4, "WARNING", message) }
    public func info(_ message: @autoclosure () -> String) { write(6, "INFO", message) }
    public func debug(_ message: @autoclosure () -> String) { write(7, "DEBUG", message) }

    private func write(_ severity: Int, _ tag: String, _ message: () -> String) {
        guard severity <= level else { return }
        let line = "[\(name)] \(tag): \(message())\n"
        // One write(2) per line so lines from different threads never interleave.
        _ = line.withCString { Glibc.write(STDERR_FILENO, $0, strlen($0)) }
    }
}
