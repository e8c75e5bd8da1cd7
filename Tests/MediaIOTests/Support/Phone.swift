import CallModel
import Glibc
import MediaIO
import TandemBase
import TandemTestSupport

// Test doubles: "phones" are plain blocking UDP sockets on loopback; every wait is bounded.

/// A phone is a plain UDP socket (shared test support).
typealias Phone = UDPSocket

/// An RTP packet with the given header fields and a recognisable payload.
func rtp(seq: UInt16, ts: UInt32 = 0, ssrc: UInt32 = 0x5555_0001, pt: UInt8 = 0, payload: [UInt8] = Array(repeating: 0xd5, count: 160)) -> [UInt8] {
    var b: [UInt8] = [0x80, pt, UInt8(seq >> 8), UInt8(seq & 0xff)]
    for v in [ts, ssrc] { b += [UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }
    return b + payload
}

/// An RTCP receiver report with no report blocks.
func rtcpRR(ssrc: UInt32 = 0x5555_0002) -> [UInt8] {
    [0x80, 201, 0, 1, UInt8(ssrc >> 24), UInt8(ssrc >> 16 & 0xff), UInt8(ssrc >> 8 & 0xff), UInt8(ssrc & 0xff)]
}
