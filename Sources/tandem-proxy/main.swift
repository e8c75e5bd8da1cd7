// tandem-proxy: a stateful SIP proxy that drives the media daemon (tandemd or rtpengine) over ng,
// the way Kamailio's rtpengine module does. Runs in the foreground until SIGINT/SIGTERM.
import Dispatch
import Foundation
import Glibc
import Proxy
import ProxyIO
import TandemBase

func fail(_ text: String) -> Never {
    _ = "tandem-proxy: \(text)\n".withCString { Glibc.write(STDERR_FILENO, $0, strlen($0)) }
    exit(2)
}

// SIGINT/SIGTERM blocked in every thread (set before any exists: threads inherit the mask) and
// taken by `sigwait` below, as tandemd does.
var terminationSignals = sigset_t()
sigemptyset(&terminationSignals)
sigaddset(&terminationSignals, SIGINT)
sigaddset(&terminationSignals, SIGTERM)
pthread_sigmask(SIG_BLOCK, &terminationSignals, nil)
signal(SIGPIPE, SIG_IGN)

let invocation: ProxyOptions.Invocation
do {
    invocation = try ProxyOptions.parse(Array(CommandLine.arguments.dropFirst())) {
        try String(contentsOfFile: $0, encoding: .utf8)
    }
} catch {
    fail(error.description)
}

guard case .run(let config) = invocation else {
    print(ProxyOptions.help)
    exit(0)
}

let log = Log(level: config.logLevel, name: "tandem-proxy")
let server: ProxyServer
do {
    server = try ProxyServer(config: config, log: log)
} catch {
    fail(error.description)
}
log.info("listening on \(config.listen.map(\.description).joined(separator: ", ")), next hop "
    + "\(config.nextHop?.description ?? "by Request-URI"), media daemons "
    + config.mediaDaemons.map { "\($0.address)=\($0.weight)" }.joined(separator: ", "))

var received: Int32 = 0
while sigwait(&terminationSignals, &received) != 0 {}
server.close()
log.info("shut down")
exit(0)
