import TandemBase

/// tandem-proxy's command line (and config file: the same names without dashes, `key = value`,
/// `#` comments). These option names are the interface people script against: keep them.
///
///     tandem-proxy --listen=udp:127.0.0.1:5060 --next-hop=127.0.0.1:5080 \
///                  --media-daemon=udp:127.0.0.1:2223 [--media-daemon=udp:127.0.0.1:2224=2] \
///                  [--offer-flags="replace-origin trust-address ICE=remove"] [--answer-flags=...]
public enum ProxyOptions {
    public enum Invocation: Equatable, Sendable {
        case run(ProxyConfig)
        case help
    }

    public struct OptionError: Error, CustomStringConvertible, Equatable {
        public let description: String
        init(_ text: String) { description = text }
    }

    public static let help = """
        usage: tandem-proxy [options]
          --listen=udp|tcp:IP:PORT        where to listen for SIP (repeatable; default udp:127.0.0.1:5060)
          --next-hop=[udp|tcp:]IP:PORT    where new requests go (default: by Request-URI)
          --media-daemon=udp:IP:PORT[=W]  ng media daemon, optional weight (repeatable; default udp:127.0.0.1:2223)
          --offer-flags=STRING            Kamailio rtpengine flags for offers (default "replace-origin replace-session-connection")
          --answer-flags=STRING           the same for answers
          --ng-timeout=SECONDS            per ng attempt (default 1)
          --ng-retries=N                  ng retransmissions with the same cookie (default 2)
          --ping-interval=SECONDS         media daemon health pings (default 5)
          --t1=SECONDS                    SIP timer T1 (default 0.5)
          --timer-c=SECONDS               give up on an INVITE this long after its last 1xx (default 180)
          --log-level=0..7                default 6
          --config-file=FILE              the same options as `name = value` lines
          --help
        """

    public static func parse(_ arguments: [String], readFile: (String) throws -> String) throws(OptionError) -> Invocation {
        var pairs: [(String, String)] = []
        for argument in arguments {
            if argument == "--help" || argument == "-h" { return .help }
            guard argument.hasPrefix("--"), let eq = argument.firstIndex(of: "=") else {
                throw OptionError("unknown argument '\(argument)' (options are --name=value; see --help)")
            }
            pairs.append((String(argument[argument.index(argument.startIndex, offsetBy: 2)..<eq]),
                          String(argument[argument.index(after: eq)...])))
        }
        if let file = pairs.last(where: { $0.0 == "config-file" })?.1 {
            let text: String
            do { text = try readFile(file) } catch { throw OptionError("cannot read config file \(file): \(error)") }
            pairs = try configLines(text, file: file) + pairs.filter { $0.0 != "config-file" }
        }
        return .run(try apply(pairs))
    }

    private static func configLines(_ text: String, file: String) throws(OptionError) -> [(String, String)] {
        var pairs: [(String, String)] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = trimmed(raw)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") || line.hasPrefix("[") { continue }
            guard let eq = line.firstIndex(of: "=") else { throw OptionError("\(file) line \(number + 1): expected name = value") }
            var value = trimmed(line[line.index(after: eq)...])
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            pairs.append((trimmed(line[..<eq]), value))
        }
        return pairs
    }

    private static func trimmed(_ text: some StringProtocol) -> String {
        String(text.drop { $0 == " " || $0 == "\t" || $0 == "\r" }.reversed().drop { $0 == " " || $0 == "\t" || $0 == "\r" }.reversed())
    }

    private static func apply(_ pairs: [(String, String)]) throws(OptionError) -> ProxyConfig {
        var config = ProxyConfig()
        var listens: [SIPPeer] = []
        var daemons: [ProxyConfig.MediaDaemon] = []
        for (name, value) in pairs {
            switch name {
            case "listen": listens.append(try peer(value, option: name))
            case "next-hop": config.nextHop = try peer(value, option: name)
            case "media-daemon": daemons.append(try daemon(value))
            case "offer-flags": config.offerFlags = value
            case "answer-flags": config.answerFlags = value
            case "ng-timeout": config.ngTimeout = try number(value, option: name, min: 0.01)
            case "ng-retries": config.ngRetransmissions = Int(try number(value, option: name, min: 0))
            case "ping-interval": config.pingInterval = try number(value, option: name, min: 0.1)
            case "t1": config.t1 = try number(value, option: name, min: 0.01)
            case "timer-c": config.timerC = try number(value, option: name, min: 1)
            case "log-level": config.logLevel = Int(try number(value, option: name, min: 0))
            default: throw OptionError("unknown option '--\(name)' (see --help)")
            }
        }
        if !listens.isEmpty { config.listen = listens }
        if !daemons.isEmpty { config.mediaDaemons = daemons }
        return config
    }

    /// `udp:IP:PORT`, `tcp:[IPv6]:PORT`, or `IP:PORT` (UDP); `IP:PORT;transport=tcp` too.
    static func peer(_ text: String, option: String) throws(OptionError) -> SIPPeer {
        var rest = Substring(text)
        var transport = SIPTransport.udp
        for candidate in [SIPTransport.udp, .tcp] where rest.lowercased().hasPrefix(candidate.rawValue + ":") {
            transport = candidate
            rest = rest.dropFirst(4)
        }
        if let semicolon = rest.firstIndex(of: ";") {
            if rest[semicolon...].lowercased() == ";transport=tcp" { transport = .tcp }
            rest = rest[..<semicolon]
        }
        guard let address = TransportAddress(rest) else {
            throw OptionError("--\(option): '\(text)' is not [udp|tcp:]IP:PORT")
        }
        return SIPPeer(address, transport)
    }

    static func daemon(_ text: String) throws(OptionError) -> ProxyConfig.MediaDaemon {
        var spec = Substring(text)
        var weight = 1
        if let eq = spec.lastIndex(of: "="), let w = Int(spec[spec.index(after: eq)...]), w > 0 {
            weight = w
            spec = spec[..<eq]
        }
        if spec.lowercased().hasPrefix("udp:") { spec = spec.dropFirst(4) }
        guard let address = TransportAddress(spec) else {
            throw OptionError("--media-daemon: '\(text)' is not udp:IP:PORT[=WEIGHT]")
        }
        return ProxyConfig.MediaDaemon(address: address, weight: weight)
    }

    private static func number(_ text: String, option: String, min: Double) throws(OptionError) -> Double {
        guard let n = Double(text), n >= min else { throw OptionError("--\(option): '\(text)' must be a number >= \(min)") }
        return n
    }
}
