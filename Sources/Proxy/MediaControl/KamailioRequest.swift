import Bencode
import NGProtocol
import TandemBase

/// What the request builder needs from the SIP message; the proxy core fills it in from its
/// parsed message (this file does not depend on the SIP target).
public struct KamailioMessageContext: Hashable, Sendable {
    public enum Kind: Hashable, Sendable { case request, reply }

    public var kind: Kind
    public var callID: String
    public var fromTag: String
    /// The To tag, nil or empty when the message has none (an initial INVITE).
    public var toTag: String?
    /// Where the message came from (the module's `msg->rcv.src_ip`): the default `received-from`.
    public var source: IPAddress?
    /// The body for offer/answer.
    public var sdp: [UInt8]?
    /// The `branch` parameter of each Via of the message AS RECEIVED, topmost first (before this
    /// proxy adds or strips its own Via): `via-branch=1` is `viaBranches[0]`.
    public var viaBranches: [String]
    /// The module's `extra_id_pv` value, for `via-branch=extra`.
    public var extraID: String?
    /// The branch of the Via this proxy will add to the next outgoing branch, for `via-branch=next`.
    public var nextBranch: String?

    public init(kind: Kind, callID: String, fromTag: String, toTag: String? = nil, source: IPAddress? = nil,
                sdp: [UInt8]? = nil, viaBranches: [String] = [], extraID: String? = nil, nextBranch: String? = nil) {
        self.kind = kind
        self.callID = callID
        self.fromTag = fromTag
        self.toTag = toTag
        self.source = source
        self.sdp = sdp
        self.viaBranches = viaBranches
        self.extraID = extraID
        self.nextBranch = nextBranch
    }
}

/// Keys that later module versions add to every request; off by default (Kamailio 5.6 sends
/// neither). `supports: ["load limit"]` asks the daemon to answer `result: "load limit"` instead
/// of an error when it is overloaded, which `MediaControlRequest` treats as "try the next daemon".
public struct KamailioRequestOptions: Hashable, Sendable {
    public var supportsLoadLimit: Bool
    public var sipMessageType: Bool

    public init(supportsLoadLimit: Bool = false, sipMessageType: Bool = false) {
        self.supportsLoadLimit = supportsLoadLimit
        self.sipMessageType = sipMessageType
    }
}

/// The request as the module builds it, plus what the proxy needs to route it.
public struct KamailioRequest: Hashable, Sendable {
    public var command: NGCommand
    public var dictionary: BencodeDictionary
    /// The call-id actually sent (the `call-id=` override or the message's): what daemon
    /// selection hashes on.
    public var callID: String
    /// The via-branch actually sent, if any.
    public var viaBranch: String?
}

extension KamailioFlags {
    /// Parses a flag string and builds the request for a message in one step.
    public static func request(_ flagString: String?, command: NGCommand, message: KamailioMessageContext,
                               options: KamailioRequestOptions = KamailioRequestOptions()) throws(KamailioFlagsError) -> KamailioRequest {
        try parse(flagString, command: command).request(for: message, options: options)
    }

    /// The full ng request dictionary, with keys in the order `rtpp_function_call()` adds them:
    /// [supports], sdp (offer/answer), the items parsed from the flag string, then direction,
    /// flags, replace, codec, transport-protocol, rtcp-mux, SDES, T.38, received-from (only when
    /// a flag string was given), call-id, via-branch, from-tag/to-tag (`parse_from_to_tags()`),
    /// command, [sip-message-type].
    public func request(for message: KamailioMessageContext,
                        options: KamailioRequestOptions = KamailioRequestOptions()) throws(KamailioFlagsError) -> KamailioRequest {
        var dict = BencodeDictionary()
        func add(_ key: String, _ value: BencodeValue) { dict.append(key: Array(key.utf8), value: value) }
        func addList(_ key: String, _ items: [String]) {
            if !items.isEmpty { add(key, .list(items.map { .text($0) })) }
        }

        if options.supportsLoadLimit { add("supports", ["load limit"]) }
        if command == .offer || command == .answer {
            add("sdp", .string(message.sdp ?? []))
        }
        for entry in items { dict.append(key: entry.key, value: entry.value) }

        if hasFlagString {
            addList("direction", direction)
            addList("flags", flags)
            addList("replace", replace)
            if !codec.isEmpty { add("codec", .dictionary(codec)) }
            if let transportProtocol { add("transport-protocol", .text(transportProtocol)) }
            addList("rtcp-mux", rtcpMux)
            addList("SDES", sdes)
            addList("T.38", t38)
            if !receivedFrom.isEmpty {
                addList("received-from", receivedFrom)
            } else if let source = message.source {
                addList("received-from", [source.family.rawValue, source.description])
            }
        }

        let callID = self.callID ?? message.callID
        guard !callID.isEmpty else { throw KamailioFlagsError("", nil, "can't get Call-Id field") }
        add("call-id", .text(callID))

        var branch: String?
        if let viaBranch {
            switch viaBranch.resolved(isReply: message.kind == .reply) {
            case .via(let index):
                branch = message.viaBranches.count >= index ? message.viaBranches[index - 1] : nil
            case .extra: branch = message.extraID
            case .next: branch = message.nextBranch
            }
            guard let branch, !branch.isEmpty else {
                throw KamailioFlagsError("", nil, "can't get Via branch/extra ID")
            }
            add("via-branch", .text(branch))
        }

        try addTags(to: &dict, message: message)
        add("command", .text(command.wireName))
        if options.sipMessageType {
            add("sip-message-type", .text(message.kind == .request ? "sip_request" : "sip_reply"))
        }
        return KamailioRequest(command: command, dictionary: dict, callID: callID, viaBranch: branch)
    }

    /// `parse_from_to_tags()`: which tag is "from" depends on the direction of the message. An
    /// offer in a request, an answer in a reply and a delete anywhere go as they are; an answer
    /// in a request (ACK) or an offer in a reply (late SDP) swap From and To, and then need a
    /// To tag. `directional` / `from-tag=` turns the swap off.
    private func addTags(to dict: inout BencodeDictionary, message: KamailioMessageContext) throws(KamailioFlagsError) {
        let fromTag = self.fromTag ?? message.fromTag
        let toTag = self.toTag ?? message.toTag ?? ""
        guard !fromTag.isEmpty else { throw KamailioFlagsError("", nil, "can't get From tag") }
        func add(_ key: String, _ value: String) { dict.append(key: Array(key.utf8), value: .text(value)) }

        switch command {
        case .blockDTMF, .blockMedia, .unblockDTMF, .unblockMedia, .startForwarding, .stopForwarding,
             .silenceMedia, .unsilenceMedia:
            if directional {
                add("from-tag", fromTag)
                if includeToTag, !toTag.isEmpty { add("to-tag", toTag) }
            }
            return
        case .subscribeRequest:
            if !fromTags.isEmpty { dict.append(key: Array("from-tags".utf8), value: .list(fromTags.map { .text($0) })) }
            if includeToTag, !toTag.isEmpty { add("to-tag", toTag) }
            return
        case .subscribeAnswer, .unsubscribe:
            if includeToTag, !toTag.isEmpty { add("to-tag", toTag) }
            return
        default:
            break
        }
        let asIs = (message.kind == .request && command != .answer)
            || (message.kind == .reply && (command == .delete || command == .answer))
            || directional
        if asIs {
            add("from-tag", fromTag)
            if includeToTag, !toTag.isEmpty { add("to-tag", toTag) }
        } else {
            guard !toTag.isEmpty else { throw KamailioFlagsError("", nil, "No to-tag present") }
            add("from-tag", toTag)
            add("to-tag", fromTag)
        }
    }
}
