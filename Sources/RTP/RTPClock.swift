// RTP clock rates of the static payload types (RFC 3551 tables 4 and 5). Dynamic payload types
// (96...127) get their rate from SDP a=rtpmap, which only the call model knows.

public enum RTPClock {
    /// Clock rate of a static payload type, nil for dynamic or unassigned ones.
    @inlinable
    public static func staticRate(payloadType pt: UInt8) -> UInt32? {
        switch pt {
        case 0, 3, 4, 5, 7, 8, 9, 12, 13, 15, 18: return 8000  // G.722's RTP clock is 8000 (RFC 3551)
        case 6: return 16000
        case 10, 11: return 44100
        case 16: return 11025
        case 17: return 22050
        case 14, 25, 26, 28, 31, 32, 33, 34: return 90000
        default: return nil
        }
    }

    /// A monotonic time in nanoseconds expressed in RTP timestamp units of `clockRate`, modulo 2^32
    /// (only differences matter: RFC 3550 A.8 compares transit times).
    @inlinable
    public static func units(nanoseconds ns: UInt64, clockRate: UInt32) -> UInt32 {
        let rate = UInt64(clockRate)
        let whole = (ns / 1_000_000_000) &* rate
        let part = (ns % 1_000_000_000) * rate / 1_000_000_000  // < 1e9 x 2^32: fits in 64 bits
        return UInt32(truncatingIfNeeded: whole &+ part)
    }
}
