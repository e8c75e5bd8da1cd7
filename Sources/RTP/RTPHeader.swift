// A zero-copy view of an RTP header (RFC 3550 section 5.1) over bytes the caller owns.
// Construction validates everything the accessors rely on, so accessors never read past the end;
// the view lives only as long as the buffer it points into (a receive slot of a packet loop).

/// A validated RTP packet header over borrowed bytes. No allocation, no copy.
public struct RTPHeader {
    @usableFromInline let base: UnsafeRawPointer
    /// Total datagram length in bytes.
    public let count: Int
    /// Offset of the payload: 12 + 4 x CSRC count (+ the header extension if present).
    public let payloadOffset: Int
    /// Payload length, excluding padding.
    public let payloadLength: Int

    /// The fixed header size.
    public static let fixedSize = 12

    /// Validates version 2, the CSRC list, the extension and the padding count; nil when malformed.
    @inlinable
    public init?(_ base: UnsafeRawPointer, count: Int) {
        guard count >= RTPHeader.fixedSize else { return nil }
        let b0 = base.load(as: UInt8.self)
        guard b0 >> 6 == 2 else { return nil }
        var offset = RTPHeader.fixedSize + Int(b0 & 0x0f) * 4
        if b0 & 0x10 != 0 {  // extension: 16-bit profile, 16-bit length in 32-bit words
            guard offset + 4 <= count else { return nil }
            let words = Int(base.loadBigEndianUInt16(at: offset + 2))
            offset += 4 + words * 4
        }
        guard offset <= count else { return nil }
        var padding = 0
        if b0 & 0x20 != 0 {
            padding = Int(base.load(fromByteOffset: count - 1, as: UInt8.self))
            guard padding >= 1, padding <= count - offset else { return nil }
        }
        self.base = base
        self.count = count
        self.payloadOffset = offset
        self.payloadLength = count - offset - padding
    }

    /// Same as `init(_:count:)` over a buffer.
    @inlinable
    public init?(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return nil }
        self.init(base, count: bytes.count)
    }

    @inlinable public var version: UInt8 { base.load(as: UInt8.self) >> 6 }
    @inlinable public var hasPadding: Bool { base.load(as: UInt8.self) & 0x20 != 0 }
    @inlinable public var hasExtension: Bool { base.load(as: UInt8.self) & 0x10 != 0 }
    @inlinable public var csrcCount: Int { Int(base.load(as: UInt8.self) & 0x0f) }
    @inlinable public var marker: Bool { base.load(fromByteOffset: 1, as: UInt8.self) & 0x80 != 0 }
    @inlinable public var payloadType: UInt8 { base.load(fromByteOffset: 1, as: UInt8.self) & 0x7f }
    @inlinable public var sequenceNumber: UInt16 { base.loadBigEndianUInt16(at: 2) }
    @inlinable public var timestamp: UInt32 { base.loadBigEndianUInt32(at: 4) }
    @inlinable public var ssrc: UInt32 { base.loadBigEndianUInt32(at: 8) }

    /// The i-th contributing source (0 ..< csrcCount).
    @inlinable public func csrc(_ i: Int) -> UInt32? {
        guard i >= 0, i < csrcCount else { return nil }
        return base.loadBigEndianUInt32(at: 12 + 4 * i)
    }

    /// The payload bytes (padding excluded).
    @inlinable public var payload: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + payloadOffset, count: payloadLength)
    }
}

extension UnsafeRawPointer {
    @inlinable func loadBigEndianUInt16(at offset: Int) -> UInt16 {
        UInt16(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inlinable func loadBigEndianUInt32(at offset: Int) -> UInt32 {
        UInt32(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }
}
