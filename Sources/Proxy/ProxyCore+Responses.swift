import SIP
import TandemBase

extension ProxyCore {
    func receive(_ response: SIPResponse, from peer: SIPPeer, now: MonotonicTime) -> [ProxyOutput] {
        guard let match = transactions.client(matching: response) else {
            return forwardStray(response, now: now)
        }
        let key = match.key
        var entry = match.value
        let actions = entry.transaction.receive(response, now: now)
        transactions[client: key] = entry
        return drive(client: key, actions, now: now)
    }

    /// §16.7: a response our client transaction passed up: media answer (or late offer) on SDP,
    /// media delete on an INVITE failure, then our Via off and on to the server transaction.
    func forwardUpstream(_ response: SIPResponse, from client: ClientEntry, now: MonotonicTime) -> [ProxyOutput] {
        let method = client.transaction.request.method
        if response.statusCode == 100 { return [] }  // hop by hop: we sent our own
        var upstream = response
        _ = upstream.headers.popVia()
        let next = Continuation.respond(upstream, server: client.server)
        if method == .invite || method == .update, response.hasSDP, response.statusCode < 300 {
            if client.offered { return askMedia(.answer, for: .response(response), then: next, now: now) }
            if client.lateOffer { return askMedia(.offer, for: .response(response), then: next, now: now) }
        }
        var out: [ProxyOutput] = []
        if method == .invite, response.statusCode >= 300 {
            out += deleteMedia(for: client.transaction.request, now: now)
        }
        return out + respond(upstream, server: client.server, now: now)
    }

    /// Sends a response up through its server transaction, or statelessly by Via when the
    /// transaction is gone (a 2xx after the INVITE server transaction ended).
    func respond(_ response: SIPResponse, server: ServerTransactionKey?, now: MonotonicTime) -> [ProxyOutput] {
        if let server, var entry = transactions[server: server], !entry.transaction.isTerminated {
            let actions = entry.transaction.send(response, now: now)
            transactions[server: server] = entry
            return drive(server: server, actions, now: now)
        }
        guard let via = response.headers.topVia, let destination = Routing.responseDestination(for: via) else { return [] }
        return [.sendSIP(response.serialized(), to: destination)]
    }

    /// A response no client transaction knows (e.g. a retransmitted 2xx): pop our Via and send
    /// it where the next Via says, if the top Via is ours.
    private func forwardStray(_ response: SIPResponse, now: MonotonicTime) -> [ProxyOutput] {
        guard let top = response.headers.topVia, let ip = IPAddress(top.host),
              routing.local.contains(where: { $0.address.ip == ip && $0.address.port == top.effectivePort }) else {
            return []
        }
        var upstream = response
        _ = upstream.headers.popVia()
        return respond(upstream, server: nil, now: now)
    }

    /// The client transaction failed (Timer B/F: 408; transport: 503): answer upstream and drop media.
    func failUpstream(_ client: ClientEntry, status: Int, now: MonotonicTime) -> [ProxyOutput] {
        var out: [ProxyOutput] = []
        if client.transaction.request.method == .invite, client.offered || client.lateOffer {
            out += deleteMedia(for: client.transaction.request, now: now)
        }
        guard let server = client.server else { return out }
        return out + failServer(server, status: status, reason: status == 408 ? "Request Timeout" : "Service Unavailable", now: now)
    }
}
