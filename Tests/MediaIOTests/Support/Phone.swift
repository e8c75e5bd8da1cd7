import CallModel
import Glibc
import MediaIO
import TandemBase

// Test doubles: "phones" are plain blocking UDP sockets on loopback; every wait is bounded.

final class Phone: @unchecked Sendable {
    let fd: Int32
    let address: TransportAddress

    /// Binds a UDP socket on `ip`, port `port` (0 = any ephemeral port). Nil if bind fails.
    init?(_ ip: String = "127.0.0.1", port: UInt16 = 0) {
        guard let addr = IPAddress(ip) else { return nil }
        let family = addr.family == .ipv4 ? AF_INET : AF_INET6
        let fd = socket(family, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var storage = sockaddr_storage()
        let length = TransportAddress(ip: addr, port: port).write(to: &storage)
        let rc = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, length) }
        }
        guard rc == 0 else {
            Glibc.close(fd)
            return nil
        }
        var bound = sockaddr_storage()
        var boundLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &boundLength) }
        }
        self.fd = fd
        self.address = TransportAddress(storage: &bound)!
    }

    deinit { Glibc.close(fd) }

    func send(_ bytes: [UInt8], to destination: TransportAddress) {
        var storage = sockaddr_storage()
        let length = destination.write(to: &storage)
        _ = bytes.withUnsafeBytes { buf in
            withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, buf.baseAddress, buf.count, 0, $0, length)
                }
            }
        }
    }

    /// The next datagram within `timeout` seconds, or nil.
    func receive(timeout: Double = 1.5) -> (bytes: [UInt8], from: TransportAddress)? {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, Int32(timeout * 1000)) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        var from = sockaddr_storage()
        var fromLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let n = buffer.withUnsafeMutableBytes { buf in
            withUnsafeMutablePointer(to: &from) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    recvfrom(fd, buf.baseAddress, buf.count, 0, $0, &fromLength)
                }
            }
        }
        guard n >= 0 else { return nil }
        return (Array(buffer[0..<n]), TransportAddress(storage: &from)!)
    }

    /// True if nothing arrives within `timeout` seconds.
    func hearsNothing(within timeout: Double = 0.3) -> Bool { receive(timeout: timeout) == nil }


}

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
