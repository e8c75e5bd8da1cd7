// Per-SSRC receive statistics, RFC 3550 appendix A.1 (sequence validation and extended highest
// sequence), A.3 (expected/lost, fraction lost per interval) and A.8 (interarrival jitter).
// A plain value type with no references, so a packet loop can keep it inline in unsafe memory.
//
// Deviations from the RFC's sample code, both deliberate:
// - `seq == max_seq + 1` is computed modulo 2^16 (the C code's int promotion misses 65535 -> 0).
// - jitter is only updated for packets accepted by the sequence check, and only from the second
//   packet on (the C code's initial transit of 0 would add a huge first difference).

public struct ReceiveStatistics: Hashable, Sendable {
    public static let maxDropout: UInt16 = 3000
    public static let maxMisorder: UInt16 = 100
    public static let sequenceModulo: UInt32 = 1 << 16

    public private(set) var ssrc: UInt32
    /// Highest sequence number seen (low 16 bits of the extended highest sequence).
    public private(set) var maxSequence: UInt16
    /// Sequence number wrap count, shifted left 16 bits.
    public private(set) var cycles: UInt32 = 0
    /// First sequence number counted (after probation).
    public private(set) var baseSequence: UInt32
    /// Packets accepted by the sequence check (duplicates included, as in the RFC).
    public private(set) var received: UInt64 = 0
    /// Packets still needed in sequence before the source counts as valid.
    public private(set) var probation: UInt8
    private var badSequence: UInt32 = ReceiveStatistics.sequenceModulo + 1
    private var expectedPrior: UInt64 = 0
    private var receivedPrior: UInt64 = 0
    private var lastTransit: UInt32 = 0
    private var haveTransit = false
    /// Jitter in timestamp units, scaled by 16 (A.8's integer form).
    private var jitterQ4: UInt32 = 0
    private let minSequential: UInt8

    /// Starts tracking `ssrc` at its first packet's sequence number. `minSequential` is the RFC's
    /// MIN_SEQUENTIAL probation (2); 0 or 1 counts a source from its first packet.
    public init(ssrc: UInt32, firstSequence seq: UInt16, minSequential: UInt8 = 2) {
        self.ssrc = ssrc
        self.minSequential = minSequential
        self.baseSequence = UInt32(seq)
        // On probation the first packet must look like max + 1; without probation it is the max.
        self.maxSequence = minSequential > 0 ? seq &- 1 : seq
        self.probation = minSequential
    }

    /// RFC 3550 A.1 `update_seq` for one packet; true when the packet is counted as valid.
    /// Call it for every RTP packet of this SSRC, including the first.
    public mutating func update(sequence seq: UInt16) -> Bool {
        let delta = seq &- maxSequence
        if probation > 0 {
            if seq == maxSequence &+ 1 {
                probation -= 1
                maxSequence = seq
                if probation == 0 {
                    restart(at: seq)
                    received += 1
                    return true
                }
            } else {
                probation = minSequential > 0 ? minSequential - 1 : 0
                maxSequence = seq
                if probation == 0 {
                    restart(at: seq)
                    received += 1
                    return true
                }
            }
            return false
        } else if delta < Self.maxDropout {
            if seq < maxSequence { cycles &+= Self.sequenceModulo }  // wrapped
            maxSequence = seq
        } else if UInt32(delta) <= Self.sequenceModulo - UInt32(Self.maxMisorder) {
            // A very large jump: accept it only if the next packet confirms it (source restarted).
            if UInt32(seq) == badSequence {
                restart(at: seq)
            } else {
                badSequence = (UInt32(seq) + 1) & (Self.sequenceModulo - 1)
                return false
            }
        }  // else: duplicate or reordered packet, counted
        received += 1
        return true
    }

    /// RFC 3550 A.1 `init_seq`.
    private mutating func restart(at seq: UInt16) {
        baseSequence = UInt32(seq)
        maxSequence = seq
        badSequence = Self.sequenceModulo + 1
        cycles = 0
        received = 0
        receivedPrior = 0
        expectedPrior = 0
    }

    /// Sequence check plus jitter for one packet. `arrival` is the arrival time in RTP timestamp
    /// units (see `RTPClock.units`); pass nil when the clock rate is unknown (no jitter update).
    @discardableResult
    public mutating func record(sequence: UInt16, timestamp: UInt32, arrival: UInt32?) -> Bool {
        guard update(sequence: sequence) else { return false }
        if let arrival { updateJitter(timestamp: timestamp, arrival: arrival) }
        return true
    }

    /// RFC 3550 A.8: J += (|D| - J) / 16 in the integer form `jitter += d - ((jitter + 8) >> 4)`.
    public mutating func updateJitter(timestamp: UInt32, arrival: UInt32) {
        let transit = arrival &- timestamp
        defer { lastTransit = transit; haveTransit = true }
        guard haveTransit else { return }
        let d = Int32(bitPattern: transit &- lastTransit).magnitude
        let next = UInt64(jitterQ4) - UInt64((jitterQ4 &+ 8) >> 4) + UInt64(d)
        jitterQ4 = UInt32(min(next, UInt64(UInt32.max)))
    }

    /// Extended highest sequence number received (cycles + max).
    public var extendedHighestSequence: UInt32 { cycles &+ UInt32(maxSequence) }

    /// Packets expected: extended highest - base + 1 (0 while on probation).
    public var expected: UInt64 {
        probation > 0 ? 0 : UInt64(extendedHighestSequence &- baseSequence) + 1
    }

    /// Cumulative packets lost (negative when duplicates outnumber losses).
    public var lost: Int64 { Int64(bitPattern: expected) - Int64(bitPattern: received) }

    /// Interarrival jitter in RTP timestamp units.
    public var jitter: UInt32 { jitterQ4 >> 4 }

    /// RFC 3550 A.3 for a reception report: loss fraction (x/256) since the previous call and
    /// the cumulative loss clamped to the report's 24-bit signed field.
    public mutating func intervalReport() -> (fractionLost: UInt8, cumulativeLost: Int32) {
        let expectedNow = expected
        let expectedInterval = Int64(expectedNow) - Int64(expectedPrior)
        let receivedInterval = Int64(received) - Int64(receivedPrior)
        expectedPrior = expectedNow
        receivedPrior = received
        let lostInterval = expectedInterval - receivedInterval
        var fraction: UInt8 = 0
        if expectedInterval > 0, lostInterval > 0 {
            fraction = UInt8(min(255, (lostInterval << 8) / expectedInterval))
        }
        let cumulative = Int32(max(-0x80_0000, min(0x7f_ffff, lost)))
        return (fraction, cumulative)
    }
}
