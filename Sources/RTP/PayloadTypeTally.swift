/// Counts the RTP payload types received on one socket, to report the stream's codec the way
/// rtpengine 10.5's `query` does: the media's `codec` is the payload type with the **most**
/// packets (measured: PCMU x3 + PCMA x1 -> PCMU; telephone-event only -> telephone-event).
///
/// Fixed storage for a few distinct payload types (audio + telephone-event + CN is three), no
/// allocation, so it can sit in the per-packet path. Payload types beyond the capacity are not
/// counted (they cannot become the most frequent; a stream switching among more than four
/// codecs is reported by the four seen first). A tie goes to the type received last, which is
/// what rtpengine showed for PCMU x1 then PCMA x1.
public struct PayloadTypeTally: Sendable {
    public static let capacity = 4
    /// Slots as (payload type, packets); a payload type of 0xFF marks a free slot.
    private var types: (UInt8, UInt8, UInt8, UInt8) = (0xFF, 0xFF, 0xFF, 0xFF)
    private var counts: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
    /// The payload type of the last packet recorded; 0xFF = none yet.
    public private(set) var last: UInt8 = 0xFF

    public init() {}

    /// Records one packet's payload type (the 7-bit PT field; the marker bit already masked off).
    @inline(__always)
    public mutating func record(_ payloadType: UInt8) {
        let pt = payloadType & 0x7F
        last = pt
        withUnsafeMutableBytes(of: &types) { t in
            withUnsafeMutableBytes(of: &counts) { c in
                let counts = c.bindMemory(to: UInt32.self)
                for i in 0..<Self.capacity {
                    if t[i] == pt {
                        counts[i] &+= 1
                        return
                    }
                    if t[i] == 0xFF {
                        t[i] = pt
                        counts[i] = 1
                        return
                    }
                }
            }
        }
    }

    /// How many packets of `payloadType` were recorded.
    public func packets(of payloadType: UInt8) -> UInt32 {
        for (pt, n) in slots where pt == payloadType { return n }
        return 0
    }

    /// The payload type received most often (ties: the one received last, else the first seen);
    /// nil if nothing was recorded.
    public var mostFrequent: UInt8? {
        var best: (pt: UInt8, n: UInt32)?
        for (pt, n) in slots {
            if let b = best, n < b.n || (n == b.n && pt != last) { continue }
            best = (pt, n)
        }
        return best?.pt
    }

    private var slots: [(UInt8, UInt32)] {
        [(types.0, counts.0), (types.1, counts.1), (types.2, counts.2), (types.3, counts.3)].filter { $0.0 != 0xFF }
    }
}
