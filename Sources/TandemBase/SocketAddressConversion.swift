import Glibc

// Conversions between TransportAddress and the kernel's sockaddr forms, in one place for the
// packet loop, the tools and the tests. Reading runs per received packet in MediaIO, so it is
// plain loads from the sockaddr bytes (no allocation, no inet_ntop) and @inlinable so it inlines
// across the module boundary.

extension TransportAddress {
    /// The address in a sockaddr_in / sockaddr_in6; nil for any other family.
    @inlinable
    public init?(sockaddr p: UnsafeRawPointer) {
        let family = Int32(p.load(as: sa_family_t.self))
        let port = UInt16(bigEndian: p.loadUnaligned(fromByteOffset: 2, as: UInt16.self))
        if family == AF_INET {
            let a = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
            self.init(ip: .v4(a), port: port)
        } else if family == AF_INET6 {
            let hi = UInt64(bigEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            let lo = UInt64(bigEndian: p.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
            self.init(ip: .v6(hi, lo), port: port)
        } else {
            return nil
        }
    }

    /// Writes the address as a sockaddr_in / sockaddr_in6 into `storage` (zeroed first);
    /// returns its length.
    public func write(to storage: UnsafeMutablePointer<sockaddr_storage>) -> socklen_t {
        storage.pointee = sockaddr_storage()
        switch ip {
        case .v4(let a):
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = port.bigEndian
            sin.sin_addr.s_addr = a.bigEndian
            UnsafeMutableRawPointer(storage).storeBytes(of: sin, as: sockaddr_in.self)
            return socklen_t(MemoryLayout<sockaddr_in>.size)
        case .v6(let hi, let lo):
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = port.bigEndian
            withUnsafeMutableBytes(of: &sin6.sin6_addr) { raw in
                raw.storeBytes(of: hi.bigEndian, toByteOffset: 0, as: UInt64.self)
                raw.storeBytes(of: lo.bigEndian, toByteOffset: 8, as: UInt64.self)
            }
            UnsafeMutableRawPointer(storage).storeBytes(of: sin6, as: sockaddr_in6.self)
            return socklen_t(MemoryLayout<sockaddr_in6>.size)
        }
    }

    /// The address read back from a sockaddr_storage filled by the kernel (recvfrom, getsockname).
    public init?(storage: inout sockaddr_storage) {
        guard let address = withUnsafeBytes(of: &storage, { raw in
            raw.baseAddress.flatMap { TransportAddress(sockaddr: $0) }
        }) else { return nil }
        self = address
    }
}
