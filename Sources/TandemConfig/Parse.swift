import TandemBase

extension DaemonConfig {
    /// Reads tandemd's configuration the way rtpengine reads its own: the config file first
    /// (`--config-file`, by default `/etc/rtpengine/rtpengine.conf` if it exists; `none` for no
    /// file), its `[rtpengine]` section (`--config-section`), then the command line, whose options
    /// replace the file's (a repeated option such as `--interface` replaces the file's whole list).
    ///
    /// - Parameters:
    ///   - arguments: the command line without the program name (`CommandLine.arguments.dropFirst()`).
    ///     Long options take `--opt=value` or `--opt value`, short ones `-m 30000` or `-m30000`;
    ///     flags take no value and can be grouped (`-fE`).
    ///   - onlineCPUs: the number of online CPUs, the default of `--num-threads`.
    ///   - networkDevices: device name -> addresses (e.g. from getifaddrs), to resolve
    ///     `--interface=NAME/eth0` and `--interface=any`; empty by default, which makes those errors.
    ///   - readFile: returns the contents of the file at a path, nil if it does not exist; throws
    ///     if it exists but cannot be read.
    /// - Returns: `.help` or `.version` when asked for (nothing else is checked then), else `.run`.
    public static func parse(
        arguments: [String],
        onlineCPUs: Int,
        networkDevices: [String: [IPAddress]] = [:],
        readFile: (String) throws -> String?
    ) throws(ConfigError) -> Invocation {
        let environment = OptionEnvironment(onlineCPUs: onlineCPUs, networkDevices: networkDevices)
        var warnings: [String] = []

        // 1. The command line.
        let commandLine: [Occurrence]
        switch try scan(arguments, warnings: &warnings) {
        case .help: return .help(OptionTable.helpText)
        case .version: return .version
        case .options(let found): commandLine = found
        }
        var configFilePath: String?
        var section = DaemonConfig.defaultConfigSection
        for occurrence in commandLine {
            switch occurrence.spec.role {
            case .configFile: configFilePath = occurrence.value
            case .configSection: section = occurrence.value
            default: break
            }
        }

        // 2. The config file.
        var values: [String: [Occurrence]] = [:]
        var loadedFile: String?
        if configFilePath != "none" {
            let path = configFilePath ?? DaemonConfig.defaultConfigFile
            let text: String?
            do {
                text = try readFile(path)
            } catch {
                throw .configFileUnreadable(file: path, reason: String(describing: error))
            }
            if let text {
                let file = try INIFile(parsing: text, path: path)
                guard file.sections.contains(section) else { throw .sectionNotFound(section: section, file: path) }
                loadedFile = path
                for entry in file.entries where entry.section == section {
                    try collect(entry, path: path, into: &values, warnings: &warnings)
                }
            } else if configFilePath != nil {
                throw .configFileNotFound(path)
            }
        }

        // 3. The command line replaces the file, option by option.
        var fromCommandLine = Set<String>()
        for occurrence in commandLine {
            guard case .setting = occurrence.spec.role else { continue }
            let long = occurrence.spec.long
            if fromCommandLine.insert(long).inserted { values[long] = [] }
            values[long, default: []].append(occurrence)
        }

        // 4. Apply given values in table order, defaults for the rest.
        var config = DaemonConfig(blank: ())
        config.warnings = warnings
        for spec in OptionTable.options {
            guard case .setting(let apply) = spec.role else { continue }
            let given = values[spec.long] ?? []
            if given.isEmpty {
                guard let value = spec.defaultValue else { continue }
                try apply(&config, value, ApplyContext(spec: spec, origin: .builtinDefault, environment: environment))
            } else {
                for occurrence in spec.repeatable ? given : [given.last!] {
                    try apply(&config, occurrence.value,
                              ApplyContext(spec: spec, origin: occurrence.origin, environment: environment))
                }
            }
        }
        config.configFile = loadedFile
        config.configSection = section

        // 5. What no single option can check.
        try config.validatePortRange()
        if config.noFallback, config.table >= 0 {
            config.warnings.append("no-fallback is ignored: tandemd always forwards in user space")
        }
        return .run(config)
    }

    func validatePortRange() throws(ConfigError) {
        let low = Int(portMin), high = Int(portMax)
        guard low < high else {
            throw .invalidPortRange(min: low, max: high, reason: "--port-min must be lower than --port-max")
        }
        guard Int(portMin) + Int(portMin) % 2 + 1 <= high else {
            throw .invalidPortRange(min: low, max: high, reason: "no even port for RTP with the odd port above it "
                                    + "for RTCP fits in the range")
        }
    }

    // MARK: - Command line

    struct Occurrence {
        var spec: OptionSpec
        var value: String
        var origin: ValueOrigin
    }

    enum Scanned {
        case help, version
        case options([Occurrence])
    }

    static func scan(_ arguments: [String], warnings: inout [String]) throws(ConfigError) -> Scanned {
        var found: [Occurrence] = []
        var index = 0

        func nextValue(for option: String) throws(ConfigError) -> String {
            index += 1
            guard index < arguments.count else { throw .missingValue(option: option) }
            return arguments[index]
        }
        func ignore(_ option: String) {
            warnings.append("ignoring rtpengine option '\(option)': tandemd does not support it")
        }

        while index < arguments.count {
            defer { index += 1 }
            let argument = arguments[index]
            if argument == "--" {
                if index + 1 < arguments.count { throw .unexpectedArgument(arguments[index + 1]) }
                break
            }
            if argument.hasPrefix("--") {
                let body = argument.dropFirst(2)
                let name = String(body.prefix { $0 != "=" })
                let inline = body.firstIndex(of: "=").map { String(body[body.index(after: $0)...]) }
                let spelled = "--" + name
                guard let spec = OptionTable.spec(long: name) else {
                    guard let other = OptionTable.ignored(long: name) else { throw .unknownOption(spelled) }
                    if other.takesValue, inline == nil { _ = try nextValue(for: spelled) }
                    ignore(spelled)
                    continue
                }
                switch spec.role {
                case .help: return .help
                case .version: return .version
                default: break
                }
                if spec.isFlag {
                    if let inline { throw .unexpectedValue(option: spelled, value: inline) }
                    found.append(Occurrence(spec: spec, value: "true", origin: .commandLine(spelled)))
                } else {
                    let value: String
                    if let inline { value = inline } else { value = try nextValue(for: spelled) }
                    found.append(Occurrence(spec: spec, value: value, origin: .commandLine(spelled)))
                }
            } else if argument.hasPrefix("-"), argument.count > 1 {
                // A group of short options: flags, then at most one taking the rest (or the next word).
                var rest = argument.dropFirst()
                while let letter = rest.first {
                    rest = rest.dropFirst()
                    let spelled = "-\(letter)"
                    guard let spec = OptionTable.spec(short: letter) else {
                        guard let other = OptionTable.ignored(short: letter) else { throw .unknownOption(spelled) }
                        ignore(spelled + " (--\(other.long))")
                        if other.takesValue {
                            if rest.isEmpty { _ = try nextValue(for: spelled) }
                            break
                        }
                        continue
                    }
                    switch spec.role {
                    case .help: return .help
                    case .version: return .version
                    default: break
                    }
                    if spec.isFlag {
                        found.append(Occurrence(spec: spec, value: "true", origin: .commandLine(spelled)))
                    } else {
                        let value = rest.isEmpty ? try nextValue(for: spelled) : String(rest)
                        found.append(Occurrence(spec: spec, value: value, origin: .commandLine(spelled)))
                        break
                    }
                }
            } else {
                throw .unexpectedArgument(argument)
            }
        }
        return .options(found)
    }

    // MARK: - Config file

    static func collect(_ entry: INIFile.Entry, path: String, into values: inout [String: [Occurrence]],
                        warnings: inout [String]) throws(ConfigError) {
        let origin = ValueOrigin.configFile(path: path, line: entry.line)
        guard let spec = OptionTable.spec(long: entry.key) else {
            guard OptionTable.ignored(long: entry.key) != nil else {
                throw .unknownConfigKey(key: entry.key, file: path, line: entry.line)
            }
            warnings.append("ignoring rtpengine option '\(entry.key)' in \(path) line \(entry.line): "
                            + "tandemd does not support it")
            return
        }
        guard case .setting = spec.role else {
            warnings.append("ignoring '\(entry.key)' in \(path) line \(entry.line): it only has a meaning "
                            + "on the command line")
            return
        }
        if spec.isFlag {
            guard let flag = parseBool(entry.value) else {
                throw .invalidValue(option: "\(spec.long) (\(path) line \(entry.line))", value: entry.value,
                                    reason: "expected true or false (or yes/no, 1/0)")
            }
            values[spec.long] = [Occurrence(spec: spec, value: flag ? "true" : "false", origin: origin)]
        } else if spec.repeatable {
            // rtpengine's lists: `interface = a;b`. A repeated key adds to the list.
            let items = entry.value.split(separator: ";").map { String($0.trimmingWhitespace()) }.filter { !$0.isEmpty }
            guard !items.isEmpty else {
                throw .invalidValue(option: "\(spec.long) (\(path) line \(entry.line))", value: entry.value,
                                    reason: "empty list")
            }
            values[spec.long, default: []] += items.map { Occurrence(spec: spec, value: $0, origin: origin) }
        } else {
            values[spec.long] = [Occurrence(spec: spec, value: entry.value, origin: origin)]
        }
    }

    static func parseBool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "yes", "1", "on": return true
        case "false", "no", "0", "off": return false
        default: return nil
        }
    }
}
