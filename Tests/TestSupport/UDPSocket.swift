import Foundation
import Glibc
import TandemBase

// A blocking UDP socket on loopback that sends datagrams and receives them with a bounded wait:
// the "phone" of the MediaIO and integration tests (shared so both use one implementation).

public final class UDPSocket: @unchecked Sendable {
    public let fd: Int32
    public let address: TransportAddress

    /// Binds on `ip`:`port` (0 = ephemeral). Nil when bind fails (e.g. the port is in use).
    public init?(_ ip: String = "127.0.0.1", port: UInt16 = 0) {
        guard let addr = IPAddress(ip) else { return nil }
        let fd = socket(addr.family == .ipv4 ? AF_INET : AF_INET6, Int32(SOCK_DGRAM.rawValue), 0)
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
        var size: Int32 = 1 << 20
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        self.fd = fd
        self.address = TransportAddress(storage: &bound)!
    }

    deinit { Glibc.close(fd) }

    public var port: UInt16 { address.port }

    public func send(_ bytes: [UInt8], to destination: TransportAddress) {
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
    public func receive(timeout: Double = 1.5) -> (bytes: [UInt8], from: TransportAddress)? {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, Int32(max(0, timeout) * 1000)) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 65_536)
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

    /// Up to `count` datagrams, each awaited at most `timeout` s (stops at the first silence).
    public func receive(count: Int, timeout: Double = 1.5) -> [(bytes: [UInt8], from: TransportAddress)] {
        var out: [(bytes: [UInt8], from: TransportAddress)] = []
        while out.count < count, let packet = receive(timeout: timeout) { out.append(packet) }
        return out
    }

    /// True if nothing arrives within `timeout` seconds.
    public func hearsNothing(within timeout: Double = 0.3) -> Bool { receive(timeout: timeout) == nil }

    /// Reads and discards until `quiet` seconds pass without a datagram (bounded by `limit` s).
    @discardableResult
    public func drain(quiet: Double = 0.2, limit: Double = 3) -> Int {
        let deadline = Date().addingTimeInterval(limit)
        var count = 0
        while Date() < deadline, receive(timeout: quiet) != nil { count += 1 }
        return count
    }

    /// Whether `ip`:`port` can be bound right now (the daemon released it).
    public static func canBind(_ ip: String, _ port: UInt16) -> Bool { UDPSocket(ip, port: port) != nil }
}
