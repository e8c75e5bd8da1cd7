// A zero-copy view of the first RTCP packet of a (compound) datagram, RFC 3550 section 6.4.
// Enough for a relay: validation that it is RTCP at all, the packet type and the sender SSRC.

/// A validated RTCP common header over borrowed bytes. No allocation, no copy.
public struct RTCPHeader {
    @usableFromInline let base: UnsafeRawPointer
    /// Total datagram length in bytes (a compound packet may hold several RTCP packets).
    public let count: Int

    /// Header (4 bytes) plus the sender SSRC every RTCP packet type starts with.
    public static let minimumSize = 8

    /// Validates version 2, a packet type in 192...223 (RFC 5761's RTCP range) and that the first
    /// packet's length field fits in the datagram; nil when malformed.
    @inlinable
    public init?(_ base: UnsafeRawPointer, count: Int) {
        guard count >= RTCPHeader.minimumSize else { return nil }
        guard base.load(as: UInt8.self) >> 6 == 2 else { return nil }
        guard RTCPDemux.isRTCP(secondByte: base.load(fromByteOffset: 1, as: UInt8.self)) else { return nil }
        let words = Int(base.loadBigEndianUInt16(at: 2))
        guard (words + 1) * 4 <= count else { return nil }
        self.base = base
        self.count = count
    }

    @inlinable
    public init?(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return nil }
        self.init(base, count: bytes.count)
    }

    @inlinable public var version: UInt8 { base.load(as: UInt8.self) >> 6 }
    @inlinable public var hasPadding: Bool { base.load(as: UInt8.self) & 0x20 != 0 }
    /// Reception report count / subtype / feedback message type, by packet type.
    @inlinable public var countField: UInt8 { base.load(as: UInt8.self) & 0x1f }
    /// 200 SR, 201 RR, 202 SDES, 203 BYE, 204 APP, 205 RTPFB, 206 PSFB, 207 XR.
    @inlinable public var packetType: UInt8 { base.load(fromByteOffset: 1, as: UInt8.self) }
    /// Length of the first packet in bytes, from its length field.
    @inlinable public var firstPacketLength: Int { (Int(base.loadBigEndianUInt16(at: 2)) + 1) * 4 }
    /// SSRC of the sender of the first packet.
    @inlinable public var senderSSRC: UInt32 { base.loadBigEndianUInt32(at: 4) }
}
