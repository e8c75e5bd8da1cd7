import Foundation
import Glibc
import TandemBase
import TandemTestSupport

// Phones: blocking UDP sockets on loopback that send RTP/RTCP and receive with a timeout.

/// A phone: an RTP socket and an RTCP socket on the next port (what an SDP without a=rtcp
/// implies), both on loopback.
final class Phone: @unchecked Sendable {
    let rtp: UDPSocket
    let rtcp: UDPSocket
    let ip: String

    init(_ ip: String = "127.0.0.1") throws {
        for _ in 0..<50 {
            guard let rtp = UDPSocket(ip), rtp.port < 65535 else { continue }
            if let rtcp = UDPSocket(ip, port: rtp.port + 1) {
                self.rtp = rtp
                self.rtcp = rtcp
                self.ip = ip
                return
            }
        }
        throw IntegrationError("cannot bind a port pair on \(ip)")
    }

    var port: UInt16 { rtp.port }

    /// A plain one-stream audio SDP (PCMU + telephone-event) pointing at this phone.
    func sdp(extra: [String] = [], session: String = "1") -> String {
        let family = ip.contains(":") ? "IP6" : "IP4"
        var lines = [
            "v=0", "o=- \(session) 1 IN \(family) \(ip)", "s=-", "c=IN \(family) \(ip)", "t=0 0",
            "m=audio \(port) RTP/AVP 0 101", "a=rtpmap:0 PCMU/8000", "a=rtpmap:101 telephone-event/8000",
        ]
        lines += extra
        lines.append("a=sendrecv")
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}

// MARK: - Packets

struct RTPPacket: Equatable {
    var marker = false
    var payloadType: UInt8 = 0
    var seq: UInt16
    var timestamp: UInt32
    var ssrc: UInt32
    var payload: [UInt8]

    var bytes: [UInt8] {
        var b: [UInt8] = [0x80, (marker ? 0x80 : 0) | payloadType, UInt8(seq >> 8), UInt8(seq & 0xff)]
        for v in [timestamp, ssrc] { b += be32(v) }
        return b + payload
    }

    init(marker: Bool = false, payloadType: UInt8 = 0, seq: UInt16, timestamp: UInt32, ssrc: UInt32, payload: [UInt8]) {
        self.marker = marker
        self.payloadType = payloadType
        self.seq = seq
        self.timestamp = timestamp
        self.ssrc = ssrc
        self.payload = payload
    }

    init?(parsing b: [UInt8]) {
        guard b.count >= 12, b[0] >> 6 == 2 else { return nil }
        marker = b[1] & 0x80 != 0
        payloadType = b[1] & 0x7f
        seq = UInt16(b[2]) << 8 | UInt16(b[3])
        timestamp = be32(b, 4)
        ssrc = be32(b, 8)
        payload = Array(b[12...])
    }

    /// Packet `i` of a recognisable stream: 20 ms PCMU frames, marker on the first, payload
    /// bytes derived from the index.
    static func stream(_ i: Int, ssrc: UInt32, seq0: UInt16 = 1000, ts0: UInt32 = 160_000) -> RTPPacket {
        RTPPacket(marker: i == 0, payloadType: 0, seq: seq0 &+ UInt16(truncatingIfNeeded: i),
                  timestamp: ts0 &+ UInt32(i) * 160, ssrc: ssrc,
                  payload: (0..<160).map { UInt8(truncatingIfNeeded: $0 &+ i &* 7) })
    }
}

func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }
func be32(_ b: [UInt8], _ at: Int) -> UInt32 {
    UInt32(b[at]) << 24 | UInt32(b[at + 1]) << 16 | UInt32(b[at + 2]) << 8 | UInt32(b[at + 3])
}

/// An RTCP sender report (no report blocks) tagged with `n` in its NTP timestamp.
func rtcpSR(ssrc: UInt32, n: UInt32) -> [UInt8] {
    [0x80, 200, 0, 6] + be32(ssrc) + be32(0xe000_0000) + be32(n) + be32(n * 160) + be32(n) + be32(n * 172)
}

// MARK: - SDP

/// What the daemon's rewritten SDP tells a phone: where to send RTP and RTCP.
struct SDPTarget {
    var address: String
    var rtpPort: UInt16
    var rtcpPort: UInt16
    var rtcpMux: Bool
    var text: String

    var rtp: TransportAddress { TransportAddress(ip: IPAddress(address)!, port: rtpPort) }
    var rtcp: TransportAddress { TransportAddress(ip: IPAddress(address)!, port: rtcpPort) }

    init(_ sdp: String) throws {
        text = sdp
        let lines = sdp.split(whereSeparator: \.isNewline).map(String.init)
        guard let c = lines.last(where: { $0.hasPrefix("c=IN ") }),
              let m = lines.first(where: { $0.hasPrefix("m=audio ") }) else {
            throw IntegrationError("SDP without c= or m=audio:\n\(sdp)")
        }
        let cParts = c.split(separator: " ")
        let mParts = m.split(separator: " ")
        guard cParts.count >= 3, mParts.count >= 2, let port = UInt16(mParts[1]), IPAddress(cParts[2]) != nil else {
            throw IntegrationError("bad c= or m= line:\n\(sdp)")
        }
        address = String(cParts[2])
        rtpPort = port
        rtcpMux = lines.contains("a=rtcp-mux")
        if let rtcpLine = lines.first(where: { $0.hasPrefix("a=rtcp:") }),
           let p = UInt16(rtcpLine.dropFirst(7).split(separator: " ")[0]) {
            rtcpPort = p
        } else {
            rtcpPort = port + 1
        }
    }
}
