import SIP
import TandemBase

extension ProxyCore {
    func receive(_ received: SIPRequest, from peer: SIPPeer, now: MonotonicTime) -> [ProxyOutput] {
        var request = received
        Routing.stampReceived(&request, from: peer.address)
        if request.method == .ack { return receiveACK(request, from: peer, now: now) }
        if let match = transactions.server(matching: request) {
            let key = match.key
            var entry = match.value
            // A retransmission: the transaction resends its last response (or stays quiet).
            let actions = entry.transaction.receive(request, now: now)
            transactions[server: key] = entry
            return drive(server: key, actions, now: now)
        }
        if request.method == .cancel { return receiveCANCEL(request, from: peer, now: now) }
        return receiveNew(request, from: peer, now: now)
    }

    /// A new request: its server transaction first (and 100 Trying for an INVITE, before any ng
    /// round trip), then media control, then forwarding.
    private func receiveNew(_ request: SIPRequest, from peer: SIPPeer, now: MonotonicTime) -> [ProxyOutput] {
        guard let key = ServerTransactionKey(request: request) else {
            return reply(to: request, 400, "Missing or invalid Via", peer: peer)
        }
        let maxForwards = request.headers.maxForwards?.value ?? 70
        if maxForwards <= 0 { return reply(to: request, 483, "Too Many Hops", peer: peer) }
        var transaction = ServerTransaction(request: request, reliable: peer.transport == .tcp,
                                            settings: SIPTimerSettings(t1: config.t1))
        transactions[server: key] = ServerEntry(transaction: transaction, source: peer)
        var out = drive(server: key, transaction.start(now: now), now: now)
        if request.method == .invite {
            let trying = SIPResponse(replyingTo: request, statusCode: 100, reason: "Trying")
            out += drive(server: key, transaction.send(trying, now: now), now: now)
        }
        if var entry = transactions[server: key] {
            entry.transaction = transaction
            transactions[server: key] = entry
        }
        return out + mediaThenForward(request, server: key, now: now)
    }

    /// Offer (INVITE/UPDATE with SDP) or delete (BYE) before forwarding, as rtpengine_manage does.
    private func mediaThenForward(_ request: SIPRequest, server: ServerTransactionKey, now: MonotonicTime) -> [ProxyOutput] {
        let hasSDP = request.hasSDP
        switch request.method {
        case .invite where hasSDP, .update where hasSDP:
            return askMedia(.offer, for: .request(request), then: Continuation.forward(request, server: server, offered: true), now: now)
        case .bye:
            return deleteMedia(for: request, now: now) + forward(request, server: server, offered: false, now: now)
        default:
            return forward(request, server: server, offered: false, now: now)
        }
    }

    /// §16.6: a copy of the request goes to the next hop through a new client transaction.
    func forward(_ original: SIPRequest, server: ServerTransactionKey?, offered: Bool, now: MonotonicTime) -> [ProxyOutput] {
        var request = original
        routing.consumeOwnRoute(&request)
        guard let destination = routing.destination(of: request) else {
            return server.map { failServer($0, status: 404, reason: "No route", now: now) } ?? []
        }
        prepareForForwarding(&request, transport: destination.transport)
        let branch = SIPIdentifiers.branch()
        request.headers.pushVia(routing.via(branch: branch, transport: destination.transport))
        let key = ClientTransactionKey(branch: branch, method: request.method)
        var transaction = ClientTransaction(request: request, reliable: destination.transport == .tcp,
                                            settings: SIPTimerSettings(t1: config.t1))
        let lateOffer = request.method == .invite && !request.hasSDP
        transactions[client: key] = ClientEntry(transaction: transaction, destination: destination, server: server,
                                                offered: offered, lateOffer: lateOffer)
        if let server, var entry = transactions[server: server] {
            entry.forwarded = key
            transactions[server: server] = entry
        }
        let actions = transaction.start(now: now)
        if var entry = transactions[client: key] {
            entry.transaction = transaction
            transactions[client: key] = entry
        }
        return drive(client: key, actions, now: now)
    }

    /// Max-Forwards down by one; our Record-Route on dialog-creating INVITEs outside a dialog.
    private func prepareForForwarding(_ request: inout SIPRequest, transport: SIPTransport) {
        let maxForwards = request.headers.maxForwards?.value ?? 70
        request.headers.set("Max-Forwards", String(maxForwards - 1))
        if request.method == .invite, request.headers.to?.tag == nil {
            request.headers.insertFirst("Record-Route", routing.recordRoute(transport: transport))
        }
    }

    /// ACK: a non-2xx ACK belongs to our INVITE server transaction (hop by hop, absorbed); a 2xx
    /// ACK is end to end and forwarded statelessly along the route, after the media answer when
    /// it carries the late offer's answer.
    private func receiveACK(_ ack: SIPRequest, from peer: SIPPeer, now: MonotonicTime) -> [ProxyOutput] {
        if let match = transactions.server(matching: ack) {
            let key = match.key
            var entry = match.value
            let actions = entry.transaction.receive(ack, now: now)
            transactions[server: key] = entry
            return drive(server: key, actions, now: now)
        }
        if ack.hasSDP {
            return askMedia(.answer, for: .request(ack), then: .forwardStateless(ack), now: now)
        }
        return forwardStateless(ack)
    }

    /// Forwards without a transaction (2xx ACKs): route, Max-Forwards, our Via, send once.
    func forwardStateless(_ original: SIPRequest) -> [ProxyOutput] {
        var request = original
        routing.consumeOwnRoute(&request)
        guard let destination = routing.destination(of: request) else { return [] }
        let maxForwards = request.headers.maxForwards?.value ?? 70
        request.headers.set("Max-Forwards", String(maxForwards - 1))
        request.headers.pushVia(routing.via(branch: SIPIdentifiers.branch(), transport: destination.transport))
        return [.sendSIP(request.serialized(), to: destination)]
    }

    /// CANCEL (§16.10): answered 200 at once; the INVITE it cancels is cancelled downstream
    /// (or answered 487 here if it was still waiting for the media daemon); media deleted.
    private func receiveCANCEL(_ cancel: SIPRequest, from peer: SIPPeer, now: MonotonicTime) -> [ProxyOutput] {
        guard let match = transactions.inviteServer(cancelledBy: cancel) else {
            return reply(to: cancel, 481, "Call/Transaction Does Not Exist", peer: peer)
        }
        let inviteKey = match.key
        var invite = match.value
        var out = reply(to: cancel, 200, "OK", peer: peer) + deleteMedia(for: cancel, now: now)
        guard let clientKey = invite.forwarded, let client = transactions[client: clientKey] else {
            invite.cancelled = true
            transactions[server: inviteKey] = invite
            return out + failServer(inviteKey, status: 487, reason: "Request Terminated", now: now)
        }
        var downstream = SIPRequest(cancelling: client.transaction.request)
        downstream.headers.set("Max-Forwards", "70")
        out += forward(downstream, to: client.destination, now: now)
        return out
    }

    /// Sends a request that already carries our Via through a new non-INVITE client transaction.
    func forward(_ request: SIPRequest, to destination: SIPPeer, now: MonotonicTime) -> [ProxyOutput] {
        guard let key = ClientTransactionKey(request: request) else { return [] }
        var transaction = ClientTransaction(request: request, reliable: destination.transport == .tcp,
                                            settings: SIPTimerSettings(t1: config.t1))
        let actions = transaction.start(now: now)
        transactions[client: key] = ClientEntry(transaction: transaction, destination: destination, server: nil,
                                                offered: false, lateOffer: false)
        return drive(client: key, actions, now: now)
    }

    /// A response generated here, sent statelessly (errors before a transaction exists).
    func reply(to request: SIPRequest, _ status: Int, _ reason: String, peer: SIPPeer) -> [ProxyOutput] {
        [.sendSIP(SIPResponse(replyingTo: request, statusCode: status, reason: reason).serialized(), to: peer)]
    }

    /// Answers a server transaction with a final error response generated here.
    func failServer(_ key: ServerTransactionKey, status: Int, reason: String, now: MonotonicTime) -> [ProxyOutput] {
        guard var entry = transactions[server: key], entry.transaction.isAwaitingFinalResponse else { return [] }
        let response = SIPResponse(replyingTo: entry.transaction.request, statusCode: status, reason: reason)
        let actions = entry.transaction.send(response, now: now)
        transactions[server: key] = entry
        return drive(server: key, actions, now: now)
    }
}

extension SIPRequest {
    /// The request carries an SDP body.
    var hasSDP: Bool {
        !body.isEmpty && (headers.contentType?.lowercased().hasPrefix("application/sdp") ?? true)
    }
}

extension SIPResponse {
    var hasSDP: Bool {
        !body.isEmpty && (headers.contentType?.lowercased().hasPrefix("application/sdp") ?? true)
    }
}
