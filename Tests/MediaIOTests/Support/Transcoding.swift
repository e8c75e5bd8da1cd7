import CallModel
import Codecs
import MediaIO
import RTP
import TandemBase
import TandemTestSupport

// A call through a real packet loop whose sockets are configured directly with TranscodePlans
// (what the call model's negotiation will hand over), with one phone socket per party and
// component, and helpers to push encoded audio through and collect what comes out.

/// One received RTP packet, parsed.
struct ReceivedRTP {
    var marker: Bool
    var payloadType: UInt8
    var sequence: UInt16
    var timestamp: UInt32
    var ssrc: UInt32
    var payload: [UInt8]

    init?(_ bytes: [UInt8]) {
        guard let h = bytes.withUnsafeBytes({ RTPHeader($0) }) else { return nil }
        marker = h.marker
        payloadType = h.payloadType
        sequence = h.sequenceNumber
        timestamp = h.timestamp
        ssrc = h.ssrc
        payload = Array(bytes[h.payloadOffset..<(h.payloadOffset + h.payloadLength)])
    }
}

struct TranscodedCall {
    let a: [SocketHandle], b: [SocketHandle]
    let aRTP: Phone, aRTCP: Phone, bRTP: Phone, bRTCP: Phone

    /// A <-> B with separate RTP/RTCP sockets; `aToB` transcodes what A sends, `bToA` what B sends.
    init?(_ relay: Relay, aToB: TranscodePlan?, bToA: TranscodePlan? = nil) {
        guard let a = relay.open(2), let b = relay.open(2),
              let aRTP = Phone(), let aRTCP = Phone(), let bRTP = Phone(), let bRTCP = Phone() else { return nil }
        (self.a, self.b, self.aRTP, self.aRTCP, self.bRTP, self.bRTCP) = (a, b, aRTP, aRTCP, bRTP, bRTCP)
        let p = LatchingPolicy()
        var fa = SocketForwarding(remote: aRTP.address, rtpOut: b[0], rtcpOut: b[1], acceptsRTCP: false, latching: p)
        fa.transcode = aToB
        var fb = SocketForwarding(remote: bRTP.address, rtpOut: a[0], rtcpOut: a[1], acceptsRTCP: false, latching: p)
        fb.transcode = bToA
        relay.configure(a[0], fa)
        relay.configure(a[1], SocketForwarding(remote: aRTCP.address, rtpOut: nil, rtcpOut: b[1], acceptsRTCP: true, latching: p))
        relay.configure(b[0], fb)
        relay.configure(b[1], SocketForwarding(remote: bRTCP.address, rtpOut: nil, rtcpOut: a[1], acceptsRTCP: true, latching: p))
    }
}

/// Sends `packets` from `from` to `to` and collects what arrives at `at`, reading as it goes
/// (bounded: each wait at most `timeout`), so neither side's socket buffer fills.
func pump(_ packets: [[UInt8]], from: Phone, to: TransportAddress, at: Phone, timeout: Double = 0.5) -> [ReceivedRTP] {
    var out: [ReceivedRTP] = []
    for p in packets {
        from.send(p, to: to)
        while let r = at.receive(timeout: 0.002) { if let h = ReceivedRTP(r.bytes) { out.append(h) } }
    }
    while let r = at.receive(timeout: timeout) { if let h = ReceivedRTP(r.bytes) { out.append(h) } }
    return out
}

/// RTP packets of consecutive `frame`-sample frames of `pcm` encoded by `encode`.
func packetize(_ pcm: [Int16], frame: Int, pt: UInt8, ssrc: UInt32 = 0x1234_5678, firstSequence: UInt16 = 1000,
               firstTimestamp: UInt32 = 50_000, timestampStep: UInt32,
               encode: (UnsafePointer<Int16>, UnsafeMutablePointer<UInt8>) -> Int) -> [[UInt8]] {
    encodeFrames(pcm, frame: frame, encode: encode).enumerated().map { k, payload in
        precondition(!payload.isEmpty, "encode failed")
        return rtp(seq: firstSequence &+ UInt16(truncatingIfNeeded: k), ts: firstTimestamp &+ UInt32(k) &* timestampStep,
                   ssrc: ssrc, pt: pt, payload: payload)
    }
}

/// Decodes received payloads in order with `decode` (into a buffer of `capacity` samples).
func depacketize(_ packets: [ReceivedRTP], capacity: Int, decode: (UnsafePointer<UInt8>, Int, UnsafeMutablePointer<Int16>) -> Int) -> [Int16] {
    decodeFrames(packets.map(\.payload), capacity: capacity, decode: decode)
}

func format(_ pt: UInt8, _ name: String, _ rate: UInt32, channels: Int = 1, fmtp: String? = nil) -> PayloadFormat {
    PayloadFormat(payloadType: pt, encoding: name, clockRate: rate, channels: channels, fmtp: fmtp)
}

let pcmu = format(0, "PCMU", 8000)
let pcma = format(8, "PCMA", 8000)
let g722 = format(9, "G722", 8000)
let opus = format(111, "opus", 48000, channels: 2, fmtp: "useinbandfec=1")
let te8k = format(101, "telephone-event", 8000, fmtp: "0-15")
let te48k = format(101, "telephone-event", 48000, fmtp: "0-15")
