import COpus

/// Opus (RFC 6716, RTP payload format RFC 7587) through libopus.
///
/// libopus encodes and decodes natively at 8, 12, 16, 24 and 48 kHz, so an opus <-> G.711 leg
/// runs the codec at 8 kHz with no resampler at all. The RTP clock is nevertheless ALWAYS 48000
/// (RFC 7587 section 4.1): 960 timestamp units per 20 ms whatever rate the codec runs at.
public enum Opus {
    public static let rtpClockRate = 48000
    public static let supportedSampleRates = [8000, 12000, 16000, 24000, 48000]
    /// Frame durations (ms) the encoder accepts and we negotiate (libopus >= 1.2 also does
    /// 2.5/5 ms, which no VoIP peer asks for).
    public static let supportedFrameDurations = [10, 20, 40, 60, 80, 100, 120]
    /// Largest payload we ever produce or accept per packet (RFC 6716: 1275 bytes per frame,
    /// up to 120 ms per packet; libopus recommends 4000 bytes as a safe output buffer).
    public static let maxPacketBytes = 4000
    /// Samples per channel of the longest packet (120 ms) at `sampleRate`.
    public static func maxFrameSamples(sampleRate: Int) -> Int { sampleRate * 120 / 1000 }

    /// RTP timestamp increment for a frame of `milliseconds`: 48 per ms (960 per 20 ms).
    @inline(__always)
    public static func rtpTimestampIncrement(milliseconds: Int) -> UInt32 {
        UInt32(truncatingIfNeeded: milliseconds * 48)
    }

    /// RTP timestamp increment for `samples` samples per channel coded at `sampleRate`
    /// (160 samples at 8 kHz -> 960; 960 at 48 kHz -> 960).
    @inline(__always)
    public static func rtpTimestampIncrement(samples: Int, sampleRate: Int) -> UInt32 {
        UInt32(truncatingIfNeeded: samples * (rtpClockRate / sampleRate))
    }

    /// The largest native opus rate not above `rate` (at least 8000).
    public static func nativeRate(atMost rate: Int) -> Int {
        supportedSampleRates.last(where: { $0 <= rate }) ?? 8000
    }

    /// libopus bandwidth constant for a playback rate (RFC 7587 maxplaybackrate -> the widest
    /// audio band worth coding: 8k NB, 12k MB, 16k WB, 24k SWB, above FB).
    public static func bandwidth(forPlaybackRate rate: Int) -> Int32 {
        switch rate {
        case ...8000: return OPUS_BANDWIDTH_NARROWBAND
        case ...12000: return OPUS_BANDWIDTH_MEDIUMBAND
        case ...16000: return OPUS_BANDWIDTH_WIDEBAND
        case ...24000: return OPUS_BANDWIDTH_SUPERWIDEBAND
        default: return OPUS_BANDWIDTH_FULLBAND
        }
    }

    // MARK: fmtp (RFC 7587 section 6.1)

    /// The opus `a=fmtp` parameters. Parsing and formatting happen at negotiation time (they
    /// allocate); unknown parameters are kept in order so a re-serialised line loses nothing.
    public struct Fmtp: Equatable, Sendable, CustomStringConvertible {
        /// Receiver can use in-band FEC (so the sender should produce it).
        public var useInbandFEC: Bool?
        /// Receiver prefers stereo.
        public var stereo: Bool?
        /// Sender is likely to send stereo.
        public var spropStereo: Bool?
        /// Maximum average bitrate the receiver wants, bit/s (6000...510000).
        public var maxAverageBitrate: Int?
        /// Maximum audio rate the receiver can play, Hz (8000...48000).
        public var maxPlaybackRate: Int?
        /// Maximum rate the sender will capture, Hz.
        public var spropMaxCaptureRate: Int?
        /// Receiver can decode DTX / prefers CBR.
        public var useDTX: Bool?
        public var cbr: Bool?
        /// Frame durations in ms. `ptime`/`maxptime` are session attributes, but many
        /// implementations put them in the opus fmtp; we accept them there.
        public var ptime: Int?
        public var minPtime: Int?
        public var maxPtime: Int?
        /// Parameters we do not interpret, in their original order.
        public var other: [(String, String)] = []

        public init() {}

        /// Parses `key=value; key=value` (whitespace around separators tolerated, keys
        /// case-insensitive). Values out of their RFC ranges are clamped; unparseable ones throw.
        public init(parsing text: some StringProtocol) throws {
            self.init()
            // Split and trim on Unicode scalars, not Characters: a separator or space followed by
            // a combining mark is one Character, so `description`'s "; " would otherwise glue to
            // a key starting with one and the printed line would parse to a different key.
            for item in String(text).unicodeScalars.split(separator: ";").map(Substring.init) {
                // Empty pieces kept: "=" or "=x" has an empty key (skipped), never no parts at all.
                let parts = item.unicodeScalars.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(Substring.init)
                let key = parts[0].trimmingSpaces().lowercased()
                if key.isEmpty { continue }
                let value = parts.count > 1 ? parts[1].trimmingSpaces() : ""
                func flag() throws -> Bool {
                    switch value {
                    case "1": return true
                    case "0": return false
                    default: throw CodecError.invalidParameter("opus fmtp \(key)=\(value): expected 0 or 1")
                    }
                }
                func number(_ range: ClosedRange<Int>) throws -> Int {
                    guard let v = Int(value) else {
                        throw CodecError.invalidParameter("opus fmtp \(key)=\(value): expected an integer")
                    }
                    return min(max(v, range.lowerBound), range.upperBound)
                }
                switch key {
                case "useinbandfec": useInbandFEC = try flag()
                case "stereo": stereo = try flag()
                case "sprop-stereo": spropStereo = try flag()
                case "usedtx": useDTX = try flag()
                case "cbr": cbr = try flag()
                case "maxaveragebitrate": maxAverageBitrate = try number(6000...510_000)
                case "maxplaybackrate": maxPlaybackRate = try number(8000...48000)
                case "sprop-maxcapturerate": spropMaxCaptureRate = try number(8000...48000)
                case "ptime": ptime = try number(3...120)
                case "minptime": minPtime = try number(3...120)
                case "maxptime": maxPtime = try number(3...120)
                default: other.append((key, String(value)))
                }
            }
        }

        public var description: String {
            var items: [String] = []
            func b(_ v: Bool) -> String { v ? "1" : "0" }
            if let v = maxPlaybackRate { items.append("maxplaybackrate=\(v)") }
            if let v = spropMaxCaptureRate { items.append("sprop-maxcapturerate=\(v)") }
            if let v = maxAverageBitrate { items.append("maxaveragebitrate=\(v)") }
            if let v = stereo { items.append("stereo=\(b(v))") }
            if let v = spropStereo { items.append("sprop-stereo=\(b(v))") }
            if let v = cbr { items.append("cbr=\(b(v))") }
            if let v = useInbandFEC { items.append("useinbandfec=\(b(v))") }
            if let v = useDTX { items.append("usedtx=\(b(v))") }
            if let v = minPtime { items.append("minptime=\(v)") }
            if let v = ptime { items.append("ptime=\(v)") }
            if let v = maxPtime { items.append("maxptime=\(v)") }
            for (k, v) in other { items.append(v.isEmpty ? k : "\(k)=\(v)") }
            return items.joined(separator: "; ")
        }

        public static func == (a: Fmtp, b: Fmtp) -> Bool {
            a.useInbandFEC == b.useInbandFEC && a.stereo == b.stereo && a.spropStereo == b.spropStereo
                && a.maxAverageBitrate == b.maxAverageBitrate && a.maxPlaybackRate == b.maxPlaybackRate
                && a.spropMaxCaptureRate == b.spropMaxCaptureRate && a.useDTX == b.useDTX && a.cbr == b.cbr
                && a.ptime == b.ptime && a.minPtime == b.minPtime && a.maxPtime == b.maxPtime
                && a.other.map(\.0) == b.other.map(\.0) && a.other.map(\.1) == b.other.map(\.1)
        }
    }

    // MARK: encoder settings

    /// Everything an encoder is created with. `complexity` defaults to 5: the lab measured
    /// ~81 us vs ~160 us per 20 ms encode at 8 kHz (c5 vs c9), ~220 vs ~390 us at 48 kHz, for a
    /// small quality loss on speech (see `tandem-bench codecs`, which reports both).
    public struct EncoderSettings: Equatable, Sendable {
        public var sampleRate: Int
        public var channels: Int
        public var complexity: Int = 5
        /// Target bit/s; nil = libopus's automatic choice for rate and channels.
        public var bitrate: Int?
        public var inbandFEC = false
        /// Expected loss; libopus spends FEC bits only when this is > 0.
        public var packetLossPercent = 0
        /// OPUS_BANDWIDTH_* cap, nil = none (the rate already bounds it).
        public var maxBandwidth: Int32?
        public var dtx = false
        public var cbr = false
        /// Frame duration produced per packet.
        public var ptime = 20

        public init(sampleRate: Int, channels: Int = 1, complexity: Int = 5) {
            self.sampleRate = sampleRate
            self.channels = channels
            self.complexity = complexity
        }

        /// Settings for sending to a receiver that advertised `fmtp` (RFC 7587 6.1), when our
        /// PCM is at `pcmRate` with `pcmChannels` channels:
        /// * the codec runs at the native rate nearest below min(pcmRate, maxplaybackrate),
        ///   so G.711-sourced audio is coded at 8 kHz without a resampler;
        /// * stereo only if the receiver prefers it AND we have stereo audio;
        /// * bitrate `Opus.defaultBitrate`, capped by `maxaveragebitrate`; `useinbandfec=1` turns FEC on (with 5 %
        ///   expected loss so libopus actually spends bits on it); `usedtx`, `cbr` and
        ///   `ptime` are honoured (ptime rounded to a duration opus supports).
        public init(remote fmtp: Fmtp, pcmRate: Int, pcmChannels: Int = 1, complexity: Int = 5,
                    defaultPtime: Int = 20) {
            let playback = fmtp.maxPlaybackRate ?? 48000
            self.init(sampleRate: Opus.nativeRate(atMost: min(pcmRate, playback)),
                      channels: (fmtp.stereo == true && pcmChannels == 2) ? 2 : 1, complexity: complexity)
            if playback < 48000 { maxBandwidth = Opus.bandwidth(forPlaybackRate: playback) }
            let fallback = Opus.defaultBitrate(sampleRate: sampleRate, channels: channels)
            bitrate = fmtp.maxAverageBitrate.map { min($0, fallback) } ?? fallback
            if fmtp.useInbandFEC == true { inbandFEC = true; packetLossPercent = 5 }
            dtx = fmtp.useDTX ?? false
            cbr = fmtp.cbr ?? false
            var p = fmtp.ptime ?? defaultPtime
            if let maxp = fmtp.maxPtime { p = min(p, maxp) }
            ptime = Opus.supportedFrameDurations.last(where: { $0 <= p }) ?? 10
        }
    }

    /// Bitrate we send at when the receiver sets no cap. libopus' automatic choice for 8 kHz
    /// mono VOIP is 11 kbit/s, which measurably damages a G.711-sourced signal (a 2.9 kHz tone
    /// comes out 17 dB down, speech band-envelope similarity 0.988); 20 kbit/s keeps tones
    /// within 0-7 dB and speech at 0.997 (CodecsTests, QualityTests) for ~the same CPU.
    /// Wider bands get the usual VoIP figures: 24 kbit/s at 12/16 kHz, 32 kbit/s above
    /// (per channel).
    public static func defaultBitrate(sampleRate: Int, channels: Int) -> Int {
        let perChannel = sampleRate <= 8000 ? 20000 : sampleRate <= 16000 ? 24000 : 32000
        return perChannel * channels
    }

    /// The fmtp we advertise for a stream whose decoder runs at `playbackRate` and whose
    /// sender codes `channels` channels.
    public static func localFmtp(playbackRate: Int, channels: Int, inbandFEC: Bool = true, ptime: Int? = nil) -> Fmtp {
        var f = Fmtp()
        if playbackRate < 48000 { f.maxPlaybackRate = playbackRate; f.spropMaxCaptureRate = playbackRate }
        f.stereo = channels == 2
        f.spropStereo = channels == 2
        f.useInbandFEC = inbandFEC
        f.ptime = ptime
        return f
    }

    // MARK: encoder

    /// libopus encoder, VOIP application. Final class; `opus_encoder_destroy` in deinit.
    public final class Encoder: FrameEncoder {
        private let encoder: OpaquePointer
        public let settings: EncoderSettings
        /// Samples per channel per packet at the codec rate (160 for 20 ms at 8 kHz).
        public let frameSamples: Int

        public init(_ settings: EncoderSettings) throws {
            guard Opus.supportedSampleRates.contains(settings.sampleRate) else {
                throw CodecError.unsupportedSampleRate(settings.sampleRate)
            }
            guard settings.channels == 1 || settings.channels == 2 else {
                throw CodecError.unsupportedChannels(settings.channels)
            }
            guard Opus.supportedFrameDurations.contains(settings.ptime) else {
                throw CodecError.unsupportedFrameDuration(milliseconds: settings.ptime)
            }
            var err: Int32 = 0
            guard let e = opus_encoder_create(Int32(settings.sampleRate), Int32(settings.channels), OPUS_APPLICATION_VOIP, &err),
                  err == OPUS_OK
            else { throw CodecError.library(name: "opus_encoder_create", code: err) }
            encoder = e
            self.settings = settings
            frameSamples = settings.sampleRate * settings.ptime / 1000
            func check(_ r: Int32, _ what: String) throws {
                if r != OPUS_OK { throw CodecError.library(name: what, code: r) }
            }
            try check(tandem_opus_set_complexity(e, Int32(min(max(settings.complexity, 0), 10))), "OPUS_SET_COMPLEXITY")
            try check(tandem_opus_set_bitrate(e, settings.bitrate.map { Int32($0) } ?? OPUS_AUTO), "OPUS_SET_BITRATE")
            try check(tandem_opus_set_inband_fec(e, settings.inbandFEC ? 1 : 0), "OPUS_SET_INBAND_FEC")
            try check(tandem_opus_set_packet_loss_perc(e, Int32(min(max(settings.packetLossPercent, 0), 100))), "OPUS_SET_PACKET_LOSS_PERC")
            try check(tandem_opus_set_dtx(e, settings.dtx ? 1 : 0), "OPUS_SET_DTX")
            try check(tandem_opus_set_vbr(e, settings.cbr ? 0 : 1), "OPUS_SET_VBR")
            try check(tandem_opus_set_signal(e, OPUS_SIGNAL_VOICE), "OPUS_SET_SIGNAL")
            if let bw = settings.maxBandwidth { try check(tandem_opus_set_max_bandwidth(e, bw), "OPUS_SET_MAX_BANDWIDTH") }
        }

        deinit { opus_encoder_destroy(encoder) }

        public var sampleRate: Int { settings.sampleRate }
        public var channels: Int { settings.channels }
        public var rtpClockRate: Int { Opus.rtpClockRate }

        /// Encoder delay in samples per channel at the codec rate (OPUS_GET_LOOKAHEAD).
        public var lookahead: Int {
            var v: Int32 = 0
            _ = tandem_opus_get_lookahead(encoder, &v)
            return Int(v)
        }

        /// The bitrate libopus is using (resolves OPUS_AUTO).
        public var currentBitrate: Int {
            var v: Int32 = 0
            _ = tandem_opus_get_bitrate(encoder, &v)
            return Int(v)
        }

        /// `samples` per channel must be a legal opus frame size (2.5...120 ms at the codec
        /// rate). Returns bytes written (1 byte = a DTX/"nothing to send" frame) or a negative
        /// OPUS_* error.
        public func encode(_ pcm: UnsafePointer<Int16>, samples: Int, into payload: UnsafeMutablePointer<UInt8>, capacity: Int) -> Int {
            Int(opus_encode(encoder, pcm, Int32(samples), payload, Int32(min(capacity, Opus.maxPacketBytes))))
        }

        public func reset() { _ = tandem_opus_encoder_reset(encoder) }
    }

    // MARK: decoder

    /// libopus decoder. A mono decoder downmixes stereo packets, a stereo decoder upmixes mono
    /// ones, so the decoder's channel count is our choice, not the sender's.
    public final class Decoder: FrameDecoder {
        private let decoder: OpaquePointer
        public let sampleRate: Int
        public let channels: Int

        public init(sampleRate: Int, channels: Int = 1) throws {
            guard Opus.supportedSampleRates.contains(sampleRate) else { throw CodecError.unsupportedSampleRate(sampleRate) }
            guard channels == 1 || channels == 2 else { throw CodecError.unsupportedChannels(channels) }
            var err: Int32 = 0
            guard let d = opus_decoder_create(Int32(sampleRate), Int32(channels), &err), err == OPUS_OK else {
                throw CodecError.library(name: "opus_decoder_create", code: err)
            }
            decoder = d
            self.sampleRate = sampleRate
            self.channels = channels
        }

        deinit { opus_decoder_destroy(decoder) }

        public var rtpClockRate: Int { Opus.rtpClockRate }

        /// `capacity` is per channel; give `Opus.maxFrameSamples(sampleRate:)` to accept any
        /// legal packet. Returns samples per channel, or a negative OPUS_* error.
        public func decode(_ payload: UnsafePointer<UInt8>, count: Int, into pcm: UnsafeMutablePointer<Int16>, capacity: Int) -> Int {
            Int(opus_decode(decoder, payload, Int32(count), pcm, Int32(capacity), 0))
        }

        /// Recovers the LOST packet preceding `nextPayload` from its in-band FEC data
        /// (`samples` = the lost packet's duration at the codec rate). Falls back to PLC
        /// inside libopus when the next packet carries no FEC.
        public func decodeFEC(from nextPayload: UnsafePointer<UInt8>, count: Int, samples: Int, into pcm: UnsafeMutablePointer<Int16>) -> Int {
            Int(opus_decode(decoder, nextPayload, Int32(count), pcm, Int32(samples), 1))
        }

        /// Packet loss concealment for `samples` per channel (a multiple of 2.5 ms).
        public func conceal(samples: Int, into pcm: UnsafeMutablePointer<Int16>) -> Int {
            Int(opus_decode(decoder, nil, 0, pcm, Int32(samples), 0))
        }

        /// Samples per channel in a packet at the decoder's rate, without decoding it.
        public func samplesInPacket(_ payload: UnsafePointer<UInt8>, count: Int) -> Int {
            Int(opus_decoder_get_nb_samples(decoder, payload, Int32(count)))
        }

        public func reset() { _ = tandem_opus_decoder_reset(decoder) }
    }
}

extension StringProtocol {
    fileprivate func trimmingSpaces() -> Substring {
        var s = Substring(self).unicodeScalars
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return Substring(s)
    }
}
