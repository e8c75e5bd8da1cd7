import CallModel
import Codecs

// Codec objects for a TranscodePlan's formats (control path: runs when a socket is configured,
// may allocate and throw). The PCM rate each side runs at is chosen here, so that no resampler
// is created where none is needed: opus is decoded/encoded at the rate of the codec on the
// other side (8 kHz next to G.711, 16 kHz next to G.722), as libopus does natively.

enum TranscodeCodecs {
    enum Kind: Equatable {
        case g711(G711.Law)
        case g722
        case opus
    }

    /// The codec an `a=rtpmap` encoding name means; nil when we cannot transcode it.
    static func kind(of format: PayloadFormat) -> Kind? {
        switch format.encoding.uppercased() {
        case "PCMA": return .g711(.alaw)
        case "PCMU": return .g711(.ulaw)
        case "G722": return .g722
        case "OPUS": return .opus
        default: return nil
        }
    }

    /// The PCM rate a codec of `kind` works at when it is not opus (whose rate adapts).
    static func fixedRate(_ kind: Kind) -> Int? {
        switch kind {
        case .g711: return 8000
        case .g722: return 16000
        case .opus: return nil
        }
    }

    /// The opus fmtp of `format`, an empty one when absent or unparseable (the defaults).
    static func opusFmtp(_ format: PayloadFormat) -> Opus.Fmtp {
        (try? Opus.Fmtp(parsing: format.fmtp ?? "")) ?? Opus.Fmtp()
    }

    /// An encoder for the receiving party's format. `sourceRate`/`sourceChannels`: the PCM the
    /// decoder side produces when it has a fixed rate (opus then runs at that rate).
    /// opus honours the receiver's fmtp (RFC 7587 6.1): `useinbandfec`, `stereo`,
    /// `maxaveragebitrate`, `maxplaybackrate`, `usedtx`, `cbr`; a `bitrate` from the plan's
    /// transcode spec caps it further.
    static func encoder(for format: PayloadFormat, sourceRate: Int, sourceChannels: Int, ptime: Int) throws -> any FrameEncoder {
        guard let kind = kind(of: format) else { throw CodecError.invalidParameter("cannot encode \(format.encoding)") }
        switch kind {
        case .g711(let law): return G711Codec(law)
        case .g722: return try G722Encoder()
        case .opus:
            var settings = Opus.EncoderSettings(remote: opusFmtp(format), pcmRate: sourceRate, pcmChannels: sourceChannels,
                                                defaultPtime: ptime)
            if let cap = format.bitrate, cap > 0 { settings.bitrate = min(settings.bitrate ?? cap, cap) }
            // The packetiser (TranscodePath) frames by the plan's ptime; the encoder only
            // validates it, so keep it legal.
            settings.ptime = Opus.supportedFrameDurations.contains(ptime) ? ptime : 20
            return try Opus.Encoder(settings)
        }
    }

    /// A decoder for a sender's format, producing PCM at the rate the encoder side wants
    /// (`targetRate`, for opus) with `channels` channels.
    static func decoder(for format: PayloadFormat, targetRate: Int, channels: Int) throws -> any FrameDecoder {
        guard let kind = kind(of: format) else { throw CodecError.invalidParameter("cannot decode \(format.encoding)") }
        switch kind {
        case .g711(let law): return G711Codec(law)
        case .g722: return try G722Decoder()
        case .opus: return try Opus.Decoder(sampleRate: Opus.nativeRate(atMost: targetRate), channels: channels)
        }
    }

    /// Decoder and encoder for one received format: the fixed-rate side decides the other's
    /// rate; opus <-> opus runs at 48 kHz (or the receiver's maxplaybackrate).
    static func pair(decode: PayloadFormat, encode: PayloadFormat, ptime: Int) throws -> (any FrameDecoder, any FrameEncoder) {
        guard let inKind = kind(of: decode) else { throw CodecError.invalidParameter("cannot decode \(decode.encoding)") }
        guard let outKind = kind(of: encode) else { throw CodecError.invalidParameter("cannot encode \(encode.encoding)") }
        let outFmtp = outKind == .opus ? opusFmtp(encode) : Opus.Fmtp()
        let stereoOut = outKind == .opus && outFmtp.stereo == true && encode.channels == 2
        let inStereo = inKind == .opus && stereoOut  // decode stereo only when it can be sent on
        if let rate = fixedRate(inKind) {
            let enc = try encoder(for: encode, sourceRate: rate, sourceChannels: 1, ptime: ptime)
            return (try decoder(for: decode, targetRate: rate, channels: 1), enc)
        }
        // opus in: decode at the rate the encoder codes at.
        let outRate = fixedRate(outKind) ?? Opus.nativeRate(atMost: outFmtp.maxPlaybackRate ?? 48000)
        let dec = try decoder(for: decode, targetRate: outRate, channels: inStereo ? 2 : 1)
        let enc = try encoder(for: encode, sourceRate: dec.sampleRate, sourceChannels: dec.channels, ptime: ptime)
        return (dec, enc)
    }
}
