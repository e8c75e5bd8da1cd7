import TandemBase

/// A server transaction of either kind, created from the request's method.
public enum ServerTransaction: SIPTransaction {
    case invite(ServerInviteTransaction)
    case nonInvite(ServerNonInviteTransaction)

    /// INVITE gets an INVITE transaction; every other method (not ACK, which never creates
    /// one) a non-INVITE transaction.
    public init(request: SIPRequest, reliable: Bool, settings: SIPTimerSettings = .default) {
        if request.method == .invite {
            self = .invite(ServerInviteTransaction(request: request, reliable: reliable, settings: settings))
        } else {
            self = .nonInvite(ServerNonInviteTransaction(request: request, reliable: reliable, settings: settings))
        }
    }

    public var request: SIPRequest {
        switch self {
        case .invite(let t): t.request
        case .nonInvite(let t): t.request
        }
    }

    public var isTerminated: Bool {
        switch self {
        case .invite(let t): t.isTerminated
        case .nonInvite(let t): t.isTerminated
        }
    }

    /// True while a final response can still be sent.
    public var isAwaitingFinalResponse: Bool {
        switch self {
        case .invite(let t): t.isAwaitingFinalResponse
        case .nonInvite(let t): t.isAwaitingFinalResponse
        }
    }

    public mutating func start(now: MonotonicTime) -> [SIPTransactionAction] {
        update { $0.start(now: now) } _: { $0.start(now: now) }
    }

    public mutating func receive(_ request: SIPRequest, now: MonotonicTime) -> [SIPTransactionAction] {
        update { $0.receive(request, now: now) } _: { $0.receive(request, now: now) }
    }

    public mutating func send(_ response: SIPResponse, now: MonotonicTime) -> [SIPTransactionAction] {
        update { $0.send(response, now: now) } _: { $0.send(response, now: now) }
    }

    public mutating func timerFired(_ timer: SIPTimer, now: MonotonicTime) -> [SIPTransactionAction] {
        update { $0.timerFired(timer, now: now) } _: { $0.timerFired(timer, now: now) }
    }

    public mutating func transportError(now: MonotonicTime) -> [SIPTransactionAction] {
        update { $0.transportError(now: now) } _: { $0.transportError(now: now) }
    }

    private mutating func update(_ invite: (inout ServerInviteTransaction) -> [SIPTransactionAction],
                                 _ nonInvite: (inout ServerNonInviteTransaction) -> [SIPTransactionAction]) -> [SIPTransactionAction] {
        switch self {
        case .invite(var t):
            let actions = invite(&t)
            self = .invite(t)
            return actions
        case .nonInvite(var t):
            let actions = nonInvite(&t)
            self = .nonInvite(t)
            return actions
        }
    }
}

/// A client transaction of either kind, created from the request's method.
public enum ClientTransaction: SIPTransaction {
    case invite(ClientInviteTransaction)
    case nonInvite(ClientNonInviteTransaction)

    public init(request: SIPRequest, reliable: Bool, settings: SIPTimerSettings = .default) {
        if request.method == .invite {
            self = .invite(ClientInviteTransaction(request: request, reliable: reliable, settings: settings))
        } else {
            self = .nonInvite(ClientNonInviteTransaction(request: request, reliable: reliable, settings: settings))
        }
    }

    public var request: SIPRequest {
        switch self {
        case .invite(let t): t.request
        case .nonInvite(let t): t.request
        }
    }

    public var isTerminated: Bool {
        switch self {
        case .invite(let t): t.isTerminated
        case .nonInvite(let t): t.isTerminated
        }
    }

    public mutating func start(now: MonotonicTime) -> [SIPTransactionAction] {
        update { $0.start(now: now) } _: { $0.start(now: now) }
    }

    public mutating func receive(_ response: SIPResponse, now: MonotonicTime) -> [SIPTransactionAction] {
        update { $0.receive(response, now: now) } _: { $0.receive(response, now: now) }
    }

    public mutating func timerFired(_ timer: SIPTimer, now: MonotonicTime) -> [SIPTransactionAction] {
        update { $0.timerFired(timer, now: now) } _: { $0.timerFired(timer, now: now) }
    }

    public mutating func transportError(now: MonotonicTime) -> [SIPTransactionAction] {
        update { $0.transportError(now: now) } _: { $0.transportError(now: now) }
    }

    private mutating func update(_ invite: (inout ClientInviteTransaction) -> [SIPTransactionAction],
                                 _ nonInvite: (inout ClientNonInviteTransaction) -> [SIPTransactionAction]) -> [SIPTransactionAction] {
        switch self {
        case .invite(var t):
            let actions = invite(&t)
            self = .invite(t)
            return actions
        case .nonInvite(var t):
            let actions = nonInvite(&t)
            self = .nonInvite(t)
            return actions
        }
    }
}
