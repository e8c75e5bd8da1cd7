// RTCP sender and receiver reports (RFC 3550 section 6.4) and SDES CNAME (6.5): written into a
// caller's buffer without allocation (a packet loop builds them from its timer), and read back
// from borrowed bytes (tests, and a relay that wants a peer's SR).

/// One reception report block (RFC 3550 6.4.1): what we received from `ssrc`.
public struct RTCPReportBlock: Equatable, Sendable {
    public var ssrc: UInt32
    /// Fraction lost since the previous report, x/256.
    public var fractionLost: UInt8
    /// Cumulative packets lost (24-bit signed on the wire).
    public var cumulativeLost: Int32
    public var extendedHighestSequence: UInt32
    /// Interarrival jitter in RTP timestamp units.
    public var jitter: UInt32
    /// Middle 32 bits of the NTP timestamp of the last SR received from `ssrc` (0: none).
    public var lastSR: UInt32
    /// Delay since that SR in 1/65536 s (0: none).
    public var delaySinceLastSR: UInt32

    public static let size = 24

    public init(ssrc: UInt32, fractionLost: UInt8, cumulativeLost: Int32, extendedHighestSequence: UInt32,
                jitter: UInt32, lastSR: UInt32 = 0, delaySinceLastSR: UInt32 = 0) {
        self.ssrc = ssrc
        self.fractionLost = fractionLost
        self.cumulativeLost = cumulativeLost
        self.extendedHighestSequence = extendedHighestSequence
        self.jitter = jitter
        self.lastSR = lastSR
        self.delaySinceLastSR = delaySinceLastSR
    }

    func write(to p: UnsafeMutableRawPointer) {
        p.storeBigEndian(ssrc, at: 0)
        let lost = UInt32(bitPattern: max(-0x80_0000, min(0x7f_ffff, cumulativeLost))) & 0x00ff_ffff
        p.storeBigEndian(UInt32(fractionLost) << 24 | lost, at: 4)
        p.storeBigEndian(extendedHighestSequence, at: 8)
        p.storeBigEndian(jitter, at: 12)
        p.storeBigEndian(lastSR, at: 16)
        p.storeBigEndian(delaySinceLastSR, at: 20)
    }

    init(reading p: UnsafeRawPointer) {
        ssrc = p.loadBigEndianUInt32(at: 0)
        let word = p.loadBigEndianUInt32(at: 4)
        fractionLost = UInt8(word >> 24)
        let lost = word & 0x00ff_ffff
        cumulativeLost = lost & 0x80_0000 != 0 ? Int32(bitPattern: lost | 0xff00_0000) : Int32(lost)
        extendedHighestSequence = p.loadBigEndianUInt32(at: 8)
        jitter = p.loadBigEndianUInt32(at: 12)
        lastSR = p.loadBigEndianUInt32(at: 16)
        delaySinceLastSR = p.loadBigEndianUInt32(at: 20)
    }
}

/// The sender info of an SR (RFC 3550 6.4.1).
public struct RTCPSenderInfo: Equatable, Sendable {
    /// 64-bit NTP timestamp (seconds since 1900 in the high word, fraction in the low).
    public var ntpTimestamp: UInt64
    /// The same instant in the stream's RTP timestamp units.
    public var rtpTimestamp: UInt32
    /// Packets and payload octets sent since the stream started (both wrap).
    public var packetCount: UInt32
    public var octetCount: UInt32

    public static let size = 20

    public init(ntpTimestamp: UInt64, rtpTimestamp: UInt32, packetCount: UInt32, octetCount: UInt32) {
        self.ntpTimestamp = ntpTimestamp
        self.rtpTimestamp = rtpTimestamp
        self.packetCount = packetCount
        self.octetCount = octetCount
    }

    /// NTP time of a wall-clock instant given as nanoseconds since the Unix epoch.
    public static func ntp(unixNanoseconds ns: UInt64) -> UInt64 {
        let seconds = ns / 1_000_000_000 + 2_208_988_800  // 1900 -> 1970
        let fraction = (ns % 1_000_000_000) << 32 / 1_000_000_000
        return seconds << 32 | fraction
    }
}

/// Builders for the report packets a transcoding leg generates. Every function writes at
/// `buffer` (room for `capacity` bytes) and returns the bytes written, or 0 if it does not fit.
public enum RTCPReportWriter {
    /// SR (PT 200) with zero or one report block.
    public static func senderReport(ssrc: UInt32, sender: RTCPSenderInfo, block: RTCPReportBlock?,
                                    into buffer: UnsafeMutableRawPointer, capacity: Int) -> Int {
        let blocks = block == nil ? 0 : 1
        let size = 8 + RTCPSenderInfo.size + blocks * RTCPReportBlock.size
        guard capacity >= size else { return 0 }
        header(buffer, count: blocks, type: 200, size: size)
        buffer.storeBigEndian(ssrc, at: 4)
        buffer.storeBigEndian(UInt32(truncatingIfNeeded: sender.ntpTimestamp >> 32), at: 8)
        buffer.storeBigEndian(UInt32(truncatingIfNeeded: sender.ntpTimestamp), at: 12)
        buffer.storeBigEndian(sender.rtpTimestamp, at: 16)
        buffer.storeBigEndian(sender.packetCount, at: 20)
        buffer.storeBigEndian(sender.octetCount, at: 24)
        block?.write(to: buffer + 28)
        return size
    }

    /// RR (PT 201) with zero or one report block.
    public static func receiverReport(ssrc: UInt32, block: RTCPReportBlock?,
                                      into buffer: UnsafeMutableRawPointer, capacity: Int) -> Int {
        let blocks = block == nil ? 0 : 1
        let size = 8 + blocks * RTCPReportBlock.size
        guard capacity >= size else { return 0 }
        header(buffer, count: blocks, type: 201, size: size)
        buffer.storeBigEndian(ssrc, at: 4)
        block?.write(to: buffer + 8)
        return size
    }

    /// SDES (PT 202) with one chunk: `ssrc` and its CNAME (at most 255 bytes), padded to 32 bits.
    public static func sdesCNAME(ssrc: UInt32, cname: UnsafeRawBufferPointer,
                                 into buffer: UnsafeMutableRawPointer, capacity: Int) -> Int {
        let length = min(cname.count, 255)
        // chunk: SSRC, item (type, length, text), END (at least one zero byte), pad to 4.
        let size = 4 + (4 + 2 + length + 1 + 3) / 4 * 4
        guard capacity >= size else { return 0 }
        header(buffer, count: 1, type: 202, size: size)
        buffer.storeBigEndian(ssrc, at: 4)
        buffer.storeBytes(of: 1, toByteOffset: 8, as: UInt8.self)  // CNAME
        buffer.storeBytes(of: UInt8(length), toByteOffset: 9, as: UInt8.self)
        if length > 0, let base = cname.baseAddress { (buffer + 10).copyMemory(from: base, byteCount: length) }
        (buffer + 10 + length).initializeMemory(as: UInt8.self, repeating: 0, count: size - 10 - length)
        return size
    }

    private static func header(_ p: UnsafeMutableRawPointer, count: Int, type: UInt8, size: Int) {
        p.storeBytes(of: 0x80 | UInt8(count), toByteOffset: 0, as: UInt8.self)
        p.storeBytes(of: type, toByteOffset: 1, as: UInt8.self)
        p.storeBigEndian(UInt16(size / 4 - 1), at: 2)
    }
}

/// A parsed SR or RR (the first report block only) found in a compound RTCP datagram.
public struct RTCPReport: Equatable, Sendable {
    public var packetType: UInt8
    public var ssrc: UInt32
    /// Present for an SR.
    public var sender: RTCPSenderInfo?
    public var block: RTCPReportBlock?

    /// The first SR or RR in `bytes`; nil when there is none or the compound is malformed.
    public init?(compound base: UnsafeRawPointer, count: Int) {
        var offset = 0
        while offset + RTCPHeader.minimumSize <= count {
            guard let h = RTCPHeader(base + offset, count: count - offset) else { return nil }
            let length = h.firstPacketLength
            let p = base + offset
            if h.packetType == 200 || h.packetType == 201 {
                let isSR = h.packetType == 200
                let blocksAt = isSR ? 28 : 8
                guard length >= blocksAt + Int(h.countField) * RTCPReportBlock.size else { return nil }
                packetType = h.packetType
                ssrc = h.senderSSRC
                sender = isSR ? RTCPSenderInfo(
                    ntpTimestamp: UInt64(p.loadBigEndianUInt32(at: 8)) << 32 | UInt64(p.loadBigEndianUInt32(at: 12)),
                    rtpTimestamp: p.loadBigEndianUInt32(at: 16), packetCount: p.loadBigEndianUInt32(at: 20),
                    octetCount: p.loadBigEndianUInt32(at: 24)) : nil
                block = h.countField > 0 ? RTCPReportBlock(reading: p + blocksAt) : nil
                return
            }
            offset += length
        }
        return nil
    }

    public init?(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return nil }
        self.init(compound: base, count: bytes.count)
    }
}

extension UnsafeMutableRawPointer {
    @inlinable func storeBigEndian(_ v: UInt32, at offset: Int) {
        storeBytes(of: v.bigEndian, toByteOffset: offset, as: UInt32.self)
    }

    @inlinable func storeBigEndian(_ v: UInt16, at offset: Int) {
        storeBytes(of: v.bigEndian, toByteOffset: offset, as: UInt16.self)
    }
}
