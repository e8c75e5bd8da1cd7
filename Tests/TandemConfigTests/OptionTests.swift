import Testing
import TandemBase
@testable import TandemConfig

@Test func defaultsMatchRtpengineExceptWhereDocumented() throws {
    let c = try config([])
    #expect(c == defaults())
    #expect(c.configFile == nil)
    #expect(c.configSection == "rtpengine")
    #expect(c.interfaces == [.init(name: "default", address: ip("127.0.0.1"))])
    #expect(c.interfaces[0].advertised == ip("127.0.0.1"))
    #expect(c.listenNG == TransportAddress("127.0.0.1:2223"))
    #expect((c.portMin, c.portMax) == (30000, 40000))
    #expect((c.timeout, c.silentTimeout, c.finalTimeout, c.offerTimeout, c.deleteDelay) == (60, 3600, 0, 3600, 30))
    #expect(c.numThreads == 2)
    #expect((c.logLevel, c.logFacility, c.logStderr, c.foreground) == (6, "daemon", false, false))
    #expect(c.pidfile == nil)
    #expect((c.table, c.noFallback, c.tos, c.maxSessions) == (-1, false, 0, -1))
    #expect(c.warnings.isEmpty)
    #expect(DaemonConfig.defaults(onlineCPUs: 0).numThreads == 1)
    #expect(DaemonConfig.defaults(onlineCPUs: 16).numThreads == 16)
}

/// One value option: its names, a value, and what the parse must change in the defaults.
struct ValueCase: Sendable, CustomTestStringConvertible {
    var long: String
    var short: Character?
    var value: String
    var change: @Sendable (inout DaemonConfig) -> Void
    var testDescription: String { "--\(long)=\(value)" }
}

let valueCases: [ValueCase] = [
    ValueCase(long: "interface", short: "i", value: "192.0.2.1") {
        $0.interfaces = [.init(address: ip("192.0.2.1"))] },
    ValueCase(long: "listen-ng", short: "n", value: "192.0.2.1:22222") {
        $0.listenNG = TransportAddress("192.0.2.1:22222")! },
    ValueCase(long: "port-min", short: "m", value: "20000") { $0.portMin = 20000 },
    ValueCase(long: "port-max", short: "M", value: "50001") { $0.portMax = 50001 },
    ValueCase(long: "timeout", short: "o", value: "20") { $0.timeout = 20 },
    ValueCase(long: "silent-timeout", short: "s", value: "600") { $0.silentTimeout = 600 },
    ValueCase(long: "final-timeout", short: "a", value: "10800") { $0.finalTimeout = 10800 },
    ValueCase(long: "offer-timeout", short: nil, value: "120") { $0.offerTimeout = 120 },
    ValueCase(long: "delete-delay", short: "d", value: "0") { $0.deleteDelay = 0 },
    ValueCase(long: "num-threads", short: nil, value: "8") { $0.numThreads = 8 },
    ValueCase(long: "log-level", short: "L", value: "7") { $0.logLevel = 7 },
    ValueCase(long: "log-facility", short: nil, value: "local3") { $0.logFacility = "local3" },
    ValueCase(long: "pidfile", short: "p", value: "/run/tandemd.pid") { $0.pidfile = "/run/tandemd.pid" },
    ValueCase(long: "table", short: "t", value: "-1") { $0.table = -1 },
    ValueCase(long: "tos", short: "T", value: "184") { $0.tos = 184 },
    ValueCase(long: "max-sessions", short: nil, value: "5000") { $0.maxSessions = 5000 },
    ValueCase(long: "max-sessions", short: nil, value: "-1") { $0.maxSessions = -1 },
]

@Test(arguments: valueCases)
func valueOptionInEverySpelling(_ case_: ValueCase) throws {
    let expected = defaults(case_.change)
    var spellings = [["--\(case_.long)=\(case_.value)"], ["--\(case_.long)", case_.value]]
    if let s = case_.short { spellings += [["-\(s)", case_.value], ["-\(s)\(case_.value)"]] }
    for arguments in spellings {
        #expect(try config(arguments) == expected, "\(arguments)")
    }
    let fromFile = try config(ini: "[rtpengine]\n\(case_.long) = \(case_.value)\n")
    #expect(fromFile == defaultsFromFile(case_.change))
}

struct FlagCase: Sendable, CustomTestStringConvertible {
    var long: String
    var short: Character
    var field: WritableKeyPath<DaemonConfig, Bool> & Sendable
    var testDescription: String { "--\(long)" }
}

@Test(arguments: [
    FlagCase(long: "foreground", short: "f", field: \.foreground),
    FlagCase(long: "log-stderr", short: "E", field: \.logStderr),
    FlagCase(long: "no-fallback", short: "F", field: \.noFallback),
])
func flagOptionInEverySpelling(_ case_: FlagCase) throws {
    let on = defaults { $0[keyPath: case_.field] = true }
    #expect(try config(["--\(case_.long)"]) == on)
    #expect(try config(["-\(case_.short)"]) == on)
    for yes in ["true", "TRUE", "yes", "1", "on"] {
        #expect(try config(ini: "[rtpengine]\n\(case_.long) = \(yes)\n") == defaultsFromFile { $0[keyPath: case_.field] = true })
    }
    for no in ["false", "False", "no", "0", "off"] {
        #expect(try config(ini: "[rtpengine]\n\(case_.long) = \(no)\n") == defaultsFromFile())
    }
    // The command line turns on what the file turned off.
    #expect(try config(ini: "[rtpengine]\n\(case_.long) = false\n", ["--\(case_.long)"])
            == defaultsFromFile { $0[keyPath: case_.field] = true })
}

@Test func shortFlagsGroupAndTakeTrailingValue() throws {
    #expect(try config(["-fE"]) == defaults { $0.foreground = true; $0.logStderr = true })
    #expect(try config(["-fEL7"]) == defaults { $0.foreground = true; $0.logStderr = true; $0.logLevel = 7 })
    #expect(try config(["-fm", "31000"]) == defaults { $0.foreground = true; $0.portMin = 31000 })
}

@Test func valuesMayStartWithADash() throws {
    #expect(try config(["--max-sessions", "-1"]).maxSessions == -1)
    #expect(try config(["-t", "-1"]).table == -1)
    #expect(try config(["--final-timeout", "-1"]).finalTimeout == 0)
}

@Test func zeroTimeoutsMeanTheDefaultAsInRtpengine() throws {
    let c = try config(["--timeout=0", "--silent-timeout=0", "--offer-timeout=0", "--final-timeout=0", "--num-threads=0"])
    #expect(c == defaults())
}

@Test func lastValueWinsForSingleOptions() throws {
    #expect(try config(["--timeout=5", "-o", "7"]).timeout == 7)
    #expect(try config(ini: "[rtpengine]\ntimeout = 5\ntimeout = 9\n").timeout == 9)
}

struct InterfaceCase: Sendable, CustomTestStringConvertible {
    var spec: String
    var expected: [DaemonConfig.Interface]
    var testDescription: String { spec }
}

@Test(arguments: [
    InterfaceCase(spec: "10.0.0.1", expected: [.init(address: ip("10.0.0.1"))]),
    InterfaceCase(spec: "10.65.76.2!192.0.2.4",
                  expected: [.init(address: ip("10.65.76.2"), advertised: ip("192.0.2.4"))]),
    InterfaceCase(spec: "pub/192.0.2.67", expected: [.init(name: "pub", address: ip("192.0.2.67"))]),
    InterfaceCase(spec: "priv/10.35.2.75!203.0.113.9",
                  expected: [.init(name: "priv", address: ip("10.35.2.75"), advertised: ip("203.0.113.9"))]),
    InterfaceCase(spec: "pub:1/192.0.2.67", expected: [.init(name: "pub:1", address: ip("192.0.2.67"))]),
    InterfaceCase(spec: "2001:db8::4f3:3d", expected: [.init(address: ip("2001:db8::4f3:3d"))]),
    InterfaceCase(spec: "[2001:db8::4f3:3d]", expected: [.init(address: ip("2001:db8::4f3:3d"))]),
    InterfaceCase(spec: "v6/[2001:db8::1]![2001:db8::2]",
                  expected: [.init(name: "v6", address: ip("2001:db8::1"), advertised: ip("2001:db8::2"))]),
    InterfaceCase(spec: "v6/2001:db8::1!192.0.2.9",
                  expected: [.init(name: "v6", address: ip("2001:db8::1"), advertised: ip("192.0.2.9"))]),
    InterfaceCase(spec: "ext/eth0", expected: [.init(name: "ext", address: ip("192.168.1.120")),
                                               .init(name: "ext", address: ip("2001:db8:85a3::7334"))]),
    InterfaceCase(spec: "eth0!198.51.100.1",
                  expected: [.init(address: ip("192.168.1.120"), advertised: ip("198.51.100.1")),
                             .init(address: ip("2001:db8:85a3::7334"), advertised: ip("198.51.100.1"))]),
    // Devices by name (eth0, eth1), without loopback and link-local addresses.
    InterfaceCase(spec: "any", expected: [.init(address: ip("192.168.1.120")), .init(address: ip("2001:db8:85a3::7334")),
                                          .init(address: ip("10.1.1.1"))]),
])
func interfaceForms(_ case_: InterfaceCase) throws {
    let devices: [String: [IPAddress]] = [
        "eth0": [ip("192.168.1.120"), ip("fe80::1"), ip("2001:db8:85a3::7334")],
        "lo": [ip("127.0.0.1"), ip("::1")],
        "eth1": [ip("10.1.1.1")],
    ]
    #expect(try config(["--interface=\(case_.spec)"], devices: devices).interfaces == case_.expected)
}

@Test func interfacesAccumulateInOrder() throws {
    let expected: [DaemonConfig.Interface] = [
        .init(name: "pub", address: ip("192.0.2.67")),
        .init(name: "priv", address: ip("10.35.2.75")),
        .init(address: ip("2001:db8::1")),
    ]
    #expect(try config(["-i", "pub/192.0.2.67", "--interface=priv/10.35.2.75", "-i2001:db8::1"]).interfaces == expected)
    #expect(try config(ini: "[rtpengine]\ninterface = pub/192.0.2.67;priv/10.35.2.75 ; 2001:db8::1;\n").interfaces == expected)
    #expect(try config(ini: "[rtpengine]\ninterface = pub/192.0.2.67\ninterface = priv/10.35.2.75;2001:db8::1\n")
            .interfaces == expected)
    #expect(expected.map(\.description) == ["pub/192.0.2.67", "priv/10.35.2.75", "default/[2001:db8::1]"])
}

struct ListenCase: Sendable, CustomTestStringConvertible {
    var text: String
    var expected: String
    var warns: Bool
    var testDescription: String { text }
}

@Test(arguments: [
    ListenCase(text: "127.0.0.1:2223", expected: "127.0.0.1:2223", warns: false),
    ListenCase(text: "0.0.0.0:22222", expected: "0.0.0.0:22222", warns: false),
    ListenCase(text: "[::1]:2223", expected: "[::1]:2223", warns: false),
    ListenCase(text: "[2001:db8::5]:9", expected: "[2001:db8::5]:9", warns: false),
    ListenCase(text: "localhost:2223", expected: "127.0.0.1:2223", warns: false),
    ListenCase(text: "22222", expected: "127.0.0.1:22222", warns: true),
])
func listenNGForms(_ case_: ListenCase) throws {
    let c = try config(["--listen-ng", case_.text])
    #expect(c.listenNG == TransportAddress(case_.expected))
    #expect(c.warnings.count == (case_.warns ? 1 : 0))
    if case_.warns {
        #expect(c.warnings[0] == "--listen-ng = 22222 gives no address: listening on 127.0.0.1:22222 only "
                + "(rtpengine listens on all addresses; write 0.0.0.0:22222 for that)")
    }
}

@Test func portRangeEdgesAndRTPPorts() throws {
    #expect(Array(try config(["-m", "30000", "-M", "30001"]).rtpPorts) == [30000])
    #expect(Array(try config(["-m", "30001", "-M", "30005"]).rtpPorts) == [30002, 30004])
    #expect(Array(try config(["-m", "1", "-M", "65535"]).rtpPorts.suffix(1)) == [65534])
    #expect(try config([]).rtpPorts.underestimatedCount >= 0)
    #expect(Array(try config([]).rtpPorts).count == 5000)
}

@Test func dtlsOptions() throws {
    let c = try config(["--dtls-passive", "--dtls-cert=/etc/tandem/cert.pem", "--dtls-key", "/etc/tandem/key.pem"])
    #expect(c == defaults {
        $0.dtlsPassive = true
        $0.dtlsCertificate = "/etc/tandem/cert.pem"
        $0.dtlsKey = "/etc/tandem/key.pem"
    })
    #expect(try config(ini: "[rtpengine]\ndtls-passive = true\n").dtlsPassive)
    #expect(try config([]).dtlsCertificate == nil)
    #expect(failure { _ = try config(["--dtls-cert="]) } != nil)
}
