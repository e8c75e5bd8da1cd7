import SDP

/// A media section's lines sorted into the groups rtpengine emits them in (see SDPRewriter).
/// Lines the relay regenerates or must not pass on (a=rtcp, a=rtcp-mux, ICE) are dropped here.
struct AttributeGroups {
    /// Non-attribute lines (i=, c=, b=, k=) in input order.
    var plain: [SDPLine] = []
    /// Attributes nobody manages, in input order (maxptime, ssrc, msid, rtcp-fb:* ...).
    var other: [SDPLine] = []
    var mid: [SDPLine] = []
    var direction: MediaDirection?
    var ptime: [SDPLine] = []
    /// The party's a=crypto, a=setup, a=fingerprint: never passed on (we terminate SRTP).
    var security: [SDPLine] = []
    /// rtpmap / fmtp / rtcp-fb lines per payload type, and the payload types in m= order.
    private var codec: [String: (rtpmap: [SDPLine], fmtp: [SDPLine], feedback: [SDPLine])] = [:]
    private let formats: [String]

    private static let dropped: Set<String> = SDPRewriter.iceAttributes.union(["rtcp", "rtcp-mux"])
    private static let securityOrder = ["crypto", "setup", "fingerprint"]  // a=tls-id passes as other (rtpengine)

    init(_ media: MediaDescription, formats: [String]) {
        self.formats = formats
        var security: [String: [SDPLine]] = [:]
        for line in media.lines {
            guard let name = line.attributeName else {
                plain.append(line)
                continue
            }
            if Self.dropped.contains(name) { continue }
            if let d = MediaDirection(rawValue: name) {
                direction = d
            } else if name == "mid" {
                mid.append(line)
            } else if name == "ptime" {
                ptime.append(line)
            } else if Self.securityOrder.contains(name) {
                security[name, default: []].append(line)
            } else if !sortIntoCodec(line, name: name) {
                other.append(line)
            }
        }
        self.security = Self.securityOrder.flatMap { security[$0] ?? [] }
    }

    /// Files rtpmap/fmtp/rtcp-fb lines under their payload type; false for anything else
    /// (including `a=rtcp-fb:*`, which applies to all payload types and stays in place).
    private mutating func sortIntoCodec(_ line: SDPLine, name: String) -> Bool {
        guard ["rtpmap", "fmtp", "rtcp-fb"].contains(name) else { return false }
        let rest = line.value.dropFirst(name.count + 1)
        let pt = String(rest.prefix { !$0.isWhitespace })
        guard pt != "*" else { return false }
        guard formats.contains(pt) else { return true }  // a payload type not in m=: dropped
        var entry = codec[pt] ?? ([], [], [])
        switch name {
        case "rtpmap": entry.rtpmap.append(line)
        case "fmtp": entry.fmtp.append(line)
        default: entry.feedback.append(line)
        }
        codec[pt] = entry
        return true
    }

    /// rtpengine states every static payload type explicitly.
    mutating func addStaticRTPMaps() {
        for format in formats {
            guard codec[format]?.rtpmap.isEmpty ?? true, let pt = Int(format),
                  let map = StaticPayloadTypes.rtpmap(for: pt) else { continue }
            var entry = codec[format] ?? ([], [], [])
            entry.rtpmap = [.attribute("rtpmap", map.value)]
            codec[format] = entry
        }
    }

    /// The codec block in m= order.
    var codecLines: [SDPLine] {
        var seen = Set<String>()
        return formats.flatMap { pt -> [SDPLine] in
            guard seen.insert(pt).inserted, let entry = codec[pt] else { return [] }
            return entry.rtpmap + entry.fmtp + entry.feedback
        }
    }
}
