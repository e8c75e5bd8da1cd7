/// RFC 4733 telephone-event payload: one 4-byte event block.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// |     event     |E|R| volume    |          duration             |
/// ```
/// `duration` is in RTP clock units of the telephone-event format (its own clock rate, which
/// must equal the audio's: 8000 next to PCMA, 48000 next to opus). All packets of one event
/// carry the event's START timestamp; the end packet (E bit) is normally sent three times.
public struct TelephoneEvent: Equatable, Sendable {
    public var event: UInt8
    public var end: Bool
    /// Power level as -dBm0 (0...63); meaningful for DTMF (events 0...15).
    public var volume: UInt8
    public var duration: UInt16

    public static let payloadSize = 4

    public enum ParseError: Error, Equatable, Sendable {
        /// Fewer than 4 bytes, or not a multiple of 4.
        case badLength(Int)
    }

    public init(event: UInt8, end: Bool = false, volume: UInt8 = 10, duration: UInt16) {
        self.event = event
        self.end = end
        self.volume = volume & 0x3F
        self.duration = duration
    }

    /// Parses the first block of a payload (the R bit is ignored, as the RFC requires).
    public init(parsing payload: UnsafePointer<UInt8>, count: Int) throws(ParseError) {
        guard count >= 4 else { throw .badLength(count) }
        event = payload[0]
        end = payload[1] & 0x80 != 0
        volume = payload[1] & 0x3F
        duration = UInt16(payload[2]) << 8 | UInt16(payload[3])
    }

    /// Writes the 4-byte block (R bit zero).
    public func write(to out: UnsafeMutablePointer<UInt8>) {
        out[0] = event
        out[1] = (end ? 0x80 : 0) | (volume & 0x3F)
        out[2] = UInt8(truncatingIfNeeded: duration >> 8)
        out[3] = UInt8(truncatingIfNeeded: duration)
    }

    /// RFC 4733 section 3.2 event code of a DTMF digit (ASCII 0-9 * # A-D), nil if none.
    public static func code(forDigit ascii: UInt8) -> UInt8? {
        switch ascii {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return ascii - UInt8(ascii: "0")
        case UInt8(ascii: "*"): return 10
        case UInt8(ascii: "#"): return 11
        case UInt8(ascii: "A")...UInt8(ascii: "D"): return ascii - UInt8(ascii: "A") + 12
        case UInt8(ascii: "a")...UInt8(ascii: "d"): return ascii - UInt8(ascii: "a") + 12
        default: return nil
        }
    }

    /// ASCII DTMF digit of an event code 0...15, nil otherwise.
    public static func digit(forCode code: UInt8) -> UInt8? {
        switch code {
        case 0...9: return UInt8(ascii: "0") + code
        case 10: return UInt8(ascii: "*")
        case 11: return UInt8(ascii: "#")
        case 12...15: return UInt8(ascii: "A") + code - 12
        default: return nil
        }
    }
}

/// Maps RTP timestamps of one stream to another clock rate and timestamp base:
/// `target = targetBase + (source - sourceBase) * targetRate / sourceRate`, exact across
/// 32-bit wrap-around in both directions. The bases move (by a whole number of
/// rate periods, so results never change) to keep the difference small: the mapping is a pure
/// function of the timestamp for any timestamp within 2^30 ticks of the last one mapped.
public struct RTPTimestampMapper: Sendable, Equatable {
    public let sourceClockRate: Int
    public let targetClockRate: Int
    public private(set) var sourceBase: UInt32
    public private(set) var targetBase: UInt32
    /// Source ticks that map to a whole number of target ticks (rebasing step).
    private let sourceUnit: Int64
    private let targetUnit: Int64

    public init(sourceClockRate: Int, targetClockRate: Int, sourceBase: UInt32, targetBase: UInt32) {
        precondition(sourceClockRate > 0 && targetClockRate > 0)
        self.sourceClockRate = sourceClockRate
        self.targetClockRate = targetClockRate
        self.sourceBase = sourceBase
        self.targetBase = targetBase
        var a = sourceClockRate, b = targetClockRate
        while b != 0 { (a, b) = (b, a % b) }
        sourceUnit = Int64(sourceClockRate / a)
        targetUnit = Int64(targetClockRate / a)
    }

    public mutating func map(_ timestamp: UInt32) -> UInt32 {
        var delta = Int64(Int32(bitPattern: timestamp &- sourceBase))
        if delta > 1 << 30 || delta < -(1 << 30) {
            let units = delta / sourceUnit
            sourceBase &+= UInt32(truncatingIfNeeded: units * sourceUnit)
            targetBase &+= UInt32(truncatingIfNeeded: units * targetUnit)
            delta -= units * sourceUnit
        }
        return targetBase &+ UInt32(truncatingIfNeeded: scale(delta))
    }

    /// Scales a duration (or any tick count) from the source clock to the target clock,
    /// rounding toward minus infinity.
    @inline(__always)
    public func scale(_ ticks: Int64) -> Int64 {
        let p = ticks * Int64(targetClockRate)
        let q = Int64(sourceClockRate)
        return p >= 0 ? p / q : -((-p + q - 1) / q)
    }
}

/// Translates telephone-event packets between clock rates (RFC 4733 over an 8000 Hz leg vs a
/// 48000 Hz opus leg): the event timestamp goes through the stream's `RTPTimestampMapper` (the
/// same mapping as the audio, so events stay aligned with it) and the duration is scaled.
///
/// The translation is a pure function of (timestamp, payload), so every retransmission of an
/// end packet (E bit, same timestamp and duration) produces an identical output packet; the
/// caller forwards as many as it received. A duration that overflows 16 bits after scaling up
/// (an event longer than 1.36 s at 48 kHz) is split as RFC 4733 section 2.5.1.3 requires: the
/// output timestamp advances by 0xFFFF per full segment and the duration restarts.
public struct TelephoneEventTranslator: Sendable {
    public var mapper: RTPTimestampMapper

    public init(mapper: RTPTimestampMapper) { self.mapper = mapper }

    public init(sourceClockRate: Int, targetClockRate: Int, sourceBase: UInt32, targetBase: UInt32) {
        mapper = RTPTimestampMapper(sourceClockRate: sourceClockRate, targetClockRate: targetClockRate,
                                    sourceBase: sourceBase, targetBase: targetBase)
    }

    /// Translates a payload (one or more 4-byte blocks) into `out` (room for `capacity`
    /// bytes). Returns the output RTP timestamp and the bytes written.
    public mutating func translate(timestamp: UInt32, payload: UnsafePointer<UInt8>, count: Int,
                                   into out: UnsafeMutablePointer<UInt8>, capacity: Int) throws(TelephoneEvent.ParseError) -> (timestamp: UInt32, count: Int) {
        let mapped = mapper.map(timestamp)
        return try Self.translate(mappedTimestamp: mapped, mapper: mapper, payload: payload, count: count, into: out, capacity: capacity)
    }

    /// The same, for a caller that already mapped the event timestamp (e.g. a `TranscodePath`
    /// sharing its audio mapper).
    public static func translate(mappedTimestamp: UInt32, mapper: RTPTimestampMapper, payload: UnsafePointer<UInt8>, count: Int,
                                 into out: UnsafeMutablePointer<UInt8>, capacity: Int) throws(TelephoneEvent.ParseError) -> (timestamp: UInt32, count: Int) {
        guard count >= 4, count % 4 == 0, count <= capacity else { throw .badLength(count) }
        var segmentOffset: Int64 = 0
        var block = 0
        while block < count {
            var e = try TelephoneEvent(parsing: payload + block, count: 4)
            var d = mapper.scale(Int64(e.duration))
            if block == 0 && d > 0xFFFF {
                // Long event: whole 0xFFFF segments move into the timestamp.
                segmentOffset = (d - 1) / 0xFFFF * 0xFFFF
            }
            d -= segmentOffset
            e.duration = UInt16(clamping: max(d, 0))
            e.write(to: out + block)
            block += 4
        }
        return (mappedTimestamp &+ UInt32(truncatingIfNeeded: segmentOffset), count)
    }
}
