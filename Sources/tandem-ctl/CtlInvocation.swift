import TandemBase

/// What the command line asked for. Parsing is a pure function of argv (no I/O).
struct CtlInvocation: Equatable {
    enum Command: Equatable {
        case ping, list, statistics
        case query(callID: String)
        case delete(callID: String, fromTag: String?, options: [String])
        case offer(callID: String, fromTag: String, sdpFile: String, options: [String])
        case answer(callID: String, fromTag: String, toTag: String, sdpFile: String, options: [String])
    }

    var server = TransportAddress(ip: .v4(0x7f00_0001), port: 2223)
    var json = false
    var timeout = 1.0
    var retransmissions = 3
    var command: Command

    static let usage = """
        usage: tandem-ctl [--server=HOST:PORT] [--json] [--timeout=SECONDS] COMMAND
          ping | list | statistics | query CALLID | delete CALLID [FROMTAG] [options...]
          offer CALLID FROMTAG FILE.sdp [options...]
          answer CALLID FROMTAG TOTAG FILE.sdp [options...]
        options: flags (trust-address, replace-origin, ...) or key=value (ICE=remove, direction=pub)
        default server 127.0.0.1:2223; 1 s timeout, 3 retransmissions with the same cookie
        """

    struct UsageError: Error, Equatable { var message: String }

    static func parse(_ arguments: [String]) throws(UsageError) -> CtlInvocation {
        var options: [String] = []
        var positional: [String] = []
        for argument in arguments {
            if argument.hasPrefix("--"), positional.isEmpty { options.append(argument) } else { positional.append(argument) }
        }
        var invocation = CtlInvocation(command: try command(positional))
        for option in options { try invocation.apply(option: option) }
        return invocation
    }

    private mutating func apply(option: String) throws(UsageError) {
        if option == "--json" {
            json = true
        } else if option.hasPrefix("--server=") {
            let text = String(option.dropFirst("--server=".count)).replacingLocalhost()
            guard let address = TransportAddress(text) else { throw UsageError(message: "bad --server address '\(text)'") }
            server = address
        } else if option.hasPrefix("--timeout="), let seconds = Double(option.dropFirst("--timeout=".count)), seconds > 0 {
            timeout = seconds
        } else {
            throw UsageError(message: "unknown option '\(option)'")
        }
    }

    private static func command(_ words: [String]) throws(UsageError) -> Command {
        guard let name = words.first else { throw UsageError(message: "no command given") }
        let args = Array(words.dropFirst())
        func need(_ count: Int) throws(UsageError) {
            guard args.count >= count else { throw UsageError(message: "'\(name)' needs \(count) argument(s)") }
        }
        switch name {
        case "ping": return .ping
        case "list": return .list
        case "statistics", "stats": return .statistics
        case "query":
            try need(1)
            return .query(callID: args[0])
        case "delete":
            try need(1)
            return .delete(callID: args[0], fromTag: args.count > 1 ? args[1] : nil, options: Array(args.dropFirst(2)))
        case "offer":
            try need(3)
            return .offer(callID: args[0], fromTag: args[1], sdpFile: args[2], options: Array(args.dropFirst(3)))
        case "answer":
            try need(4)
            return .answer(callID: args[0], fromTag: args[1], toTag: args[2], sdpFile: args[3], options: Array(args.dropFirst(4)))
        default:
            throw UsageError(message: "unknown command '\(name)'")
        }
    }
}

private extension String {
    /// "localhost:2223" -> "127.0.0.1:2223"; we take IP literals only, no resolver.
    func replacingLocalhost() -> String {
        hasPrefix("localhost:") ? "127.0.0.1" + dropFirst("localhost".count) : self
    }
}
