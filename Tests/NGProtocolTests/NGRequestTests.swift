import Bencode
import Testing
import TandemBase
@testable import NGProtocol

@Suite struct NGRequestRequiredKeysTests {
    /// Each row was checked against rtpengine 10.5: the first missing key, in its order, wins.
    static let cases: [(BencodeValue, NGErrorReason)] = [
        (["call-id": "a"], .noCommand),
        (["command": 1], .noCommand),
        (["command": "Ping"], .unrecognizedCommand),
        (["command": "foo"], .unrecognizedCommand),
        (["command": "block DTMF", "call-id": "a"], .unsupportedCommand),
        (["command": "offer"], .noSDPBody),
        (["command": "offer", "call-id": "a", "from-tag": "f"], .noSDPBody),
        (["command": "offer", "sdp": "v=0"], .noCallID),
        (["command": "offer", "sdp": "v=0", "call-id": "a"], .noFromTag),
        (["command": "offer", "sdp": 5, "call-id": "a", "from-tag": "f"], .noSDPBody),
        (["command": "offer", "sdp": "v=0", "call-id": 5, "from-tag": "f"], .noCallID),
        (["command": "answer", "call-id": "a", "to-tag": "t"], .noSDPBody),
        (["command": "answer", "sdp": "v=0", "to-tag": "t"], .noCallID),
        (["command": "answer", "sdp": "v=0", "call-id": "a", "to-tag": "t"], .noFromTag),
        (["command": "answer", "sdp": "v=0", "call-id": "a", "from-tag": "f"], .noToTag),
        (["command": "delete"], .noCallID),
        (["command": "query"], .noCallID),
    ]

    @Test(arguments: cases)
    func missingKeysGiveRtpengineReasons(message: BencodeValue, reason: NGErrorReason) {
        #expect(throws: reason) { try request(message) }
    }

    static let accepted: [BencodeValue] = [
        ["command": "ping"],
        ["command": "list"],
        ["command": "statistics"],
        ["command": "delete", "call-id": "a"],
        ["command": "query", "call-id": "a"],
        ["command": "offer", "sdp": "", "call-id": "a", "from-tag": "f"],
        ["command": "answer", "sdp": "v=0", "call-id": "a", "from-tag": "f", "to-tag": "t"],
    ]

    @Test(arguments: accepted)
    func minimalRequestsParse(message: BencodeValue) throws {
        let parsed = try request(message)
        #expect(parsed.command.isSupported)
    }
}

@Suite struct NGRequestKeyTests {
    @Test(arguments: ["call-id", "call id", "call_id", "callid", "Call-ID", "CALL ID"])
    func callIDSpellingsAreOneKey(key: String) throws {
        var dict = BencodeDictionary()
        dict["command"] = "query"
        dict[key] = "abc"
        #expect(try NGRequest.parse(dict).callID == "abc")
    }

    @Test(arguments: ["from-tag", "from tag", "from_tag", "fromtag"])
    func fromTagSpellings(key: String) throws {
        var dict = BencodeDictionary()
        dict["command"] = "delete"
        dict["call-id"] = "c"
        dict[key] = "ft"
        #expect(try NGRequest.parse(dict).fromTag == "ft")
    }

    @Test func typedFieldsFromRtpengineDocExample() throws {
        let parsed = try request([
            "command": "offer", "call-id": "cfBXzDSZqhYNcXM", "from-tag": "mS9rSAn0Cr",
            "sdp": "v=0\r\n", "via-branch": "5KiTRPZHH1nL6", "flags": ["trust address"],
            "replace": ["origin", "session connection"], "address family": "IP6",
            "received-from": ["IP4", "10.65.31.43"], "ICE": "force", "transport protocol": "RTP/SAVPF",
            "media address": "2001:d8::6f24:65b", "DTLS": "passive", "rtcp-mux": ["demux", "offer"],
            "direction": ["priv", "pub"], "label": "caller", "delete delay": "30", "TOS": 184,
        ])
        #expect(parsed.command == .offer)
        #expect(parsed.callID == "cfBXzDSZqhYNcXM")
        #expect(parsed.fromTag == "mS9rSAn0Cr")
        #expect(parsed.viaBranch == "5KiTRPZHH1nL6")
        #expect(parsed.sdp == bytes("v=0\r\n"))
        #expect(parsed.trustAddress == true)
        #expect(parsed.replace == [.origin, .sessionConnection])
        #expect(parsed.addressFamily == .ipv6)
        #expect(parsed.receivedFrom == NGReceivedFrom(family: "IP4", address: "10.65.31.43"))
        #expect(parsed.receivedFrom?.ipAddress == IPAddress("10.65.31.43"))
        #expect(parsed.ice == .force)
        #expect(parsed.transportProtocol == "RTP/SAVPF")
        #expect(parsed.mediaAddress == IPAddress("2001:d8::6f24:65b"))
        #expect(parsed.dtls == .passive)
        #expect(parsed.rtcpMux == [.demux, .offer])
        #expect(parsed.direction == ["priv", "pub"])
        #expect(parsed.label == "caller")
        #expect(parsed.deleteDelay == 30)
        #expect(parsed.tos == 184)
        #expect(parsed.warnings.isEmpty)
    }

    @Test func badValuesAreIgnoredWithWarnings() throws {
        let parsed = try request([
            "command": "offer", "call-id": "c", "from-tag": "f", "sdp": "v=0",
            "ICE": "bogus", "address family": "IP9", "media address": "notanip",
            "delete-delay": "abc", "received-from": 7, "mystery key": "x",
        ])
        #expect(parsed.ice == nil)
        #expect(parsed.addressFamily == nil)
        #expect(parsed.mediaAddress == nil)
        #expect(parsed.deleteDelay == nil)
        #expect(parsed.receivedFrom == nil)
        #expect(parsed.warnings.count == 6)
        #expect(parsed.message["mystery key"] == "x")
    }

    @Test func receivedFromMayBeABareAddress() throws {
        let parsed = try request(["command": "query", "call-id": "c", "received from": "192.0.2.1"])
        #expect(parsed.receivedFrom == NGReceivedFrom(family: nil, address: "192.0.2.1"))
    }

    @Test func listKeysAcceptCommaSeparatedStrings() throws {
        let parsed = try request(["command": "query", "call-id": "c", "replace": "origin,username", "rtcp-mux": "require"])
        #expect(parsed.replace == [.origin, .username])
        #expect(parsed.rtcpMux == [.require])
    }

    @Test func codecDictionaryFillsLists() throws {
        let parsed = try request([
            "command": "offer", "call-id": "c", "from-tag": "f", "sdp": "v=0",
            "codec": ["strip": ["all"], "transcode": ["opus/48000/2", "PCMA"], "mask": "G722,PCMU"],
        ])
        #expect(parsed.codec.strip == ["all"])
        #expect(parsed.codec.transcode == ["opus/48000/2", "PCMA"])
        #expect(parsed.codec.mask == ["G722", "PCMU"])
    }

    @Test func deleteFatalAndLimit() throws {
        #expect(try request(["command": "delete", "call-id": "c", "flags": ["fatal"]]).isFatal)
        #expect(try request(["command": "list", "limit": 5]).limit == 5)
        #expect(try request(["command": "offer", "call-id": "c", "from-tag": "f", "sdp": "",
                             "supports": ["load limit"]]).supportsLoadLimit)
    }

    @Test func directionKeepsAtMostTwo() throws {
        let parsed = try request(["command": "query", "call-id": "c", "direction": ["a", "b", "c"]])
        #expect(parsed.direction == ["a", "b"])
        #expect(parsed.warnings.count == 1)
    }
}
