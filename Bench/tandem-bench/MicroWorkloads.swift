import Bencode
import CallModel
import Foundation
import NGProtocol
import SDP
import TandemBase

// The control-path workloads of `tandem-bench micro`, on realistic inputs. Kept free of the
// malloc counter so Bench/micro (ordo-one `benchmark`) compiles this same file (symlinked).

/// The operations measured, on realistic inputs.
enum Workloads {
    static let sdp = """
        v=0\r\no=- 1545997027 1 IN IP4 198.51.100.1\r\ns=tester\r\nc=IN IP4 198.51.100.1\r\nt=0 0\r\n\
        m=audio 2000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n\
        a=ptime:20\r\na=sendrecv\r\n
        """
    static let answer = sdp.replacingOccurrences(of: "198.51.100.1", with: "198.51.100.2")
        .replacingOccurrences(of: "m=audio 2000", with: "m=audio 3000")

    static let offerDatagram: [UInt8] = {
        let request: BencodeValue = [
            "command": "offer", "call-id": "bench-call@198.51.100.1", "from-tag": "tag-a",
            "flags": ["trust-address"], "replace": ["origin", "session-connection"],
            "received-from": ["IP4", "198.51.100.1"], "sdp": .text(sdp),
        ]
        return request.encoded
    }()

    static let reply: BencodeValue = {
        let stats: BencodeValue = ["packets": 1000, "bytes": 172_000, "errors": 0]
        let stream: BencodeValue = ["local port": 30000, "endpoint": ["family": "IPv4", "address": "198.51.100.1", "port": 2000],
                                    "flags": ["RTP", "filled"], "stats": stats]
        let media: BencodeValue = ["index": 1, "type": "audio", "protocol": "RTP/AVP", "streams": [stream, stream]]
        return ["created": 1_700_000_000, "tags": ["tag-a": ["tag": "tag-a", "medias": [media]],
                                                    "tag-b": ["tag": "tag-b", "medias": [media]]],
                "totals": ["RTP": stats, "RTCP": stats], "result": "ok"]
    }()

    static func decodeOffer() {
        let value = try? BencodeValue.decode(offerDatagram)
        precondition(value != nil)
    }

    static func encodeReply() {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        reply.encode(into: &out)
        precondition(!out.isEmpty)
    }

    static func parseSerializeSDP() {
        let parsed = try? SessionDescription(parsing: sdp)
        precondition(parsed?.serialized().isEmpty == false)
    }

    nonisolated(unsafe) static let registry: CallRegistry = {
        var settings = CallRegistry.Settings(interfaces: InterfaceSet([
            LocalInterface(name: "internal", address: IPAddress("127.0.0.1")!),
        ]))
        settings.deleteDelay = 0
        return CallRegistry(settings: settings, plane: CountingPlane())
    }()

    /// A whole call's signalling through the call model (ports from an in-memory plane).
    static func offerAnswerDelete() {
        let now = MonotonicTime(seconds: 1)
        var options = OfferAnswerOptions(fromTag: "tag-a")
        options.replace = [.origin]
        do {
            _ = try registry.offer(callID: "bench", sdp: sdp, options: options, now: now, wallClock: 1.7e9)
            options.toTag = "tag-b"
            _ = try registry.answer(callID: "bench", sdp: answer, options: options, now: now, wallClock: 1.7e9)
            try registry.delete(callID: "bench", fromTag: "tag-a", toTag: nil, viaBranch: nil, delay: 0, now: now)
        } catch {
            fatalError("offer-answer-delete: \(error)")
        }
    }
}

/// A MediaPlane without sockets: hands out port pairs round-robin from a fixed range.
final class CountingPlane: MediaPlane {
    private var next: UInt16 = 30000
    private var id: Int32 = 0

    func openPorts(on interface: LocalInterface, count: Int) -> [SocketHandle]? {
        if next > 39990 { next = 30000 }
        defer { next += UInt16(count + count % 2) }
        return (0..<count).map { i in
            id &+= 1
            return SocketHandle(id: id, port: next + UInt16(i))
        }
    }

    func close(_ socket: SocketHandle) {}
    func configure(_ socket: SocketHandle, _ forwarding: SocketForwarding) {}
    func stats(_ socket: SocketHandle) -> SocketStats { SocketStats() }
    func setControlHandler(_ handler: ((ControlPacket) -> Void)?) {}
    func sendControl(_ bytes: [UInt8], from socket: SocketHandle, to destination: TransportAddress) {}
}
