import Bencode
import NGProtocol
import TandemBase
import Testing
@testable import Proxy

// Expected values follow Kamailio's src/modules/rtpengine/rtpengine.c: parse_flags(),
// str_key_val_prefix(), parse_codec_flag(), parse_viabranch(), parse_from_to_tags() and the
// dictionary assembly in rtpp_function_call().

private let invite = KamailioMessageContext(
    kind: .request, callID: "call-1", fromTag: "ft", toTag: nil, source: IPAddress("192.0.2.10"),
    sdp: Array("v=0\r\n".utf8), viaBranches: ["z9hG4bK-uac", "z9hG4bK-prev"])

private func keys(_ dict: BencodeDictionary) -> [String] {
    dict.keys.map { String(decoding: $0, as: UTF8.self) }
}

private func strings(_ value: BencodeValue?) -> [String]? {
    value?.listValue?.compactMap(\.stringValue)
}

private func parse(_ flags: String, _ command: NGCommand = .offer) throws -> KamailioFlags {
    try KamailioFlags.parse(flags, command: command)
}

@Suite("Kamailio flag conversion (rtpengine.c parse_flags)")
struct MediaControlFlagsTests {
    /// The table: one token -> where parse_flags() puts it.
    @Test(arguments: [
        // bare words -> `flags` (generic case, val.s == NULL)
        ("trust-address", "flags", ["trust-address"]),
        ("asymmetric", "flags", ["asymmetric"]),
        ("SIP-source-address", "flags", ["SIP-source-address"]),
        ("some-unknown-word", "flags", ["some-unknown-word"]),
        // str_key_val_prefix sub-lists
        ("replace-origin", "replace", ["origin"]),
        ("replace=session-connection", "replace", ["session-connection"]),
        ("rtcp-mux-demux", "rtcp-mux", ["demux"]),
        ("rtcp-mux=offer", "rtcp-mux", ["offer"]),
        ("SDES-off", "SDES", ["off"]),
        ("SDES=no-AES_CM_128_HMAC_SHA1_32", "SDES", ["no-AES_CM_128_HMAC_SHA1_32"]),
        ("T38-decode", "T.38", ["decode"]),
        ("T.38=force", "T.38", ["force"]),
        // internal/external shorthand and direction= (case 8 / case 9)
        ("internal", "direction", ["internal"]),
        ("direction=pub", "direction", ["pub"]),
    ] as [(String, String, [String])])
    func tokenGoesToList(token: String, key: String, expected: [String]) throws {
        let request = try KamailioFlags.request(token, command: .offer, message: invite).dictionary
        #expect(strings(request[key]) == expected)
    }

    @Test(arguments: [
        ("ICE=remove", "ICE", "remove"),
        ("DTLS=passive", "DTLS", "passive"),
        ("address-family=IP6", "address-family", "IP6"),
        ("label=caller", "label", "caller"),
        ("media-address=1.2.3.4", "media-address", "1.2.3.4"),
        ("label=a=b", "label", "a=b"),
        ("RTP/AVP=x", "RTP/AVP", "x"),
        ("replace=", "replace", ""),
    ])
    func keyValueGoesToDictionary(token: String, key: String, value: String) throws {
        let request = try KamailioFlags.request(token, command: .offer, message: invite).dictionary
        #expect(request[key]?.stringValue == value)
    }

    @Test(arguments: [
        ("RTP/AVP", "RTP/AVP"), ("RTP/SAVP", "RTP/SAVP"), ("RTP/AVPF", "RTP/AVPF"), ("RTP/SAVPF", "RTP/SAVPF"),
        ("UDP/TLS/RTP/SAVP", "UDP/TLS/RTP/SAVP"), ("UDP/TLS/RTP/SAVPF", "UDP/TLS/RTP/SAVPF"),
        ("SRTP", "RTP/SAVP"), ("AVPF", "RTP/AVPF"), ("SRTP AVPF", "RTP/SAVPF"), ("DTLS", "UDP/TLS/RTP/SAVP"),
        ("DTLS AVPF", "UDP/TLS/RTP/SAVPF"), ("RTP/SAVPF RTP", "RTP/AVPF"), ("RTP/SAVPF AVP", "RTP/SAVP"),
        ("RTP", "RTP/AVP"), ("RTP/SAVP RTP/AVP", "RTP/AVP"),
    ])
    func transportProtocol(flags: String, expected: String) throws {
        #expect(try parse(flags).transportProtocol == expected)
    }

    @Test func dtlsPlusSRTPHasNoTransportEntry() throws {
        // transports[0x05] is NULL in the module's table: no transport-protocol is sent.
        let request = try KamailioFlags.request("DTLS SRTP", command: .offer, message: invite).dictionary
        #expect(request["transport-protocol"] == nil)
    }

    @Test func codecFlagsBuildCodecDictionary() throws {
        let request = try KamailioFlags.request(
            "codec-strip-all codec-offer-PCMU codec-offer=PCMA transcode-opus codec-transcode=G722 codec-mask-G729 codec-set-opus/48000/2 codec-except-telephone-event codec-accept-PCMU codec-consume-AMR",
            command: .offer, message: invite).dictionary
        let codec = try #require(request["codec"]?.dictionaryValue)
        #expect(keys(codec) == ["strip", "offer", "transcode", "mask", "set", "except", "accept", "consume"])
        #expect(strings(codec["strip"]) == ["all"])
        #expect(strings(codec["offer"]) == ["PCMU", "PCMA"])
        #expect(strings(codec["transcode"]) == ["opus", "G722"])
        #expect(strings(codec["set"]) == ["opus/48000/2"])
    }

    @Test func keyValPrefixEdgeCases() {
        #expect(KamailioFlags.keyValPrefix("replace-origin", "replace", nil) == "origin")
        #expect(KamailioFlags.keyValPrefix("replace", "replace", "origin") == "origin")
        #expect(KamailioFlags.keyValPrefix("replace", "replace", nil) == nil)
        #expect(KamailioFlags.keyValPrefix("replace", "replace", "") == nil)
        #expect(KamailioFlags.keyValPrefix("replace-", "replace", nil) == nil)
        #expect(KamailioFlags.keyValPrefix("replacement", "replace", nil) == nil)
        // In the foo-bar form a value is ignored.
        #expect(KamailioFlags.keyValPrefix("replace-origin", "replace", "x") == "origin")
    }

    @Test func bareCodecPrefixIsAFlag() throws {
        #expect(try parse("codec-strip SDES replace").flags == ["codec-strip", "SDES", "replace"])
    }

    @Test func subListsAreDroppedOutsideOfferAnswer() throws {
        let request = try KamailioFlags.request("replace-origin internal codec-strip-all SDES-off trust-address",
                                                command: .delete, message: invite).dictionary
        #expect(request["replace"] == nil)
        #expect(request["direction"] == nil)
        #expect(request["codec"] == nil)
        #expect(request["SDES"] == nil)
        #expect(strings(request["flags"]) == ["trust-address"])
    }

    @Test func integersTOSRepacketizeDeleteDelay() throws {
        let request = try KamailioFlags.request("TOS=184 repacketize=30ms delete-delay=5", command: .offer,
                                                message: invite).dictionary
        #expect(request["TOS"] == .integer(184))
        #expect(request["repacketize"] == .integer(30))
        // delete-delay: the integer "delete delay", then the generic string (switch `break`).
        #expect(request["delete delay"] == .integer(5))
        #expect(request["delete-delay"]?.stringValue == "5")
    }

    @Test func bareDeleteDelayAndTOSAreFlags() throws {
        #expect(try parse("delete-delay TOS").flags == ["delete-delay", "TOS"])
    }

    @Test func repacketizeErrors() {
        #expect(throws: KamailioFlagsError("repacketize", nil, "missing value")) { try parse("repacketize") }
        #expect(throws: KamailioFlagsError("repacketize", "abc", "invalid value")) { try parse("repacketize=abc") }
    }

    @Test(arguments: [
        ("1", KamailioViaBranch.first), ("2", .second), ("12", .first), ("auto", .auto), ("extra", .extra),
        ("next", .next), ("auto-next", .autoNext), ("next-auto", .autoNext), ("extra-auto", .autoExtra),
    ])
    func viaBranchValues(value: String, expected: KamailioViaBranch) throws {
        #expect(try parse("via-branch=\(value)").viaBranch == expected)
    }

    @Test func viaBranchErrors() {
        #expect(throws: KamailioFlagsError("via-branch", nil, "missing value")) { try parse("via-branch") }
        #expect(throws: KamailioFlagsError("via-branch", "3", "invalid value")) { try parse("via-branch=3") }
        #expect(throws: KamailioFlagsError("via-branch", "", "invalid value")) { try parse("via-branch=") }
    }

    @Test func viaBranchResolution() throws {
        let request = try KamailioFlags.request("via-branch=1", command: .offer, message: invite)
        #expect(request.viaBranch == "z9hG4bK-uac")
        #expect(request.dictionary["via-branch"]?.stringValue == "z9hG4bK-uac")
        // auto: first Via in a request, second in a reply (the same branch for both).
        var reply = invite
        reply.kind = .reply
        reply.toTag = "tt"
        reply.viaBranches = ["z9hG4bK-proxy", "z9hG4bK-uac"]
        let answer = try KamailioFlags.request("via-branch=auto", command: .answer, message: reply)
        #expect(answer.viaBranch == "z9hG4bK-uac")
        var withNext = invite
        withNext.nextBranch = "z9hG4bK-out.1"
        #expect(try KamailioFlags.request("via-branch=auto-next", command: .offer, message: withNext).viaBranch
                == "z9hG4bK-out.1")
        #expect(throws: KamailioFlagsError("", nil, "can't get Via branch/extra ID")) {
            try KamailioFlags.request("via-branch=extra", command: .offer, message: invite)
        }
    }

    @Test func tagAndCallIDOverrides() throws {
        let request = try KamailioFlags.request("call-id=z from-tag=x to-tag=y", command: .offer, message: invite)
        #expect(request.callID == "z")
        #expect(request.dictionary["call-id"]?.stringValue == "z")
        #expect(request.dictionary["from-tag"]?.stringValue == "x")
        #expect(request.dictionary["to-tag"]?.stringValue == "y")
        #expect(throws: KamailioFlagsError("call-id", nil, "missing value")) { try parse("call-id") }
        #expect(throws: KamailioFlagsError("from-tag", nil, "missing value")) { try parse("from-tag") }
    }

    @Test func forceAnswer() throws {
        #expect(try parse("force-answer").command == .answer)
        #expect(throws: KamailioFlagsError("force-answer", nil, "cannot force answer in non-offer command")) {
            try parse("force-answer", .delete)
        }
    }

    @Test func tokenizingQuirks() throws {
        // Only spaces separate; runs of spaces are skipped; a token starting with '=' ends parsing.
        let flags = try parse("  a   b\tc =stop d")
        #expect(flags.flags == ["a", "b\tc"])
        // A repeated generic key is sent twice (bencode_dictionary_str_add_str does not replace).
        let twice = try KamailioFlags.request("label=a label=b", command: .offer, message: invite).dictionary
        #expect(twice.entries.filter { $0.key == Array("label".utf8) }.count == 2)
    }

    @Test func receivedFrom() throws {
        let explicit = try KamailioFlags.request("received-from=2001:db8::5", command: .offer, message: invite)
        #expect(strings(explicit.dictionary["received-from"]) == ["IP6", "2001:db8::5"])
        // Default: the SIP source address.
        let implicit = try KamailioFlags.request("", command: .offer, message: invite)
        #expect(strings(implicit.dictionary["received-from"]) == ["IP4", "192.0.2.10"])
        // Not an address (get_ip_type fails): dropped, the source address is used.
        let bad = try KamailioFlags.request("received-from=host.example", command: .offer, message: invite)
        #expect(strings(bad.dictionary["received-from"]) == ["IP4", "192.0.2.10"])
        // No flag string at all: no received-from, no flags.
        let none = try KamailioFlags.request(nil, command: .delete, message: invite)
        #expect(none.dictionary["received-from"] == nil)
    }

    @Test func fullOfferKeyOrder() throws {
        let request = try KamailioFlags.request(
            "replace-origin replace-session-connection trust-address ICE=remove RTP/AVP direction=internal direction=external address-family=IP6 rtcp-mux-demux via-branch=1 label=caller codec-strip-all codec-offer-PCMU SDES-off DTLS=passive asymmetric SIP-source-address",
            command: .offer, message: invite)
        #expect(keys(request.dictionary) == [
            "sdp", "ICE", "address-family", "label", "DTLS", "direction", "flags", "replace", "codec",
            "transport-protocol", "rtcp-mux", "SDES", "received-from", "call-id", "via-branch", "from-tag", "command",
        ])
        #expect(strings(request.dictionary["flags"]) == ["trust-address", "asymmetric", "SIP-source-address"])
        #expect(strings(request.dictionary["direction"]) == ["internal", "external"])
        #expect(request.dictionary["command"]?.stringValue == "offer")
        #expect(request.dictionary["to-tag"] == nil)   // initial INVITE: no To tag yet
    }

    @Test func optionsAddSupportsAndMessageType() throws {
        let request = try KamailioFlags.request("", command: .offer, message: invite,
                                                options: KamailioRequestOptions(supportsLoadLimit: true, sipMessageType: true))
        #expect(keys(request.dictionary).first == "supports")
        #expect(strings(request.dictionary["supports"]) == ["load limit"])
        #expect(request.dictionary["sip-message-type"]?.stringValue == "sip_request")
    }

    // parse_from_to_tags()
    @Test func answerInReplyKeepsTags() throws {
        let reply = KamailioMessageContext(kind: .reply, callID: "c", fromTag: "A", toTag: "B", sdp: [])
        let request = try KamailioFlags.request("", command: .answer, message: reply).dictionary
        #expect(request["from-tag"]?.stringValue == "A")
        #expect(request["to-tag"]?.stringValue == "B")
    }

    @Test func answerInRequestSwapsTags() throws {
        // ACK carrying the answer (late offer): from/to swap.
        let ack = KamailioMessageContext(kind: .request, callID: "c", fromTag: "A", toTag: "B", sdp: [])
        let request = try KamailioFlags.request("", command: .answer, message: ack).dictionary
        #expect(request["from-tag"]?.stringValue == "B")
        #expect(request["to-tag"]?.stringValue == "A")
        // directional turns the swap off.
        let directional = try KamailioFlags.request("directional", command: .answer, message: ack).dictionary
        #expect(directional["from-tag"]?.stringValue == "A")
        #expect(strings(directional["flags"]) == nil)
    }

    @Test func offerInReplyWithoutToTagFails() {
        let reply = KamailioMessageContext(kind: .reply, callID: "c", fromTag: "A", toTag: nil, sdp: [])
        #expect(throws: KamailioFlagsError("", nil, "No to-tag present")) {
            try KamailioFlags.request("", command: .offer, message: reply)
        }
    }

    @Test func deleteSendsToTagOnlyWhenAsked() throws {
        let bye = KamailioMessageContext(kind: .request, callID: "c", fromTag: "A", toTag: "B")
        #expect(try KamailioFlags.request("", command: .delete, message: bye).dictionary["to-tag"] == nil)
        #expect(try KamailioFlags.request("to-tag", command: .delete, message: bye).dictionary["to-tag"]?.stringValue == "B")
    }

    @Test func blockMediaTagsOnlyWhenDirectional() throws {
        let message = KamailioMessageContext(kind: .request, callID: "c", fromTag: "A", toTag: "B")
        #expect(try KamailioFlags.request("", command: .blockMedia, message: message).dictionary["from-tag"] == nil)
        #expect(try KamailioFlags.request("directional", command: .blockMedia, message: message)
            .dictionary["from-tag"]?.stringValue == "A")
    }

    @Test func atoiMatchesC() {
        #expect(KamailioFlags.atoi("42abc") == 42)
        #expect(KamailioFlags.atoi("-7") == -7)
        #expect(KamailioFlags.atoi("x") == 0)
        #expect(KamailioFlags.atoi("") == 0)
    }
}
