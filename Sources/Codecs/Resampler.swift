import CSpeexDSP

/// A per-stream sample-rate converter (speexdsp). Used only where two PCM rates meet:
/// G.722's 16 kHz <-> G.711's 8 kHz, and 48 kHz <-> 8 kHz when an opus leg has to run at 48 kHz.
/// The filter history lives in the object, so one instance serves one direction of one stream.
public final class Resampler {
    private let state: OpaquePointer
    public let inputRate: Int
    public let outputRate: Int
    public let channels: Int
    public let quality: Int

    /// `quality` 0...10; the default 3 is speexdsp's VOIP setting (about 0.2 of a 20 ms
    /// frame of CPU next to opus; see `tandem-bench codecs`).
    public init(inputRate: Int, outputRate: Int, channels: Int = 1, quality: Int = Int(SPEEX_RESAMPLER_QUALITY_VOIP)) throws {
        guard inputRate > 0, outputRate > 0 else { throw CodecError.unsupportedSampleRate(inputRate > 0 ? outputRate : inputRate) }
        guard channels == 1 || channels == 2 else { throw CodecError.unsupportedChannels(channels) }
        var err: Int32 = 0
        guard let s = speex_resampler_init(UInt32(channels), UInt32(inputRate), UInt32(outputRate), Int32(quality), &err),
              err == 0
        else { throw CodecError.library(name: "speex_resampler_init", code: err) }
        state = s
        self.inputRate = inputRate
        self.outputRate = outputRate
        self.channels = channels
        self.quality = quality
    }

    deinit { speex_resampler_destroy(state) }

    /// Output samples per channel that `inputSamples` produce (exact for the integer ratios
    /// we use: 160 @ 8k -> 320 @ 16k -> 960 @ 48k).
    public func outputSamples(forInput inputSamples: Int) -> Int {
        (inputSamples * outputRate + inputRate - 1) / inputRate
    }

    /// Resamples `samples` (per channel, interleaved) into `output` with room for `capacity`
    /// samples per channel. Returns (consumed, produced) per channel. With integer ratios and
    /// enough capacity all input is consumed.
    @discardableResult
    public func process(_ input: UnsafePointer<Int16>, samples: Int, into output: UnsafeMutablePointer<Int16>, capacity: Int) -> (consumed: Int, produced: Int) {
        var inLen = UInt32(samples), outLen = UInt32(capacity)
        let st = state
        if channels == 1 {
            _ = speex_resampler_process_int(st, 0, input, &inLen, output, &outLen)
        } else {
            _ = speex_resampler_process_interleaved_int(st, input, &inLen, output, &outLen)
        }
        return (Int(inLen), Int(outLen))
    }

    /// Delay of the filter in output samples (for aligning test signals).
    public var outputLatency: Int { Int(speex_resampler_get_output_latency(state)) }
    public var inputLatency: Int { Int(speex_resampler_get_input_latency(state)) }

    /// Clears the filter history (e.g. after a stream's source changed).
    public func reset() { speex_resampler_reset_mem(state) }
}
