import TandemBase

/// What the environment contributes to option values, passed in so that parsing stays pure.
struct OptionEnvironment: Sendable {
    /// The number of online CPUs: the default of `--num-threads`.
    var onlineCPUs: Int
    /// Network device name -> its addresses, for `--interface=NAME/eth0` and `--interface=any`.
    var networkDevices: [String: [IPAddress]]
}

/// Where a value came from, to name it in error messages.
enum ValueOrigin: Sendable, Equatable {
    /// As spelled on the command line: `--port-min` or `-m`.
    case commandLine(String)
    case configFile(path: String, line: Int)
    case builtinDefault
}

/// What a setter gets besides the value: who to blame, and the environment.
struct ApplyContext {
    let spec: OptionSpec
    let origin: ValueOrigin
    let environment: OptionEnvironment

    /// The option as the user wrote it.
    var optionName: String {
        switch origin {
        case .commandLine(let spelled): return spelled
        case .configFile(let path, let line): return "\(spec.long) (\(path) line \(line))"
        case .builtinDefault: return "--\(spec.long) (default)"
        }
    }

    func invalid(_ value: String, _ reason: String) -> ConfigError {
        .invalidValue(option: optionName, value: value, reason: reason)
    }

    func integer(_ value: String, in range: ClosedRange<Int>? = nil) throws(ConfigError) -> Int {
        guard let n = Int(value) else { throw invalid(value, "not an integer") }
        if let range, !range.contains(n) {
            throw invalid(value, "must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return n
    }
}

/// One option: its names, how it shows in `--help`, its default, and what it sets.
struct OptionSpec: Sendable {
    typealias Apply = @Sendable (inout DaemonConfig, String, ApplyContext) throws(ConfigError) -> Void

    enum Role: Sendable {
        /// Sets a field of `DaemonConfig`. A boolean flag's setter gets "true" or "false".
        case setting(Apply)
        case configFile, configSection, help, version
    }

    /// The long name: `--long` on the command line, `long = ...` in the config file.
    let long: String
    let short: Character?
    /// The value's name in `--help` (`INT`, `FILE`, ...); nil for a boolean flag.
    let placeholder: String?
    let summary: String
    /// Raw value applied through the setter when the option is not given (nil: none).
    let defaultValue: String?
    /// The default as `--help` shows it, when not `defaultValue` itself.
    let defaultHelp: String?
    /// May be given more than once; each value adds (`--interface`).
    let repeatable: Bool
    let role: Role

    var isFlag: Bool { placeholder == nil }

    init(_ long: String, _ short: Character? = nil, _ placeholder: String?, _ summary: String,
         default defaultValue: String? = nil, defaultHelp: String? = nil, repeatable: Bool = false,
         _ role: Role) {
        self.long = long
        self.short = short
        self.placeholder = placeholder
        self.summary = summary
        self.defaultValue = defaultValue
        self.defaultHelp = defaultHelp
        self.repeatable = repeatable
        self.role = role
    }
}

/// The single table of options tandemd supports: parsing, defaults and `--help` all read it.
enum OptionTable {
    static let options: [OptionSpec] = [
        OptionSpec("help", "h", nil, "Show this help and exit", .help),
        OptionSpec("version", "v", nil, "Print the version and exit", .version),
        OptionSpec("config-file", nil, "FILE", "Load options from this INI file; 'none' for no file",
                   defaultHelp: DaemonConfig.defaultConfigFile + ", if it exists", .configFile),
        OptionSpec("config-section", nil, "STRING", "Config file section to use",
                   defaultHelp: DaemonConfig.defaultConfigSection, .configSection),
        OptionSpec("interface", "i", "[NAME/]IP[!IP]",
                   "Local address for media, optionally named and with an address to advertise "
                   + "(repeatable; in the config file separate several with ';')",
                   default: "127.0.0.1", defaultHelp: "127.0.0.1 (rtpengine requires one)", repeatable: true,
                   .setting { c, v, ctx throws(ConfigError) in c.interfaces += try parseInterface(v, ctx) }),
        OptionSpec("listen-ng", "n", "[IP:]PORT", "UDP address for the ng control protocol "
                   + "(a bare PORT listens on 127.0.0.1 only; rtpengine listens on all addresses)",
                   default: "127.0.0.1:2223",
                   .setting { c, v, ctx throws(ConfigError) in
                       c.listenNG = try parseListen(v, ctx, warnings: &c.warnings) }),
        OptionSpec("port-min", "m", "INT", "Lowest UDP port for media", default: "30000",
                   .setting { c, v, ctx throws(ConfigError) in c.portMin = UInt16(try ctx.integer(v, in: 1...65535)) }),
        OptionSpec("port-max", "M", "INT", "Highest UDP port for media", default: "40000",
                   .setting { c, v, ctx throws(ConfigError) in c.portMax = UInt16(try ctx.integer(v, in: 1...65535)) }),
        OptionSpec("timeout", "o", "SECS", "Drop a call after this long without media (0: default)",
                   default: "60",
                   .setting { c, v, ctx throws(ConfigError) in c.timeout = try seconds(v, ctx, zeroMeans: 60) }),
        OptionSpec("silent-timeout", "s", "SECS", "The same for muted or inactive streams (0: default)",
                   default: "3600",
                   .setting { c, v, ctx throws(ConfigError) in c.silentTimeout = try seconds(v, ctx, zeroMeans: 3600) }),
        OptionSpec("final-timeout", "a", "SECS", "Delete any call this long after it was created (0: off)",
                   default: "0",
                   .setting { c, v, ctx throws(ConfigError) in
                       // rtpengine turns any value <= 0 into "off"; -1 is a common way to write it.
                       c.finalTimeout = max(0, try ctx.integer(v)) }),
        OptionSpec("offer-timeout", nil, "SECS", "Drop a call with an offer but no answer after this long "
                   + "(0: default)", default: "3600",
                   .setting { c, v, ctx throws(ConfigError) in c.offerTimeout = try seconds(v, ctx, zeroMeans: 3600) }),
        OptionSpec("delete-delay", "d", "INT", "Seconds a deleted call stays in memory (0: none)", default: "30",
                   .setting { c, v, ctx throws(ConfigError) in c.deleteDelay = try ctx.integer(v, in: 0...Int(Int32.max)) }),
        OptionSpec("num-threads", nil, "INT", "Number of packet loops (0: default)", default: "0",
                   defaultHelp: "number of online CPUs",
                   .setting { c, v, ctx throws(ConfigError) in
                       let n = try ctx.integer(v, in: 0...4096)
                       c.numThreads = n > 0 ? n : max(1, ctx.environment.onlineCPUs) }),
        OptionSpec("max-sessions", nil, "INT", "Limit of concurrent sessions (-1: unlimited, 0: accept none)",
                   default: "-1",
                   .setting { c, v, ctx throws(ConfigError) in c.maxSessions = try ctx.integer(v, in: -1...Int(Int32.max)) }),
        OptionSpec("endpoint-learning", nil, "delayed|immediate|off|heuristic",
                   "How a stream's remote address is learned from its packets: 'delayed' lets every new "
                   + "source move it for 3 s after signalling; 'immediate' latches on the first packet; "
                   + "'off' never learns (heuristic is treated as delayed)", default: "delayed",
                   .setting { c, v, ctx throws(ConfigError) in
                       guard let mode = DaemonConfig.EndpointLearning(rawValue: v) else {
                           throw ctx.invalid(v, "must be delayed, immediate, off or heuristic")
                       }
                       c.endpointLearning = mode }),
        OptionSpec("tos", "T", "INT", "TOS byte for outgoing media (0: leave untouched)", default: "0",
                   .setting { c, v, ctx throws(ConfigError) in c.tos = UInt8(try ctx.integer(v, in: 0...255)) }),
        OptionSpec("log-level", "L", "INT", "Highest syslog priority to log, 0 (emerg) to 7 (debug)", default: "6",
                   .setting { c, v, ctx throws(ConfigError) in c.logLevel = try ctx.integer(v, in: 0...7) }),
        OptionSpec("log-facility", nil, "daemon|local0|...|local7", "Syslog facility to log to", default: "daemon",
                   .setting { c, v, ctx throws(ConfigError) in
                       guard syslogFacilities.contains(v) else {
                           throw ctx.invalid(v, "not a syslog facility (one of \(syslogFacilities.joined(separator: ", ")))")
                       }
                       c.logFacility = v }),
        OptionSpec("log-stderr", "E", nil, "Log to stderr instead of syslog", default: "false",
                   .setting { c, v, _ in c.logStderr = v == "true" }),
        OptionSpec("foreground", "f", nil, "Do not fork to the background", default: "false",
                   .setting { c, v, _ in c.foreground = v == "true" }),
        OptionSpec("dtls-passive", nil, nil, "Prefer the DTLS passive (server) role (ng DTLS=active reverts it)",
                   default: "false", .setting { c, v, _ in c.dtlsPassive = v == "true" }),
        OptionSpec("dtls-cert", nil, "FILE", "PEM certificate for DTLS-SRTP (Tandem; default: a fresh self-signed "
                   + "EC P-256 certificate per start, as rtpengine makes)", defaultHelp: "generated",
                   .setting { c, v, ctx throws(ConfigError) in
                       guard !v.isEmpty else { throw ctx.invalid(v, "empty file name") }
                       c.dtlsCertificate = v }),
        OptionSpec("dtls-key", nil, "FILE", "PEM private key of --dtls-cert (default: the --dtls-cert file)",
                   defaultHelp: "the certificate file",
                   .setting { c, v, ctx throws(ConfigError) in
                       guard !v.isEmpty else { throw ctx.invalid(v, "empty file name") }
                       c.dtlsKey = v }),
        OptionSpec("pidfile", "p", "FILE", "Write the daemon's PID to this file", defaultHelp: "none",
                   .setting { c, v, ctx throws(ConfigError) in
                       guard !v.isEmpty else { throw ctx.invalid(v, "empty file name") }
                       c.pidfile = v }),
        OptionSpec("table", "t", "INT", "rtpengine's kernel forwarding table; tandemd forwards in user space "
                   + "and only -1 is meaningful (other values give a warning)", default: "-1",
                   .setting { c, v, ctx throws(ConfigError) in
                       c.table = try ctx.integer(v)
                       if c.table >= 0 {
                           c.warnings.append("\(ctx.optionName) = \(c.table) asks for rtpengine's kernel forwarding, "
                                             + "which tandemd does not have: forwarding in user space")
                       } }),
        OptionSpec("no-fallback", "F", nil, "Accepted for rtpengine compatibility and ignored", default: "false",
                   .setting { c, v, _ in c.noFallback = v == "true" }),
    ]

    /// rtpengine 10.5's other options (name, short name, takes a value): accepted and ignored with
    /// a warning, so that an existing rtpengine.conf or command line still starts tandemd.
    /// Anything in neither table is an error.
    static let ignoredRtpengineOptions: [(long: String, short: Character?, takesValue: Bool)] = [
        ("log-level-core", nil, true),
        ("log-level-spandsp", nil, true),
        ("log-level-ffmpeg", nil, true),
        ("log-level-transcoding", nil, true),
        ("log-level-codec", nil, true),
        ("log-level-rtcp", nil, true),
        ("log-level-ice", nil, true),
        ("log-level-crypto", nil, true),
        ("log-level-srtp", nil, true),
        ("log-level-internals", nil, true),
        ("log-level-http", nil, true),
        ("log-level-control", nil, true),
        ("log-level-dtx", nil, true),
        ("split-logs", nil, false),
        ("max-log-line-length", nil, true),
        ("no-log-timestamps", nil, false),
        ("log-mark-prefix", nil, true),
        ("log-mark-suffix", nil, true),
        ("thread-stack", nil, true),
        ("save-interface-ports", "S", false),
        ("subscribe-keyspace", "k", true),
        ("listen-tcp", "l", true),
        ("listen-udp", "u", true),
        ("listen-tcp-ng", "N", true),
        ("listen-cli", "c", true),
        ("graphite", "g", true),
        ("graphite-interval", "G", true),
        ("graphite-prefix", nil, true),
        ("graphite-timeout", nil, true),
        ("control-tos", nil, true),
        ("redis", "r", true),
        ("redis-write", "w", true),
        ("redis-num-threads", nil, true),
        ("redis-expires", nil, true),
        ("no-redis-required", "q", false),
        ("redis-allowed-errors", nil, true),
        ("redis-disable-time", nil, true),
        ("redis-cmd-timeout", nil, true),
        ("redis-connect-timeout", nil, true),
        ("redis-delete-async", "y", true),
        ("redis-delete-async-interval", nil, true),
        ("active-switchover", nil, false),
        ("b2b-url", "b", true),
        ("log-facility-cdr", nil, true),
        ("log-facility-rtcp", nil, true),
        ("log-facility-dtmf", nil, true),
        ("dtmf-log-dest", nil, true),
        ("dtmf-log-ng-tcp", nil, false),
        ("dtmf-no-suppress", nil, false),
        ("dtmf-digit-delay", nil, true),
        ("log-format", nil, true),
        ("xmlrpc-format", "x", true),
        ("media-num-threads", nil, true),
        ("sip-source", nil, false),
        ("max-load", nil, true),
        ("max-cpu", nil, true),
        ("max-bandwidth", nil, true),
        ("homer", nil, true),
        ("homer-protocol", nil, true),
        ("homer-id", nil, true),
        ("recording-dir", nil, true),
        ("recording-method", nil, true),
        ("recording-format", nil, true),
        ("iptables-chain", nil, true),
        ("codecs", nil, false),
        ("scheduling", nil, true),
        ("priority", nil, true),
        ("idle-scheduling", nil, true),
        ("idle-priority", nil, true),
        ("log-srtp-keys", nil, false),
        ("mysql-host", nil, true),
        ("mysql-port", nil, true),
        ("mysql-user", nil, true),
        ("mysql-pass", nil, true),
        ("mysql-query", nil, true),
        ("jitter-buffer", nil, true),
        ("jb-clock-drift", nil, false),
        ("debug-srtp", nil, false),
        ("reject-invalid-sdp", nil, false),
        ("dtls-rsa-key-size", nil, true),
        ("dtls-cert-cipher", nil, true),
        ("dtls-mtu", nil, true),
        ("dtls-ciphers", nil, true),
        ("dtls-signature", nil, true),
        ("listen-http", nil, true),
        ("listen-https", nil, true),
        ("https-cert", nil, true),
        ("https-key", nil, true),
        ("http-threads", nil, true),
        ("software-id", nil, true),
        ("poller-per-thread", nil, false),
        ("dtx-delay", nil, true),
        ("max-dtx", nil, true),
        ("dtx-buffer", nil, true),
        ("dtx-lag", nil, true),
        ("dtx-shift", nil, true),
        ("dtx-cn-params", nil, true),
        ("amr-dtx", nil, true),
        ("silence-detect", nil, true),
        ("cn-payload", nil, true),
        ("mqtt-host", nil, true),
        ("mqtt-port", nil, true),
        ("mqtt-id", nil, true),
        ("mqtt-keepalive", nil, true),
        ("mqtt-user", nil, true),
        ("mqtt-pass", nil, true),
        ("mqtt-cafile", nil, true),
        ("mqtt-capath", nil, true),
        ("mqtt-certfile", nil, true),
        ("mqtt-keyfile", nil, true),
        ("mqtt-publish-qos", nil, true),
        ("mqtt-publish-topic", nil, true),
        ("mqtt-publish-interval", nil, true),
        ("mqtt-publish-scope", nil, true),
        ("mos", nil, true),
        ("socket-cpu-affinity", nil, true),
        ("janus-secret", nil, true),
    ]

    static let syslogFacilities = [
        "auth", "authpriv", "cron", "daemon", "ftp", "kern", "lpr", "mail", "news", "syslog", "user", "uucp",
        "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
    ]

    static func spec(long: String) -> OptionSpec? { options.first { $0.long == long } }
    static func spec(short: Character) -> OptionSpec? { options.first { $0.short == short } }
    static func ignored(long: String) -> (long: String, short: Character?, takesValue: Bool)? {
        ignoredRtpengineOptions.first { $0.long == long }
    }
    static func ignored(short: Character) -> (long: String, short: Character?, takesValue: Bool)? {
        ignoredRtpengineOptions.first { $0.short == short }
    }

    /// Every setting at its default.
    static func defaults(environment: OptionEnvironment) throws(ConfigError) -> DaemonConfig {
        var config = DaemonConfig(blank: ())
        for spec in options {
            guard case .setting(let apply) = spec.role, let value = spec.defaultValue else { continue }
            try apply(&config, value, ApplyContext(spec: spec, origin: .builtinDefault, environment: environment))
        }
        return config
    }

    static let helpText: String = {
        var lines = [
            "Usage:",
            "  tandemd [OPTION...]  - RTP media relay, a drop-in for rtpengine",
            "",
            "Options:",
        ]
        for spec in options {
            var names = spec.short.map { "-\($0), " } ?? "    "
            names += "--\(spec.long)"
            if let placeholder = spec.placeholder { names += "=\(placeholder)" }
            // The default stays on one line, whatever its length.
            var words = spec.summary.split(separator: " ").map(String.init)
            if let shown = spec.defaultHelp ?? (spec.isFlag ? nil : spec.defaultValue) {
                words.append("[default: \(shown)]")
            }
            // Descriptions start at column 34 and wrap before column 100.
            let indent = String(repeating: " ", count: 34)
            var line = "  " + names
            if line.count > 32 {
                lines.append(line)
                line = indent
            } else {
                line += String(repeating: " ", count: 34 - line.count)
            }
            var lineHasWord = false
            for word in words {
                if lineHasWord, line.count + 1 + word.count > 100 {
                    lines.append(line)
                    line = indent
                    lineHasWord = false
                }
                line += (lineHasWord ? " " : "") + word
                lineHasWord = true
            }
            lines.append(line)
        }
        lines += [
            "",
            "The config file is rtpengine's: an INI file whose [rtpengine] section (see --config-section)",
            "takes the long option names without dashes, e.g. 'port-min = 30000'; boolean options take",
            "true/false, yes/no or 1/0. Options given on the command line override the config file.",
            "rtpengine's other options are accepted with a warning and ignored.",
        ]
        return lines.joined(separator: "\n") + "\n"
    }()

    // MARK: - Value parsers

    /// rtpengine turns 0 (and negative values) into the default; we keep 0 and reject negatives.
    static func seconds(_ value: String, _ ctx: ApplyContext, zeroMeans fallback: Int) throws(ConfigError) -> Int {
        let n = try ctx.integer(value, in: 0...Int(Int32.max))
        return n == 0 ? fallback : n
    }

    /// `[NAME/]ADDRESS[!ADVERTISED]`, ADDRESS being an IP, a network device or `any`.
    static func parseInterface(_ text: String, _ ctx: ApplyContext) throws(ConfigError) -> [DaemonConfig.Interface] {
        var rest = Substring(text)
        var name = "default"
        if let slash = rest.firstIndex(of: "/") {
            name = String(rest[..<slash])
            rest = rest[rest.index(after: slash)...]
            guard !name.isEmpty else { throw ctx.invalid(text, "empty interface name before '/'") }
        }
        var advertised: IPAddress?
        if let bang = rest.firstIndex(of: "!") {
            let advText = rest[rest.index(after: bang)...]
            rest = rest[..<bang]
            guard let adv = IPAddress(advText) else {
                throw ctx.invalid(text, "advertised address '\(advText)' is not an IP address")
            }
            guard !adv.isUnspecified else {
                throw ctx.invalid(text, "advertised address '\(advText)' is unspecified")
            }
            advertised = adv
        }
        guard !rest.isEmpty else { throw ctx.invalid(text, "no address") }
        let addresses: [IPAddress]
        if let ip = IPAddress(rest) {
            guard !ip.isUnspecified else {
                throw ctx.invalid(text, "'\(rest)' is unspecified: give the local address to bind to")
            }
            addresses = [ip]
        } else if rest == "any" {
            addresses = ctx.environment.networkDevices.keys.sorted().flatMap { device in
                ctx.environment.networkDevices[device, default: []].filter { !$0.isLoopback && !isLinkLocal($0) }
            }
            guard !addresses.isEmpty else {
                throw ctx.invalid(text, "'any' needs the list of network addresses, and none is known: "
                                  + "list the addresses to use instead")
            }
        } else if let found = ctx.environment.networkDevices[String(rest)] {
            addresses = found.filter { !isLinkLocal($0) }
            guard !addresses.isEmpty else {
                throw ctx.invalid(text, "network device '\(rest)' has no usable address")
            }
        } else {
            throw ctx.invalid(text, "'\(rest)' is not an IP address or a known network device "
                              + "(host names are not resolved)")
        }
        return addresses.map { DaemonConfig.Interface(name: name, address: $0, advertised: advertised) }
    }

    static func isLinkLocal(_ ip: IPAddress) -> Bool {
        if case .v6(let high, _) = ip { return high >> 54 == 0x3fa }  // fe80::/10
        return false
    }

    /// `IP:PORT`, `[IPv6]:PORT`, `localhost:PORT` or a bare `PORT` (bound to 127.0.0.1).
    static func parseListen(_ text: String, _ ctx: ApplyContext, warnings: inout [String]) throws(ConfigError) -> TransportAddress {
        func port(_ s: Substring) throws(ConfigError) -> UInt16 {
            guard let p = Int(s), (1...65535).contains(p) else {
                throw ctx.invalid(text, "port '\(s)' is not a number between 1 and 65535")
            }
            return UInt16(p)
        }
        if !text.isEmpty, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber) {
            let p = try port(Substring(text))
            if ctx.origin != .builtinDefault {
                warnings.append("\(ctx.optionName) = \(text) gives no address: listening on 127.0.0.1:\(p) only "
                                + "(rtpengine listens on all addresses; write 0.0.0.0:\(p) for that)")
            }
            return TransportAddress(ip: .v4(0x7f00_0001), port: p)
        }
        guard let colon = text.lastIndex(of: ":") else {
            throw ctx.invalid(text, "expected IP:PORT, [IPv6]:PORT or PORT")
        }
        let host = text[..<colon]
        let p = try port(text[text.index(after: colon)...])
        if host == "localhost" { return TransportAddress(ip: .v4(0x7f00_0001), port: p) }
        if host.contains(":") && !(host.hasPrefix("[") && host.hasSuffix("]")) {
            throw ctx.invalid(text, "an IPv6 address needs brackets: [\(host)]:\(p)")
        }
        guard let ip = IPAddress(host) else {
            throw ctx.invalid(text, "'\(host)' is not an IP address (host names other than localhost are not resolved)")
        }
        return TransportAddress(ip: ip, port: p)
    }
}
