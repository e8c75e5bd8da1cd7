import Bencode
import TandemBase

/// Applying one dictionary key (or one `key=value` flag) to the typed request.
extension NGRequest {
    mutating func apply(rawKey: [UInt8], value: BencodeValue) {
        let name = NGName.canonical(rawKey)
        guard let key = NGKey.lookup(canonical: name) else {
            warnings.append("unknown dictionary key '\(String(decoding: rawKey, as: UTF8.self))'")
            return
        }
        apply(key, value)
    }

    mutating func apply(_ key: NGKey, _ value: BencodeValue) {
        switch key {
        case .command: break
        case .callID: callID = text(value, key) ?? callID
        case .fromTag: fromTag = text(value, key) ?? fromTag
        case .toTag: toTag = text(value, key) ?? toTag
        case .viaBranch: viaBranch = text(value, key) ?? viaBranch
        case .sdp: sdp = value.bytesValue ?? sdp
        case .flags: for item in rawList(value, key) { applyFlag(item) }
        case .rtppFlags: applyRTPPFlags(value)
        case .replace: for item in rawList(value, key) { applyReplace(item) }
        case .direction: for item in rawList(value, key) { appendDirection(text(item)) }
        case .fromInterface: setDirection(index: 0, text(value, key))
        case .toInterface: setDirection(index: 1, text(value, key))
        case .interface: interface = text(value, key) ?? interface
        case .receivedFrom: applyReceivedFrom(value)
        case .mediaAddress: applyMediaAddress(value)
        case .addressFamily: applyAddressFamily(value)
        case .ice: ice = option(value, key, aliases: ["force-relay": .forceRelay]) ?? ice
        case .iceLite: iceLite = option(value, key, aliases: NGICELiteOption.aliases) ?? iceLite
        case .rtcpMux: for item in rawList(value, key) { applyRTCPMux(item) }
        case .transportProtocol: transportProtocol = text(value, key) ?? transportProtocol
        case .dtls: dtls = option(value, key, aliases: NGDTLSOption.aliases) ?? dtls
        case .dtlsReverse: dtlsReverse = option(value, key, aliases: [:]) ?? dtlsReverse
        case .dtlsFingerprint: dtlsFingerprint = text(value, key) ?? dtlsFingerprint
        case .sdes: sdes += rawList(value, key).map(text)
        case .osrtp: osrtp += rawList(value, key).map(text)
        case .codec: applyCodecDictionary(value)
        case .t38: t38 += rawList(value, key).map { NGName.canonical($0) }
        case .label: label = text(value, key) ?? label
        case .setLabel: setLabel = text(value, key) ?? setLabel
        case .toLabel: toLabel = text(value, key) ?? toLabel
        case .ptime: ptime = integer(value, key) ?? ptime
        case .ptimeReverse: ptimeReverse = integer(value, key) ?? ptimeReverse
        case .tos: tos = integer(value, key) ?? tos
        case .deleteDelay: deleteDelay = integer(value, key) ?? deleteDelay
        case .limit: limit = integer(value, key) ?? limit
        case .recordCall: recordCall = text(value, key) ?? recordCall
        case .metadata: metadata = text(value, key) ?? metadata
        case .endpointLearning: endpointLearning = text(value, key).map(NGName.canonical) ?? endpointLearning
        case .fromTags: fromTags += rawList(value, key).map { text(NGName.unescapeFlagValue($0)) }
        case .supports: supports += rawList(value, key).map(text)
        case .all: all = text(value, key).map(NGName.canonical) ?? all
        }
    }

    // MARK: Value readers

    func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    /// A string value, or nil (with a warning) for other kinds.
    mutating func text(_ value: BencodeValue, _ key: NGKey) -> String? {
        guard let bytes = value.bytesValue else {
            warnings.append("'\(key.rawValue)' must be a string, got \(value.kindName)")
            return nil
        }
        return text(bytes)
    }

    /// rtpengine's get_int_str: an integer, or a string holding a decimal integer.
    mutating func integer(_ value: BencodeValue, _ key: NGKey) -> Int? {
        switch value {
        case .integer(let number): return Int(exactly: number)
        case .string(let bytes):
            if let number = Int(text(bytes)) { return number }
        default: break
        }
        warnings.append("'\(key.rawValue)' must be an integer")
        return nil
    }

    /// List values (strings only); a plain string is a comma-separated list, as in rtpengine.
    mutating func rawList(_ value: BencodeValue, _ key: NGKey) -> [[UInt8]] {
        switch value {
        case .list(let items):
            let strings = items.compactMap(\.bytesValue)
            if strings.count != items.count { warnings.append("non-string items in '\(key.rawValue)' ignored") }
            return strings
        case .string(let bytes):
            return bytes.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: true).map(Array.init)
        default:
            warnings.append("'\(key.rawValue)' must be a list, got \(value.kindName)")
            return []
        }
    }

    /// An enumerated option from a string, by canonical name or alias.
    mutating func option<Option: RawRepresentable<String>>(
        _ value: BencodeValue, _ key: NGKey, aliases: [String: Option]
    ) -> Option? {
        guard let raw = text(value, key) else { return nil }
        let name = NGName.canonical(raw)
        if let option = Option(rawValue: name) ?? aliases[name] { return option }
        warnings.append("unknown '\(key.rawValue)' value '\(raw)'")
        return nil
    }

    // MARK: Keys with structure

    mutating func appendDirection(_ name: String) {
        guard direction.count < 2 else {
            warnings.append("more than two 'direction' interfaces; '\(name)' ignored")
            return
        }
        direction.append(name)
    }

    mutating func setDirection(index: Int, _ name: String?) {
        guard let name else { return }
        while direction.count <= index { direction.append("") }
        direction[index] = name
    }

    /// `["IP4", "1.2.3.4"]`, or a bare address string.
    mutating func applyReceivedFrom(_ value: BencodeValue) {
        if let address = value.bytesValue {
            receivedFrom = NGReceivedFrom(family: nil, address: text(address))
            return
        }
        guard let items = value.listValue, items.count >= 2,
              let family = items[0].bytesValue, let address = items[1].bytesValue else {
            warnings.append("'received-from' must be [family, address]")
            return
        }
        receivedFrom = NGReceivedFrom(family: text(family), address: text(address))
    }

    mutating func applyMediaAddress(_ value: BencodeValue) {
        guard let raw = text(value, .mediaAddress) else { return }
        guard let address = IPAddress(raw) else {
            warnings.append("could not parse 'media-address' '\(raw)'")
            return
        }
        mediaAddress = address
    }

    mutating func applyAddressFamily(_ value: BencodeValue) {
        guard let raw = text(value, .addressFamily) else { return }
        switch NGName.canonical(raw) {
        case "ip4", "ipv4": addressFamily = .ipv4
        case "ip6", "ipv6": addressFamily = .ipv6
        default: warnings.append("unknown 'address-family' '\(raw)'")
        }
    }

    mutating func applyReplace(_ raw: [UInt8]) {
        let name = NGName.canonical(raw)
        let aliases: [String: NGReplaceOption] = ["force-increment-sdp-version": .forceIncrementSDPVersion]
        if let option = NGReplaceOption(rawValue: name) ?? aliases[name] {
            replace.insert(option)
        } else {
            warnings.append("unknown 'replace' option '\(name)'")
        }
    }

    mutating func applyRTCPMux(_ raw: [UInt8]) {
        let name = NGName.canonical(raw)
        if let option = NGRTCPMuxOption(rawValue: name) {
            rtcpMux.insert(option)
        } else {
            warnings.append("unknown 'rtcp-mux' option '\(name)'")
        }
    }

    /// `codec: { strip: [...], transcode: [...], ... }`.
    mutating func applyCodecDictionary(_ value: BencodeValue) {
        guard let dict = value.dictionaryValue else {
            warnings.append("'codec' must be a dictionary")
            return
        }
        for entry in dict.entries {
            let operation = NGName.canonical(entry.key)
            for item in rawList(entry.value, .codec) {
                appendCodec(item, operation: operation)
            }
        }
    }

    mutating func appendCodec(_ raw: [UInt8], operation: String) {
        if !codec.append(text(NGName.unescapeFlagValue(raw)), operation: operation) {
            warnings.append("unknown 'codec' operation '\(operation)'")
        }
    }
}
