extension SIPRequest {
    /// The hop-by-hop ACK for a non-2xx final response (RFC 3261 §17.1.1.3): same Request-URI,
    /// Call-ID, From, CSeq number and single top Via (so it carries the INVITE's branch), the
    /// response's To (with its tag), the INVITE's Route headers, CSeq method ACK, no body.
    public init(ackFor invite: SIPRequest, response: SIPResponse) {
        self.init(method: .ack, uri: invite.uri,
                  headers: Self.copyForSameTransaction(invite, method: .ack, to: response.headers.first("To")))
    }

    /// The CANCEL for a pending request (§9.1): Request-URI, Call-ID, To, From, CSeq number and
    /// the top Via (same branch) of the request, its Route headers, CSeq method CANCEL. The proxy
    /// sends it on a new non-INVITE client transaction, only after a provisional response.
    public init(cancelling request: SIPRequest) {
        self.init(method: .cancel, uri: request.uri,
                  headers: Self.copyForSameTransaction(request, method: .cancel, to: request.headers.first("To")))
    }

    private static func copyForSameTransaction(_ request: SIPRequest, method: SIPMethod, to: String?) -> SIPHeaders {
        var headers = SIPHeaders()
        if let via = request.headers.first("Via") { headers.append("Via", via) }
        headers.append("Max-Forwards", "70")
        if let from = request.headers.first("From") { headers.append("From", from) }
        if let to { headers.append("To", to) }
        if let callID = request.headers.callID { headers.append("Call-ID", callID) }
        let number = request.headers.cseq?.number ?? 1
        headers.append("CSeq", CSeq(number: number, method: method).description)
        for route in request.headers.values("Route") { headers.append("Route", route) }
        return headers
    }
}
