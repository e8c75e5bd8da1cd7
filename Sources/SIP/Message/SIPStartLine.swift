/// The first line of a message: `METHOD Request-URI SIP/2.0` or `SIP/2.0 code reason`.
enum SIPStartLine {
    /// The URI is kept as a result: a bad Request-URI is reported only after the headers are
    /// read, so the error can still be answered (400 / 416).
    case request(SIPMethod, Result<SIPURI, SIPParseError>)
    case response(Int, String)

    static func parse(_ line: String, limits: SIPParseLimits) throws(SIPParseError) -> SIPStartLine {
        if line.hasPrefix("SIP/") { return try parseStatus(line) }
        let parts = line.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 3, SIPText.isToken(parts[0]) else {
            throw SIPParseError(.badStartLine, "start line is neither 'METHOD URI SIP/2.0' nor 'SIP/2.0 code reason'")
        }
        guard parts[2] == "SIP/2.0" else {
            throw SIPParseError(.unsupportedVersion, "request line has version \(parts[2].prefix(16)), not SIP/2.0")
        }
        let method = SIPMethod(String(parts[0]))
        do throws(SIPURI.ParseFailure) {
            return .request(method, .success(try SIPURI.parse(parts[1])))
        } catch .unsupportedScheme {
            return .request(method, .failure(SIPParseError(.unsupportedURIScheme, "Request-URI scheme is not sip, sips or tel")))
        } catch {
            return .request(method, .failure(SIPParseError(.badRequestURI, "Request-URI is malformed")))
        }
    }

    private static func parseStatus(_ line: String) throws(SIPParseError) -> SIPStartLine {
        let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0] == "SIP/2.0" else {
            throw SIPParseError(.unsupportedVersion, "status line does not start with 'SIP/2.0 '")
        }
        guard parts[1].utf8.count == 3, let code = SIPText.parseDecimal(parts[1]), (100...699).contains(code) else {
            throw SIPParseError(.badStatusCode, "status code is not a number from 100 to 699")
        }
        return .response(Int(code), parts.count == 3 ? String(parts[2]) : "")
    }
}
