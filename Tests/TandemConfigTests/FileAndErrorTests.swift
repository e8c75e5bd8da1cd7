import Testing
import TandemBase
@testable import TandemConfig

// MARK: - Config file and precedence

@Test func commandLineOverridesConfigFile() throws {
    let ini = """
        # comment
        ; another comment
        [other]
        timeout = 1
        bogus-key = ignored, another section

        [rtpengine]
          timeout   =   20
        port-min = 31000
        interface = pub/192.0.2.1;priv/10.0.0.1
        foreground = yes
        """
    let c = try config(ini: ini, ["--timeout=30", "-i", "10.9.9.9"])
    #expect(c == defaultsFromFile {
        $0.timeout = 30
        $0.portMin = 31000
        $0.interfaces = [.init(address: ip("10.9.9.9"))]  // the command line replaces the whole list
        $0.foreground = true
    })
}

@Test func configFileAndSectionOptions() throws {
    let ini = "[rtpengine]\ntimeout = 20\n[rtpengine-testing]\ntimeout = 40\nlog-level = 7\n"
    let files = ["/srv/t.conf": ini]
    #expect(try config(["--config-file=/srv/t.conf"], files: files)
            == defaults { $0.configFile = "/srv/t.conf"; $0.timeout = 20 })
    #expect(try config(["--config-file", "/srv/t.conf", "--config-section", "rtpengine-testing"], files: files)
            == defaults { $0.configFile = "/srv/t.conf"; $0.configSection = "rtpengine-testing"
                          $0.timeout = 40; $0.logLevel = 7 })
    // `none` reads nothing, not even the default file.
    var read: [String] = []
    _ = try DaemonConfig.parse(arguments: ["--config-file=none"], onlineCPUs: 1) { read.append($0); return nil }
    #expect(read.isEmpty)
    _ = try DaemonConfig.parse(arguments: [], onlineCPUs: 1) { read.append($0); return nil }
    #expect(read == ["/etc/rtpengine/rtpengine.conf"])
}

@Test func iniSyntaxDetails() throws {
    // CRLF line ends, a byte order mark, tabs, '=' inside values, no inline comments (as GLib).
    let ini = "\u{FEFF}[rtpengine]\r\n\tpidfile\t= /run/a=b.pid # not a comment\r\nlog-facility=local0\r\n"
    #expect(try config(ini: ini) == defaultsFromFile {
        $0.pidfile = "/run/a=b.pid # not a comment"
        $0.logFacility = "local0"
    })
    let file = try INIFile(parsing: "[a]\nx=1\n[ b ]\ny = 2\n[a]\nz=3", path: "f")
    #expect(file.sections == ["a", "b"])
    #expect(file.entries.map { "\($0.section).\($0.key)=\($0.value)@\($0.line)" } == ["a.x=1@2", "b.y=2@4", "a.z=3@6"])
}

/// Debian's stock /etc/rtpengine/rtpengine.conf (rtpengine 10.5), comments left out.
let debianStockConfig = """
    [rtpengine]
    table = 0
    interface = any
    listen-ng = localhost:2223
    listen-http = localhost:2225
    listen-cli = localhost:2224
    timeout = 60
    silent-timeout = 3600
    tos = 184
    port-min = 30000
    port-max = 40000
    recording-dir = /var/spool/rtpengine
    recording-method = proc

    [rtpengine-testing]
    table = -1
    interface = 10.15.20.121
    listen-ng = 2223
    foreground = true
    log-stderr = true
    log-level = 7
    """

@Test func debianStockConfigStarts() throws {
    let files = [defaultFile: debianStockConfig]
    let c = try config([], files: files, devices: ["lo": [ip("127.0.0.1")], "eth0": [ip("10.0.2.15")]])
    #expect(c.interfaces == [.init(address: ip("10.0.2.15"))])
    #expect(c.listenNG == TransportAddress("127.0.0.1:2223"))
    #expect(c.tos == 184)
    #expect(c.warnings == [
        "ignoring rtpengine option 'listen-http' in \(defaultFile) line 5: tandemd does not support it",
        "ignoring rtpengine option 'listen-cli' in \(defaultFile) line 6: tandemd does not support it",
        "ignoring rtpengine option 'recording-dir' in \(defaultFile) line 12: tandemd does not support it",
        "ignoring rtpengine option 'recording-method' in \(defaultFile) line 13: tandemd does not support it",
        "table (\(defaultFile) line 2) = 0 asks for rtpengine's kernel forwarding, which tandemd does not have: "
            + "forwarding in user space",
    ])
    let testing = try config(["--config-section=rtpengine-testing"], files: files)
    #expect(testing == defaults {
        $0.configFile = defaultFile
        $0.configSection = "rtpengine-testing"
        $0.interfaces = [.init(address: ip("10.15.20.121"))]
        $0.listenNG = TransportAddress("127.0.0.1:2223")!
        $0.foreground = true
        $0.logStderr = true
        $0.logLevel = 7
        $0.warnings = ["listen-ng (\(defaultFile) line 18) = 2223 gives no address: listening on 127.0.0.1:2223 "
                       + "only (rtpengine listens on all addresses; write 0.0.0.0:2223 for that)"]
    })
    // The command line can replace what this machine cannot do (no device list given: 'any' fails).
    #expect(try config(["-i", "127.0.0.1"], files: files).interfaces == [.init(address: ip("127.0.0.1"))])
}

// MARK: - Warnings

@Test func ignoredRtpengineOptionsWarnAndConsumeTheirValues() throws {
    let c = try config(["--redis", "127.0.0.1:6379/1", "-r", "127.0.0.1:6379/2", "-q", "--listen-udp=12222",
                        "-Sf", "--codecs", "-x2", "--timeout", "9"])
    #expect(c == defaults {
        $0.foreground = true
        $0.timeout = 9
        $0.warnings = [
            "ignoring rtpengine option '--redis': tandemd does not support it",
            "ignoring rtpengine option '-r (--redis)': tandemd does not support it",
            "ignoring rtpengine option '-q (--no-redis-required)': tandemd does not support it",
            "ignoring rtpengine option '--listen-udp': tandemd does not support it",
            "ignoring rtpengine option '-S (--save-interface-ports)': tandemd does not support it",
            "ignoring rtpengine option '--codecs': tandemd does not support it",
            "ignoring rtpengine option '-x (--xmlrpc-format)': tandemd does not support it",
        ]
    })
}

@Test func tableAndNoFallbackWarn() throws {
    #expect(try config(["--table=0"]).warnings == [
        "--table = 0 asks for rtpengine's kernel forwarding, which tandemd does not have: forwarding in user space"])
    #expect(try config(["-t", "3", "-F"]).warnings.count == 2)
    #expect(try config(["-t", "-1", "-F"]).warnings.isEmpty)
    #expect(try config(ini: "[rtpengine]\nconfig-file = /x\n").warnings
            == ["ignoring 'config-file' in \(defaultFile) line 2: it only has a meaning on the command line"])
}

// MARK: - Help and version

@Test func helpAndVersionWinOverEverythingAfterThem() throws {
    #expect(try invoke(["--help"]) == .help(DaemonConfig.helpText))
    #expect(try invoke(["-h", "--bogus"]) == .help(DaemonConfig.helpText))
    #expect(try invoke(["--port-min=1", "-fh"]) == .help(DaemonConfig.helpText))
    #expect(try invoke(["--version"]) == .version)
    #expect(try invoke(["-v", "--config-file=/missing"]) == .version)
    #expect(failure { _ = try invoke(["--bogus", "--help"]) } == .unknownOption("--bogus"))
}

@Test func helpListsEveryOptionWithItsDefault() {
    let help = DaemonConfig.helpText
    for spec in OptionTable.options {
        #expect(help.contains("--\(spec.long)"), "\(spec.long)")
        if let short = spec.short { #expect(help.contains("-\(short), --\(spec.long)")) }
        if let shown = spec.defaultHelp ?? (spec.isFlag ? nil : spec.defaultValue) {
            #expect(help.contains("[default: \(shown)]"), "\(spec.long)")
        }
    }
    #expect(help.contains("  -m, --port-min=INT"))
    #expect(help.contains("[default: 30000]"))
    #expect(help.contains("[default: number of online CPUs]"))
    #expect(help.contains("[default: /etc/rtpengine/rtpengine.conf, if it exists]"))
}

@Test func optionTableIsConsistent() {
    let longs = OptionTable.options.map(\.long) + OptionTable.ignoredRtpengineOptions.map(\.long)
    #expect(Set(longs).count == longs.count)
    let shorts = (OptionTable.options.map(\.short) + OptionTable.ignoredRtpengineOptions.map(\.short)).compactMap { $0 }
    #expect(Set(shorts).count == shorts.count)
}

// MARK: - Errors

struct ErrorCase: Sendable, CustomTestStringConvertible {
    var arguments: [String]
    var ini: String?
    var error: ConfigError
    var message: String
    var testDescription: String { arguments.joined(separator: " ") + (ini.map { " ini: \($0)" } ?? "") }
    init(_ arguments: [String], ini: String? = nil, _ error: ConfigError, _ message: String) {
        self.arguments = arguments
        self.ini = ini
        self.error = error
        self.message = message
    }
}

let f = DaemonConfig.defaultConfigFile

@Test(arguments: [
    ErrorCase(["--foo"], .unknownOption("--foo"), "unknown option '--foo' (see tandemd --help)"),
    ErrorCase(["--foo=1"], .unknownOption("--foo"), "unknown option '--foo' (see tandemd --help)"),
    ErrorCase(["-Z"], .unknownOption("-Z"), "unknown option '-Z' (see tandemd --help)"),
    ErrorCase(["-fZ"], .unknownOption("-Z"), "unknown option '-Z' (see tandemd --help)"),
    ErrorCase(["--port-min"], .missingValue(option: "--port-min"),
              "option '--port-min' needs a value (see tandemd --help)"),
    ErrorCase(["-m"], .missingValue(option: "-m"), "option '-m' needs a value (see tandemd --help)"),
    ErrorCase(["--redis"], .missingValue(option: "--redis"), "option '--redis' needs a value (see tandemd --help)"),
    ErrorCase(["--foreground=yes"], .unexpectedValue(option: "--foreground", value: "yes"),
              "option '--foreground' takes no value, but was given 'yes'"),
    ErrorCase(["start"], .unexpectedArgument("start"),
              "unexpected argument 'start': tandemd takes options only (see tandemd --help)"),
    ErrorCase(["--", "-f"], .unexpectedArgument("-f"),
              "unexpected argument '-f': tandemd takes options only (see tandemd --help)"),
    ErrorCase(["--port-min=abc"], .invalidValue(option: "--port-min", value: "abc", reason: "not an integer"),
              "invalid value 'abc' for --port-min: not an integer"),
    ErrorCase(["-M", "70000"], .invalidValue(option: "-M", value: "70000", reason: "must be between 1 and 65535"),
              "invalid value '70000' for -M: must be between 1 and 65535"),
    ErrorCase(["--port-min=0"], .invalidValue(option: "--port-min", value: "0", reason: "must be between 1 and 65535"),
              "invalid value '0' for --port-min: must be between 1 and 65535"),
    ErrorCase(["--port-min=40000", "--port-max=30000"],
              .invalidPortRange(min: 40000, max: 30000, reason: "--port-min must be lower than --port-max"),
              "invalid port range --port-min=40000 --port-max=30000: --port-min must be lower than --port-max"),
    ErrorCase(["--port-min=30000", "--port-max=30000"],
              .invalidPortRange(min: 30000, max: 30000, reason: "--port-min must be lower than --port-max"),
              "invalid port range --port-min=30000 --port-max=30000: --port-min must be lower than --port-max"),
    ErrorCase(["--port-min=30001", "--port-max=30002"],
              .invalidPortRange(min: 30001, max: 30002, reason: "no even port for RTP with the odd port above it for RTCP fits in the range"),
              "invalid port range --port-min=30001 --port-max=30002: no even port for RTP with the odd port above it for RTCP fits in the range"),
    ErrorCase(["--timeout=-5"], .invalidValue(option: "--timeout", value: "-5", reason: "must be between 0 and 2147483647"),
              "invalid value '-5' for --timeout: must be between 0 and 2147483647"),
    ErrorCase(["-s", "x"], .invalidValue(option: "-s", value: "x", reason: "not an integer"),
              "invalid value 'x' for -s: not an integer"),
    ErrorCase(["--offer-timeout=1.5"], .invalidValue(option: "--offer-timeout", value: "1.5", reason: "not an integer"),
              "invalid value '1.5' for --offer-timeout: not an integer"),
    ErrorCase(["-d", "-1"], .invalidValue(option: "-d", value: "-1", reason: "must be between 0 and 2147483647"),
              "invalid value '-1' for -d: must be between 0 and 2147483647"),
    ErrorCase(["--num-threads=-2"], .invalidValue(option: "--num-threads", value: "-2", reason: "must be between 0 and 4096"),
              "invalid value '-2' for --num-threads: must be between 0 and 4096"),
    ErrorCase(["-L", "8"], .invalidValue(option: "-L", value: "8", reason: "must be between 0 and 7"),
              "invalid value '8' for -L: must be between 0 and 7"),
    ErrorCase(["--log-facility=local9"],
              .invalidValue(option: "--log-facility", value: "local9", reason: "not a syslog facility (one of "
                            + "auth, authpriv, cron, daemon, ftp, kern, lpr, mail, news, syslog, user, uucp, "
                            + "local0, local1, local2, local3, local4, local5, local6, local7)"),
              "invalid value 'local9' for --log-facility: not a syslog facility (one of auth, authpriv, cron, "
                + "daemon, ftp, kern, lpr, mail, news, syslog, user, uucp, local0, local1, local2, local3, local4, "
                + "local5, local6, local7)"),
    ErrorCase(["--tos=256"], .invalidValue(option: "--tos", value: "256", reason: "must be between 0 and 255"),
              "invalid value '256' for --tos: must be between 0 and 255"),
    ErrorCase(["--max-sessions=-2"], .invalidValue(option: "--max-sessions", value: "-2", reason: "must be between -1 and 2147483647"),
              "invalid value '-2' for --max-sessions: must be between -1 and 2147483647"),
    ErrorCase(["--table=x"], .invalidValue(option: "--table", value: "x", reason: "not an integer"),
              "invalid value 'x' for --table: not an integer"),
    ErrorCase(["--pidfile="], .invalidValue(option: "--pidfile", value: "", reason: "empty file name"),
              "invalid value '' for --pidfile: empty file name"),
    ErrorCase(["-i", "eth0"], .invalidValue(option: "-i", value: "eth0",
                                            reason: "'eth0' is not an IP address or a known network device (host names are not resolved)"),
              "invalid value 'eth0' for -i: 'eth0' is not an IP address or a known network device (host names are not resolved)"),
    ErrorCase(["-i", "any"], .invalidValue(option: "-i", value: "any", reason: "'any' needs the list of network "
                                           + "addresses, and none is known: list the addresses to use instead"),
              "invalid value 'any' for -i: 'any' needs the list of network addresses, and none is known: list the addresses to use instead"),
    ErrorCase(["--interface=0.0.0.0"], .invalidValue(option: "--interface", value: "0.0.0.0",
                                                     reason: "'0.0.0.0' is unspecified: give the local address to bind to"),
              "invalid value '0.0.0.0' for --interface: '0.0.0.0' is unspecified: give the local address to bind to"),
    ErrorCase(["--interface=/10.0.0.1"], .invalidValue(option: "--interface", value: "/10.0.0.1", reason: "empty interface name before '/'"),
              "invalid value '/10.0.0.1' for --interface: empty interface name before '/'"),
    ErrorCase(["--interface=pub/"], .invalidValue(option: "--interface", value: "pub/", reason: "no address"),
              "invalid value 'pub/' for --interface: no address"),
    ErrorCase(["--interface=10.0.0.1!example.com"],
              .invalidValue(option: "--interface", value: "10.0.0.1!example.com", reason: "advertised address 'example.com' is not an IP address"),
              "invalid value '10.0.0.1!example.com' for --interface: advertised address 'example.com' is not an IP address"),
    ErrorCase(["--interface=10.0.0.1!0.0.0.0"],
              .invalidValue(option: "--interface", value: "10.0.0.1!0.0.0.0", reason: "advertised address '0.0.0.0' is unspecified"),
              "invalid value '10.0.0.1!0.0.0.0' for --interface: advertised address '0.0.0.0' is unspecified"),
    ErrorCase(["--listen-ng=::1:2223"], .invalidValue(option: "--listen-ng", value: "::1:2223", reason: "an IPv6 address needs brackets: [::1]:2223"),
              "invalid value '::1:2223' for --listen-ng: an IPv6 address needs brackets: [::1]:2223"),
    ErrorCase(["-n", "127.0.0.1"], .invalidValue(option: "-n", value: "127.0.0.1", reason: "expected IP:PORT, [IPv6]:PORT or PORT"),
              "invalid value '127.0.0.1' for -n: expected IP:PORT, [IPv6]:PORT or PORT"),
    ErrorCase(["-n", "127.0.0.1:0"], .invalidValue(option: "-n", value: "127.0.0.1:0", reason: "port '0' is not a number between 1 and 65535"),
              "invalid value '127.0.0.1:0' for -n: port '0' is not a number between 1 and 65535"),
    ErrorCase(["-n", "ng.example.com:2223"], .invalidValue(option: "-n", value: "ng.example.com:2223",
                                                         reason: "'ng.example.com' is not an IP address (host names other than localhost are not resolved)"),
              "invalid value 'ng.example.com:2223' for -n: 'ng.example.com' is not an IP address (host names other than localhost are not resolved)"),
    ErrorCase(["--config-file=/nope"], .configFileNotFound("/nope"), "config file '/nope' (--config-file) does not exist"),
    ErrorCase(["--config-file=/broken"], .configFileUnreadable(file: "/broken", reason: "permission denied"),
              "cannot read config file '/broken': permission denied"),
    // Config file errors.
    ErrorCase([], ini: "[rtpengine]\nfoo = 1\n", .unknownConfigKey(key: "foo", file: f, line: 2),
              "unknown option 'foo' in \(f) line 2 (see tandemd --help)"),
    ErrorCase([], ini: "[rtpengine]\nm = 1\n", .unknownConfigKey(key: "m", file: f, line: 2),
              "unknown option 'm' in \(f) line 2 (see tandemd --help)"),
    ErrorCase([], ini: "[rtpengine]\nport-min = 1x\n",
              .invalidValue(option: "port-min (\(f) line 2)", value: "1x", reason: "not an integer"),
              "invalid value '1x' for port-min (\(f) line 2): not an integer"),
    ErrorCase([], ini: "[rtpengine]\nforeground = maybe\n",
              .invalidValue(option: "foreground (\(f) line 2)", value: "maybe", reason: "expected true or false (or yes/no, 1/0)"),
              "invalid value 'maybe' for foreground (\(f) line 2): expected true or false (or yes/no, 1/0)"),
    ErrorCase([], ini: "[rtpengine]\ninterface = ;\n",
              .invalidValue(option: "interface (\(f) line 2)", value: ";", reason: "empty list"),
              "invalid value ';' for interface (\(f) line 2): empty list"),
    ErrorCase([], ini: "timeout = 5\n[rtpengine]\n",
              .configSyntax(file: f, line: 1, reason: "'timeout' comes before any [section] header"),
              "\(f) line 1: 'timeout' comes before any [section] header"),
    ErrorCase([], ini: "[rtpengine]\njust words\n",
              .configSyntax(file: f, line: 2, reason: "expected 'key = value', found 'just words'"),
              "\(f) line 2: expected 'key = value', found 'just words'"),
    ErrorCase([], ini: "[rtpengine\n", .configSyntax(file: f, line: 1, reason: "malformed section header '[rtpengine'"),
              "\(f) line 1: malformed section header '[rtpengine'"),
    ErrorCase([], ini: "[rtpengine]\n = 5\n", .configSyntax(file: f, line: 2, reason: "missing key before '='"),
              "\(f) line 2: missing key before '='"),
    ErrorCase([], ini: "[other]\ntimeout = 5\n", .sectionNotFound(section: "rtpengine", file: f),
              "config file '\(f)' has no [rtpengine] section (choose one with --config-section)"),
    ErrorCase(["--config-section=nope"], ini: "[rtpengine]\n", .sectionNotFound(section: "nope", file: f),
              "config file '\(f)' has no [nope] section (choose one with --config-section)"),
])
func errorsNameTheOptionAndTheValue(_ case_: ErrorCase) {
    struct Denied: Error, CustomStringConvertible { var description: String { "permission denied" } }
    let error = failure {
        _ = try DaemonConfig.parse(arguments: case_.arguments, onlineCPUs: 2) { path throws -> String? in
            if path == "/broken" { throw Denied() }
            return path == f ? case_.ini : nil
        }
    }
    #expect(error == case_.error)
    #expect(error?.description == case_.message)
}

@Test func commandLineValueIsCheckedNotTheOverriddenFileValue() throws {
    // A bad value in the file is never used when the command line replaces it, as in rtpengine.
    #expect(try config(ini: "[rtpengine]\nport-min = 1x\ninterface = eth9\n", ["-m", "30000", "-i", "10.0.0.1"])
            .portMin == 30000)
}

// MARK: - More precedence and compatibility

@Test func rtpengineManPageExampleCommandLine() throws {
    let c = try config(["--table=0", "--interface=10.64.73.31", "--interface=2001:db8::4f3:3d",
                        "--listen-udp=127.0.0.1:22222", "--listen-ng=127.0.0.1:2223", "--tos=184",
                        "--pidfile=/run/rtpengine.pid"])
    #expect(c == defaults {
        $0.table = 0
        $0.interfaces = [.init(address: ip("10.64.73.31")), .init(address: ip("2001:db8::4f3:3d"))]
        $0.listenNG = TransportAddress("127.0.0.1:2223")!
        $0.tos = 184
        $0.pidfile = "/run/rtpengine.pid"
        $0.warnings = [
            "ignoring rtpengine option '--listen-udp': tandemd does not support it",
            "--table = 0 asks for rtpengine's kernel forwarding, which tandemd does not have: forwarding in user space",
        ]
    })
}

@Test func ipv6InTheConfigFile() throws {
    let c = try config(ini: "[rtpengine]\nlisten-ng = [::1]:2223\ninterface = v6/2001:db8::1![2001:db8::99];10.0.0.1\n")
    #expect(c.listenNG == TransportAddress("[::1]:2223"))
    #expect(c.interfaces == [.init(name: "v6", address: ip("2001:db8::1"), advertised: ip("2001:db8::99")),
                             .init(address: ip("10.0.0.1"))])
}

@Test func lastConfigFileAndSectionOnTheCommandLineWin() throws {
    let files = ["/a.conf": "[x]\ntimeout = 1\n", "/b.conf": "[x]\ntimeout = 2\n[y]\ntimeout = 3\n"]
    let c = try config(["--config-file=/a.conf", "--config-section=y", "--config-file", "/b.conf", "--config-section", "x"],
                       files: files)
    #expect((c.configFile, c.configSection, c.timeout) == ("/b.conf", "x", 2))
}

@Test func keysAreCaseSensitiveAndMetaKeysAreIgnored() throws {
    #expect(failure { _ = try config(ini: "[rtpengine]\nTimeout = 5\n") }
            == .unknownConfigKey(key: "Timeout", file: defaultFile, line: 2))
    #expect(failure { _ = try config(ini: "[RTPengine]\ntimeout = 5\n") }
            == .sectionNotFound(section: "rtpengine", file: defaultFile))
    #expect(try config(ini: "[rtpengine]\nhelp = true\nversion = true\n").warnings.count == 2)
}

@Test func anUnreadableDefaultFileIsAnErrorAMissingOneIsNot() {
    struct EIO: Error, CustomStringConvertible { var description: String { "I/O error" } }
    #expect(failure { _ = try DaemonConfig.parse(arguments: [], onlineCPUs: 1) { _ in throw EIO() } }
            == .configFileUnreadable(file: defaultFile, reason: "I/O error"))
    #expect(failure { _ = try DaemonConfig.parse(arguments: [], onlineCPUs: 1) { _ in nil } } == nil)
}

@Test func interfaceDescriptionRoundTrips() throws {
    for text in ["default/10.0.0.1", "pub:1/192.0.2.1!203.0.113.1", "v6/[2001:db8::1]![2001:db8::2]"] {
        let parsed = try config(["-i", text]).interfaces
        #expect(parsed.map(\.description) == [text])
    }
}
