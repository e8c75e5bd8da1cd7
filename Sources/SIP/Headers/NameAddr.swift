/// A From, To, Contact, Route or Record-Route value (RFC 3261 §20.10, §25.1 name-addr /
/// addr-spec): optional display name, a URI, header parameters (`;tag=`, `;expires=`, ...).
///
/// In the bare form (`sip:a@b;tag=x`) the parameters after the URI belong to the header, not
/// the URI (§20); printing always uses `<...>`, which is valid for every such header.
public struct NameAddr: Hashable, Sendable, CustomStringConvertible {
    /// The display name without quotes or escapes; nil when absent.
    public var displayName: String?
    public var uri: SIPURI
    public var parameters: SIPParameters

    public init(displayName: String? = nil, uri: SIPURI, parameters: SIPParameters = []) {
        self.displayName = displayName
        self.uri = uri
        self.parameters = parameters
    }

    /// Parses one value (not a comma-separated list); nil when malformed.
    public init?(_ text: some StringProtocol) {
        guard let value = try? NameAddr.parse(SIPText.trim(Substring(text))) else { return nil }
        self = value
    }

    static func parse(_ text: Substring) throws(SIPURI.ParseFailure) -> NameAddr {
        var rest = text
        var display: String?
        if rest.first == "\"" {
            guard let (name, after) = SIPText.readQuoted(rest) else { throw .malformed }
            display = name
            rest = SIPText.trim(after)
            guard rest.first == "<" else { throw .malformed }
        } else if let open = rest.firstIndex(of: "<") {
            let name = SIPText.trim(rest[..<open])
            // Lenient: an unquoted display name should be tokens, but UAs send all sorts; it is
            // printed quoted, so anything without a quote survives a round trip.
            guard !name.contains("\"") else { throw .malformed }
            display = name.isEmpty ? nil : String(name)
            rest = rest[open...]
        }
        let uriText: Substring, paramText: Substring
        if rest.first == "<" {
            guard let close = rest.firstIndex(of: ">") else { throw .malformed }
            uriText = rest[rest.index(after: rest.startIndex)..<close]
            paramText = SIPText.trim(rest[rest.index(after: close)...])
        } else {
            let semi = rest.firstIndex(of: ";") ?? rest.endIndex
            uriText = rest[..<semi]
            paramText = rest[semi...]
            guard !uriText.contains("?") else { throw .malformed }
        }
        let uri = try SIPURI.parse(SIPText.trim(uriText))
        return NameAddr(displayName: display, uri: uri, parameters: try params(paramText))
    }

    private static func params(_ text: Substring) throws(SIPURI.ParseFailure) -> SIPParameters {
        if text.isEmpty { return [] }
        guard text.first == ";", let p = SIPParameters.parse(text.dropFirst()) else { throw .malformed }
        return p
    }

    /// `;tag=` — the dialog identifier half of From and To (§19.3).
    public var tag: String? {
        get { parameters.value("tag") }
        set { parameters.set("tag", newValue) }
    }

    public var description: String {
        var out = ""
        if let displayName { out = SIPText.quoted(displayName) + " " }
        return out + "<" + uri.description + ">" + parameters.text
    }
}
