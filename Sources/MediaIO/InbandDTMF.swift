import Codecs
import Glibc

// In-band DTMF on a transcoded stream, done where the audio is linear PCM: inside the
// TranscodePath, by wrapping its decoder. The tap either
// - detects: runs spandsp's DTMF detector on every decoded frame (brought to 8 kHz by
//   averaging, DTMF's tones all lie below 1.7 kHz) — for a sender without telephone-event whose
//   receiver has it; or
// - renders: when told to (`toneSamples > 0`), ignores the payload and produces that many
//   samples of a DTMF digit's two tones at the decoder's rate — RFC 4733 events played into the
//   audio of a receiver without telephone-event. The tone phase runs on across calls so an
//   event rendered in several steps is one continuous tone.
// Allocation-free per frame (buffers sized at init).

final class InbandDTMFTap: FrameDecoder {
    let inner: any FrameDecoder
    let detector: DTMFDetector?
    /// Set by the transcoder before a synthetic `process` call: samples of tone to produce.
    var toneSamples = 0
    /// Digit (ASCII) being rendered.
    private(set) var toneDigit: UInt8 = 0
    private var phaseLow = 0.0, phaseHigh = 0.0
    private let decimation: Int
    private let narrow: UnsafeMutablePointer<Int16>
    private let narrowCapacity: Int

    /// Each tone at -10 dBov peak (~-13 dBm0 per tone, inside RFC 4733's -0...-36 dBm0 and
    /// above spandsp's -26 dBm0 detection threshold with room for codec loss).
    static let toneAmplitude = 0.3 * 32767 / 2

    init(inner: any FrameDecoder, detect: Bool) throws {
        self.inner = inner
        detector = detect ? try DTMFDetector() : nil
        decimation = max(1, inner.sampleRate / DTMFDetector.sampleRate)
        narrowCapacity = inner.sampleRate * 120 / 1000 / decimation + 1
        narrow = .allocate(capacity: narrowCapacity)
    }

    deinit { narrow.deallocate() }

    var sampleRate: Int { inner.sampleRate }
    var channels: Int { inner.channels }
    var rtpClockRate: Int { inner.rtpClockRate }

    /// Starts rendering `digit` (ASCII) from the tone's beginning.
    func startTone(digit: UInt8) {
        toneDigit = digit
        phaseLow = 0
        phaseHigh = 0
    }

    func decode(_ payload: UnsafePointer<UInt8>, count: Int, into pcm: UnsafeMutablePointer<Int16>, capacity: Int) -> Int {
        if toneSamples > 0 {
            let n = min(toneSamples, capacity)
            toneSamples = 0
            renderTone(into: pcm, samples: n)
            return n
        }
        let n = inner.decode(payload, count: count, into: pcm, capacity: capacity)
        if n > 0, let detector { detect(detector, pcm, n) }
        return n
    }

    func conceal(samples: Int, into pcm: UnsafeMutablePointer<Int16>) -> Int {
        inner.conceal(samples: samples, into: pcm)
    }

    /// Downmixes to mono and decimates to 8 kHz by block averaging, then detects.
    private func detect(_ detector: DTMFDetector, _ pcm: UnsafePointer<Int16>, _ samples: Int) {
        let ch = inner.channels
        let step = decimation
        let out = min(samples / step, narrowCapacity)
        for k in 0..<out {
            var sum = 0
            for j in 0..<step {
                let i = (k * step + j) * ch
                sum += Int(pcm[i])
                if ch == 2 { sum += Int(pcm[i + 1]) }
            }
            narrow[k] = Int16(truncatingIfNeeded: sum / (step * ch))
        }
        detector.process(narrow, count: out)
    }

    private func renderTone(into pcm: UnsafeMutablePointer<Int16>, samples: Int) {
        let (low, high) = Self.frequencies(digit: toneDigit)
        let rate = Double(inner.sampleRate)
        let dLow = 2 * Double.pi * low / rate, dHigh = 2 * Double.pi * high / rate
        let ch = inner.channels
        for i in 0..<samples {
            let v = Self.toneAmplitude * (sin(phaseLow) + sin(phaseHigh))
            let s = Int16(max(-32768, min(32767, v)))
            pcm[i * ch] = s
            if ch == 2 { pcm[i * ch + 1] = s }
            phaseLow += dLow
            phaseHigh += dHigh
            if phaseLow > 2 * Double.pi { phaseLow -= 2 * Double.pi }
            if phaseHigh > 2 * Double.pi { phaseHigh -= 2 * Double.pi }
        }
    }

    /// The DTMF row and column frequencies of an ASCII digit (ITU-T Q.23); silence otherwise.
    /// A switch, not array literals: it runs per rendered frame and must not allocate.
    static func frequencies(digit: UInt8) -> (Double, Double) {
        let row: Double, col: Double
        switch digit {
        case UInt8(ascii: "1"), UInt8(ascii: "2"), UInt8(ascii: "3"), UInt8(ascii: "A"): row = 697
        case UInt8(ascii: "4"), UInt8(ascii: "5"), UInt8(ascii: "6"), UInt8(ascii: "B"): row = 770
        case UInt8(ascii: "7"), UInt8(ascii: "8"), UInt8(ascii: "9"), UInt8(ascii: "C"): row = 852
        case UInt8(ascii: "*"), UInt8(ascii: "0"), UInt8(ascii: "#"), UInt8(ascii: "D"): row = 941
        default: return (0, 0)
        }
        switch digit {
        case UInt8(ascii: "1"), UInt8(ascii: "4"), UInt8(ascii: "7"), UInt8(ascii: "*"): col = 1209
        case UInt8(ascii: "2"), UInt8(ascii: "5"), UInt8(ascii: "8"), UInt8(ascii: "0"): col = 1336
        case UInt8(ascii: "3"), UInt8(ascii: "6"), UInt8(ascii: "9"), UInt8(ascii: "#"): col = 1477
        default: col = 1633
        }
        return (row, col)
    }
}
