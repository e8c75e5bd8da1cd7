import CallModel
import Glibc
import Testing
import TandemBase
import MediaIO

// STUN and DTLS datagrams on a media socket leave the relay path for the control handler
// (RFC 7983 first-byte demux); answers go back through sendControl from the same socket.

/// Collects control packets on the loop thread; read from the test thread after a sync.
private final class Inbox: @unchecked Sendable {
    var packets: [ControlPacket] = []
}

@Test func stunAndDTLSReachTheControlHandlerAndAnswersGoBack() throws {
    let relay = Relay(slice: 31370...31379)
    let a = try #require(Phone()), b = try #require(Phone())
    let call = try #require(TwoPartyCall(relay, aRemote: a.address, bRemote: b.address))
    let inbox = Inbox()
    _ = relay.loop.sync { context in
        context.plane.setControlHandler { packet in
            inbox.packets.append(packet)
            // Answer like an ICE agent would: from the socket it arrived on, to its source.
            context.plane.sendControl([0x01, 0x01, 0, 0] + packet.bytes.dropFirst(4), from: packet.socket, to: packet.source)
        }
    }
    let bindingRequest: [UInt8] = [0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42] + [UInt8](repeating: 7, count: 12)
    a.send(bindingRequest, to: relay.address(call.a[0]))
    let answer = try #require(a.receive(), "the handler's answer came back")
    #expect(answer.bytes.prefix(2) == [0x01, 0x01])
    #expect(answer.from == relay.address(call.a[0]))

    let clientHello: [UInt8] = [22, 0xfe, 0xfd] + [UInt8](repeating: 0, count: 20)
    a.send(clientHello, to: relay.address(call.a[0]))
    _ = a.receive()
    _ = relay.loop.sync { _ in }
    #expect(inbox.packets.map(\.kind) == [.stun, .dtls])
    #expect(inbox.packets.first?.socket == call.a[0])
    #expect(inbox.packets.first?.source == a.address)
    #expect(inbox.packets.last?.bytes == clientHello)
    #expect(b.hearsNothing(within: 0.1), "control packets are never relayed")
    let counters = relay.counters
    #expect(counters.controlPackets == 2 && counters.dropsMalformed == 0)
}

@Test func withoutAHandlerSTUNIsMalformedMedia() throws {
    let relay = Relay(slice: 31380...31389)
    let a = try #require(Phone()), b = try #require(Phone())
    let call = try #require(TwoPartyCall(relay, aRemote: a.address, bRemote: b.address))
    a.send([0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42] + [UInt8](repeating: 0, count: 12), to: relay.address(call.a[0]))
    #expect(b.hearsNothing(within: 0.1))
    #expect(relay.counters.dropsMalformed == 1)
}
