extension SIPResponse {
    /// A response generated here to `request` (RFC 3261 §8.2.6): Via (all values, in order),
    /// From, To, Call-ID and CSeq copied; a To-tag added when the request's To has none and the
    /// status is above 100 (`toTag`, or a random one); Timestamp echoed on 100 (§8.2.6.1).
    /// The proxy uses it for 100 Trying, 408, 483, 400, 487 and the like.
    public init(replyingTo request: SIPRequest, statusCode: Int, reason: String? = nil, toTag: String? = nil) {
        self.init(replyingToHeaders: request.headers, statusCode: statusCode, reasonPhrase: reason, toTag: toTag)
    }

    init(replyingToHeaders requestHeaders: SIPHeaders, statusCode: Int, reasonPhrase: String?, toTag: String?) {
        var headers = SIPHeaders()
        for field in requestHeaders.fields where field.key == "via" {
            headers.append(field.name, field.value)
        }
        for name in ["From", "To", "Call-ID", "CSeq"] {
            if let value = requestHeaders.first(name) { headers.append(name, value) }
        }
        if statusCode > 100, var to = requestHeaders.to, to.tag == nil {
            to.tag = toTag ?? SIPIdentifiers.tag()
            headers.set("To", to.description)
        }
        if statusCode == 100, let timestamp = requestHeaders.first("Timestamp") {
            headers.append("Timestamp", timestamp)
        }
        self.init(statusCode: statusCode, reasonPhrase: reasonPhrase, headers: headers)
    }
}
