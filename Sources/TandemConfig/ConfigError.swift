/// Why the command line or config file cannot be used. `description` is the sentence to print
/// (after `tandemd: `) before exiting with status 1.
///
/// `option` strings name the option the way the user wrote it: `--port-min` or `-m` on the
/// command line, `port-min (FILE line N)` in the config file.
public enum ConfigError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A command-line option that neither tandemd nor rtpengine knows, e.g. `--foo` or `-Z`.
    case unknownOption(String)
    /// A key in our config file section that neither tandemd nor rtpengine knows.
    case unknownConfigKey(key: String, file: String, line: Int)
    /// An option that needs a value came last on the command line, e.g. `--port-min`.
    case missingValue(option: String)
    /// A boolean option was given a value on the command line, e.g. `--foreground=yes`.
    case unexpectedValue(option: String, value: String)
    /// A command-line word that is not an option (tandemd takes no positional arguments).
    case unexpectedArgument(String)
    /// A value that does not parse or is out of range.
    case invalidValue(option: String, value: String, reason: String)
    /// `--port-min` / `--port-max` that do not form a usable range.
    case invalidPortRange(min: Int, max: Int, reason: String)
    /// `--config-file=PATH` names a file that does not exist.
    case configFileNotFound(String)
    /// The config file exists but could not be read.
    case configFileUnreadable(file: String, reason: String)
    /// A line of the config file that is not `[section]`, `key = value`, a comment or blank.
    case configSyntax(file: String, line: Int, reason: String)
    /// The config file has no `[section]` to read (rtpengine refuses to start too).
    case sectionNotFound(section: String, file: String)

    public var description: String {
        switch self {
        case .unknownOption(let option):
            return "unknown option '\(option)' (see tandemd --help)"
        case .unknownConfigKey(let key, let file, let line):
            return "unknown option '\(key)' in \(file) line \(line) (see tandemd --help)"
        case .missingValue(let option):
            return "option '\(option)' needs a value (see tandemd --help)"
        case .unexpectedValue(let option, let value):
            return "option '\(option)' takes no value, but was given '\(value)'"
        case .unexpectedArgument(let word):
            return "unexpected argument '\(word)': tandemd takes options only (see tandemd --help)"
        case .invalidValue(let option, let value, let reason):
            return "invalid value '\(value)' for \(option): \(reason)"
        case .invalidPortRange(let min, let max, let reason):
            return "invalid port range --port-min=\(min) --port-max=\(max): \(reason)"
        case .configFileNotFound(let file):
            return "config file '\(file)' (--config-file) does not exist"
        case .configFileUnreadable(let file, let reason):
            return "cannot read config file '\(file)': \(reason)"
        case .configSyntax(let file, let line, let reason):
            return "\(file) line \(line): \(reason)"
        case .sectionNotFound(let section, let file):
            return "config file '\(file)' has no [\(section)] section (choose one with --config-section)"
        }
    }
}
