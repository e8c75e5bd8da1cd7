import Glibc
import TandemBase

// Conversions between TransportAddress and the kernel's sockaddr forms. Reading runs per packet
// (the source of every datagram), so it is plain loads from the sockaddr bytes: no allocation,
// no inet_ntop. Writing runs on the control path (configure) or copies a received sockaddr.

enum SocketAddress {
    /// The address in a received sockaddr_in/sockaddr_in6; nil for other families.
    @inline(__always)
    static func read(_ p: UnsafeRawPointer) -> TransportAddress? {
        let family = Int32(p.load(as: sa_family_t.self))
        let port = UInt16(bigEndian: p.loadUnaligned(fromByteOffset: 2, as: UInt16.self))
        if family == AF_INET {
            let a = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
            return TransportAddress(ip: .v4(a), port: port)
        }
        if family == AF_INET6 {
            let hi = UInt64(bigEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            let lo = UInt64(bigEndian: p.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
            return TransportAddress(ip: .v6(hi, lo), port: port)
        }
        return nil
    }

    /// Writes `address` as a sockaddr into `storage` (zeroed first); returns its length.
    static func write(_ address: TransportAddress, to storage: UnsafeMutablePointer<sockaddr_storage>) -> socklen_t {
        storage.pointee = sockaddr_storage()
        switch address.ip {
        case .v4(let a):
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = address.port.bigEndian
            sin.sin_addr.s_addr = a.bigEndian
            UnsafeMutableRawPointer(storage).storeBytes(of: sin, as: sockaddr_in.self)
            return socklen_t(MemoryLayout<sockaddr_in>.size)
        case .v6(let hi, let lo):
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = address.port.bigEndian
            withUnsafeMutableBytes(of: &sin6.sin6_addr) { raw in
                raw.storeBytes(of: hi.bigEndian, toByteOffset: 0, as: UInt64.self)
                raw.storeBytes(of: lo.bigEndian, toByteOffset: 8, as: UInt64.self)
            }
            UnsafeMutableRawPointer(storage).storeBytes(of: sin6, as: sockaddr_in6.self)
            return socklen_t(MemoryLayout<sockaddr_in6>.size)
        }
    }

    /// The address family of an IP address, as socket() wants it.
    static func family(of ip: IPAddress) -> Int32 {
        switch ip {
        case .v4: return AF_INET
        case .v6: return AF_INET6
        }
    }
}
