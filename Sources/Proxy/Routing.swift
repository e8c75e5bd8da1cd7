import SIP
import TandemBase

/// How the proxy forwards requests and returns responses (RFC 3261 §16.4-16.7, §18.2.2).
/// Pure functions over messages; the proxy's own addresses come in as `local`.
struct Routing {
    /// The addresses this proxy listens on: a Route or Request-URI naming one of them is ours.
    let local: [SIPPeer]
    let nextHop: SIPPeer?

    /// §16.4: a top Route naming us is removed (we are a loose router; the previous hop put us
    /// there, or it is our own Record-Route coming back in an in-dialog request).
    func consumeOwnRoute(_ request: inout SIPRequest) {
        guard let routes = request.headers.routes, let top = routes.first, isLocal(top.uri) else { return }
        request.headers.remove("Route")
        for route in routes.dropFirst() { request.headers.append("Route", route.description) }
    }

    /// §16.6 step 6-7: the next Route if any, else the configured next hop for requests outside a
    /// dialog, else the Request-URI (port 5060 by default). nil when the host is not an address.
    func destination(of request: SIPRequest) -> SIPPeer? {
        if let route = request.headers.routes?.first { return peer(for: route.uri) }
        let inDialog = request.headers.to?.tag != nil
        if !inDialog, let nextHop { return nextHop }
        if inDialog, !isLocal(request.uri), let byURI = peer(for: request.uri) { return byURI }
        return nextHop ?? peer(for: request.uri)
    }

    /// A response goes back to where the request came from (symmetric response routing, which
    /// is what `rport` asks for and what works through NAT), i.e. the server transaction's peer.
    /// For a response without a transaction (a 2xx retransmission), the next Via says where:
    /// its `received`/`rport` if present, else its sent-by.
    static func responseDestination(for via: Via) -> SIPPeer? {
        let host = via.received ?? via.host
        guard let ip = IPAddress(host) else { return nil }
        let port = via.rport ?? via.effectivePort
        return SIPPeer(TransportAddress(ip: ip, port: port), via.isReliableTransport ? .tcp : .udp)
    }

    /// The Via this proxy pushes on a request it forwards over `transport`.
    func via(branch: String, transport: SIPTransport) -> Via {
        let me = local.first { $0.transport == transport } ?? local[0]
        return Via(transport: transport.rawValue.uppercased(), host: me.address.ip.description,
                   port: me.address.port, branch: branch, rport: true)
    }

    /// RFC 3261 §18.2.1 and RFC 3581 §4: the top Via of a received request records where it
    /// really came from — `received` when the sent-by host is not the source address, `rport`
    /// filled in when the client asked for it — so responses (and stateless 2xx retransmissions
    /// routed by Via) find their way back through NAT.
    static func stampReceived(_ request: inout SIPRequest, from source: TransportAddress) {
        guard var via = request.headers.topVia else { return }
        if IPAddress(via.host) != source.ip { via.parameters.set("received", source.ip.description) }
        if via.hasRPort { via.parameters.set("rport", String(source.port)) }
        _ = request.headers.popVia()
        request.headers.pushVia(via)
    }

    /// Our Record-Route entry (§16.6 step 4), with `lr` (loose routing).
    func recordRoute(transport: SIPTransport) -> String {
        let me = local.first { $0.transport == transport } ?? local[0]
        let host = me.address.ip.family == .ipv6 ? "[\(me.address.ip)]" : "\(me.address.ip)"
        let transportParam = transport == .tcp ? ";transport=tcp" : ""
        return "<sip:\(host):\(me.address.port);lr\(transportParam)>"
    }

    func isLocal(_ uri: SIPURI) -> Bool {
        guard let ip = uri.hostAddress else { return false }
        let port = uri.port ?? 5060
        return local.contains { $0.address.ip == ip && $0.address.port == port }
    }

    private func peer(for uri: SIPURI) -> SIPPeer? {
        guard let ip = uri.maddr.flatMap({ IPAddress($0) }) ?? uri.hostAddress else { return nil }
        let transport: SIPTransport = uri.transport?.lowercased() == "tcp" ? .tcp : .udp
        return SIPPeer(TransportAddress(ip: ip, port: uri.port ?? 5060), transport)
    }
}
