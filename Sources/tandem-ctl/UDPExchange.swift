import Glibc
import TandemBase

/// One request/reply exchange over UDP: send, wait up to `timeout`, resend the same datagram
/// (same cookie, so the daemon's cookie cache answers instead of re-executing) up to
/// `retransmissions` times. Replies whose cookie does not match are skipped.
struct UDPExchange {
    enum Failure: Error, CustomStringConvertible {
        case socket(String)
        case timeout(attempts: Int)

        var description: String {
            switch self {
            case .socket(let message): return message
            case .timeout(let attempts): return "no reply after \(attempts) attempts"
            }
        }
    }

    var server: TransportAddress
    var timeout: Double
    var retransmissions: Int

    func run(_ datagram: [UInt8], cookie: [UInt8]) throws(Failure) -> [UInt8] {
        let fd = try connectedSocket()
        defer { close(fd) }
        for _ in 0...retransmissions {
            guard send(fd, datagram, datagram.count, 0) == datagram.count else {
                throw .socket("send failed: \(String(cString: strerror(errno)))")
            }
            if let reply = try awaitReply(fd, cookie: cookie) { return reply }
        }
        throw .timeout(attempts: retransmissions + 1)
    }

    private func awaitReply(_ fd: Int32, cookie: [UInt8]) throws(Failure) -> [UInt8]? {
        let deadline = now() + timeout
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let remaining = deadline - now()
            guard remaining > 0 else { return nil }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(remaining * 1000) + 1)
            if ready < 0, errno == EINTR { continue }
            guard ready > 0 else { return nil }
            let count = recv(fd, &buffer, buffer.count, 0)
            if count < 0 {
                // ICMP port unreachable surfaces as ECONNREFUSED on a connected socket: keep trying.
                if errno == ECONNREFUSED || errno == EINTR { continue }
                throw .socket("recv failed: \(String(cString: strerror(errno)))")
            }
            let reply = Array(buffer[0..<count])
            if reply.starts(with: cookie + [UInt8(ascii: " ")]) { return reply }
        }
    }

    private func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    private func connectedSocket() throws(Failure) -> Int32 {
        let family = server.ip.family == .ipv4 ? AF_INET : AF_INET6
        let fd = socket(family, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw .socket("socket failed: \(String(cString: strerror(errno)))") }
        let result = withSocketAddress(server) { address, length in connect(fd, address, length) }
        guard result == 0 else {
            close(fd)
            throw .socket("connect to \(server) failed: \(String(cString: strerror(errno)))")
        }
        return fd
    }
}

/// Calls `body` with a sockaddr for `address`.
func withSocketAddress<R>(_ address: TransportAddress, _ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
    switch address.ip {
    case .v4(let raw):
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = address.port.bigEndian
        sin.sin_addr.s_addr = raw.bigEndian
        return withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    case .v6:
        var sin6 = sockaddr_in6()
        sin6.sin6_family = sa_family_t(AF_INET6)
        sin6.sin6_port = address.port.bigEndian
        let bytes = address.ip.bytes
        withUnsafeMutableBytes(of: &sin6.sin6_addr) { raw in
            for index in 0..<16 { raw[index] = bytes[index] }
        }
        return withUnsafePointer(to: &sin6) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
        }
    }
}
