import TandemBase

/// A `sip:`, `sips:` or `tel:` URI (RFC 3261 §19.1, RFC 3966).
///
/// `==` is structural (what the fuzzer and tests compare); `isEquivalent(to:)` is the RFC 3261
/// §19.1.4 comparison. For `tel:` URIs the number is in `user` and `host` is empty. Escapes
/// (`%41`) are kept as received, so a URI prints back the way it arrived.
public struct SIPURI: Hashable, Sendable, CustomStringConvertible {
    public enum Scheme: String, Hashable, Sendable {
        case sip, sips, tel
    }

    public var scheme: Scheme
    public var user: String?
    public var password: String?
    /// Host name or IP address; an IPv6 address is stored without brackets.
    public var host: String
    public var port: UInt16?
    public var parameters: SIPParameters
    /// The `?a=b&c=d` part without the `?`, verbatim; nil when absent.
    public var headers: String?

    public init(scheme: Scheme = .sip, user: String? = nil, password: String? = nil, host: String,
                port: UInt16? = nil, parameters: SIPParameters = [], headers: String? = nil) {
        self.scheme = scheme
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.parameters = parameters
        self.headers = headers
    }

    /// Parses a URI; nil when malformed or of another scheme.
    public init?(_ text: some StringProtocol) {
        guard let uri = try? SIPURI.parse(Substring(text)) else { return nil }
        self = uri
    }

    enum ParseFailure: Error { case malformed, unsupportedScheme }

    static func parse(_ text: Substring) throws(ParseFailure) -> SIPURI {
        guard let colon = text.firstIndex(of: ":") else { throw .malformed }
        let schemeText = text[..<colon]
        guard SIPText.isToken(schemeText) else { throw .malformed }
        guard let scheme = Scheme(rawValue: SIPText.lower(schemeText)) else { throw .unsupportedScheme }
        let rest = text[text.index(after: colon)...]
        guard !rest.contains(where: { $0 == " " || $0 == "\t" || $0 == "<" || $0 == ">" || $0 == "\"" }) else {
            throw .malformed
        }
        let parsed = scheme == .tel ? parseTel(rest) : parseSIP(rest, scheme: scheme)
        guard let parsed else { throw .malformed }
        return parsed
    }

    private static func parseTel(_ rest: Substring) -> SIPURI? {
        let semi = rest.firstIndex(of: ";") ?? rest.endIndex
        let number = rest[..<semi]
        guard !number.isEmpty, !number.contains("?"), !number.contains("@") else { return nil }
        var params = SIPParameters()
        if semi < rest.endIndex {
            guard let p = SIPParameters.parse(rest[rest.index(after: semi)...]) else { return nil }
            params = p
        }
        return SIPURI(scheme: .tel, user: String(number), host: "", parameters: params)
    }

    private static func parseSIP(_ rest: Substring, scheme: Scheme) -> SIPURI? {
        var remaining = rest
        var headers: String?
        if let q = remaining.firstIndex(of: "?") {
            headers = String(remaining[remaining.index(after: q)...])
            remaining = remaining[..<q]
        }
        var user: String?, password: String?
        if let at = remaining.firstIndex(of: "@") {
            let userinfo = remaining[..<at]
            remaining = remaining[remaining.index(after: at)...]
            if let colon = userinfo.firstIndex(of: ":") {
                user = String(userinfo[..<colon])
                password = String(userinfo[userinfo.index(after: colon)...])
            } else {
                user = String(userinfo)
            }
            guard user?.isEmpty == false, isValidUserinfo(userinfo) else { return nil }
        }
        let semi = remaining.firstIndex(of: ";") ?? remaining.endIndex
        guard let (host, port) = HostPort.parse(remaining[..<semi]) else { return nil }
        var params = SIPParameters()
        if semi < remaining.endIndex {
            guard let p = SIPParameters.parse(remaining[remaining.index(after: semi)...]) else { return nil }
            params = p
        }
        return SIPURI(scheme: scheme, user: user, password: password, host: host, port: port,
                      parameters: params, headers: headers)
    }

    /// Userinfo may not contain characters that would re-split differently when printed.
    private static func isValidUserinfo(_ text: Substring) -> Bool {
        !text.contains { $0 == "@" || $0 == "?" || $0 == "," }
    }

    // MARK: Accessors for the parameters a proxy uses

    /// `;lr`: the route URI belongs to a loose router (RFC 3261 §16.12).
    public var isLooseRouting: Bool {
        get { parameters.contains("lr") }
        set { parameters.setFlag("lr", newValue) }
    }

    public var transport: String? {
        get { parameters.value("transport") }
        set { parameters.set("transport", newValue) }
    }

    public var maddr: String? {
        get { parameters.value("maddr") }
        set { parameters.set("maddr", newValue) }
    }

    /// The host as an IP address, when it is one.
    public var hostAddress: IPAddress? { IPAddress(host) }

    /// `host[:port]` with brackets around an IPv6 address.
    public var hostPort: String { HostPort.text(host: host, port: port) }

    public var description: String {
        var out = scheme.rawValue + ":"
        if scheme == .tel { return out + (user ?? "") + parameters.text }
        if let user {
            out += user
            if let password { out += ":" + password }
            out += "@"
        }
        out += hostPort + parameters.text
        if let headers { out += "?" + headers }
        return out
    }
}

/// `host[:port]` as used by URIs and Via sent-by.
enum HostPort {
    static func parse(_ text: Substring) -> (host: String, port: UInt16?)? {
        let hostText: Substring, portText: Substring?
        if text.first == "[" {
            guard let close = text.firstIndex(of: "]") else { return nil }
            hostText = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if after.isEmpty { portText = nil } else {
                guard after.first == ":" else { return nil }
                portText = after.dropFirst()
            }
            guard hostText.contains(":"), hostText.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return nil }
        } else if let colon = text.firstIndex(of: ":") {
            hostText = text[..<colon]
            portText = text[text.index(after: colon)...]
        } else {
            hostText = text
            portText = nil
        }
        guard !hostText.isEmpty else { return nil }
        if text.first != "[" {
            guard hostText.utf8.allSatisfy({ isHostByte($0) }) else { return nil }
        }
        guard let portText else { return (String(hostText), nil) }
        guard let port = SIPText.parseDecimal(portText, max: 65535) else { return nil }
        return (String(hostText), UInt16(port))
    }

    private static func isHostByte(_ b: UInt8) -> Bool {
        (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == UInt8(ascii: "-")
            || b == UInt8(ascii: ".") || b == UInt8(ascii: "_")
    }

    static func text(host: String, port: UInt16?) -> String {
        let h = host.contains(":") ? "[" + host + "]" : host
        return port.map { h + ":" + String($0) } ?? h
    }
}
