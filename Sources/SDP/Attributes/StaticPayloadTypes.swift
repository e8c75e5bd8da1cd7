/// The static audio/video payload types of RFC 3551 §6 (tables 4 and 5). rtpengine writes an
/// `a=rtpmap` for static payload types in its output even when the input had none, so the
/// call model needs the implied mapping.
public enum StaticPayloadTypes {
    /// The implied `a=rtpmap` for a static payload type; nil for dynamic or unassigned ones.
    public static func rtpmap(for payloadType: Int) -> RTPMap? {
        guard let entry = table[payloadType] else { return nil }
        return RTPMap(payloadType: payloadType, encoding: entry.encoding, clockRate: entry.clockRate,
                      encodingParameters: entry.channels)
    }

    /// Payload types with a static assignment, ascending.
    public static var all: [Int] { table.keys.sorted() }

    private static let table: [Int: (encoding: String, clockRate: Int, channels: String?)] = [
        0: ("PCMU", 8000, nil),
        3: ("GSM", 8000, nil),
        4: ("G723", 8000, nil),
        5: ("DVI4", 8000, nil),
        6: ("DVI4", 16000, nil),
        7: ("LPC", 8000, nil),
        8: ("PCMA", 8000, nil),
        9: ("G722", 8000, nil),
        10: ("L16", 44100, "2"),
        11: ("L16", 44100, nil),
        12: ("QCELP", 8000, nil),
        13: ("CN", 8000, nil),
        14: ("MPA", 90000, nil),
        15: ("G728", 8000, nil),
        16: ("DVI4", 11025, nil),
        17: ("DVI4", 22050, nil),
        18: ("G729", 8000, nil),
        25: ("CelB", 90000, nil),
        26: ("JPEG", 90000, nil),
        28: ("nv", 90000, nil),
        31: ("H261", 90000, nil),
        32: ("MPV", 90000, nil),
        33: ("MP2T", 90000, nil),
        34: ("H263", 90000, nil),
    ]
}
