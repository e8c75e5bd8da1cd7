import CSpanDSP

/// G.722 (static payload type 9) at 64 kbit/s through spandsp: 16 kHz audio, 2 samples per
/// byte (320 samples -> 160 bytes per 20 ms). RFC 3551 keeps the RTP clock at 8000 for
/// historical reasons, so the timestamp advances 160 per 20 ms although 320 samples are coded.
public enum G722 {
    public static let sampleRate = 16000
    public static let rtpClockRate = 8000
    public static let bitRate = 64000
    public static let bytesPer20ms = 160
    public static let samplesPer20ms = 320

    /// RTP timestamp increment for a frame of `milliseconds` (8 per ms: 160 per 20 ms).
    @inline(__always)
    public static func rtpTimestampIncrement(milliseconds: Int) -> UInt32 {
        UInt32(truncatingIfNeeded: milliseconds * 8)
    }

    /// RTP timestamp increment for `samples` 16 kHz samples (two samples per clock tick).
    @inline(__always)
    public static func rtpTimestampIncrement(samples: Int) -> UInt32 {
        UInt32(truncatingIfNeeded: samples / 2)
    }
}

/// G.722 64 kbit/s encoder (spandsp state, freed in deinit). Input 16 kHz mono.
public final class G722Encoder: FrameEncoder {
    private let state: OpaquePointer

    public init() throws {
        guard let s = g722_encode_init(nil, Int32(G722.bitRate), 0) else {
            throw CodecError.library(name: "g722_encode_init", code: -1)
        }
        state = s
    }

    deinit { g722_encode_free(state) }

    public var sampleRate: Int { G722.sampleRate }
    public var channels: Int { 1 }
    public var rtpClockRate: Int { G722.rtpClockRate }

    /// `samples` 16 kHz samples -> `samples / 2` bytes (an even count keeps byte alignment).
    public func encode(_ pcm: UnsafePointer<Int16>, samples: Int, into payload: UnsafeMutablePointer<UInt8>, capacity: Int) -> Int {
        guard (samples + 1) / 2 <= capacity else { return -1 }
        return Int(g722_encode(state, payload, pcm, Int32(samples)))
    }
}

/// G.722 64 kbit/s decoder (spandsp state, freed in deinit). Output 16 kHz mono.
public final class G722Decoder: FrameDecoder {
    private let state: OpaquePointer

    public init() throws {
        guard let s = g722_decode_init(nil, Int32(G722.bitRate), 0) else {
            throw CodecError.library(name: "g722_decode_init", code: -1)
        }
        state = s
    }

    deinit { g722_decode_free(state) }

    public var sampleRate: Int { G722.sampleRate }
    public var channels: Int { 1 }
    public var rtpClockRate: Int { G722.rtpClockRate }

    /// `count` bytes -> `2 * count` samples at 16 kHz.
    public func decode(_ payload: UnsafePointer<UInt8>, count: Int, into pcm: UnsafeMutablePointer<Int16>, capacity: Int) -> Int {
        guard 2 * count <= capacity else { return -1 }
        return Int(g722_decode(state, pcm, payload, Int32(count)))
    }

    /// G.722 has no PLC in spandsp: silence.
    public func conceal(samples: Int, into pcm: UnsafeMutablePointer<Int16>) -> Int {
        pcm.update(repeating: 0, count: samples)
        return samples
    }
}
