import Bencode
import NGProtocol
import TandemBase

/// The proxy's ng client side: requests in flight (with retransmission and failover between
/// daemons), their cookies, and the periodic pings that keep the daemon set's health current.
struct MediaCoordinator {
    enum Outcome {
        case reply(NGReply)
        case failed(String)
    }

    private(set) var daemons: MediaDaemonSet
    private var cookies = NGCookieGenerator.random()
    private var requests: [Int: MediaControlRequest] = [:]
    private var byCookie: [[UInt8]: Int] = [:]
    /// The cookie each request is indexed under now (a failover changes it).
    private var cookieOf: [Int: [UInt8]] = [:]
    private var pings: [Int: NGClientTransaction] = [:]
    private var nextID = 0
    private let policy: NGRetransmitPolicy
    /// Daemon health changes seen by pings, for the log (drained by the core).
    var healthEvents: [String] = []

    init(config: ProxyConfig, now: MonotonicTime) {
        let addresses = config.mediaDaemons.map {
            MediaDaemonAddress(host: $0.address.ip.description, port: $0.address.port, weight: UInt32(max(1, $0.weight)))
        }
        daemons = MediaDaemonSet(addresses, configuration: .init(pingInterval: config.pingInterval))
        policy = NGRetransmitPolicy(timeout: config.ngTimeout, retransmissions: config.ngRetransmissions)
    }

    /// Starts a request; returns its id, what to send, and the outcome if it ended at once
    /// (no daemon available).
    mutating func start(_ request: KamailioRequest, now: MonotonicTime) -> (id: Int, sends: [ProxyOutput], done: Outcome?) {
        nextID += 1
        var op = MediaControlRequest(request, policy: policy)
        let action = op.start(set: &daemons, cookies: &cookies, now: now)
        let (sends, done) = store(op, id: nextID, action)
        return (nextID, sends, done)
    }

    /// An ng datagram from a daemon: the request (or ping) it answers, if any.
    mutating func receive(_ bytes: [UInt8], from address: TransportAddress, now: MonotonicTime) -> (Int, Outcome)? {
        guard let daemon = daemons.daemons.firstIndex(where: { $0.address.transportAddress == address }),
              let space = bytes.firstIndex(of: 0x20) else { return nil }
        let cookie = Array(bytes[..<space])
        if var ping = pings[daemon], ping.cookie == cookie {
            if case .completed(let reply) = ping.receive(bytes, now: now) {
                note(daemons.recordPing(daemon: daemon, reply: reply, now: now))
                pings[daemon] = nil
            }
            return nil
        }
        guard let id = byCookie[cookie], var op = requests[id] else { return nil }
        let action = op.receive(bytes, from: daemon, set: &daemons, cookies: &cookies, now: now)
        let (_, done) = store(op, id: id, action)
        return done.map { (id, $0) }
    }

    /// Retransmissions, failovers, timeouts and pings that are due.
    mutating func tick(now: MonotonicTime) -> (sends: [ProxyOutput], finished: [(Int, Outcome)]) {
        var sends: [ProxyOutput] = []
        var finished: [(Int, Outcome)] = []
        for (id, var op) in requests {
            guard let deadline = op.deadline, deadline <= now else { continue }
            let action = op.timerFired(set: &daemons, cookies: &cookies, now: now)
            let (out, done) = store(op, id: id, action)
            sends += out
            if let done { finished.append((id, done)) }
        }
        sends += pingsDue(now: now)
        return (sends, finished)
    }

    private mutating func pingsDue(now: MonotonicTime) -> [ProxyOutput] {
        var sends: [ProxyOutput] = []
        for (daemon, var ping) in pings {
            guard case .timedOut = ping.timerFired(now: now) else {
                pings[daemon] = ping
                continue
            }
            note(daemons.recordPing(daemon: daemon, reply: nil, now: now))
            pings[daemon] = nil
        }
        for daemon in daemons.pingsDue(now: now) where pings[daemon] == nil {
            var ping = NGClientTransaction(request: ["command": "ping"], cookie: cookies.next(), policy: policy)
            if let bytes = ping.start(now: now), let address = daemons.daemons[daemon].address.transportAddress {
                sends.append(.sendNG(bytes, to: address))
                pings[daemon] = ping
            }
        }
        return sends
    }

    /// Keeps an unfinished request, indexed by its current cookie.
    private mutating func keep(_ op: MediaControlRequest, id: Int) {
        requests[id] = op
        if let cookie = op.transaction?.cookie {
            byCookie[cookie] = id
            cookieOf[id] = cookie
        }
    }

    private mutating func note(_ transition: MediaDaemonSet.Transition?) {
        switch transition {
        case .wentDown(let i): healthEvents.append("media daemon \(daemons.daemons[i].address) is down")
        case .cameUp(let i): healthEvents.append("media daemon \(daemons.daemons[i].address) is up")
        case nil: break
        }
    }

    /// Keeps an unfinished request (indexed by its current cookie) or drops a finished one.
    private mutating func store(_ op: MediaControlRequest, id: Int, _ action: MediaControlRequest.Action) -> ([ProxyOutput], Outcome?) {
        if let old = cookieOf.removeValue(forKey: id) { byCookie[old] = nil }
        switch action {
        case .send(let bytes, let daemon):
            keep(op, id: id)
            guard let address = daemons.daemons[daemon].address.transportAddress else { return ([], nil) }
            return ([.sendNG(bytes, to: address)], nil)
        case .none:
            keep(op, id: id)
            return ([], nil)
        case .completed(let reply, _):
            requests[id] = nil
            return ([], .reply(reply))
        case .failed(let error):
            requests[id] = nil
            return ([], .failed("\(error)"))
        }
    }
}
