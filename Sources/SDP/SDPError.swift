/// Why a session description could not be parsed. Line numbers are 1-based and count
/// `\n`-separated lines of the input.
public enum SDPError: Error, Hashable, Sendable, CustomStringConvertible {
    case emptyInput
    case inputTooLarge(size: Int, limit: Int)
    case tooManyLines(limit: Int)
    /// The bytes of this line are not valid UTF-8.
    case invalidUTF8(line: Int)
    /// The first line is not a `v=` line.
    case missingVersionLine
    /// The line is not `<type>=<value>` (no `=` at index 1, or an empty line).
    case malformedLine(line: Int)
    case malformedMediaLine(line: Int, reason: String)
    case malformedOrigin(line: Int)
    case malformedConnection(line: Int)
    /// A line that may appear only at session level, or only once, where it may not.
    case misplacedLine(line: Int, type: Character, reason: String)

    /// The line the error refers to, if any.
    public var line: Int? {
        switch self {
        case .emptyInput, .inputTooLarge, .tooManyLines: nil
        case .missingVersionLine: 1
        case .invalidUTF8(let line), .malformedLine(let line), .malformedOrigin(let line),
             .malformedConnection(let line):
            line
        case .malformedMediaLine(let line, _), .misplacedLine(let line, _, _): line
        }
    }

    public var description: String {
        switch self {
        case .emptyInput: "SDP is empty"
        case .inputTooLarge(let size, let limit): "SDP is \(size) bytes, more than the limit of \(limit)"
        case .tooManyLines(let limit): "SDP has more than \(limit) lines"
        case .invalidUTF8(let line): "line \(line): not valid UTF-8"
        case .missingVersionLine: "line 1: SDP does not start with a v= line"
        case .malformedLine(let line): "line \(line): not a '<type>=<value>' line"
        case .malformedMediaLine(let line, let reason): "line \(line): bad m= line: \(reason)"
        case .malformedOrigin(let line): "line \(line): bad o= line (need: username sess-id sess-version nettype addrtype address)"
        case .malformedConnection(let line): "line \(line): bad c= line (need: nettype addrtype address[/ttl][/count])"
        case .misplacedLine(let line, let type, let reason): "line \(line): \(type)= line \(reason)"
        }
    }
}
