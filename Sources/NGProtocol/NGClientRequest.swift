import Bencode

/// Builds request dictionaries the way a proxy sends them (tandem-ctl, tandem-proxy), so that
/// they work against rtpengine as well as Tandem.
public enum NGClientRequest {
    /// Keys whose value is a list; `key=value` options append to them (value split on ',').
    static let listKeys: Set<String> = [
        "direction", "replace", "rtcp-mux", "sdes", "osrtp", "t38", "supports", "from-tags", "received-from",
    ]

    public static func simple(_ command: NGCommand) -> BencodeDictionary {
        ["command": .text(command.wireName)]
    }

    public static func query(callID: String) -> BencodeDictionary {
        ["command": "query", "call-id": .text(callID)]
    }

    public static func delete(callID: String, fromTag: String?, options: [String] = []) -> BencodeDictionary {
        var dict: BencodeDictionary = ["command": "delete", "call-id": .text(callID)]
        if let fromTag { dict["from-tag"] = .text(fromTag) }
        addOptions(options, to: &dict)
        return dict
    }

    public static func offer(callID: String, fromTag: String, sdp: [UInt8], options: [String] = []) -> BencodeDictionary {
        var dict: BencodeDictionary = ["command": "offer", "call-id": .text(callID), "from-tag": .text(fromTag),
                                       "sdp": .string(sdp)]
        addOptions(options, to: &dict)
        return dict
    }

    public static func answer(callID: String, fromTag: String, toTag: String, sdp: [UInt8],
                              options: [String] = []) -> BencodeDictionary {
        var dict: BencodeDictionary = ["command": "answer", "call-id": .text(callID), "from-tag": .text(fromTag),
                                       "to-tag": .text(toTag), "sdp": .string(sdp)]
        addOptions(options, to: &dict)
        return dict
    }

    /// Options as on Kamailio's `rtpengine_offer("...")` line: `key=value` becomes a dictionary
    /// key (appended to a list for list keys such as `direction`), anything else is a flag.
    public static func addOptions(_ options: [String], to dict: inout BencodeDictionary) {
        var flags: [BencodeValue] = dict["flags"]?.listValue ?? []
        for option in options {
            guard let equals = option.firstIndex(of: "="), equals != option.startIndex else {
                flags.append(.text(option))
                continue
            }
            let key = String(option[..<equals])
            let value = String(option[option.index(after: equals)...])
            if listKeys.contains(NGName.canonical(key)) {
                let items = value.split(separator: ",").map { BencodeValue.text(String($0)) }
                dict[key] = .list((dict[key]?.listValue ?? []) + items)
            } else {
                dict[key] = .text(value)
            }
        }
        if !flags.isEmpty { dict["flags"] = .list(flags) }
    }

    /// A fresh cookie: unique enough per process and call, printable.
    public static func randomCookie() -> [UInt8] {
        Array(String(UInt64.random(in: 0...UInt64.max), radix: 36).utf8)
    }
}
