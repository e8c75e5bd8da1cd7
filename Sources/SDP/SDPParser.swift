extension SessionDescription {
    /// Parses a session description with the default limits. See `SDPParser` for what is accepted.
    public init(parsing text: String) throws(SDPError) {
        try self.init(parsing: text, limits: .default)
    }

    /// Parses raw bytes (an ng `sdp` string) with the default limits. Bytes that are not valid
    /// UTF-8 are rejected, since they could not be printed back unchanged.
    public init(parsing bytes: some Collection<UInt8>) throws(SDPError) {
        try self.init(parsing: bytes, limits: .default)
    }

    public init(parsing text: String, limits: SDPParseLimits) throws(SDPError) {
        let size = text.utf8.count
        guard size <= limits.maxBytes else { throw .inputTooLarge(size: size, limit: limits.maxBytes) }
        var parser = SDPParser(bytes: Array(text.utf8), knownValidUTF8: true, limits: limits)
        self = try parser.parse()
    }

    public init(parsing bytes: some Collection<UInt8>, limits: SDPParseLimits) throws(SDPError) {
        guard bytes.count <= limits.maxBytes else { throw .inputTooLarge(size: bytes.count, limit: limits.maxBytes) }
        var parser = SDPParser(bytes: Array(bytes), knownValidUTF8: false, limits: limits)
        self = try parser.parse()
    }
}

/// Splits the input into lines and builds the model.
///
/// Accepted (liberal, like rtpengine): CRLF, bare LF and a mix of both (each line remembers
/// an ending that differs from the first line's); a last line without an ending; blank lines
/// after the last line (kept in `trailer`); unknown line types (kept verbatim); any `v=` value.
/// Rejected: empty input, a first line that is not `v=`, a line without `=` at index 1 (this
/// includes a blank line in the middle), invalid UTF-8, a malformed `m=`, `o=` or `c=` line,
/// `v=` after line 1, `o=`/`s=` inside a media section, and a second `o=` or `c=` at one level
/// (rtpengine rejects these too). Only `\n` ends a line; a `\r` not followed by `\n` is content.
struct SDPParser {
    private let bytes: [UInt8]
    private let knownValidUTF8: Bool
    private let limits: SDPParseLimits

    /// One line of input: content range (without ending) and the ending found after it.
    private struct RawLine {
        var start: Int
        var end: Int
        var ending: String   // "\r\n", "\n" or "" (last line without ending)
    }

    init(bytes: [UInt8], knownValidUTF8: Bool, limits: SDPParseLimits) {
        self.bytes = bytes
        self.knownValidUTF8 = knownValidUTF8
        self.limits = limits
    }

    mutating func parse() throws(SDPError) -> SessionDescription {
        guard !bytes.isEmpty else { throw .emptyInput }
        var raw = try splitLines()
        let trailer = takeTrailer(&raw)
        if !knownValidUTF8 { try validateUTF8(raw) }
        return try build(raw, trailer: trailer)
    }

    // MARK: Splitting

    private func splitLines() throws(SDPError) -> [RawLine] {
        var lines: [RawLine] = []
        var start = 0
        while start < bytes.count {
            guard lines.count < limits.maxLines else { throw .tooManyLines(limit: limits.maxLines) }
            guard let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) else {
                lines.append(RawLine(start: start, end: bytes.count, ending: ""))
                break
            }
            let hasCR = newline > start && bytes[newline - 1] == UInt8(ascii: "\r")
            lines.append(RawLine(start: start, end: hasCR ? newline - 1 : newline, ending: hasCR ? "\r\n" : "\n"))
            start = newline + 1
        }
        return lines
    }

    /// Moves blank lines at the end (other than the first line) into the trailer text.
    private func takeTrailer(_ lines: inout [RawLine]) -> String {
        var trailerStart: Int?
        while lines.count > 1, let last = lines.last, isBlank(last) {
            trailerStart = last.start
            lines.removeLast()
        }
        guard let trailerStart else { return "" }
        return String(decoding: bytes[trailerStart...], as: UTF8.self)
    }

    private func isBlank(_ line: RawLine) -> Bool {
        line.start == line.end || (line.end == line.start + 1 && bytes[line.start] == UInt8(ascii: "\r"))
    }

    private func validateUTF8(_ lines: [RawLine]) throws(SDPError) {
        guard String(validating: bytes, as: UTF8.self) == nil else { return }
        // Slow path, only for bad input: find the offending line for the message.
        for (i, line) in lines.enumerated() where String(validating: bytes[line.start..<line.end], as: UTF8.self) == nil {
            throw .invalidUTF8(line: i + 1)
        }
        throw .invalidUTF8(line: lines.count + 1)   // in the trailer: cannot happen (only CR/LF)
    }

    // MARK: Building the model

    private func build(_ raw: [RawLine], trailer: String) throws(SDPError) -> SessionDescription {
        let lineEnding = raw[0].ending.isEmpty ? "\r\n" : raw[0].ending
        var builder = ModelBuilder(lineEnding: lineEnding)
        for (i, rawLine) in raw.enumerated() {
            let line = try makeLine(rawLine, number: i + 1, lineEnding: lineEnding)
            try builder.add(line, number: i + 1)
        }
        var description = builder.finish()
        description.endsWithLineEnding = !(raw.last?.ending.isEmpty ?? false)
        description.trailer = trailer
        return description
    }

    private func makeLine(_ raw: RawLine, number: Int, lineEnding: String) throws(SDPError) -> SDPLine {
        let length = raw.end - raw.start
        let isTypeValue = length >= 2 && bytes[raw.start + 1] == UInt8(ascii: "=") && bytes[raw.start] < 0x80
        if number == 1 && !(isTypeValue && bytes[raw.start] == UInt8(ascii: "v")) { throw .missingVersionLine }
        guard isTypeValue else { throw .malformedLine(line: number) }
        let type = Character(Unicode.Scalar(bytes[raw.start]))
        let value = String(decoding: bytes[(raw.start + 2)..<raw.end], as: UTF8.self)
        let override = (raw.ending.isEmpty || raw.ending == lineEnding) ? nil : raw.ending
        return SDPLine(type: type, value: value, endingOverride: override)
    }
}
