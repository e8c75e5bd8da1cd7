// Codecs: the sans-IO, per-frame codec layer (see ../../../shared/DESIGN.md).
//
// Everything here works on caller-owned buffers through unsafe pointers and allocates only at
// set-up: a stream creates its encoder/decoder/resampler/path once (on the packet loop's thread),
// and per 20 ms frame nothing is allocated and no Swift array is touched. Codec state objects are
// final classes that own a C state and free it in deinit; they are not Sendable and belong to the
// one loop that owns the stream.

/// Decodes one RTP payload into 16-bit linear PCM (interleaved when `channels` is 2).
public protocol FrameDecoder: AnyObject {
    /// PCM sample rate produced (G.722: 16000; opus: the rate the decoder was created at).
    var sampleRate: Int { get }
    var channels: Int { get }
    /// RTP clock rate of the payload format (G.722: 8000 per RFC 3551; opus: always 48000).
    var rtpClockRate: Int { get }
    /// Decodes `count` payload bytes into `pcm` (room for `capacity` samples per channel).
    /// Returns samples per channel written, or a negative value on a malformed payload.
    func decode(_ payload: UnsafePointer<UInt8>, count: Int, into pcm: UnsafeMutablePointer<Int16>, capacity: Int) -> Int
    /// Conceals `samples` lost samples per channel (PLC where the codec has one, else silence).
    func conceal(samples: Int, into pcm: UnsafeMutablePointer<Int16>) -> Int
}

/// Encodes PCM frames (interleaved when `channels` is 2) into RTP payloads.
public protocol FrameEncoder: AnyObject {
    var sampleRate: Int { get }
    var channels: Int { get }
    var rtpClockRate: Int { get }
    /// Encodes `samples` samples per channel; returns payload bytes written, negative on error.
    func encode(_ pcm: UnsafePointer<Int16>, samples: Int, into payload: UnsafeMutablePointer<UInt8>, capacity: Int) -> Int
}

/// RTP timestamp units for a frame of `milliseconds` at `clockRate`
/// (PCMA/PCMU/G.722: 8000 -> 160 per 20 ms; opus: 48000 -> 960 per 20 ms).
@inline(__always)
public func rtpTimestampIncrement(clockRate: Int, milliseconds: Int) -> UInt32 {
    UInt32(truncatingIfNeeded: clockRate * milliseconds / 1000)
}

/// Errors raised while setting a codec up (never per frame).
public enum CodecError: Error, Equatable, Sendable {
    case unsupportedSampleRate(Int)
    case unsupportedChannels(Int)
    case unsupportedFrameDuration(milliseconds: Int)
    case library(name: String, code: Int32)
    case invalidParameter(String)
}
