extension SessionDescription {
    /// The description as text. For a description fresh from `init(parsing:)` this is
    /// byte-identical to the input; after edits, new lines end with `lineEnding`.
    public func serialized() -> String {
        var out = ""
        out.reserveCapacity(estimatedSize)
        let total = lines.count + media.reduce(0) { $0 + 1 + $1.lines.count }
        var written = 0
        func write(_ line: SDPLine) {
            written += 1
            out.append(line.type)
            out.append("=")
            out.append(line.value)
            // The last line gets no ending if the input's last line had none.
            if written < total || endsWithLineEnding { out.append(line.endingOverride ?? lineEnding) }
        }
        for line in lines { write(line) }
        for section in media {
            write(section.mediaSDPLine)
            for line in section.lines { write(line) }
        }
        out.append(trailer)
        return out
    }

    /// `serialized()` as UTF-8 bytes.
    public func serializedBytes() -> [UInt8] { Array(serialized().utf8) }

    private var estimatedSize: Int {
        func size(_ lines: [SDPLine]) -> Int { lines.reduce(0) { $0 + $1.value.utf8.count + 4 } }
        return size(lines) + media.reduce(0) { $0 + 64 + size($1.lines) } + trailer.utf8.count
    }
}
