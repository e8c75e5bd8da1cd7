import TandemTestSupport
import Codecs
import Foundation
import Testing

// Codec quality on real signals: a five-tone signal and espeak-ng speech (sox-resampled to the
// codec's rate). Waveform codecs (G.711, G.722) are judged by SNR after aligning on the codec
// delay found by cross-correlation; opus is not waveform-preserving (its perceptual model
// shapes noise and may shift phase), so it is judged by spectral similarity: the correlation
// of per-band log energies (18 log-spaced bands, 32 ms frames) between input and output.

private func g711RoundTrip(_ x: [Int16], _ law: G711.Law) -> [Int16] {
    let codec = G711Codec(law)
    return roundTrip(x, frameSize: 160,
                     encode: { codec.encode($0, samples: 160, into: $1, capacity: 160) },
                     decode: { codec.decode($0, count: $1, into: $2, capacity: 160) })
}

@Suite struct QualityTests {
    // G.711 is 8-bit log PCM: ~38 dB SNR for a signal well inside its range (6 dB per bit over
    // 7 effective mantissa+segment bits, minus the log quantiser's loss). 35 dB leaves margin
    // for the -9 dBFS multi-tone crest factor.
    @Test func g711MultiTone() {
        let x = multiTone(rate: 8000, seconds: 2)
        let a = snr(x, g711RoundTrip(x, .alaw))
        let u = snr(x, g711RoundTrip(x, .ulaw))
        print("G.711 multi-tone SNR: PCMA \(a) dB, PCMU \(u) dB")
        #expect(a > 35)
        #expect(u > 35)
    }

    // Speech spends time at low levels where the log quantiser's relative error is the same
    // but A-law's linear first segment is coarser; whole-signal SNR stays above 30 dB.
    // PCMA -> (direct table) PCMU -> PCM loses a little more (the Table 3 mapping re-quantises
    // 32 codes): 30 dB as well.
    @Test func g711Speech() throws {
        let x = try speech(rate: 8000)
        #expect(x.count > 8000 * 3)
        let a = snr(x, g711RoundTrip(x, .alaw))
        let u = snr(x, g711RoundTrip(x, .ulaw))
        // PCMA -> PCMU through the direct table -> PCM.
        var viaTable = [Int16](repeating: 0, count: x.count)
        for i in x.indices { viaTable[i] = G711.ulawToLinear(G711.tables.alawToUlaw[Int(G711.linearToAlaw(x[i]))]) }
        let t = snr(x, viaTable)
        print("G.711 speech SNR: PCMA \(a) dB, PCMU \(u) dB, PCMA->PCMU->PCM \(t) dB")
        #expect(a > 30)
        #expect(u > 30)
        #expect(t > 30)
    }

    // G.722 64k is sub-band ADPCM: 6 bits for 0-4 kHz, only 2 bits for 4-8 kHz. Aligned on
    // its QMF delay (22 samples), speech (energy mostly below 4 kHz) and telephone-band tones
    // come out above 20 dB SNR, the usual bar for "transparent" wideband telephony. Tones in
    // the upper band measure ~18 dB whole-signal (2-bit ADPCM): not asserted, printed.
    @Test func g722() throws {
        for (name, x, threshold) in [("multi-tone", multiTone(rate: 16000, seconds: 2), 20.0),
                                     ("multi-tone incl. 4-8 kHz band", multiTone(rate: 16000, seconds: 2, frequencies: [300, 1209, 2900, 4500, 6100]), 15.0),
                                     ("speech", try speech(rate: 16000), 20.0)] {
            let enc = try G722Encoder(), dec = try G722Decoder()
            let y = roundTrip(x, frameSize: 320,
                              encode: { enc.encode($0, samples: 320, into: $1, capacity: 160) },
                              decode: { dec.decode($0, count: $1, into: $2, capacity: 320) })
            #expect(y.count == x.count / 320 * 320)
            let lag = delay(of: y, behind: x, maxLag: 80)
            let s = snr(x, y, lag: lag, skip: 320)
            print("G.722 \(name): delay \(lag) samples, SNR \(s) dB")
            #expect(lag == 22)  // G.722's QMF analysis + synthesis delay
            #expect(s > threshold)
        }
    }

    // Opus at 8 kHz (narrowband, ~11 kbit/s auto) and 48 kHz: spectral similarity > 0.9
    // means the per-band envelope of the speech is preserved (a codec that smeared or lost
    // bands scores ~0.5-0.7 on this measure; G.711 scores > 0.99). Segmental SNR is printed
    // for information only: opus' noise shaping makes it low by design.
    @Test(arguments: [8000, 48000])
    func opusSpeech(rate: Int) throws {
        let x = try speech(rate: rate)
        let enc = try Opus.Encoder(Opus.EncoderSettings(sampleRate: rate))
        let dec = try Opus.Decoder(sampleRate: rate)
        let frame = rate / 50
        let y = roundTrip(x, frameSize: frame,
                          encode: { enc.encode($0, samples: frame, into: $1, capacity: 4000) },
                          decode: { dec.decode($0, count: $1, into: $2, capacity: frame * 6) })
        let lag = delay(of: y, behind: x, maxLag: rate / 50, windowLength: rate * 2)
        let sim = spectralSimilarity(x, y, lag: lag, rate: rate, maxHz: rate == 8000 ? 3800 : 10000)
        let seg = segmentalSNR(x, y, lag: lag, rate: rate)
        print("opus \(rate) Hz speech: bitrate \(enc.currentBitrate), lookahead \(enc.lookahead), delay \(lag), spectral similarity \(sim), segmental SNR \(seg) dB")
        // The correlation peak sits on the encoder's lookahead (6.5 ms), within a few samples.
        #expect(abs(lag - enc.lookahead) <= rate / 2000)
        #expect(sim > 0.9)
    }

    // Opus' SILK layer at 8 kHz models speech (LPC + pitch), not five unrelated sinusoids, so
    // neither SNR nor a band-envelope correlation is meaningful on this signal (the bands
    // between the tones are empty in the input). What must hold, with the settings we send
    // with (`EncoderSettings(remote:)`: 20 kbit/s, complexity 5): tones up to 1.9 kHz (all of
    // DTMF's) come out at their level +-3 dB (Goertzel energy over 1.5 s), the 2.9 kHz tone
    // within 10 dB (SILK NB shapes it down ~7 dB at c5, ~2 dB at c9; at libopus' own 11 kbit/s
    // it lost 17 dB), and >= 80 % of the output energy is in the tones (codec noise >= 6 dB
    // below them).
    // At 48 kHz (CELT/hybrid, 32 kbit/s) the same tones must hold the same bounds.
    @Test(arguments: [8000, 48000])
    func opusMultiTone(rate: Int) throws {
        let freqs: [Double] = [300, 770, 1209, 1870, 2900]
        let x = multiTone(rate: rate, seconds: 2, frequencies: freqs)
        let settings = Opus.EncoderSettings(remote: try Opus.Fmtp(parsing: rate == 8000 ? "maxplaybackrate=8000" : ""), pcmRate: rate)
        #expect(settings.sampleRate == rate && settings.bitrate == (rate == 8000 ? 20000 : 32000) && settings.complexity == 5)
        let enc = try Opus.Encoder(settings)
        let dec = try Opus.Decoder(sampleRate: rate)
        let frame = rate / 50
        let y = roundTrip(x, frameSize: frame,
                          encode: { enc.encode($0, samples: frame, into: $1, capacity: 4000) },
                          decode: { dec.decode($0, count: $1, into: $2, capacity: frame * 6) })
        let lag = enc.lookahead
        let range = (rate / 4)..<(rate * 7 / 4)
        var toneEnergy = 0.0, total = 0.0
        for f in freqs {
            let a = goertzelPower(x, f, rate: rate, range: range)
            let b = goertzelPower(y, f, rate: rate, range: (range.lowerBound + lag)..<(range.upperBound + lag))
            let db = 10 * log10(b / a)
            print("opus \(rate) Hz tone \(f) Hz: \(db) dB")
            #expect(abs(db) < (f < 2000 ? 3 : 10), "tone \(f) Hz level changed by \(db) dB")
            toneEnergy += b
        }
        for i in (range.lowerBound + lag)..<(range.upperBound + lag) { total += Double(y[i]) * Double(y[i]) }
        // Goertzel power is |X(f)|^2 for a real sine: total energy of that sine * N / 2.
        let purity = toneEnergy * 2 / Double(range.count) / total
        print("opus \(rate) Hz multi-tone: bitrate \(enc.currentBitrate), tone energy fraction \(purity), SNR \(snr(x, y, lag: lag, skip: rate / 10)) dB")
        #expect(purity > 0.8)
    }
}

/// |DFT|^2 of `x[range]` at frequency `f` (Goertzel).
func goertzelPower(_ x: [Int16], _ f: Double, rate: Int, range: Range<Int>) -> Double {
    let w = 2 * Double.pi * f / Double(rate)
    let c = 2 * cos(w)
    var s1 = 0.0, s2 = 0.0
    for i in range {
        let s0 = Double(x[i]) + c * s1 - s2
        s2 = s1; s1 = s0
    }
    return s1 * s1 + s2 * s2 - c * s1 * s2
}
