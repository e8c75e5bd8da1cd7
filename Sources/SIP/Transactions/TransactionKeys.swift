/// Identifies a server transaction for matching requests to it (RFC 3261 §17.2.3).
///
/// With an RFC 3261 branch (`z9hG4bK...`): branch + sent-by of the top Via + method, where ACK
/// counts as INVITE (it belongs to the INVITE transaction) and CANCEL is its own transaction.
/// Without one (RFC 2543 peers) the fallback fields are Request-URI, Call-ID, From tag, CSeq
/// number and the whole top Via; the To tag is left out so the ACK for a locally tagged
/// non-2xx still matches its INVITE.
public struct ServerTransactionKey: Hashable, Sendable, CustomStringConvertible {
    public let branch: String
    /// Lower-cased `host[:port]` of the top Via.
    public let sentBy: String
    /// Method name; `INVITE` for ACK.
    public let method: String
    /// RFC 2543 fallback identity; nil for RFC 3261 branches.
    let legacy: String?

    /// The key of the transaction `request` belongs to; nil without a readable top Via.
    public init?(request: SIPRequest) {
        self.init(request: request, method: request.method == .ack ? .invite : request.method)
    }

    /// The key of the INVITE server transaction a CANCEL targets (§9.2): the same top Via
    /// branch and sent-by, method INVITE. Nil when `cancel` is not a CANCEL.
    public init?(cancelTargetOf cancel: SIPRequest) {
        guard cancel.method == .cancel else { return nil }
        self.init(request: cancel, method: .invite)
    }

    private init?(request: SIPRequest, method: SIPMethod) {
        guard let via = request.headers.topVia else { return nil }
        let branch = via.branch ?? ""
        self.branch = branch
        self.sentBy = SIPText.lower(via.sentBy)
        self.method = method.name
        if SIPIdentifiers.isRFC3261Branch(branch) {
            legacy = nil
        } else {
            let h = request.headers
            legacy = [request.uri.description, h.callID ?? "", h.from?.tag ?? "",
                      String(h.cseq?.number ?? 0), via.description].joined(separator: "\u{1}")
        }
    }

    public var description: String { "\(method) \(branch) \(sentBy)" }
}

/// Identifies a client transaction for matching responses to it (§17.1.3): the top Via branch
/// (ours) and the CSeq method, so a CANCEL's responses, which share the INVITE's branch, go to
/// the CANCEL transaction.
public struct ClientTransactionKey: Hashable, Sendable, CustomStringConvertible {
    public let branch: String
    public let method: String

    public init(branch: String, method: SIPMethod) {
        self.branch = branch
        self.method = method.name
    }

    /// The key of a request we send; nil without a top Via branch.
    public init?(request: SIPRequest) {
        guard let branch = request.branch else { return nil }
        self.init(branch: branch, method: request.method)
    }

    /// The key a response belongs to; nil without a top Via branch or CSeq.
    public init?(response: SIPResponse) {
        guard let branch = response.headers.topVia?.branch, let cseq = response.headers.cseq else { return nil }
        self.init(branch: branch, method: cseq.method)
    }

    public var description: String { "\(method) \(branch)" }
}

extension SIPRequest {
    /// The server transaction this request belongs to (ACK -> its INVITE's).
    public var transactionKey: ServerTransactionKey? { ServerTransactionKey(request: self) }
}
