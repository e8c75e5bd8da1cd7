import Bencode
import Testing
import TandemBase
@testable import NGProtocol

@Suite struct NGFlagsTests {
    static let booleanCases: [(String, NGFlag)] = [
        ("strict source", .strictSource), ("strict-source", .strictSource), ("strict_source", .strictSource),
        ("Strict-Source", .strictSource), ("asymmetric", .asymmetric), ("port latching", .portLatching),
        ("no-rtcp-attribute", .noRTCPAttribute), ("no RTCP attribute", .noRTCPAttribute),
        ("reject ICE", .rejectICE), ("ICE-reject", .rejectICE), ("loop protect", .loopProtect),
        ("no codec renegotiation", .reuseCodecs), ("reuse-codecs", .reuseCodecs), ("debugging", .debug),
        ("generate RTCP", .generateRTCP), ("pierce NAT", .pierceNAT), ("fatal", .fatal),
        ("record call", .recordCall), ("media handover", .mediaHandover), ("trickle ICE", .trickleICE),
        ("block short packets", .blockShort), ("original sendrecv", .originalSendrecv),
    ]

    @Test(arguments: booleanCases)
    func booleanFlagsNormalise(spelling: String, flag: NGFlag) throws {
        let parsed = try offer(flags: [spelling])
        #expect(parsed.flags == [flag])
        #expect(parsed.unknownFlags.isEmpty)
    }

    @Test(arguments: ["trust address", "trust-address", "trust_address", "Trust-Address"])
    func trustAddressSpellings(spelling: String) throws {
        #expect(try offer(flags: [spelling]).trustAddress == true)
    }

    @Test func lastOfTrustAndSIPSourceWins() throws {
        #expect(try offer(flags: ["trust address", "SIP source address"]).trustAddress == false)
        #expect(try offer(flags: ["SIP-source-address", "trust-address"]).trustAddress == true)
    }

    @Test(arguments: ["replace-origin", "replace origin", "replace_origin", "Replace-Origin"])
    func replaceFlagsEqualReplaceList(spelling: String) throws {
        let fromFlag = try offer(flags: [spelling])
        let fromKey = try request(["command": "offer", "call-id": "c", "from-tag": "f", "sdp": "v=0", "replace": ["origin"]])
        #expect(fromFlag.replace == fromKey.replace)
        #expect(fromFlag.replace == [.origin])
    }

    @Test func replaceSessionConnectionAndVersionFlags() throws {
        let parsed = try offer(flags: ["replace-session-connection", "replace-SDP-version", "replace-zero-address"])
        #expect(parsed.replace == [.sessionConnection, .sdpVersion, .zeroAddress])
    }

    @Test func keyValueFlagsRouteToTypedFields() throws {
        let parsed = try offer(flags: [
            "ICE=remove", "direction=internal", "direction=external", "address-family=IP6",
            "transport-protocol=RTP/SAVPF", "delete-delay=0", "media-address=192.0.2.9", "DTLS=off",
            "ICE-lite=backward", "label=callee",
        ])
        #expect(parsed.ice == .remove)
        #expect(parsed.direction == ["internal", "external"])
        #expect(parsed.addressFamily == .ipv6)
        #expect(parsed.transportProtocol == "RTP/SAVPF")
        #expect(parsed.deleteDelay == 0)
        #expect(parsed.mediaAddress == IPAddress("192.0.2.9"))
        #expect(parsed.dtls == .off)
        #expect(parsed.iceLite == .backward)
        #expect(parsed.label == "callee")
        #expect(parsed.unknownFlags.isEmpty)
    }

    @Test func rtcpMuxFlagsEqualRtcpMuxList() throws {
        #expect(try offer(flags: ["rtcp-mux-demux", "rtcp mux offer"]).rtcpMux == [.demux, .offer])
    }

    @Test func prefixedValuesKeepTheirCase() throws {
        let parsed = try offer(flags: [
            "SDES-no-AES_CM_128_HMAC_SHA1_32", "SDES-off", "OSRTP-offer", "codec-strip-PCMA",
            "transcode-opus/48000/2", "codec-transcode-iLBC/8000/1///mode--30", "codec-mask-all",
            "endpoint-learning-Delayed", "from-tags-abc", "T38-decode",
        ])
        #expect(parsed.sdes == ["no-AES_CM_128_HMAC_SHA1_32", "off"])
        #expect(parsed.osrtp == ["offer"])
        #expect(parsed.codec.strip == ["PCMA"])
        #expect(parsed.codec.transcode == ["opus/48000/2", "iLBC/8000/1///mode=30"])
        #expect(parsed.codec.mask == ["all"])
        #expect(parsed.endpointLearning == "delayed")
        #expect(parsed.fromTags == ["abc"])
        #expect(parsed.t38 == ["decode"])
    }

    @Test func transportWordsAndDirectionWords() throws {
        let parsed = try offer(flags: ["RTP/AVPF", "internal"])
        #expect(parsed.transportProtocol == "RTP/AVPF")
        #expect(parsed.direction == ["internal"])
    }

    @Test func alwaysTranscodeAcceptsAll() throws {
        #expect(try offer(flags: ["always transcode"]).codec.accept == ["all"])
    }

    @Test func codecKeyValueFlagsSplitOnCommas() throws {
        #expect(try offer(flags: ["codec-strip=PCMA,PCMU"]).codec.strip == ["PCMA", "PCMU"])
        #expect(try offer(flags: ["transcode=G722"]).codec.transcode == ["G722"])
    }

    @Test func fromTagOverrideMakesDirectional() throws {
        let parsed = try offer(flags: ["from-tag=other"])
        #expect(parsed.fromTag == "other")
        #expect(parsed.flags.contains(.directional))
    }

    @Test func unknownFlagsAreKeptCanonical() throws {
        let parsed = try offer(flags: ["Bogus Flag", "weird=thing"])
        #expect(parsed.unknownFlags == ["bogus-flag", "weird=thing"])
        #expect(parsed.flags.isEmpty)
    }

    @Test func flagsMayBeACommaSeparatedString() throws {
        let parsed = try request(["command": "offer", "call-id": "c", "from-tag": "f", "sdp": "", "flags": "asymmetric,fatal"])
        #expect(parsed.flags == [.asymmetric, .fatal])
    }

    @Test func rtppFlagsStringUsesTheSameVocabulary() throws {
        let parsed = try request([
            "command": "offer", "call-id": "c", "from-tag": "f", "sdp": "",
            "rtpp-flags": "  replace-origin ICE=remove trust-address  codec-strip-PCMU RTP/SAVP",
        ])
        #expect(parsed.replace == [.origin])
        #expect(parsed.ice == .remove)
        #expect(parsed.trustAddress == true)
        #expect(parsed.codec.strip == ["PCMU"])
        #expect(parsed.transportProtocol == "RTP/SAVP")
    }

    @Test func nonStringFlagItemsAreSkipped() throws {
        let parsed = try request(["command": "offer", "call-id": "c", "from-tag": "f", "sdp": "", "flags": [1, "fatal", ["x"]]])
        #expect(parsed.flags == [.fatal])
        #expect(parsed.warnings.count == 1)
    }
}
