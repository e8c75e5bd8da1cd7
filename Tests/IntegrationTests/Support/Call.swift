import Bencode
import Foundation
import TandemBase
import TandemTestSupport
import Testing

/// One call set up through tandemd: caller A offers, callee B answers.
/// `toB` is where B sends (the port in the offer B received), `toA` where A sends.
struct RelayedCall {
    let callID: String
    let fromTag: String
    let toTag: String
    let offerOut: SDPTarget   // the offer as B received it
    let answerOut: SDPTarget  // the answer as A received it

    var toB: SDPTarget { offerOut }
    var toA: SDPTarget { answerOut }

    static func setUp(_ ng: NGClient, a: Phone, b: Phone, callID: String = "call-\(UInt32.random(in: 0...UInt32.max))",
                      offerSDP: String? = nil, answerSDP: String? = nil,
                      offerOptions: [String] = [], answerOptions: [String] = []) throws -> RelayedCall {
        let offer = try ng.offer(callID, from: "A-tag", sdp: offerSDP ?? a.sdp(), options: offerOptions)
        let answer = try ng.answer(callID, from: "A-tag", to: "B-tag", sdp: answerSDP ?? b.sdp(session: "2"),
                                   options: answerOptions)
        return RelayedCall(callID: callID, fromTag: "A-tag", toTag: "B-tag",
                           offerOut: try SDPTarget(offer), answerOut: try SDPTarget(answer))
    }
}

/// Sends `count` RTP packets from `from` to `to`, receives them at `at`, and checks every
/// header field and payload arrived intact, in order, from `expectedSource`.
func relayRTP(count: Int, ssrc: UInt32, from: UDPSocket, to: TransportAddress, at: UDPSocket,
              expectedSource: TransportAddress? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
    let sent = (0..<count).map { RTPPacket.stream($0, ssrc: ssrc) }
    for packet in sent { from.send(packet.bytes, to: to) }
    var received = at.receive(count: count, timeout: 1.5)
    // rtpengine's userspace threads may reorder a burst; tandemd keeps a call on one loop, in order.
    if Tandemd.isReference { received.sort { (RTPPacket(parsing: $0.bytes)?.seq ?? 0) < (RTPPacket(parsing: $1.bytes)?.seq ?? 0) } }
    #expect(received.count == count, "received \(received.count) of \(count) RTP packets", sourceLocation: sourceLocation)
    for (index, packet) in received.enumerated() where index < sent.count {
        let parsed = RTPPacket(parsing: packet.bytes)
        #expect(parsed == sent[index], "RTP packet \(index) changed in transit", sourceLocation: sourceLocation)
        if let expectedSource {
            #expect(packet.from == expectedSource, "RTP packet \(index) came from \(packet.from), not \(expectedSource)",
                    sourceLocation: sourceLocation)
        }
    }
}

/// One datagram `from` -> `to`, which must arrive at `at` unchanged within `timeout`.
func relayOne(_ bytes: [UInt8], from: UDPSocket, to: TransportAddress, at: UDPSocket, timeout: Double = 1.5,
              sourceLocation: SourceLocation = #_sourceLocation) -> TransportAddress? {
    from.send(bytes, to: to)
    guard let got = at.receive(timeout: timeout) else {
        Issue.record("datagram to \(to) did not arrive at \(at.address)", sourceLocation: sourceLocation)
        return nil
    }
    #expect(got.bytes == bytes, "datagram changed in transit", sourceLocation: sourceLocation)
    return got.from
}

/// Runs `body` and, when it throws, records the daemon's stderr with the error.
func withDaemonLog<T>(_ daemon: Tandemd, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch {
        Issue.record("\(error)\n--- tandemd stderr ---\n\(daemon.log)")
        throw error
    }
}
