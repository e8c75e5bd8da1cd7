import Bencode
import Testing
import TandemBase
@testable import NGProtocol

private let now = MonotonicTime(seconds: 10)
private let peer = TransportAddress("127.0.0.1:5060")

/// Feeds one datagram and returns the reply bytes as text, or a tag for other actions.
private func outcome(_ frontEnd: inout NGFrontEnd<Int>, _ datagram: [UInt8], at time: MonotonicTime = now) -> String {
    switch frontEnd.receive(datagram, from: peer, waiter: 0, now: time) {
    case .drop: return "<drop>"
    case .wait: return "<wait>"
    case .reply(let reply): return text(reply)
    case .execute(let pending): return "<execute \(pending.request.command.wireName)>"
    }
}

@Suite struct NGFrontEndTests {
    /// Expected replies are byte-for-byte what rtpengine 10.5 answered to the same datagrams.
    static let protocolErrors: [(String, String)] = [
        ("nocookie", "<drop>"),
        (" d7:command4:pinge", "<drop>"),
        ("c1 ", "c1 d6:result5:error12:error-reason25:Invalid data (no payload)e"),
        ("c2 garbage", "c2 d6:result5:error12:error-reason22:Invalid NG data formate"),
        ("c3 d4:spame", "c3 d6:result5:error12:error-reason35:Could not decode bencode dictionarye"),
        ("c4 le", "c4 d6:result5:error12:error-reason22:Invalid NG data formate"),
        ("c5   {\"command\":\"ping\"}", "c5 d6:result5:error12:error-reason22:Invalid NG data formate"),
        ("c6 d7:command4:pingi1ei2ee", "c6 d6:result5:error12:error-reason35:Could not decode bencode dictionarye"),
        ("c7 d7:command4:ping3:sdpi01ee", "c7 d6:result5:error12:error-reason35:Could not decode bencode dictionarye"),
        ("c8 d7:command4:Pinge", "c8 d6:result5:error12:error-reason20:Unrecognized commande"),
        ("c9 d7:commandi1ee", "c9 d6:result5:error12:error-reason36:Dictionary contains no key \"command\"e"),
        ("ca d7:command5:offere", "ca d6:result5:error12:error-reason22:No SDP body in messagee"),
        ("cb {\"command\":\"ping\"", "cb {\"result\":\"error\",\"error-reason\":\"Failed to parse JSON document\"}"),
        ("cc {\"command\":\"ping\"} junk", "cc {\"result\":\"error\",\"error-reason\":\"Failed to parse JSON document\"}"),
        ("cd {\"command\":\"ping\",\"x\":null}", "cd {\"result\":\"error\",\"error-reason\":\"Could not decode bencode dictionary\"}"),
        ("ce {\"command\":\"offer\"}", "ce {\"result\":\"error\",\"error-reason\":\"No SDP body in message\"}"),
        ("cf d7:command10:play mediae", "cf d6:result5:error12:error-reason19:Unsupported commande"),
    ]

    @Test(arguments: protocolErrors)
    func protocolErrorsAreAnsweredLikeRtpengine(datagram: String, expected: String) {
        var frontEnd = NGFrontEnd<Int>()
        #expect(outcome(&frontEnd, bytes(datagram)) == expected)
    }

    /// rtpengine 10.5 (observed): input that ends where a key or list item could start closes
    /// the open containers; input ending inside a string, an integer or after a key does not.
    static let truncatedBodies: [(String, String)] = [
        ("t1 d7:command4:ping", "<execute ping>"),
        ("t2 d7:command4:ping5:flagsl", "<execute ping>"),
        ("t3 d7:command4:ping5:flagsl4:abcd", "<execute ping>"),
        ("t4 d7:command4:ping5:flagsd1:a1:b", "<execute ping>"),
        ("t5 d7:command4:ping5:flags", "t5 d6:result5:error12:error-reason35:Could not decode bencode dictionarye"),
        ("t6 d7:command4:pingi", "t6 d6:result5:error12:error-reason35:Could not decode bencode dictionarye"),
        ("t7 d7:command4:ping3:abci12", "t7 d6:result5:error12:error-reason35:Could not decode bencode dictionarye"),
        ("t8 d7:command4:pi", "t8 d6:result5:error12:error-reason35:Could not decode bencode dictionarye"),
        ("t9 d", "t9 d6:result5:error12:error-reason36:Dictionary contains no key \"command\"e"),
    ]

    @Test(arguments: truncatedBodies)
    func truncatedBencodeIsAcceptedWhereRtpengineAcceptsIt(datagram: String, expected: String) {
        var frontEnd = NGFrontEnd<Int>()
        #expect(outcome(&frontEnd, bytes(datagram)) == expected)
    }

    @Test func trailingBytesAfterBencodeDictionaryAreIgnoredLikeRtpengine() {
        var frontEnd = NGFrontEnd<Int>()
        #expect(outcome(&frontEnd, bytes("c1 d7:command4:pinge trailing")) == "<execute ping>")
    }

    @Test func executeCompleteAndRetransmit() {
        var frontEnd = NGFrontEnd<Int>()
        guard case .execute(let pending) = frontEnd.receive(bytes("5323_1 d7:command4:pinge"), from: peer, waiter: 1, now: now) else {
            Issue.record("expected execute"); return
        }
        #expect(pending.cookie == bytes("5323_1"))
        #expect(pending.encoding == .bencode)
        #expect(outcome(&frontEnd, bytes("5323_1 d7:command4:pinge")) == "<wait>")
        let (reply, waiters) = frontEnd.complete(pending, with: .pong, now: now)
        #expect(text(reply) == "5323_1 d6:result4:ponge")
        #expect(waiters == [0])
        // A retransmission, even with a different body, gets the cached bytes (rtpengine does the same).
        #expect(outcome(&frontEnd, bytes("5323_1 d7:command4:liste")) == "5323_1 d6:result4:ponge")
    }

    @Test func cachedErrorsAreReplayed() {
        var frontEnd = NGFrontEnd<Int>()
        let first = outcome(&frontEnd, bytes("x1 garbage"))
        #expect(outcome(&frontEnd, bytes("x1 d7:command4:pinge")) == first)
    }

    @Test func jsonRequestsAreAnsweredInJSON() {
        var frontEnd = NGFrontEnd<Int>()
        let datagram = bytes("j1 {\"command\":\"offer\",\"call-id\":\"a\",\"from-tag\":\"f\",\"sdp\":\"v=0\\r\\n\"}")
        guard case .execute(let pending) = frontEnd.receive(datagram, from: peer, waiter: 0, now: now) else {
            Issue.record("expected execute"); return
        }
        #expect(pending.request.sdp == bytes("v=0\r\n"))
        #expect(pending.encoding == .json)
        let (reply, _) = frontEnd.complete(pending, with: .sdp(bytes("v=0\r\n")), now: now)
        #expect(text(reply) == "j1 {\"sdp\":\"v=0\\r\\n\",\"result\":\"ok\"}")
    }

    @Test func everyCommandInTheTableIsRecognised() {
        for command in NGCommand.allCases {
            var frontEnd = NGFrontEnd<Int>()
            let body = BencodeValue.dictionary(["command": .text(command.wireName), "call-id": "c", "from-tag": "f",
                                                "to-tag": "t", "sdp": "v=0"])
            let reply = outcome(&frontEnd, bytes("k ") + body.encoded)
            if command.isSupported {
                #expect(reply == "<execute \(command.wireName)>")
            } else {
                #expect(reply.contains("Unsupported command"), "\(command)")
            }
        }
    }
}

@Suite struct NGDatagramTests {
    @Test func splitsAtFirstSpaceOnly() {
        let datagram = NGDatagram(parsing: bytes("abc d3:x y:e"))
        #expect(datagram?.cookie == bytes("abc"))
        #expect(datagram?.body == bytes("d3:x y:e"))
        #expect(datagram?.framed == bytes("abc d3:x y:e"))
    }

    @Test func binaryCookiesAreKeptAsBytes() {
        let datagram = NGDatagram(parsing: [0xff, 0x00, 0x20, 0x64, 0x65])
        #expect(datagram?.cookie == [0xff, 0x00])
        #expect(datagram?.reply(.pong, encoding: .bencode) == [0xff, 0x00, 0x20] + bytes("d6:result4:ponge"))
    }
}
