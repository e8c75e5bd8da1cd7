// TandemConfig: tandemd's settings, read from rtpengine's command-line options and its INI config
// file, so that a deployment switches from rtpengine by changing the binary (DESIGN.md).
//
// Pure code: the config file is read through the caller's `readFile`, the CPU count and the
// network devices are passed in. `DaemonConfig.parse` is the entry point; `OptionTable.swift`
// is the one table that drives parsing, defaults and `--help`.
//
// Deliberate differences from rtpengine 10.5 (to be listed in the README):
// - No `--interface` given: 127.0.0.1 (rtpengine refuses to start). No `--listen-ng`: 127.0.0.1:2223.
// - A bare `--listen-ng=PORT` listens on 127.0.0.1 only, with a warning (rtpengine: all addresses).
// - Host names are not resolved (`localhost` is 127.0.0.1); `--interface=NAME/eth0` and `any` need the
//   caller's device list (`networkDevices`), else they are errors.
// - `--num-threads` defaults to the online CPUs (rtpengine: at least 4).
// - rtpengine's other options are accepted and ignored with a warning, so that an existing
//   rtpengine.conf still starts tandemd; names neither knows are errors (rtpengine ignores unknown
//   config file keys). `--table` other than -1 gives a warning (there is no kernel module).
// - Negative timeouts, delays and thread counts are errors (rtpengine takes them as the default);
//   `--final-timeout=-1` still means off. Integers are decimal only (GLib also takes 0x.. and 0..).
// - Booleans in the config file also take yes/no, on/off, 1/0; `;` also starts a comment line.
import TandemBase

/// Everything `tandemd` needs to start, with rtpengine's defaults where rtpengine has one.
public struct DaemonConfig: Sendable, Equatable {
    /// One local address for media, as given by `--interface=[NAME/]IP[!ADVERTISED]`.
    public struct Interface: Sendable, Equatable, CustomStringConvertible {
        /// The logical interface name (`default` when none was given). May be `BASE:SUFFIX`,
        /// which rtpengine uses for round-robin selection by `BASE`.
        public var name: String
        /// The local address to bind media sockets to.
        public var address: IPAddress
        /// The address written into outgoing SDP; equals `address` unless `!ADVERTISED` was given.
        public var advertised: IPAddress

        public init(name: String = "default", address: IPAddress, advertised: IPAddress? = nil) {
            self.name = name
            self.address = address
            self.advertised = advertised ?? address
        }

        /// The `--interface` spelling, brackets around IPv6 addresses.
        public var description: String {
            func text(_ ip: IPAddress) -> String { ip.family == .ipv6 ? "[\(ip)]" : "\(ip)" }
            let adv = advertised == address ? "" : "!\(text(advertised))"
            return "\(name)/\(text(address))\(adv)"
        }
    }

    /// What the command line asks the executable to do.
    public enum Invocation: Sendable, Equatable {
        /// Start the daemon with this configuration (print `config.warnings` first).
        case run(DaemonConfig)
        /// `--help` / `-h`: print this text to stdout and exit 0.
        case help(String)
        /// `--version` / `-v`: print the version and exit 0.
        case version
    }

    /// The config file that was loaded, nil when none was (`--config-file=none`, or the default
    /// file `/etc/rtpengine/rtpengine.conf` does not exist).
    public var configFile: String?
    /// The INI section read from `configFile` (`--config-section`, default `rtpengine`).
    public var configSection: String

    /// `--interface` (`-i`), in the order given; never empty. Default `127.0.0.1` — rtpengine has
    /// no default and refuses to start without one.
    public var interfaces: [Interface]
    /// `--listen-ng` (`-n`): the ng control socket (UDP). Default `127.0.0.1:2223`.
    public var listenNG: TransportAddress
    /// `--port-min` (`-m`) and `--port-max` (`-M`): the media port range, inclusive.
    /// RTP takes an even port and RTCP the odd one above it, both within the range; see `rtpPorts`.
    public var portMin: UInt16
    public var portMax: UInt16
    /// `--timeout` (`-o`), seconds without media before a call is dropped. Default 60.
    public var timeout: Int
    /// `--silent-timeout` (`-s`), the same for muted/inactive streams. Default 3600.
    public var silentTimeout: Int
    /// `--final-timeout` (`-a`), seconds after creation at which any call is deleted; 0 = off (default).
    public var finalTimeout: Int
    /// `--offer-timeout`, seconds a call with an offer but no answer is kept. Default 3600.
    public var offerTimeout: Int
    /// `--delete-delay` (`-d`), seconds a deleted call stays in memory; 0 = immediately. Default 30.
    public var deleteDelay: Int
    /// `--num-threads`: packet loops to run. Default: the number of online CPUs (rtpengine uses
    /// at least 4; we run one loop per core).
    public var numThreads: Int
    /// `--log-level` (`-L`): highest syslog priority logged, 0 (emerg) ... 7 (debug). Default 6.
    public var logLevel: Int
    /// `--log-facility`: the syslog facility name (`daemon`, `local0` ... `local7`, ...). Default `daemon`.
    public var logFacility: String
    /// `--log-stderr` (`-E`): log to stderr instead of syslog.
    public var logStderr: Bool
    /// `--foreground` (`-f`): do not daemonize.
    public var foreground: Bool
    /// `--pidfile` (`-p`): where to write the daemon's PID, nil for nowhere.
    public var pidfile: String?
    /// `--table` (`-t`): rtpengine's kernel forwarding table. We have no kernel module: only -1
    /// (the default, "no kernel forwarding") is meaningful; other values give a warning.
    public var table: Int
    /// `--no-fallback` (`-F`): accepted and ignored (there is no kernel module to fall back from).
    public var noFallback: Bool
    /// `--tos` (`-T`): TOS byte for outgoing media; 0 leaves it untouched (default), as in rtpengine.
    public var tos: UInt8
    /// `--max-sessions`: limit of concurrent sessions; -1 = unlimited (default), 0 = accept no new ones.
    public var maxSessions: Int
    /// rtpengine's `--endpoint-learning`.
    public var endpointLearning: EndpointLearning
    /// rtpengine's `--dtls-passive`: prefer the DTLS server role when answering.
    public var dtlsPassive = false
    /// `--dtls-cert` / `--dtls-key` (Tandem): PEM files of the DTLS certificate; nil = generated.
    public var dtlsCertificate: String?
    public var dtlsKey: String?

    public enum EndpointLearning: String, Sendable, Equatable {
        case delayed, immediate, off, heuristic
    }

    /// Things worth telling the operator that do not stop the daemon: ignored rtpengine options,
    /// `--table` values other than -1, a bare `--listen-ng` port, and the like. One sentence each.
    public var warnings: [String]

    /// The even ports RTP may use: RTCP takes the next (odd) port, which must also be in range.
    /// Never empty once `parse` has validated the range.
    public var rtpPorts: StrideThrough<Int> {
        let first = Int(portMin) + Int(portMin) % 2
        return stride(from: first, through: Int(portMax) - 1, by: 2)
    }

    /// The configuration with no option given: every option's default from the option table.
    public static func defaults(onlineCPUs: Int) -> DaemonConfig {
        do {
            return try OptionTable.defaults(environment: .init(onlineCPUs: onlineCPUs, networkDevices: [:]))
        } catch {
            fatalError("option table default does not parse: \(error)")
        }
    }

    /// The `--help` text: every supported option with its default, generated from the option table.
    public static var helpText: String { OptionTable.helpText }

    /// rtpengine's default config file, read when `--config-file` is not given (a missing file is
    /// not an error, as in rtpengine).
    public static let defaultConfigFile = "/etc/rtpengine/rtpengine.conf"
    /// rtpengine's default config file section.
    public static let defaultConfigSection = "rtpengine"

    /// Blank configuration the option table fills in; every field is overwritten by a default.
    init(blank: ()) {
        configFile = nil
        configSection = Self.defaultConfigSection
        interfaces = []
        listenNG = TransportAddress(ip: .v4(0x7f00_0001), port: 2223)
        portMin = 0
        portMax = 0
        timeout = 0
        silentTimeout = 0
        finalTimeout = 0
        offerTimeout = 0
        deleteDelay = 0
        numThreads = 0
        logLevel = 0
        logFacility = ""
        logStderr = false
        foreground = false
        pidfile = nil
        table = 0
        noFallback = false
        tos = 0
        maxSessions = 0
        endpointLearning = .delayed
        warnings = []
    }
}
