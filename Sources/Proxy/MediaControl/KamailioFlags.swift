import Bencode
import NGProtocol
import TandemBase

/// A flag string as written in `rtpengine_offer("...")`, `rtpengine_answer`, `rtpengine_delete`,
/// `rtpengine_manage` on a Kamailio configuration line, parsed the way Kamailio's rtpengine module
/// parses it (src/modules/rtpengine/rtpengine.c, `parse_flags()` and its helpers
/// `str_key_val_prefix()` and `parse_codec_flag()`), so that a configuration written for
/// Kamailio produces the same ng request from `tandem-proxy`.
///
/// Tokenising, as `parse_flags()` does it:
///   - tokens are separated by spaces only (a tab is part of a token);
///   - a token is `key` or `key=value`; the key ends at the first '=' and the value runs to the
///     next space, so a value may contain '=' (`label=a=b` is key `label`, value `a=b`);
///   - an empty key (a token starting with '=') ends parsing: everything after it is ignored.
///
/// Then, in this order (the first match wins):
///   1. sub-lists, `foo-bar` or `foo=bar` (`str_key_val_prefix`): `replace` -> `replace`,
///      `received-from` -> `received-from` (["IP4"|"IP6", address]), `SDES` -> `SDES`,
///      `T38`/`T.38` -> `T.38`, `rtcp-mux` -> `rtcp-mux`;
///   2. codec lists (`parse_codec_flag`) into the `codec` dictionary: `transcode`/`codec-transcode`
///      -> `transcode`, `codec-strip` -> `strip`, `codec-offer` -> `offer`, `codec-mask` -> `mask`,
///      `codec-set` -> `set`, `codec-except` -> `except`, `codec-accept` -> `accept`,
///      `codec-consume` -> `consume`;
///   3. special words: transport words (`RTP`, `AVP`, `SRTP`, `AVPF`, `DTLS` as bits, the full
///      `RTP/AVP` ... `UDP/TLS/RTP/SAVPF` as values) -> `transport-protocol`; `TOS=n` and
///      `repacketize=n` -> integers; `internal`/`external`/`direction=x` -> `direction`;
///      `call-id=`, `from-tag=`, `to-tag[=]` override the SIP message's values; `via-branch=`
///      chooses the Via branch; `from-tags=` -> `from-tags`; `directional`; `force-answer` turns an
///      offer into an answer; `delete-delay=n` -> integer `delete delay` AND the generic string
///      `delete-delay` (the module falls through to the generic case after adding the integer);
///   4. anything else: a bare word is appended to `flags`, `key=value` becomes a dictionary entry
///      (so `ICE=remove`, `DTLS=passive`, `address-family=IP6`, `label=caller`,
///      `media-address=1.2.3.4` pass through as strings, and a repeated key is sent twice).
///
/// Sub-lists and the codec dictionary exist only for offer and answer: in any other command the
/// module adds to a NULL list, i.e. drops the item silently, and so do we.
public struct KamailioFlags: Hashable, Sendable {
    /// The command after parsing: `force-answer` turns `offer` into `answer`.
    public private(set) var command: NGCommand
    /// False when the function was called without a flag string at all (`rtpengine_delete()`):
    /// the module then adds neither `flags` nor the sub-lists nor `received-from`.
    public private(set) var hasFlagString: Bool
    /// Entries added to the request dictionary while parsing, in order of appearance: generic
    /// `key=value` strings, `TOS`, `repacketize`, `delete delay`. Keys may repeat.
    public var items = BencodeDictionary()
    public var flags: [String] = []
    public var direction: [String] = []
    public var replace: [String] = []
    public var rtcpMux: [String] = []
    public var sdes: [String] = []
    public var t38: [String] = []
    /// `["IP4", "1.2.3.4", ...]`, from `received-from=`; empty means "the SIP source address".
    public var receivedFrom: [String] = []
    public var fromTags: [String] = []
    /// `strip`, `offer`, `transcode`... each a list of strings, in order of first appearance.
    public var codec = BencodeDictionary()
    /// The module's transport bit field: 0x100 "set", 0x001 SRTP, 0x002 AVPF, 0x004 DTLS.
    public var transportBits: UInt16 = 0
    public var callID: String?
    public var fromTag: String?
    public var toTag: String?
    /// The module's `ng_flags->to`: send the to-tag. True except for delete, where only a
    /// `to-tag` word turns it on.
    public var includeToTag: Bool
    /// `directional` or `from-tag=`: keep from/to as given instead of swapping them in replies.
    public var directional = false
    /// Which branch to send as `via-branch`; the proxy resolves it against the message.
    public var viaBranch: KamailioViaBranch?

    public init(command: NGCommand) {
        self.command = command
        self.hasFlagString = false
        self.includeToTag = command != .delete && command != .subscribeRequest
    }

    /// `transport-protocol` as the module sends it: `transports[bits & 7]` when bit 0x100 is
    /// set. Indices 5 (DTLS+SRTP) and 7 (DTLS+SRTP+AVPF) have no entry in the module's table
    /// (5 is NULL and is not added; 7 reads past the array): we send nothing for either.
    public var transportProtocol: String? {
        guard transportBits & 0x100 != 0 else { return nil }
        switch transportBits & 0x7 {
        case 0: return "RTP/AVP"
        case 1: return "RTP/SAVP"
        case 2: return "RTP/AVPF"
        case 3: return "RTP/SAVPF"
        case 4: return "UDP/TLS/RTP/SAVP"
        case 6: return "UDP/TLS/RTP/SAVPF"
        default: return nil
        }
    }

    private var hasSubLists: Bool { command == .offer || command == .answer }

    /// Parses `flagString` for `command`. nil means "no flag string" (a function called without
    /// arguments), which differs from "" in what the module adds (see `hasFlagString`).
    public static func parse(_ flagString: String?, command: NGCommand) throws(KamailioFlagsError) -> KamailioFlags {
        var result = KamailioFlags(command: command)
        guard let flagString else { return result }
        result.hasFlagString = true
        let bytes = Array(flagString.utf8)
        var position = 0
        while true {
            while position < bytes.count, bytes[position] == UInt8(ascii: " ") { position += 1 }
            let keyStart = position
            var end = keyStart
            while end < bytes.count, bytes[end] != UInt8(ascii: " "), bytes[end] != UInt8(ascii: "=") { end += 1 }
            let key = String(decoding: bytes[keyStart..<end], as: UTF8.self)
            var value: String?
            if end < bytes.count, bytes[end] == UInt8(ascii: "=") {
                let valueStart = end + 1
                end = valueStart
                while end < bytes.count, bytes[end] != UInt8(ascii: " ") { end += 1 }
                value = String(decoding: bytes[valueStart..<end], as: UTF8.self)
            }
            if key.isEmpty { break }
            try result.apply(key: key, value: value)
            position = end
        }
        return result
    }

    /// One token: the body of the module's loop (`parse_flags()`), in its order.
    private mutating func apply(key: String, value: String?) throws(KamailioFlagsError) {
        // Items with their own sub-list.
        if let item = Self.keyValPrefix(key, "replace", value) {
            if hasSubLists { replace.append(item) }
            return
        }
        if let item = Self.keyValPrefix(key, "received-from", value) {
            // get_ip_type(): only a numeric IPv4/IPv6 address is kept; anything else is dropped
            // silently and the SIP source address is used instead.
            if let ip = IPAddress(item), !item.hasPrefix("[") {
                receivedFrom += [ip.family.rawValue, item]
            }
            return
        }
        if let item = Self.keyValPrefix(key, "SDES", value) {
            if hasSubLists { sdes.append(item) }
            return
        }
        if let item = Self.keyValPrefix(key, "T38", value) ?? Self.keyValPrefix(key, "T.38", value) {
            if hasSubLists { t38.append(item) }
            return
        }
        if let item = Self.keyValPrefix(key, "rtcp-mux", value) {
            if hasSubLists { rtcpMux.append(item) }
            return
        }
        for (prefix, alternative, list) in Self.codecPrefixes {
            guard let item = Self.keyValPrefix(key, prefix, value)
                ?? alternative.flatMap({ Self.keyValPrefix(key, $0, value) }) else { continue }
            if hasSubLists {
                let existing = codec[list]?.listValue ?? []
                codec[list] = .list(existing + [.text(item)])
            }
            return
        }

        // Specially handled items; `break` in the module's switch falls through to generic.
        switch key {
        case "RTP" where value == nil:
            transportBits |= 0x100
            transportBits &= ~0x001
            return
        case "AVP" where value == nil:
            transportBits |= 0x100
            transportBits &= ~0x002
            return
        case "TOS" where value != nil:
            items.append(key: Array("TOS".utf8), value: .integer(Self.atoi(value!)))
            return
        case "SRTP" where value == nil:
            transportBits |= 0x101
            return
        case "AVPF" where value == nil:
            transportBits |= 0x102
            return
        case "DTLS" where value == nil:
            transportBits |= 0x104
            return
        case "to-tag":
            if let value { toTag = value }
            includeToTag = true
            return
        case "RTP/AVP" where value == nil:
            transportBits = 0x100
            return
        case "call-id":
            guard let value else { throw KamailioFlagsError(key, nil, "missing value") }
            callID = value
            return
        case "internal", "external":
            if hasSubLists { direction.append(key) }
            return
        case "RTP/AVPF" where value == nil:
            transportBits = 0x102
            return
        case "RTP/SAVP" where value == nil:
            transportBits = 0x101
            return
        case "from-tag":
            guard let value else { throw KamailioFlagsError(key, nil, "missing value") }
            fromTag = value
            directional = true
            return
        case "RTP/SAVPF" where value == nil:
            transportBits = 0x103
            return
        case "direction":
            // The module appends the value string; with no value it would append a NULL str.
            guard let value else { throw KamailioFlagsError(key, nil, "missing value") }
            if hasSubLists { direction.append(value) }
            return
        case "from-tags":
            guard let value else { throw KamailioFlagsError(key, nil, "missing value") }
            fromTags.append(value)
            return
        case "via-branch":
            guard let value else { throw KamailioFlagsError(key, nil, "missing value") }
            guard let branch = KamailioViaBranch(flagValue: value) else {
                throw KamailioFlagsError(key, value, "invalid value")
            }
            viaBranch = branch
            return
        case "repacketize":
            guard let value else { throw KamailioFlagsError(key, nil, "missing value") }
            // Leading digits only; zero (or no digits) is an error.
            var packetize: Int64 = 0
            for byte in value.utf8 {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { break }
                packetize = packetize &* 10 &+ Int64(byte - UInt8(ascii: "0"))
            }
            guard packetize != 0 else { throw KamailioFlagsError(key, value, "invalid value") }
            items.append(key: Array(key.utf8), value: .integer(packetize))
            return
        case "directional":
            directional = true
            return
        case "force-answer":
            guard command == .offer else {
                throw KamailioFlagsError(key, value, "cannot force answer in non-offer command")
            }
            command = .answer
            return
        case "delete-delay" where value != nil:
            // Adds the integer, then `break`s out of the switch into the generic case: the
            // request carries both "delete delay" (integer) and "delete-delay" (string).
            items.append(key: Array("delete delay".utf8), value: .integer(Self.atoi(value!)))
        case "UDP/TLS/RTP/SAVP" where value == nil:
            transportBits = 0x104
            return
        case "UDP/TLS/RTP/SAVPF" where value == nil:
            transportBits = 0x106
            return
        default:
            break
        }

        // Generic.
        if let value {
            items.append(key: Array(key.utf8), value: .text(value))
        } else {
            flags.append(key)
        }
    }

    /// `(flag prefix, alternative prefix, codec dictionary key)`, in `parse_flags()` order.
    static let codecPrefixes: [(String, String?, String)] = [
        ("transcode", "codec-transcode", "transcode"),
        ("codec-strip", nil, "strip"),
        ("codec-offer", nil, "offer"),
        ("codec-mask", nil, "mask"),
        ("codec-set", nil, "set"),
        ("codec-except", nil, "except"),
        ("codec-accept", nil, "accept"),
        ("codec-consume", nil, "consume"),
    ]

    /// The module's `str_key_val_prefix()`: `foo=bar` (non-empty value) and `foo-bar` both give
    /// "bar"; `foo` alone, `foo=`, `foo-` and `foobar` give nil. In the `foo-bar` form a value
    /// (`foo-bar=baz`) is ignored.
    static func keyValPrefix(_ key: String, _ prefix: String, _ value: String?) -> String? {
        if key == prefix {
            guard let value, !value.isEmpty else { return nil }
            return value
        }
        let keyBytes = Array(key.utf8), prefixBytes = Array(prefix.utf8)
        guard keyBytes.count >= prefixBytes.count + 2, keyBytes.starts(with: prefixBytes),
              keyBytes[prefixBytes.count] == UInt8(ascii: "-") else { return nil }
        return String(decoding: keyBytes[(prefixBytes.count + 1)...], as: UTF8.self)
    }

    /// C `atoi()`: optional sign, leading digits, 0 when none.
    static func atoi(_ text: String) -> Int64 {
        var bytes = Substring(text).utf8.makeIterator()
        var negative = false
        var result: Int64 = 0
        var first = true
        while let byte = bytes.next() {
            if first, byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") {
                negative = byte == UInt8(ascii: "-")
                first = false
                continue
            }
            first = false
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { break }
            result = result &* 10 &+ Int64(byte - UInt8(ascii: "0"))
            if result > Int64(Int32.max) + 1 { break }
        }
        return Int64(Int32(truncatingIfNeeded: negative ? -result : result))
    }
}

/// `via-branch=` values (`parse_flags()` case 10 and `parse_viabranch()`).
public enum KamailioViaBranch: String, Hashable, Sendable {
    /// `1`: the branch of the first (topmost) Via of the message as received.
    case first = "1"
    /// `2`: the second Via.
    case second = "2"
    /// `auto`: first Via for a request, second for a reply — the same branch for a request and
    /// the replies to it (the reply carries this proxy's own Via on top).
    case auto
    /// `extra`: the value of the module's `extra_id_pv` variable.
    case extra
    /// `next`: the branch this proxy will put in its own Via on the next outgoing branch.
    case next
    /// `auto-next` (or `next-auto`): `next` for a request, first Via for a reply.
    case autoNext = "auto-next"
    /// `auto-extra` (or `extra-auto`): `extra` for a request, first Via for a reply.
    case autoExtra = "auto-extra"

    /// As the module reads it: only the FIRST character is checked for `1`/`2` (so `12` is `1`).
    public init?(flagValue: String) {
        switch flagValue.utf8.first {
        case UInt8(ascii: "1"): self = .first; return
        case UInt8(ascii: "2"): self = .second; return
        default: break
        }
        switch flagValue {
        case "auto": self = .auto
        case "extra": self = .extra
        case "next": self = .next
        case "auto-next", "next-auto": self = .autoNext
        case "auto-extra", "extra-auto": self = .autoExtra
        default: return nil
        }
    }

    /// What is left after `parse_viabranch()`'s pre-processing for this message kind.
    public enum Resolved: Hashable, Sendable {
        case via(index: Int)   // 1 or 2
        case extra
        case next
    }

    public func resolved(isReply: Bool) -> Resolved {
        switch self {
        case .first: return .via(index: 1)
        case .second: return .via(index: 2)
        case .auto: return .via(index: isReply ? 2 : 1)
        case .extra: return .extra
        case .next: return .next
        case .autoNext: return isReply ? .via(index: 1) : .next
        case .autoExtra: return isReply ? .via(index: 1) : .extra
        }
    }
}

/// Why a flag string or message could not be turned into a request; the text follows the
/// module's log line ("error processing flag `x' (value 'y'): reason").
public struct KamailioFlagsError: Error, Hashable, Sendable, CustomStringConvertible {
    public var flag: String
    public var value: String?
    public var reason: String

    public init(_ flag: String, _ value: String?, _ reason: String) {
        self.flag = flag
        self.value = value
        self.reason = reason
    }

    public var description: String {
        if flag.isEmpty { return reason }
        if let value { return "error processing flag `\(flag)' (value '\(value)'): \(reason)" }
        return "error processing flag `\(flag)': \(reason)"
    }
}
