import CSpanDSP

/// In-band DTMF detection on 8 kHz PCM (spandsp `dtmf_rx`). Events are kept in a fixed ring
/// (no allocation per frame); drain them with `nextEvent()` after `process`.
///
/// Sample positions count from the first sample ever given to this detector. spandsp analyses
/// blocks of 102 samples (12.75 ms) and confirms a tone after two matching blocks, so the
/// reported positions are where the detector *decided*: about 13-26 ms after the acoustic
/// onset/offset, exact to the block boundary (input is split at block boundaries for that).
public final class DTMFDetector {
    public enum Event: Equatable, Sendable {
        /// `digit` is ASCII (0-9 * # A-D).
        case began(digit: UInt8, sample: Int64)
        case ended(digit: UInt8, startSample: Int64, endSample: Int64)

        public var digit: UInt8 {
            switch self {
            case .began(let d, _), .ended(let d, _, _): return d
            }
        }
    }

    public static let sampleRate = 8000
    static let blockSize = 102  // DTMF_SAMPLES_PER_BLOCK in spandsp 0.0.6's dtmf.c
    private static let ringCapacity = 64

    private var state: OpaquePointer!
    private let ring: UnsafeMutablePointer<Event>
    private var head = 0, tail = 0
    private var samples: Int64 = 0
    private var positionAfterChunk: Int64 = 0
    private var currentDigit: UInt8 = 0
    private var currentStart: Int64 = 0
    /// Events dropped because the ring was full (caller did not drain).
    public private(set) var overflows = 0

    /// `threshold` is the minimum tone level in dBm0 (spandsp default -26), `twist` and
    /// `reverseTwist` in dB (spandsp defaults 8 and 4 when negative).
    public init(filterDialTone: Bool = false, twist: Int = -1, reverseTwist: Int = -1, threshold: Int = -99) throws {
        ring = .allocate(capacity: Self.ringCapacity)
        // A no-op digits callback stops spandsp from buffering digit strings we never read.
        guard let s = dtmf_rx_init(nil, { _, _, _ in }, nil) else {
            ring.deallocate()
            throw CodecError.library(name: "dtmf_rx_init", code: -1)
        }
        state = s
        dtmf_rx_parms(s, filterDialTone ? 1 : 0, Int32(twist), Int32(reverseTwist), Int32(threshold))
        dtmf_rx_set_realtime_callback(s, { user, code, _, _ in
            guard let user else { return }
            Unmanaged<DTMFDetector>.fromOpaque(user).takeUnretainedValue().report(code: code)
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    deinit {
        dtmf_rx_free(state)
        ring.deallocate()
    }

    private func report(code: Int32) {
        let at = positionAfterChunk
        if currentDigit != 0 {
            push(.ended(digit: currentDigit, startSample: currentStart, endSample: at))
            currentDigit = 0
        }
        if code > 0 {
            currentDigit = UInt8(truncatingIfNeeded: code)
            currentStart = at
            push(.began(digit: currentDigit, sample: at))
        }
    }

    private func push(_ e: Event) {
        let next = (tail + 1) % Self.ringCapacity
        guard next != head else { overflows += 1; return }
        ring[tail] = e
        tail = next
    }

    /// Feeds 8 kHz mono PCM. Returns the number of events now waiting.
    @discardableResult
    public func process(_ pcm: UnsafePointer<Int16>, count: Int) -> Int {
        var done = 0
        while done < count {
            let toBoundary = Self.blockSize - Int(samples % Int64(Self.blockSize))
            let n = min(toBoundary, count - done)
            positionAfterChunk = samples + Int64(n)
            _ = dtmf_rx(state, pcm + done, Int32(n))
            samples += Int64(n)
            done += n
        }
        return pending
    }

    /// Events waiting in the ring.
    public var pending: Int { (tail - head + Self.ringCapacity) % Self.ringCapacity }

    public func nextEvent() -> Event? {
        guard head != tail else { return nil }
        let e = ring[head]
        head = (head + 1) % Self.ringCapacity
        return e
    }

    /// Total samples processed.
    public var position: Int64 { samples }
}

/// In-band DTMF generation at 8 kHz (spandsp `dtmf_tx`), e.g. to play RFC 4733 events into a
/// leg that does not support telephone-event.
public final class DTMFGenerator {
    private let state: OpaquePointer

    /// `level` in dBm0 of the low tone (the high tone gets `level + twist`); `onMilliseconds`
    /// and `offMilliseconds` are the tone and gap lengths of queued digits.
    public init(level: Int = -10, twist: Int = 2, onMilliseconds: Int = 100, offMilliseconds: Int = 100) throws {
        guard let s = dtmf_tx_init(nil) else { throw CodecError.library(name: "dtmf_tx_init", code: -1) }
        state = s
        dtmf_tx_set_level(s, Int32(level), Int32(twist))
        dtmf_tx_set_timing(s, Int32(onMilliseconds), Int32(offMilliseconds))
    }

    deinit { dtmf_tx_free(state) }

    /// Changes the timing of digits queued from now on (e.g. to an RFC 4733 event's duration).
    public func setTiming(onMilliseconds: Int, offMilliseconds: Int) {
        dtmf_tx_set_timing(state, Int32(onMilliseconds), Int32(offMilliseconds))
    }

    /// Queues one ASCII digit (0-9 * # A-D). False if the queue is full or the digit invalid.
    @discardableResult
    public func queue(digit: UInt8) -> Bool {
        guard TelephoneEvent.code(forDigit: digit) != nil else { return false }
        var c = CChar(bitPattern: digit)
        return dtmf_tx_put(state, &c, 1) == 0
    }

    /// Queues a string of digits (control path; allocates). Returns false if any was refused.
    @discardableResult
    public func queue(_ digits: String) -> Bool {
        var ok = true
        for b in digits.utf8 where !queue(digit: b) { ok = false }
        return ok
    }

    /// Writes `count` samples: tones while any are queued, silence after. Returns how many of
    /// them are tone/gap samples (< count once the queue has run dry).
    @discardableResult
    public func generate(into pcm: UnsafeMutablePointer<Int16>, count: Int) -> Int {
        let n = Int(dtmf_tx(state, pcm, Int32(count)))
        if n < count { (pcm + n).update(repeating: 0, count: count - n) }
        return n
    }
}
