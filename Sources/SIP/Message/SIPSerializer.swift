extension SIPMessage {
    /// The wire form: start line, header lines in order (`Name: value`), blank line, body; CRLF
    /// line ends. Content-Length is always written and always the body's length: an existing
    /// Content-Length line (any spelling) is rewritten in place, otherwise one is appended.
    public func serialized() -> [UInt8] {
        SIPSerializer.bytes(startLine: startLine, headers: headers, body: body)
    }
}

extension SIPRequest {
    public func serialized() -> [UInt8] { SIPMessage.request(self).serialized() }
}

extension SIPResponse {
    public func serialized() -> [UInt8] { SIPMessage.response(self).serialized() }
}

enum SIPSerializer {
    static func bytes(startLine: String, headers: SIPHeaders, body: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512 + body.count)
        appendLine(&out, startLine)
        var wroteLength = false
        for field in headers.fields {
            if field.key == "content-length" {
                // One Content-Length line, at the position of the first one.
                if !wroteLength { appendLine(&out, field.name + ": " + String(body.count)) }
                wroteLength = true
            } else {
                appendLine(&out, field.name + ": " + field.value)
            }
        }
        if !wroteLength { appendLine(&out, "Content-Length: " + String(body.count)) }
        out += [13, 10]
        out += body
        return out
    }

    private static func appendLine(_ out: inout [UInt8], _ line: String) {
        out += line.utf8
        out += [13, 10]
    }
}
