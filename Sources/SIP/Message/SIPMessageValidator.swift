/// The checks that make a message usable by a proxy (RFC 3261 §8.1.1, §16.3): mandatory headers
/// present and readable. What makes a request answerable is exactly what a response needs.
enum SIPMessageValidator {
    /// Throws a non-answerable error when the response headers cannot be built; otherwise
    /// returns them (with the method) for later errors to be answerable. CSeq mismatch throws
    /// an answerable error.
    static func checkRequest(method: SIPMethod, headers: SIPHeaders) throws(SIPParseError) -> (SIPMethod, SIPHeaders) {
        try checkMandatory(headers, kind: "request")
        if let cseq = headers.cseq, cseq.method != method {
            throw SIPParseError(.cseqMethodMismatch, "CSeq method \(cseq.method.name.prefix(32)) differs from the request method",
                                answerable: (method, headers))
        }
        return (method, headers)
    }

    static func checkResponse(headers: SIPHeaders) throws(SIPParseError) {
        try checkMandatory(headers, kind: "response")
    }

    private static func checkMandatory(_ headers: SIPHeaders, kind: String) throws(SIPParseError) {
        guard let vias = headers.vias, !vias.isEmpty else { throw missing("Via", kind) }
        guard headers.values("From").count == 1, headers.from != nil else { throw missing("From", kind) }
        guard headers.values("To").count == 1, headers.to != nil else { throw missing("To", kind) }
        guard let callID = headers.callID, !callID.isEmpty, headers.values("Call-ID").count == 1 else {
            throw missing("Call-ID", kind)
        }
        guard headers.values("CSeq").count == 1, headers.cseq != nil else { throw missing("CSeq", kind) }
    }

    private static func missing(_ name: String, _ kind: String) -> SIPParseError {
        SIPParseError(.badMandatoryHeader(name), "\(kind) has no single well-formed \(name) header")
    }
}
