import SDP

/// The codecs Tandem can decode and encode (the set the data plane transcodes), with the
/// defaults rtpengine 10.5 uses when it synthesises one (`transcode: [...]`).
enum CodecCatalog {
    private struct Definition {
        var encoding: String
        var clockRate: UInt32
        var channels: Int
        var staticPayloadType: UInt8?
        var fmtp: String?
    }

    /// Unsupported codecs (GSM, G729, iLBC, ...) are passed through, never synthesised.
    private static let definitions: [Definition] = [
        Definition(encoding: "PCMU", clockRate: 8000, channels: 1, staticPayloadType: 0),
        Definition(encoding: "PCMA", clockRate: 8000, channels: 1, staticPayloadType: 8),
        Definition(encoding: "G722", clockRate: 8000, channels: 1, staticPayloadType: 9),
        Definition(encoding: "opus", clockRate: 48000, channels: 2),
        // rtpengine writes no fmtp for a synthesised opus, "0-15" for telephone-event.
        Definition(encoding: "telephone-event", clockRate: 8000, channels: 1, fmtp: "0-15"),
        Definition(encoding: "CN", clockRate: 8000, channels: 1, staticPayloadType: 13),
    ]

    private static func definition(_ encoding: String) -> Definition? {
        definitions.first { CodecCatalog.sameName($0.encoding, encoding) }
    }

    /// Codec names compare case-insensitively (rtpengine's codec name index does).
    /// Codec names are ASCII: those compare byte by byte, folding A-Z, without building the
    /// lowercased strings (this runs per codec per handler decision); any other text takes
    /// the general `lowercased()` comparison, so the result is the same for every input.
    static func sameName(_ a: String, _ b: String) -> Bool {
        let ascii = a.utf8.withContiguousStorageIfAvailable { x in
            b.utf8.withContiguousStorageIfAvailable { y in asciiSameName(x, y) } ?? nil
        } ?? nil
        if let ascii { return ascii }
        return a.lowercased() == b.lowercased()
    }

    /// nil when either name is not pure ASCII.
    private static func asciiSameName(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool? {
        var bits: UInt8 = 0
        for c in a { bits |= c }
        for c in b { bits |= c }
        guard bits < 0x80 else { return nil }
        guard a.count == b.count else { return false }
        for i in 0..<a.count where a[i] != b[i] && asciiLower(a[i]) != asciiLower(b[i]) {
            return false
        }
        return true
    }

    @inline(__always)
    private static func asciiLower(_ c: UInt8) -> UInt8 {
        c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") ? c | 0x20 : c
    }

    static func isSupplemental(_ encoding: String) -> Bool {
        CodecCatalog.sameName(encoding, "telephone-event")
            || CodecCatalog.sameName(encoding, "CN")
    }

    static func supports(_ format: PayloadFormat) -> Bool {
        guard let definition = definition(format.encoding) else { return false }
        if definition.encoding == "opus" { return format.clockRate == 48000 && (1...2).contains(format.channels) }
        if isSupplemental(definition.encoding) { return true }
        return format.clockRate == definition.clockRate && format.channels == 1
    }

    /// Payload type of a synthesised format that has no static number: the caller picks one.
    static let unassigned: UInt8 = 255

    /// A new payload format for `spec` (payload type = the static number, else `unassigned`);
    /// nil for a codec Tandem cannot transcode.
    static func format(for spec: CodecSpec) -> PayloadFormat? {
        guard let definition = definition(spec.encoding) else { return nil }
        let clock = spec.clockRate ?? definition.clockRate
        let channels = spec.channels ?? definition.channels
        let candidate = PayloadFormat(payloadType: 0, encoding: definition.encoding, clockRate: clock, channels: channels)
        guard supports(candidate) else { return nil }
        let isStatic = clock == definition.clockRate && channels == definition.channels
        let fmtp = spec.fmtp ?? definition.fmtp
        return PayloadFormat(
            payloadType: isStatic ? definition.staticPayloadType ?? unassigned : unassigned,
            encoding: definition.encoding, clockRate: clock, channels: channels, fmtp: fmtp, bitrate: spec.bitrate)
    }

    /// a=rtpmap (channels written only when not 1) and a=fmtp, as rtpengine emits them.
    static func lines(for format: PayloadFormat) -> [SDPLine] {
        var map = "\(format.payloadType) \(format.encoding)/\(format.clockRate)"
        if format.channels != 1 { map += "/\(format.channels)" }
        var lines: [SDPLine] = [.attribute("rtpmap", map)]
        if let fmtp = format.fmtp { lines.append(.attribute("fmtp", "\(format.payloadType) \(fmtp)")) }
        return lines
    }

    /// Same codec (encoding, clock rate, channels), whatever the payload type or fmtp.
    static func sameCodec(_ a: PayloadFormat, _ b: PayloadFormat) -> Bool {
        a.clockRate == b.clockRate && a.channels == b.channels
            && CodecCatalog.sameName(a.encoding, b.encoding)
    }
}
