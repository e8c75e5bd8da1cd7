import Bencode
import Foundation
import NGProtocol
import Testing
import TandemBase
@testable import Proxy
@testable import SIP

// The proxy core driven in memory, str0m-style: a UAC, a UAS and media daemons are plain
// values; every output of the core is inspected, every input is fed by hand on a fake clock.

private let uac = SIPPeer(TransportAddress("127.0.0.1:5090")!)
private let proxyAddress = SIPPeer(TransportAddress("127.0.0.1:5070")!)
private let uas = SIPPeer(TransportAddress("127.0.0.1:5080")!)
private let daemon1 = TransportAddress("127.0.0.1:2223")!
private let daemon2 = TransportAddress("127.0.0.1:2224")!

private let offerSDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\n"
private let answerSDP = "v=0\r\no=- 2 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 7000 RTP/AVP 0\r\n"
private let rewrittenSDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\n"

private func invite(branch: String = "z9hG4bK-uac-1", sdp: String? = offerSDP, maxForwards: Int = 70) -> [UInt8] {
    let body = sdp ?? ""
    return Array(("INVITE sip:bob@127.0.0.1:5080 SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP 127.0.0.1:5090;branch=\(branch);rport\r\n"
        + "Max-Forwards: \(maxForwards)\r\nFrom: <sip:alice@127.0.0.1>;tag=ft1\r\nTo: <sip:bob@127.0.0.1>\r\n"
        + "Call-ID: call-1@test\r\nCSeq: 1 INVITE\r\nContact: <sip:alice@127.0.0.1:5090>\r\n"
        + (sdp == nil ? "" : "Content-Type: application/sdp\r\n")
        + "Content-Length: \(body.utf8.count)\r\n\r\n" + body).utf8)
}

/// One proxy core plus a hand-driven clock, with helpers to pick outputs apart.
private struct World {
    let core: ProxyCore
    var now = MonotonicTime(seconds: 100)

    init(daemons: [TransportAddress] = [daemon1]) {
        var config = ProxyConfig()
        config.listen = [proxyAddress]
        config.nextHop = uas
        config.mediaDaemons = daemons.map { ProxyConfig.MediaDaemon(address: $0) }
        config.pingInterval = 1000
        core = ProxyCore(config: config, now: now, log: Log(level: 0, name: "test"))
    }

    func fromUAC(_ bytes: [UInt8]) -> [ProxyOutput] { core.receiveSIP(bytes, from: uac, now: now) }
    func fromUAS(_ message: SIPMessage) -> [ProxyOutput] { core.receiveSIP(message.serialized(), from: uas, now: now) }

    mutating func advance(_ seconds: Double) -> [ProxyOutput] {
        now = now + seconds
        return core.tick(now: now)
    }

    /// Answers an ng request as a daemon would, with `sdp` (or an error).
    func reply(to datagram: [UInt8], from daemon: TransportAddress = daemon1, sdp: String? = rewrittenSDP,
               error: String? = nil) -> [ProxyOutput] {
        let space = datagram.firstIndex(of: 0x20)!
        var dict = BencodeDictionary()
        if let error {
            dict["result"] = "error"
            dict["error-reason"] = .text(error)
        } else {
            if let sdp { dict["sdp"] = .text(sdp) }
            dict["result"] = "ok"
        }
        let reply = Array(datagram[...space]) + BencodeValue.dictionary(dict).encoded
        return core.receiveNG(reply, from: daemon, now: now)
    }
}

private func sipMessages(_ outputs: [ProxyOutput], to peer: SIPPeer) -> [SIPMessage] {
    outputs.compactMap {
        guard case .sendSIP(let bytes, let to) = $0, to == peer else { return nil }
        return try? SIPMessage.parse(bytes)
    }
}

private func ngRequests(_ outputs: [ProxyOutput]) -> [(bytes: [UInt8], dict: BencodeDictionary, to: TransportAddress)] {
    outputs.compactMap {
        guard case .sendNG(let bytes, let to) = $0, let space = bytes.firstIndex(of: 0x20),
              case .dictionary(let dict)? = try? BencodeValue.decode(Array(bytes[(space + 1)...])) else { return nil }
        return (bytes, dict, to)
    }
}

private func status(_ message: SIPMessage) -> Int? { message.response?.statusCode }

@Test func inviteGets100TryingBeforeTheOfferAndIsForwardedAfterIt() throws {
    let w = World()
    let out = w.fromUAC(invite())
    #expect(sipMessages(out, to: uac).map(status) == [100])
    let ng = ngRequests(out)
    #expect(ng.count == 1 && ng.first?.dict["command"]?.stringValue == "offer")
    #expect(ng.first?.dict["call-id"]?.stringValue == "call-1@test")
    #expect(ng.first?.dict["from-tag"]?.stringValue == "ft1")
    #expect(sipMessages(out, to: uas).isEmpty, "nothing forwarded before the media daemon answered")

    let forwarded = sipMessages(w.reply(to: try #require(ng.first).bytes), to: uas)
    let request = try #require(forwarded.first?.request)
    #expect(request.method == .invite)
    #expect(String(decoding: request.body, as: UTF8.self) == rewrittenSDP)
    #expect(request.headers.vias?.count == 2, "our Via on top of the UAC's")
    #expect(request.headers.topVia?.host == "127.0.0.1" && request.headers.topVia?.port == 5070)
    #expect(request.headers.maxForwards?.value == 69)
    #expect(request.headers.first("Record-Route") == "<sip:127.0.0.1:5070;lr>")
}

@Test func inviteRetransmittedWhileTheDaemonIsBusyIsAbsorbed() throws {
    let w = World()
    let first = w.fromUAC(invite())
    let again = w.fromUAC(invite())
    #expect(ngRequests(again).isEmpty, "no second offer")
    #expect(sipMessages(again, to: uas).isEmpty, "no second INVITE downstream")
    #expect(sipMessages(again, to: uac).map(status) == [100], "the retransmission gets 100 again")
    #expect(sipMessages(w.reply(to: ngRequests(first)[0].bytes), to: uas).count == 1)
}

@Test func answerOn200RewritesTheSDPAndPopsOurVia() throws {
    let w = World()
    let offer = ngRequests(w.fromUAC(invite()))[0]
    let forwarded = try #require(sipMessages(w.reply(to: offer.bytes), to: uas).first?.request)
    var ok = SIPResponse(replyingTo: forwarded, statusCode: 200, reason: "OK", toTag: "tt1")
    ok.headers.set("Content-Type", "application/sdp")
    ok.body = Array(answerSDP.utf8)
    let out = w.fromUAS(.response(ok))
    let answer = try #require(ngRequests(out).first)
    #expect(answer.dict["command"]?.stringValue == "answer")
    #expect(answer.dict["to-tag"]?.stringValue == "tt1")
    #expect(sipMessages(out, to: uac).isEmpty, "the 200 waits for the answer")
    let up = try #require(sipMessages(w.reply(to: answer.bytes), to: uac).first?.response)
    #expect(up.statusCode == 200)
    #expect(up.headers.vias?.count == 1 && up.headers.topVia?.branch == "z9hG4bK-uac-1")
    #expect(String(decoding: up.body, as: UTF8.self) == rewrittenSDP)
}

@Test func byeDeletesTheCallAndIsForwarded() throws {
    let w = World()
    let bye = Array(("BYE sip:bob@127.0.0.1:5080 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5090;branch=z9hG4bK-bye\r\n"
        + "Route: <sip:127.0.0.1:5070;lr>\r\nMax-Forwards: 70\r\nFrom: <sip:alice@127.0.0.1>;tag=ft1\r\n"
        + "To: <sip:bob@127.0.0.1>;tag=tt1\r\nCall-ID: call-1@test\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n").utf8)
    let out = w.fromUAC(bye)
    #expect(ngRequests(out).map { $0.dict["command"]?.stringValue } == ["delete"])
    let forwarded = try #require(sipMessages(out, to: uas).first?.request)
    #expect(forwarded.method == .bye)
    #expect((forwarded.headers.routes ?? []).isEmpty, "our own Route was consumed")
}

@Test func noResponseFromTheNextHopGives408AndDeletesMedia() throws {
    var w = World()
    let offer = ngRequests(w.fromUAC(invite()))[0]
    _ = w.reply(to: offer.bytes)
    var all: [ProxyOutput] = []
    for _ in 0..<70 { all += w.advance(1) }  // Timer B = 64 * T1 = 32 s
    #expect(sipMessages(all, to: uas).filter { $0.request?.method == .invite }.count >= 5, "INVITE retransmitted")
    #expect(sipMessages(all, to: uac).compactMap(status).contains(408))
    #expect(ngRequests(all).contains { $0.dict["command"]?.stringValue == "delete" })
}

@Test func cancelBeforeForwardingAnswers487AndDeletes() throws {
    let w = World()
    _ = w.fromUAC(invite())
    let cancel = Array(("CANCEL sip:bob@127.0.0.1:5080 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5090;branch=z9hG4bK-uac-1;rport\r\n"
        + "Max-Forwards: 70\r\nFrom: <sip:alice@127.0.0.1>;tag=ft1\r\nTo: <sip:bob@127.0.0.1>\r\n"
        + "Call-ID: call-1@test\r\nCSeq: 1 CANCEL\r\nContent-Length: 0\r\n\r\n").utf8)
    let out = w.fromUAC(cancel)
    #expect(sipMessages(out, to: uac).compactMap(status).sorted() == [200, 487])
    #expect(ngRequests(out).contains { $0.dict["command"]?.stringValue == "delete" })
}

@Test func lateOfferOffersOnThe200AndAnswersOnTheACK() throws {
    let w = World()
    let out = w.fromUAC(invite(sdp: nil))
    #expect(ngRequests(out).isEmpty)
    let forwarded = try #require(sipMessages(out, to: uas).first?.request)
    var ok = SIPResponse(replyingTo: forwarded, statusCode: 200, reason: "OK", toTag: "tt1")
    ok.headers.set("Content-Type", "application/sdp")
    ok.body = Array(offerSDP.utf8)
    let offer = try #require(ngRequests(w.fromUAS(.response(ok))).first)
    #expect(offer.dict["command"]?.stringValue == "offer")
    #expect(offer.dict["from-tag"]?.stringValue == "tt1", "the callee makes the offer: tags swapped")
    _ = w.reply(to: offer.bytes)
    let ack = Array(("ACK sip:bob@127.0.0.1:5080 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5090;branch=z9hG4bK-ack\r\n"
        + "Route: <sip:127.0.0.1:5070;lr>\r\nMax-Forwards: 70\r\nFrom: <sip:alice@127.0.0.1>;tag=ft1\r\n"
        + "To: <sip:bob@127.0.0.1>;tag=tt1\r\nCall-ID: call-1@test\r\nCSeq: 1 ACK\r\n"
        + "Content-Type: application/sdp\r\nContent-Length: \(answerSDP.utf8.count)\r\n\r\n\(answerSDP)").utf8)
    let answer = try #require(ngRequests(w.fromUAC(ack)).first)
    #expect(answer.dict["command"]?.stringValue == "answer")
    #expect(answer.dict["from-tag"]?.stringValue == "tt1")
    let sentACK = try #require(sipMessages(w.reply(to: answer.bytes), to: uas).first?.request)
    #expect(sentACK.method == .ack && String(decoding: sentACK.body, as: UTF8.self) == rewrittenSDP)
}

@Test func offerFailsOverToTheSecondDaemon() throws {
    var w = World(daemons: [daemon1, daemon2])
    // Find which daemon this call hashes to first; make that one silent.
    let first = try #require(ngRequests(w.fromUAC(invite())).first)
    var later: [ProxyOutput] = []
    for _ in 0..<10 { later += w.advance(0.5) }
    let other = first.to == daemon1 ? daemon2 : daemon1
    let retry = try #require(ngRequests(later).first { $0.to == other && $0.dict["command"]?.stringValue == "offer" },
                             "offer sent to the other daemon")
    let replied = w.reply(to: retry.bytes, from: other)
    let forwarded = sipMessages(replied, to: uas)
    #expect(forwarded.first?.request?.method == .invite)
}

@Test func daemonErrorRefusesTheCallWith503() throws {
    let w = World()
    let offer = ngRequests(w.fromUAC(invite()))[0]
    let out = w.reply(to: offer.bytes, error: "Ran out of ports")
    #expect(sipMessages(out, to: uac).compactMap(status) == [503])
    #expect(sipMessages(out, to: uas).isEmpty)
}

@Test func maxForwardsZeroGets483() {
    let w = World()
    #expect(sipMessages(w.fromUAC(invite(maxForwards: 0)), to: uac).compactMap(status) == [483])
}

@Test func malformedRequestGets400OrNothing() {
    let w = World()
    let noCSeq = Array("INVITE sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5090;branch=z9hG4bK-x\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:b@c>\r\nCall-ID: x\r\nContent-Length: 0\r\n\r\n".utf8)
    let out = w.fromUAC(noCSeq)
    #expect(ngRequests(out).isEmpty)
    #expect(sipMessages(out, to: uas).isEmpty)
    #expect(w.fromUAC(Array("garbage\r\n\r\n".utf8)).isEmpty)
}

@Test func optionParsingKeepsTheDocumentedNames() throws {
    let inv = try ProxyOptions.parse(["--listen=udp:127.0.0.1:5060", "--listen=tcp:127.0.0.1:5060",
                                      "--next-hop=127.0.0.1:5080", "--media-daemon=udp:127.0.0.1:2223",
                                      "--media-daemon=udp:[::1]:2224=3", "--offer-flags=trust-address ICE=remove"]) { _ in "" }
    guard case .run(let config) = inv else { Issue.record("not run"); return }
    #expect(config.listen.map(\.transport) == [.udp, .tcp])
    #expect(config.nextHop == SIPPeer(TransportAddress("127.0.0.1:5080")!))
    #expect(config.mediaDaemons.map(\.weight) == [1, 3])
    #expect(config.offerFlags == "trust-address ICE=remove")
    #expect(throws: ProxyOptions.OptionError.self) { try ProxyOptions.parse(["--bogus=1"]) { _ in "" } }
    #expect(try ProxyOptions.parse(["--help"]) { _ in "" } == .help)
}

@Test func timerCCancelsAnInviteLeftRingingAndAnswers408() throws {
    var w = World()
    let offer = ngRequests(w.fromUAC(invite()))[0]
    let forwarded = try #require(sipMessages(w.reply(to: offer.bytes), to: uas).first?.request)
    _ = w.fromUAS(.response(SIPResponse(replyingTo: forwarded, statusCode: 180, reason: "Ringing", toTag: "tt1")))
    var all: [ProxyOutput] = []
    for _ in 0..<200 { all += w.advance(1) }  // Timer C = 180 s
    #expect(sipMessages(all, to: uas).contains { $0.request?.method == .cancel }, "CANCEL sent downstream")
    #expect(sipMessages(all, to: uac).compactMap(status).contains(408))
    #expect(ngRequests(all).contains { $0.dict["command"]?.stringValue == "delete" })
}

@Test func reinviteInTheDialogIsOfferedWithBothTagsAndRoutedByRoute() throws {
    let w = World()
    let body = offerSDP
    let reinvite = Array(("INVITE sip:bob@127.0.0.1:5080 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5090;branch=z9hG4bK-re\r\n"
        + "Route: <sip:127.0.0.1:5070;lr>\r\nMax-Forwards: 70\r\nFrom: <sip:alice@127.0.0.1>;tag=ft1\r\n"
        + "To: <sip:bob@127.0.0.1>;tag=tt1\r\nCall-ID: call-1@test\r\nCSeq: 3 INVITE\r\n"
        + "Content-Type: application/sdp\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)").utf8)
    let out = w.fromUAC(reinvite)
    let offer = try #require(ngRequests(out).first)
    #expect(offer.dict["command"]?.stringValue == "offer")
    #expect(offer.dict["from-tag"]?.stringValue == "ft1" && offer.dict["to-tag"]?.stringValue == "tt1")
    let forwarded = try #require(sipMessages(w.reply(to: offer.bytes), to: uas).first?.request)
    #expect(forwarded.method == .invite)
    #expect(forwarded.headers.first("Record-Route") == nil, "no Record-Route inside a dialog")
    #expect(String(decoding: forwarded.body, as: UTF8.self) == rewrittenSDP)
}

@Test func topViaGetsReceivedAndRPortFromTheSource() throws {
    let w = World()
    // The UAC says it is 10.0.0.5:5090 (behind NAT) but the request comes from 127.0.0.1:5090.
    let natted = String(decoding: invite(), as: UTF8.self)
        .replacingOccurrences(of: "Via: SIP/2.0/UDP 127.0.0.1:5090", with: "Via: SIP/2.0/UDP 10.0.0.5:5060")
    let offer = ngRequests(w.fromUAC(Array(natted.utf8)))[0]
    let forwarded = try #require(sipMessages(w.reply(to: offer.bytes), to: uas).first?.request)
    let clientVia = try #require(forwarded.headers.vias?.last)
    #expect(clientVia.received == "127.0.0.1")
    #expect(clientVia.rport == 5090)
}

@Test func updateWithSDPIsOfferedAndIts200Answered() throws {
    let w = World()
    let body = offerSDP
    let update = Array(("UPDATE sip:bob@127.0.0.1:5080 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5090;branch=z9hG4bK-upd\r\n"
        + "Route: <sip:127.0.0.1:5070;lr>\r\nMax-Forwards: 70\r\nFrom: <sip:alice@127.0.0.1>;tag=ft1\r\n"
        + "To: <sip:bob@127.0.0.1>;tag=tt1\r\nCall-ID: call-1@test\r\nCSeq: 4 UPDATE\r\n"
        + "Content-Type: application/sdp\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)").utf8)
    let offer = try #require(ngRequests(w.fromUAC(update)).first)
    #expect(offer.dict["command"]?.stringValue == "offer")
    let forwarded = try #require(sipMessages(w.reply(to: offer.bytes), to: uas).first?.request)
    #expect(forwarded.method == .update)
    var ok = SIPResponse(replyingTo: forwarded, statusCode: 200, reason: "OK")
    ok.headers.set("Content-Type", "application/sdp")
    ok.body = Array(answerSDP.utf8)
    let answer = try #require(ngRequests(w.fromUAS(.response(ok))).first)
    #expect(answer.dict["command"]?.stringValue == "answer")
    let up = try #require(sipMessages(w.reply(to: answer.bytes), to: uac).first?.response)
    #expect(up.statusCode == 200 && String(decoding: up.body, as: UTF8.self) == rewrittenSDP)
}
