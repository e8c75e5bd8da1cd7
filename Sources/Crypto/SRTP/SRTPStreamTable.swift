// Per-SSRC SRTP/SRTCP state in a small fixed table: ROC / highest index (RFC 3711 §3.3.1,
// Appendix A), replay windows (§3.3.2) for SRTP and SRTCP, and the next SRTCP index to
// send. Allocated once at set-up; a lookup is a linear scan of a few slots (no Dictionary,
// no hashing, no allocation). When every slot is taken, a new SSRC replaces the least
// recently used one — on the receive side only after its packet authenticated.

struct SRTPStreamState {
    static let used: UInt8 = 1, rtpSeen: UInt8 = 2, rtcpSeen: UInt8 = 4

    var ssrc: UInt32 = 0
    var flags: UInt8 = 0
    var lastUse: UInt64 = 0
    /// 48-bit packet index (ROC·2^16 + SEQ) of the highest SRTP packet seen (sent or received).
    var rtpHighest: UInt64 = 0
    /// ROC assumed for the first packet when no SRTP packet was seen yet.
    var rtpInitialROC: UInt32 = 0
    /// Highest SRTCP index received.
    var rtcpHighest: UInt64 = 0
    /// Next SRTCP index to send (31 bits). libsrtp2 sends 1 first; so do we.
    var rtcpNextIndex: UInt32 = 1
}

struct SRTPStreamTable {
    let states: UnsafeMutablePointer<SRTPStreamState>
    /// Two ring bitmaps per slot (SRTP, SRTCP), `words` 64-bit words each.
    let bitmaps: UnsafeMutablePointer<UInt64>
    let clock: UnsafeMutablePointer<UInt64>
    let capacity: Int
    /// Words per bitmap: a power of two, so `index & (bits - 1)` is the bit position.
    let words: Int
    let window: UInt64

    init(capacity: Int, window: Int) {
        self.capacity = capacity
        var w = 1
        while w * 64 < window { w <<= 1 }
        words = w
        self.window = UInt64(window)
        states = .allocate(capacity: capacity)
        states.initialize(repeating: SRTPStreamState(), count: capacity)
        bitmaps = .allocate(capacity: capacity * 2 * w)
        bitmaps.initialize(repeating: 0, count: capacity * 2 * w)
        clock = .allocate(capacity: 1)
        clock.initialize(to: 0)
    }

    func deallocate() {
        states.deallocate()
        bitmaps.deallocate()
        clock.deallocate()
    }

    @inline(__always) func find(_ ssrc: UInt32) -> Int {
        var i = 0
        while i < capacity {
            let s = states[i]
            if s.ssrc == ssrc && s.flags & SRTPStreamState.used != 0 { return i }
            i += 1
        }
        return -1
    }

    /// A fresh slot for `ssrc`: a free one, else the least recently used.
    func insert(_ ssrc: UInt32) -> Int {
        var victim = 0
        var oldest = UInt64.max
        var i = 0
        while i < capacity {
            if states[i].flags & SRTPStreamState.used == 0 { victim = i; break }
            if states[i].lastUse < oldest { oldest = states[i].lastUse; victim = i }
            i += 1
        }
        states[victim] = SRTPStreamState(ssrc: ssrc, flags: SRTPStreamState.used)
        (bitmaps + victim * 2 * words).update(repeating: 0, count: 2 * words)
        return victim
    }

    @inline(__always) func touch(_ slot: Int) {
        clock.pointee &+= 1
        states[slot].lastUse = clock.pointee
    }

    @inline(__always) func rtpBits(_ slot: Int) -> UnsafeMutablePointer<UInt64> { bitmaps + slot * 2 * words }
    @inline(__always) func rtcpBits(_ slot: Int) -> UnsafeMutablePointer<UInt64> { bitmaps + (slot * 2 + 1) * words }

    /// RFC 3711 Appendix A: the index of `seq` relative to the highest index seen so far.
    /// Negative when the estimate would need ROC -1 (a packet from before the stream began).
    @inline(__always) static func estimate(highest: UInt64, seq: UInt16) -> Int64 {
        let sl = Int64(highest & 0xFFFF)
        let roc = Int64(highest >> 16)
        let s = Int64(seq)
        let v: Int64
        if sl < 32768 {
            v = s - sl > 32768 ? roc - 1 : roc
        } else {
            v = sl - 32768 > s ? roc + 1 : roc
        }
        return (v << 16) | s
    }

    /// Replay check (no state change): nil if `index` may be accepted.
    @inline(__always) func check(_ bits: UnsafeMutablePointer<UInt64>, highest: UInt64, index: UInt64) -> SRTPError? {
        if index > highest { return nil }
        if highest - index >= window { return .tooOld }
        let pos = Int(index & UInt64(words * 64 - 1))
        return bits[pos >> 6] & (1 << UInt64(pos & 63)) != 0 ? .replayed : nil
    }

    /// Records `index` as received; `first` when no packet was seen yet.
    @inline(__always) func commit(_ bits: UnsafeMutablePointer<UInt64>, highest: inout UInt64, index: UInt64, first: Bool) {
        let nbits = UInt64(words * 64)
        if first || index >= highest &+ nbits {
            bits.update(repeating: 0, count: words)
            highest = index
        } else if index > highest {
            var i = highest &+ 1
            while i < index {  // clear the positions the window slides over
                let p = Int(i & (nbits - 1))
                bits[p >> 6] &= ~(1 << UInt64(p & 63))
                i &+= 1
            }
            highest = index
        }
        let pos = Int(index & (nbits - 1))
        bits[pos >> 6] |= 1 << UInt64(pos & 63)
    }
}
