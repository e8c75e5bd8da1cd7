/// Message boundaries on a stream transport (TCP/TLS, RFC 3261 §18.3): Content-Length is
/// mandatory there, so a message is its headers up to the blank line plus Content-Length bytes.
public enum SIPFraming: Hashable, Sendable {
    /// The buffer starts with a complete message of this many bytes (headers and body).
    case message(length: Int)
    /// The buffer starts with this many CR/LF bytes: keep-alives (RFC 5626 §3.5.1) to drop.
    /// A double CRLF ping ("\r\n\r\n") deserves a single CRLF pong.
    case keepAlive(length: Int)
    /// Not enough bytes yet; read more and ask again.
    case needMoreData
    /// The stream cannot be resynchronised (headers too large, bad Content-Length): close it.
    case invalid(SIPParseError)

    /// Finds the extent of the first message in `buffer`. A message without Content-Length is
    /// taken to have an empty body.
    public static func frame(_ buffer: some Collection<UInt8>, limits: SIPParseLimits = .default) -> SIPFraming {
        let bytes = Array(buffer)
        var start = 0
        while start < bytes.count, bytes[start] == 13 || bytes[start] == 10 { start += 1 }
        if start > 0 { return .keepAlive(length: start) }
        guard let headerEnd = endOfHeaders(bytes) else {
            if bytes.count > limits.maxMessageSize {
                return .invalid(SIPParseError(.tooLarge, "no end of headers within \(limits.maxMessageSize) bytes"))
            }
            return .needMoreData
        }
        guard let length = contentLength(bytes[..<headerEnd]) else {
            return .invalid(SIPParseError(.badContentLength, "Content-Length is not one decimal number"))
        }
        let total = headerEnd + length
        guard total <= limits.maxMessageSize else {
            return .invalid(SIPParseError(.tooLarge, "message is \(total) bytes, more than the limit of \(limits.maxMessageSize)"))
        }
        return bytes.count >= total ? .message(length: total) : .needMoreData
    }

    /// Index just past the blank line (CRLFCRLF or LFLF, or a mix), or nil when not yet seen.
    private static func endOfHeaders(_ bytes: [UInt8]) -> Int? {
        var i = 0
        while i < bytes.count {
            if bytes[i] == 10 {
                var j = i + 1
                if j < bytes.count, bytes[j] == 13 { j += 1 }
                if j < bytes.count, bytes[j] == 10 { return j + 1 }
            }
            i += 1
        }
        return nil
    }

    /// The Content-Length (or `l:`) value among the header lines; 0 when absent, nil when bad.
    private static func contentLength(_ head: ArraySlice<UInt8>) -> Int? {
        let text = String(decoding: head, as: UTF8.self)
        var found: Int?
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }).dropFirst() {
            guard let colon = line.firstIndex(of: ":"),
                  SIPHeaderName.key(SIPText.trim(line[..<colon])) == "content-length" else { continue }
            guard found == nil, let value = ContentLength(line[line.index(after: colon)...]) else { return nil }
            found = value.value
        }
        return found ?? 0
    }
}
