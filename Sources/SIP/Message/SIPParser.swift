extension SIPMessage {
    /// Parses one message from a datagram or from a stream slice that `SIPFraming` delimited.
    ///
    /// Accepted: CRLF or bare LF line ends, leading CRLFs (keep-alives, §7.5), folded header
    /// lines (unfolded with one space), compact header names, a missing blank line at the very
    /// end of a body-less message, a body without Content-Length (the rest of the datagram),
    /// bytes beyond Content-Length (ignored, §18.3). Checked: start line, SIP/2.0, header line
    /// syntax, presence and syntax of Via, From, To, Call-ID and CSeq, CSeq method = request
    /// method, Content-Length. Errors say whether a 400 can be sent (`isAnswerable`).
    public static func parse(_ bytes: some Collection<UInt8>, limits: SIPParseLimits = .default) throws(SIPParseError) -> SIPMessage {
        guard bytes.count <= limits.maxMessageSize else {
            throw SIPParseError(.tooLarge, "message is \(bytes.count) bytes, more than the limit of \(limits.maxMessageSize)")
        }
        var parser = SIPMessageParser(bytes: Array(bytes), limits: limits)
        return try parser.parse()
    }
}

/// Line splitting and message assembly; one instance per message.
struct SIPMessageParser {
    private let bytes: [UInt8]
    private let limits: SIPParseLimits
    private var position = 0

    init(bytes: [UInt8], limits: SIPParseLimits) {
        self.bytes = bytes
        self.limits = limits
    }

    mutating func parse() throws(SIPParseError) -> SIPMessage {
        skipLeadingLineEnds()
        guard let first = nextLine(), !first.isEmpty else { throw SIPParseError(.empty, "message is empty") }
        let startLine = try SIPStartLine.parse(decode(first), limits: limits)
        let headers = try readHeaders()
        let bodyStart = position
        switch startLine {
        case .request(let method, let uri):
            let answerable = try SIPMessageValidator.checkRequest(method: method, headers: headers)
            if case .failure(let error) = uri {
                throw SIPParseError(error.kind, error.message, answerable: answerable)
            }
            let body = try readBody(from: bodyStart, headers: headers, answerable: answerable)
            guard case .success(let uri) = uri else { throw SIPParseError(.badRequestURI, "bad Request-URI") }
            return .request(SIPRequest(method: method, uri: uri, headers: headers, body: body))
        case .response(let code, let reason):
            try SIPMessageValidator.checkResponse(headers: headers)
            let body = try readBody(from: bodyStart, headers: headers, answerable: nil)
            return .response(SIPResponse(statusCode: code, reasonPhrase: reason, headers: headers, body: body))
        }
    }

    // MARK: Lines

    private mutating func skipLeadingLineEnds() {
        while position < bytes.count, bytes[position] == 13 || bytes[position] == 10 { position += 1 }
    }

    /// The next line without its CRLF/LF, or nil at the end of input. An empty line (the end of
    /// the headers) is returned as an empty slice.
    private mutating func nextLine() -> ArraySlice<UInt8>? {
        guard position < bytes.count else { return nil }
        let start = position
        guard let lf = bytes[start...].firstIndex(of: 10) else {
            position = bytes.count
            return bytes[start...]
        }
        position = lf + 1
        let end = lf > start && bytes[lf - 1] == 13 ? lf - 1 : lf
        return bytes[start..<end]
    }

    private func decode(_ line: ArraySlice<UInt8>) throws(SIPParseError) -> String {
        guard line.count <= limits.maxLineLength else {
            throw SIPParseError(.lineTooLong, "a line is longer than \(limits.maxLineLength) bytes")
        }
        return String(decoding: line, as: UTF8.self)
    }

    /// Header lines up to the blank line (or the end of input), continuation lines unfolded.
    private mutating func readHeaders() throws(SIPParseError) -> SIPHeaders {
        var lines: [String] = []
        while let line = nextLine(), !line.isEmpty {
            let text = try decode(line)
            if let c = line.first, c == 32 || c == 9 {
                guard let last = lines.popLast() else {
                    throw SIPParseError(.badHeaderLine, "continuation line before the first header")
                }
                let joined = last + " " + SIPText.trim(text)
                guard joined.utf8.count <= limits.maxLineLength else {
                    throw SIPParseError(.lineTooLong, "a folded header is longer than \(limits.maxLineLength) bytes")
                }
                lines.append(joined)
                continue
            }
            guard lines.count < limits.maxHeaderCount else {
                throw SIPParseError(.tooManyHeaders, "more than \(limits.maxHeaderCount) header lines")
            }
            lines.append(text)
        }
        var headers = SIPHeaders()
        for (index, line) in lines.enumerated() {
            guard let field = Self.headerField(line) else {
                throw SIPParseError(.badHeaderLine, "header line \(index + 1) is not 'Name: value'")
            }
            headers.append(field.name, field.value)
        }
        return headers
    }

    /// `Name: value`, whitespace allowed before the colon (HCOLON).
    private static func headerField(_ line: String) -> (name: String, value: String)? {
        guard let colon = line.firstIndex(of: ":") else { return nil }
        let name = SIPText.trim(line[..<colon])
        guard SIPText.isToken(name) else { return nil }
        return (String(name), String(SIPText.trim(line[line.index(after: colon)...])))
    }

    // MARK: Body

    private func readBody(from start: Int, headers: SIPHeaders,
                          answerable: (SIPMethod, SIPHeaders)?) throws(SIPParseError) -> [UInt8] {
        let available = bytes.count - start
        guard headers.contains("Content-Length") else { return Array(bytes[start...]) }
        let values = headers.values("Content-Length")
        guard values.count == 1, let length = ContentLength(values[0]) else {
            throw SIPParseError(.badContentLength, "Content-Length is not one decimal number", answerable: answerable)
        }
        guard length.value <= available else {
            throw SIPParseError(.truncatedBody, "Content-Length is \(length.value) but only \(available) body bytes arrived",
                                answerable: answerable)
        }
        return Array(bytes[start..<(start + length.value)])
    }
}
