// Demultiplexing of what arrives on one media port.
// RFC 7983 (updating RFC 5764 section 5.1.2) classifies by the first byte; RFC 5761 section 4
// tells RTCP from RTP on an rtcp-mux port by the second byte (RTCP packet types 192...223 occupy
// what would be RTP payload types 64...95 with the marker bit set, which RTP must not use).

/// What a datagram on a media port is, by its first byte (RFC 7983).
public enum PacketClass: UInt8, Sendable {
    case stun         // 0...3
    case zrtp         // 16...19
    case dtls         // 20...63
    case turnChannel  // 64...79
    case rtp          // 128...191: RTP or RTCP (version 2); see RTCPDemux
    case unknown

    @inlinable
    public static func classify(firstByte b: UInt8) -> PacketClass {
        switch b {
        case 0...3: return .stun
        case 16...19: return .zrtp
        case 20...63: return .dtls
        case 64...79: return .turnChannel
        case 128...191: return .rtp
        default: return .unknown
        }
    }
}

/// RTP or RTCP.
public enum MediaKind: Sendable { case rtp, rtcp }

/// RTP vs RTCP on a multiplexed port (RFC 5761 section 4).
public enum RTCPDemux {
    @inlinable
    public static func isRTCP(secondByte b: UInt8) -> Bool { b >= 192 && b <= 223 }

    /// Media kind of a datagram on a port that may carry RTCP (`rtcpMux`) or RTP only, with the
    /// header validated; nil for anything else (STUN, DTLS, too short, bad lengths).
    @inlinable
    public static func kind(_ base: UnsafeRawPointer, count: Int, rtcpMux: Bool) -> MediaKind? {
        guard count >= RTCPHeader.minimumSize else { return nil }
        guard PacketClass.classify(firstByte: base.load(as: UInt8.self)) == .rtp else { return nil }
        if rtcpMux && isRTCP(secondByte: base.load(fromByteOffset: 1, as: UInt8.self)) {
            return RTCPHeader(base, count: count) == nil ? nil : .rtcp
        }
        return RTPHeader(base, count: count) == nil ? nil : .rtp
    }
}
