import Bencode

/// The `flags` list. Besides plain boolean flags, rtpengine (and Kamailio's rtpengine module)
/// put options there in three other shapes, all accepted here:
///   - special words: `trust-address`, `SIP-source-address`, `internal`/`external` (direction),
///     `always-transcode`, transport names such as `RTP/SAVPF`;
///   - a prefix plus a value: `replace-origin`, `rtcp-mux-demux`, `SDES-off`, `OSRTP-offer`,
///     `codec-strip-PCMA`, `transcode-opus`, `endpoint-learning-delayed`, `from-tags-abc`, `T38-decode`;
///   - `key=value` for any dictionary key: `ICE=remove`, `direction=pub`, `address-family=IP6`,
///     `transport-protocol=RTP/AVP`, `codec-mask=all`, `delete-delay=0`.
/// Anything else is kept, canonicalised, in `unknownFlags`.
extension NGRequest {
    mutating func applyFlag(_ raw: [UInt8]) {
        let name = NGName.canonical(raw)
        if let flag = NGFlag.lookup(canonical: name) {
            flags.insert(flag)
            if flag == .all { all = "all" }
        } else if applySpecialWord(name) {
            return
        } else if applyPrefixed(raw: raw, canonical: name) {
            return
        } else if let equals = raw.firstIndex(of: UInt8(ascii: "=")) {
            applyKeyValueFlag(key: Array(raw[..<equals]), value: Array(raw[(equals + 1)...]))
        } else {
            unknownFlags.append(name)
        }
    }

    /// `rtpp-flags`: Kamailio's raw flag string, space-separated, same vocabulary as `flags`.
    /// (rtpengine's bracketed list syntax inside it, `codec-strip=[PCMA PCMU]`, is not supported.)
    mutating func applyRTPPFlags(_ value: BencodeValue) {
        guard let raw = value.bytesValue else {
            warnings.append("'rtpp-flags' must be a string")
            return
        }
        for token in raw.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true) {
            applyFlag(Array(token))
        }
    }

    private static let transportNames: [String: String] = [
        "rtp/avp": "RTP/AVP", "rtp/savp": "RTP/SAVP", "rtp/avpf": "RTP/AVPF", "rtp/savpf": "RTP/SAVPF",
        "udp/tls/rtp/savp": "UDP/TLS/RTP/SAVP", "udp/tls/rtp/savpf": "UDP/TLS/RTP/SAVPF",
    ]

    private mutating func applySpecialWord(_ name: String) -> Bool {
        switch name {
        case "trust-address": trustAddress = true
        case "sip-source-address": trustAddress = false
        case "internal", "external": appendDirection(name)
        case "always-transcode": codec.accept.append("all")
        default:
            guard let transport = Self.transportNames[name] else { return false }
            transportProtocol = transport
        }
        return true
    }

    /// Prefixes are found in the canonical name; the value is cut from the raw bytes so that
    /// case and underscores in it survive (codec names, crypto suites).
    private mutating func applyPrefixed(raw: [UInt8], canonical name: String) -> Bool {
        for (prefix, handler) in Self.prefixHandlers where name.hasPrefix(prefix) && name.utf8.count > prefix.utf8.count {
            handler(&self, Array(raw[prefix.utf8.count...]))
            return true
        }
        return false
    }

    private typealias PrefixHandler = @Sendable (inout NGRequest, [UInt8]) -> Void

    /// Longer prefixes first where one extends another (none do today, but keep it safe).
    private static let prefixHandlers: [(String, PrefixHandler)] = [
        ("replace-", { $0.applyReplace($1) }),
        ("rtcp-mux-", { $0.applyRTCPMux($1) }),
        ("sdes-", { $0.sdes.append($0.text($1)) }),
        ("osrtp-", { $0.osrtp.append($0.text($1)) }),
        ("endpoint-learning-", { $0.endpointLearning = NGName.canonical($1) }),
        ("from-tags-", { $0.fromTags.append($0.text(NGName.unescapeFlagValue($1))) }),
        ("codec-strip-", { $0.appendCodec($1, operation: "strip") }),
        ("codec-offer-", { $0.appendCodec($1, operation: "offer") }),
        ("codec-transcode-", { $0.appendCodec($1, operation: "transcode") }),
        ("transcode-", { $0.appendCodec($1, operation: "transcode") }),
        ("codec-mask-", { $0.appendCodec($1, operation: "mask") }),
        ("codec-accept-", { $0.appendCodec($1, operation: "accept") }),
        ("codec-consume-", { $0.appendCodec($1, operation: "consume") }),
        ("codec-except-", { $0.appendCodec($1, operation: "except") }),
        ("codec-set-", { $0.appendCodec($1, operation: "set") }),
        ("t38-", { $0.t38.append(NGName.canonical($1)) }),
        ("t.38-", { $0.t38.append(NGName.canonical($1)) }),
    ]

    private mutating func applyKeyValueFlag(key rawKey: [UInt8], value: [UInt8]) {
        let name = NGName.canonical(rawKey)
        switch name {
        case "direction":
            appendDirection(text(value))
        case "from-tag":
            // rtpengine: a from-tag override in flags makes the command directional.
            fromTag = text(value)
            flags.insert(.directional)
        case "transcode", "codec-transcode", "codec-strip", "codec-offer", "codec-mask",
             "codec-accept", "codec-consume", "codec-except", "codec-set":
            let operation = name.hasPrefix("codec-") ? String(name.dropFirst("codec-".count)) : name
            for item in value.split(separator: UInt8(ascii: ",")) { appendCodec(Array(item), operation: operation) }
        default:
            guard let key = NGKey.lookup(canonical: name) else {
                unknownFlags.append(NGName.canonical(rawKey + [UInt8(ascii: "=")] + value))
                return
            }
            apply(key, .string(value))
        }
    }
}
