/// Where transactions live, keyed per RFC 3261 §17.1.3 / §17.2.3. Generic over what is stored
/// so the proxy can keep its own context (the forwarding state of the request) next to each
/// transaction. Value semantics; one table per owning loop.
public struct TransactionTable<Server, Client> {
    public private(set) var servers: [ServerTransactionKey: Server] = [:]
    public private(set) var clients: [ClientTransactionKey: Client] = [:]

    public init() {}

    // MARK: Matching

    /// The server transaction a request belongs to: a retransmission, or the ACK of an INVITE.
    public func server(matching request: SIPRequest) -> (key: ServerTransactionKey, value: Server)? {
        guard let key = ServerTransactionKey(request: request), let value = servers[key] else { return nil }
        return (key, value)
    }

    /// The INVITE server transaction a CANCEL refers to (§9.2, §16.10). The CANCEL itself has
    /// its own server transaction (`server(matching:)`).
    public func inviteServer(cancelledBy cancel: SIPRequest) -> (key: ServerTransactionKey, value: Server)? {
        guard let key = ServerTransactionKey(cancelTargetOf: cancel), let value = servers[key] else { return nil }
        return (key, value)
    }

    /// The client transaction a response belongs to; nil means a stray response, which a proxy
    /// forwards statelessly (§16.7 step 2: e.g. 2xx retransmissions after Timer M).
    public func client(matching response: SIPResponse) -> (key: ClientTransactionKey, value: Client)? {
        guard let key = ClientTransactionKey(response: response), let value = clients[key] else { return nil }
        return (key, value)
    }

    // MARK: Storing

    public subscript(server key: ServerTransactionKey) -> Server? {
        get { servers[key] }
        set { servers[key] = newValue }
    }

    public subscript(client key: ClientTransactionKey) -> Client? {
        get { clients[key] }
        set { clients[key] = newValue }
    }

    public var count: Int { servers.count + clients.count }
}

extension TransactionTable: Sendable where Server: Sendable, Client: Sendable {}
