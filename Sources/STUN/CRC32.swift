// CRC-32 (ISO-HDLC: reflected polynomial 0xEDB88320, init and final XOR 0xFFFFFFFF), the one
// zlib's crc32() computes and RFC 8489 section 14.7 uses for FINGERPRINT. Table-driven.

enum CRC32 {
    static let table: [UInt32] = (0..<256).map { (n: UInt32) -> UInt32 in
        var c = n
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// Continues `crc` (start from 0) over `bytes`.
    static func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var c = ~crc
        table.withUnsafeBufferPointer { t in
            for b in bytes { c = t[Int((c ^ UInt32(b)) & 0xff)] ^ (c >> 8) }
        }
        return ~c
    }

    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 { update(0, bytes) }
}

/// The FINGERPRINT value over `bytes` (everything before the attribute, the header's length
/// field already counting the FINGERPRINT): CRC-32 XOR 0x5354554E (RFC 8489 section 14.7).
public func stunFingerprint(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
    CRC32.checksum(bytes) ^ 0x5354_554E
}
