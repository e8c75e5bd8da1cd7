import SIP
import TandemBase

/// The sans-IO stateful SIP proxy: bytes in, `ProxyOutput`s out, time passed in. It forwards
/// requests through RFC 3261 transactions and drives the media daemon the way Kamailio's
/// `rtpengine_manage()` does: offer on INVITE/UPDATE with SDP, answer on the 18x/2xx with SDP
/// (or offer on the 2xx and answer on the ACK for a late offer), delete on BYE, CANCEL and failure.
///
/// Unlike Kamailio, the server transaction (and its 100 Trying) exists before the ng round trip,
/// so an INVITE retransmitted while the media daemon is busy is absorbed, not forwarded twice.
public final class ProxyCore {
    let config: ProxyConfig
    let routing: Routing
    let log: Log
    var transactions = TransactionTable<ServerEntry, ClientEntry>()
    /// Deadlines of transaction timers.
    var deadlines: [TimerID: MonotonicTime] = [:]
    var media: MediaCoordinator
    /// Messages parked while the media daemon answers, by media request id.
    var parked: [Int: Continuation] = [:]

    public init(config: ProxyConfig, now: MonotonicTime, log: Log = Log(level: 6, name: "tandem-proxy")) {
        self.config = config
        self.routing = Routing(local: config.listen, nextHop: config.nextHop)
        self.log = log
        self.media = MediaCoordinator(config: config, now: now)
    }

    // MARK: - Entry points

    public func receiveSIP(_ bytes: [UInt8], from peer: SIPPeer, now: MonotonicTime) -> [ProxyOutput] {
        let message: SIPMessage
        do {
            message = try SIPMessage.parse(bytes)
        } catch {
            log.info("malformed SIP from \(peer): \(error)")
            guard let reply = error.response() else { return [] }
            return [.sendSIP(reply.serialized(), to: peer)]
        }
        switch message {
        case .request(let request): return receive(request, from: peer, now: now)
        case .response(let response): return receive(response, from: peer, now: now)
        }
    }

    public func receiveNG(_ bytes: [UInt8], from address: TransportAddress, now: MonotonicTime) -> [ProxyOutput] {
        guard let (cookie, outcome) = media.receive(bytes, from: address, now: now) else { return [] }
        return resume(cookie: cookie, outcome: outcome, now: now)
    }

    /// Fires due transaction timers and media-daemon retransmissions/pings.
    public func tick(now: MonotonicTime) -> [ProxyOutput] {
        var out: [ProxyOutput] = []
        for (id, deadline) in deadlines where deadline <= now {
            deadlines[id] = nil
            out += fire(id, now: now)
        }
        let (sends, finished) = media.tick(now: now)
        for event in media.healthEvents { log.warning(event) }
        media.healthEvents.removeAll()
        out += sends
        for (cookie, outcome) in finished { out += resume(cookie: cookie, outcome: outcome, now: now) }
        return out
    }

    /// Transactions and parked requests in flight (for tests and statistics).
    public var activeTransactions: Int { transactions.count }

    // MARK: - Transaction plumbing

    /// Runs a server transaction's actions: transmissions go back to where its request came from.
    func drive(server key: ServerTransactionKey, _ actions: [SIPTransactionAction], now: MonotonicTime) -> [ProxyOutput] {
        guard let entry = transactions[server: key] else { return [] }
        var out: [ProxyOutput] = []
        for action in actions {
            switch action {
            case .transmit(let message): out.append(.sendSIP(message.serialized(), to: entry.source))
            case .schedule(let timer, let at): deadlines[.server(key, timer)] = at
            case .cancelTimer(let timer): deadlines[.server(key, timer)] = nil
            case .terminated: transactions[server: key] = nil
            case .passToTU, .timeout, .transportFailed: break
            }
        }
        return out
    }

    /// Runs a client transaction's actions: transmissions go to its destination; responses and
    /// timeouts go up to the proxy logic.
    func drive(client key: ClientTransactionKey, _ actions: [SIPTransactionAction], now: MonotonicTime) -> [ProxyOutput] {
        guard let entry = transactions[client: key] else { return [] }
        var out: [ProxyOutput] = []
        for action in actions {
            switch action {
            case .transmit(let message): out.append(.sendSIP(message.serialized(), to: entry.destination))
            case .schedule(let timer, let at): deadlines[.client(key, timer)] = at
            case .cancelTimer(let timer): deadlines[.client(key, timer)] = nil
            case .passToTU(let message):
                guard case .response(let response) = message else { break }
                armTimerC(key, entry, response, now: now)
                out += forwardUpstream(response, from: entry, now: now)
            case .timeout, .transportFailed:
                out += failUpstream(entry, status: action == .timeout ? 408 : 503, now: now)
            case .terminated: transactions[client: key] = nil
            }
        }
        return out
    }

    /// RFC 3261 §16.6 step 11: after a provisional response to a forwarded INVITE the client
    /// transaction no longer times out (Timer B stops), so the proxy bounds the wait itself;
    /// every further provisional restarts it, a final response ends it.
    private func armTimerC(_ key: ClientTransactionKey, _ entry: ClientEntry, _ response: SIPResponse, now: MonotonicTime) {
        guard entry.transaction.request.method == .invite else { return }
        deadlines[.timerC(key)] = response.isProvisional ? now + config.timerC : nil
    }

    /// Timer C fired: cancel the branch downstream and answer 408 upstream (§16.8).
    private func timerCExpired(_ key: ClientTransactionKey, now: MonotonicTime) -> [ProxyOutput] {
        guard let entry = transactions[client: key], !entry.transaction.isTerminated else { return [] }
        log.info("Timer C: no final response to \(entry.transaction.request.headers.callID ?? "?"), cancelling")
        var cancel = SIPRequest(cancelling: entry.transaction.request)
        cancel.headers.set("Max-Forwards", "70")
        var out = forward(cancel, to: entry.destination, now: now)
        out += failUpstream(entry, status: 408, now: now)
        return out
    }

    private func fire(_ id: TimerID, now: MonotonicTime) -> [ProxyOutput] {
        switch id {
        case .timerC(let key):
            return timerCExpired(key, now: now)
        case .server(let key, let timer):
            guard var entry = transactions[server: key] else { return [] }
            let actions = entry.transaction.timerFired(timer, now: now)
            transactions[server: key] = entry
            return drive(server: key, actions, now: now)
        case .client(let key, let timer):
            guard var entry = transactions[client: key] else { return [] }
            let actions = entry.transaction.timerFired(timer, now: now)
            transactions[client: key] = entry
            return drive(client: key, actions, now: now)
        }
    }
}

enum TimerID: Hashable {
    case server(ServerTransactionKey, SIPTimer)
    case client(ClientTransactionKey, SIPTimer)
    /// The proxy's own INVITE timer (§16.6 step 11).
    case timerC(ClientTransactionKey)
}

/// A server transaction and where its request came from.
struct ServerEntry {
    var transaction: ServerTransaction
    var source: SIPPeer
    /// The branch the request was forwarded on, once it was.
    var forwarded: ClientTransactionKey?
    /// A CANCEL arrived before the request was forwarded (it waited for the media daemon).
    var cancelled = false
}

/// A client transaction, where it goes, and the server transaction it serves.
struct ClientEntry {
    var transaction: ClientTransaction
    var destination: SIPPeer
    var server: ServerTransactionKey?
    /// The forwarded request carried SDP (the media daemon got an offer for it).
    var offered: Bool
    /// The request was an INVITE without SDP: its 2xx carries the offer (late offer).
    var lateOffer: Bool
}
