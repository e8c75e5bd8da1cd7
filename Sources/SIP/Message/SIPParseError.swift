/// Size limits applied before and while parsing, so hostile input costs bounded work.
public struct SIPParseLimits: Hashable, Sendable {
    /// Whole message (headers + body). UDP datagrams cannot exceed 65,535 anyway.
    public var maxMessageSize: Int
    public var maxHeaderCount: Int
    /// One unfolded header line or the start line.
    public var maxLineLength: Int

    public init(maxMessageSize: Int = 65_535, maxHeaderCount: Int = 256, maxLineLength: Int = 8_192) {
        self.maxMessageSize = maxMessageSize
        self.maxHeaderCount = maxHeaderCount
        self.maxLineLength = maxLineLength
    }

    public static let `default` = SIPParseLimits()
}

/// Why a message could not be parsed, and whether the sender can be told (RFC 3261 §16.3).
///
/// A malformed request whose Via, From, To, Call-ID and CSeq could be read is *answerable*:
/// `response()` builds the 400 (416 for an unsupported Request-URI scheme, 505 for another SIP
/// version) to send back. Anything else — including every malformed response — is dropped.
public struct SIPParseError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        case empty, tooLarge, tooManyHeaders, lineTooLong
        case badStartLine, unsupportedVersion, badStatusCode, badRequestURI, unsupportedURIScheme
        case badHeaderLine
        /// A mandatory header (Via, From, To, Call-ID, CSeq) is missing or malformed.
        case badMandatoryHeader(String)
        case cseqMethodMismatch
        case badContentLength
        /// The message ends before the Content-Length bytes of body.
        case truncatedBody
    }

    public var kind: Kind
    /// A sentence a person understands: what was wrong and where.
    public var message: String
    /// Method and the headers needed to answer (Via, From, To, Call-ID, CSeq), when answerable.
    var answerable: (method: SIPMethod, headers: SIPHeaders)?

    init(_ kind: Kind, _ message: String, answerable: (SIPMethod, SIPHeaders)? = nil) {
        self.kind = kind
        self.message = message
        self.answerable = answerable
    }

    /// True when a 4xx/5xx can be sent back (the request's identifying headers were readable).
    public var isAnswerable: Bool { answerable != nil }

    /// The status a proxy should answer with: 416, 505 or 400.
    public var statusCode: Int {
        switch kind {
        case .unsupportedURIScheme: 416
        case .unsupportedVersion: 505
        default: 400
        }
    }

    /// The response to send when answerable (never for ACK: ACKs are not answered, §17.2.3).
    public func response(toTag: String? = nil) -> SIPResponse? {
        guard let (method, headers) = answerable, method != .ack else { return nil }
        var response = SIPResponse(replyingToHeaders: headers, statusCode: statusCode, reasonPhrase: nil, toTag: toTag)
        response.headers.append("Warning", "399 tandem-proxy \(SIPText.quoted(message))")
        return response
    }

    public var description: String { message }

    public static func == (a: Self, b: Self) -> Bool {
        a.kind == b.kind && a.message == b.message && a.answerable?.headers == b.answerable?.headers
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
        hasher.combine(message)
    }
}
