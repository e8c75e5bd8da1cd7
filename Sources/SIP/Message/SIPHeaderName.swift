/// Header-name normalisation: RFC 3261 §7.3.3 compact forms and case-insensitive names.
public enum SIPHeaderName {
    /// Compact form letter -> full name (RFC 3261 §7.3.3, RFC 3265, RFC 3515, RFC 4028).
    public static let compactForms: [String: String] = [
        "i": "Call-ID", "f": "From", "t": "To", "v": "Via", "m": "Contact", "l": "Content-Length",
        "c": "Content-Type", "k": "Supported", "s": "Subject", "e": "Content-Encoding", "o": "Event",
        "r": "Refer-To", "x": "Session-Expires", "u": "Allow-Events",
    ]

    /// The lookup key of a header name: full name, lower-cased (`v` and `VIA` -> `via`).
    public static func key(_ name: some StringProtocol) -> String {
        let lower = SIPText.lower(name)
        if lower.utf8.count == 1, let full = compactForms[lower] { return SIPText.lower(full) }
        return lower
    }

    /// Headers whose values are comma-separated lists (RFC 3261 §7.3.1) and can therefore be
    /// split and combined. Others (Date, WWW-Authenticate, User-Agent, Subject ...) may contain
    /// commas inside one value and are never split.
    static let listKeys: Set<String> = [
        "via", "route", "record-route", "contact", "allow", "supported", "require", "proxy-require",
        "unsupported", "accept", "accept-encoding", "accept-language", "content-encoding",
        "content-language", "allow-events", "path", "service-route", "p-asserted-identity",
        "p-preferred-identity", "alert-info", "call-info", "error-info", "in-reply-to", "warning",
        "reason", "security-client", "security-server", "security-verify", "history-info",
        "p-associated-uri", "privacy", "request-disposition", "accept-contact", "reject-contact",
    ]

    static func isList(key: String) -> Bool { listKeys.contains(key) }
}
