/// One direction of one transcoded stream: source payload -> decode -> PCM (channel mix,
/// resample where two rates meet) -> FIFO -> encode frames of the target ptime.
///
/// Sans-IO and allocation-free per packet: every buffer is sized at init. The caller hands in a
/// payload with its RTP timestamp and receives zero or more target payloads through a
/// non-escaping closure, each with its target RTP timestamp (sequence numbers, SSRC and marker
/// stay with the caller's RTP layer).
///
/// Timestamps: the first packet fixes an `RTPTimestampMapper` (source base = its timestamp,
/// target base = `targetTimestampBase`). Every emitted frame carries the mapped source
/// timestamp of its first sample, so 20 -> 40 ms repacketisation gives target timestamps
/// T, T+2*inc, ... and 40 -> 20 gives T, T+inc, ...: continuous, and in the same mapping the
/// telephone-event translator uses (`translateTelephoneEvent`). A source timestamp that is not
/// the expected continuation (loss, DTX, a new talk spurt) drops the partial frame buffered so
/// far (less than one target frame) and resynchronises.
///
/// PCMA <-> PCMU (in either ptime) never goes through linear PCM: bytes go through G.711's
/// direct code tables into a byte FIFO.
public final class TranscodePath {
    public let decoder: any FrameDecoder
    public let encoder: any FrameEncoder
    public let targetPtime: Int
    /// Samples per channel per target frame at the encoder's rate.
    public let frameSamples: Int
    /// Target RTP timestamp units per emitted frame (960 for 20 ms opus, 160 for 20 ms G.711).
    public let timestampIncrement: UInt32
    public let targetTimestampBase: UInt32
    public let resampler: Resampler?

    /// G.711 pair: the code table (direct A<->mu, or identity for same-law repacketisation).
    private let directTable: UnsafePointer<UInt8>?
    private let decodeCapacity: Int   // per channel, decoder rate
    private let decodeBuffer: UnsafeMutablePointer<Int16>
    private let mixBuffer: UnsafeMutablePointer<Int16>
    private let resampleCapacity: Int
    private let resampleBuffer: UnsafeMutablePointer<Int16>
    private let fifoCapacity: Int     // per channel, encoder rate
    private let fifo: UnsafeMutablePointer<Int16>
    private let byteFifo: UnsafeMutablePointer<UInt8>
    private let outCapacity: Int
    private let outBuffer: UnsafeMutablePointer<UInt8>
    private let decChannels: Int, encChannels: Int
    private let sourceClockPerSample: (num: Int, den: Int)

    private var fifoCount = 0
    private var fifoHeadTimestamp: UInt32 = 0
    private var expectedSourceTimestamp: UInt32 = 0
    private var started = false
    public private(set) var mapper: RTPTimestampMapper

    /// Frames dropped by `process` because a payload did not decode.
    public private(set) var decodeErrors = 0
    public private(set) var encodeErrors = 0

    /// - Parameters:
    ///   - targetPtime: ms of audio per emitted frame (10/20/30/40/60...; must give an integral
    ///     number of samples and, for opus, a legal opus frame size).
    ///   - targetTimestampBase: target RTP timestamp of the first packet's first sample.
    ///   - resamplerQuality: speexdsp quality (0...10) when decoder and encoder rates differ.
    public init(decoder: any FrameDecoder, encoder: any FrameEncoder, targetPtime: Int = 20,
                targetTimestampBase: UInt32 = 0, resamplerQuality: Int = 3) throws {
        guard targetPtime > 0, targetPtime <= 120, (encoder.sampleRate * targetPtime) % 1000 == 0 else {
            throw CodecError.unsupportedFrameDuration(milliseconds: targetPtime)
        }
        self.decoder = decoder
        self.encoder = encoder
        self.targetPtime = targetPtime
        self.targetTimestampBase = targetTimestampBase
        frameSamples = encoder.sampleRate * targetPtime / 1000
        timestampIncrement = UInt32(encoder.rtpClockRate * targetPtime / 1000)
        decChannels = decoder.channels
        encChannels = encoder.channels
        sourceClockPerSample = (decoder.rtpClockRate, decoder.sampleRate)
        mapper = RTPTimestampMapper(sourceClockRate: decoder.rtpClockRate, targetClockRate: encoder.rtpClockRate,
                                    sourceBase: 0, targetBase: targetTimestampBase)

        if let d = decoder as? G711Codec, let e = encoder as? G711Codec {
            let t = G711.tables
            directTable = d.law == e.law ? t.identity : (d.law == .alaw ? t.alawToUlaw : t.ulawToAlaw)
        } else {
            directTable = nil
        }
        let isG711Pair = decoder is G711Codec && encoder is G711Codec
        resampler = (decoder.sampleRate != encoder.sampleRate && !isG711Pair)
            ? try Resampler(inputRate: decoder.sampleRate, outputRate: encoder.sampleRate, channels: encoder.channels, quality: resamplerQuality)
            : nil

        // Longest packet accepted: 120 ms (opus' maximum; G.711/G.722 packets are far shorter).
        decodeCapacity = decoder.sampleRate * 120 / 1000
        let maxChannels = max(decChannels, encChannels)
        decodeBuffer = .allocate(capacity: decodeCapacity * decChannels)
        mixBuffer = .allocate(capacity: decodeCapacity * maxChannels)
        resampleCapacity = encoder.sampleRate * 120 / 1000 + 64
        resampleBuffer = .allocate(capacity: resampleCapacity * encChannels)
        fifoCapacity = max(decodeCapacity, resampleCapacity) + frameSamples
        fifo = .allocate(capacity: fifoCapacity * encChannels)
        byteFifo = .allocate(capacity: isG711Pair ? fifoCapacity : 1)
        outCapacity = encoder is Opus.Encoder ? Opus.maxPacketBytes : frameSamples * encChannels * 2 + 16
        outBuffer = .allocate(capacity: outCapacity)
    }

    deinit {
        decodeBuffer.deallocate()
        mixBuffer.deallocate()
        resampleBuffer.deallocate()
        fifo.deallocate()
        byteFifo.deallocate()
        outBuffer.deallocate()
    }

    /// Maps a source RTP timestamp into the target stream (the first call, here or in
    /// `process`, fixes the mapping).
    public func mapTimestamp(_ timestamp: UInt32) -> UInt32 {
        if !started { start(at: timestamp) }
        return mapper.map(timestamp)
    }

    private func start(at timestamp: UInt32) {
        started = true
        mapper = RTPTimestampMapper(sourceClockRate: decoder.rtpClockRate, targetClockRate: encoder.rtpClockRate,
                                    sourceBase: timestamp, targetBase: targetTimestampBase)
        expectedSourceTimestamp = timestamp
    }

    /// Translates a telephone-event payload of this stream (same SSRC and clock as its audio)
    /// with the audio's timestamp mapping; see `TelephoneEventTranslator`.
    public func translateTelephoneEvent(timestamp: UInt32, payload: UnsafePointer<UInt8>, count: Int,
                                        into out: UnsafeMutablePointer<UInt8>, capacity: Int) throws(TelephoneEvent.ParseError) -> (timestamp: UInt32, count: Int) {
        let mapped = mapTimestamp(timestamp)
        return try TelephoneEventTranslator.translate(mappedTimestamp: mapped, mapper: mapper, payload: payload, count: count, into: out, capacity: capacity)
    }

    /// Feeds one source payload. Calls `emit(payload, bytes, targetTimestamp)` for each target
    /// frame completed (the payload pointer is valid only during the call). Returns the number
    /// of frames emitted, or -1 if the payload could not be decoded (the stream state is kept).
    @discardableResult
    public func process(payload: UnsafePointer<UInt8>, count: Int, timestamp: UInt32,
                        emit: (UnsafePointer<UInt8>, Int, UInt32) -> Void) -> Int {
        if !started { start(at: timestamp) }
        if timestamp != expectedSourceTimestamp {
            fifoCount = 0  // discontinuity: the partial frame cannot be completed in order
        }
        if fifoCount == 0 { fifoHeadTimestamp = mapper.map(timestamp) }

        if let table = directTable {
            return processG711(payload, count, timestamp, table, emit)
        }

        let decoded = decoder.decode(payload, count: count, into: decodeBuffer, capacity: decodeCapacity)
        guard decoded > 0 else {
            decodeErrors += 1
            return -1
        }
        expectedSourceTimestamp = timestamp &+ UInt32(truncatingIfNeeded: decoded * sourceClockPerSample.num / sourceClockPerSample.den)

        // Channels: mono <-> stereo before resampling, so the resampler runs at the encoder's layout.
        var pcm = UnsafePointer(decodeBuffer)
        if decChannels == 1 && encChannels == 2 {
            for i in 0..<decoded { let s = decodeBuffer[i]; mixBuffer[2 * i] = s; mixBuffer[2 * i + 1] = s }
            pcm = UnsafePointer(mixBuffer)
        } else if decChannels == 2 && encChannels == 1 {
            for i in 0..<decoded { mixBuffer[i] = Int16((Int32(decodeBuffer[2 * i]) + Int32(decodeBuffer[2 * i + 1])) >> 1) }
            pcm = UnsafePointer(mixBuffer)
        }
        var samples = decoded
        if let resampler {
            samples = resampler.process(pcm, samples: decoded, into: resampleBuffer, capacity: resampleCapacity).produced
            pcm = UnsafePointer(resampleBuffer)
        }
        let room = fifoCapacity - fifoCount
        let n = min(samples, room)
        (fifo + fifoCount * encChannels).update(from: pcm, count: n * encChannels)
        fifoCount += n

        var frames = 0
        var offset = 0
        while fifoCount - offset >= frameSamples {
            let bytes = encoder.encode(fifo + offset * encChannels, samples: frameSamples, into: outBuffer, capacity: outCapacity)
            if bytes > 0 {
                emit(outBuffer, bytes, fifoHeadTimestamp)
                frames += 1
            } else {
                encodeErrors += 1
            }
            fifoHeadTimestamp &+= timestampIncrement
            offset += frameSamples
        }
        if offset > 0 {
            fifoCount -= offset
            if fifoCount > 0 { fifo.update(from: fifo + offset * encChannels, count: fifoCount * encChannels) }
        }
        return frames
    }

    private func processG711(_ payload: UnsafePointer<UInt8>, _ count: Int, _ timestamp: UInt32,
                             _ table: UnsafePointer<UInt8>, _ emit: (UnsafePointer<UInt8>, Int, UInt32) -> Void) -> Int {
        expectedSourceTimestamp = timestamp &+ UInt32(truncatingIfNeeded: count)
        // Same ptime and nothing buffered: translate straight into the output buffer.
        if fifoCount == 0 && count == frameSamples {
            G711.map(payload, outBuffer, count, table)
            emit(outBuffer, count, fifoHeadTimestamp)
            return 1
        }
        let n = min(count, fifoCapacity - fifoCount)
        G711.map(payload, byteFifo + fifoCount, n, table)
        fifoCount += n
        var frames = 0, offset = 0
        while fifoCount - offset >= frameSamples {
            emit(byteFifo + offset, frameSamples, fifoHeadTimestamp)
            frames += 1
            fifoHeadTimestamp &+= timestampIncrement
            offset += frameSamples
        }
        if offset > 0 {
            fifoCount -= offset
            if fifoCount > 0 { byteFifo.update(from: byteFifo + offset, count: fifoCount) }
        }
        return frames
    }

    /// Forgets buffered audio and the timestamp mapping (e.g. the source SSRC changed).
    public func reset() {
        fifoCount = 0
        started = false
        resampler?.reset()
    }
}
