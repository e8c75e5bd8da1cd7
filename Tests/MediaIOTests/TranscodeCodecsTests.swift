import CallModel
import Codecs
@testable import MediaIO
import Testing

// Which codec objects a plan's formats get (control path, no sockets): the PCM rate each side
// runs at (no resampler where none is needed) and the receiver's opus fmtp honoured.

@Suite struct TranscodeCodecsTests {
    @Test func opusEncoderFollowsTheReceiversFmtp() throws {
        let receiver = format(111, "opus", 48000, channels: 2, fmtp: "useinbandfec=1; stereo=1; maxaveragebitrate=16000")
        let (dec, enc) = try TranscodeCodecs.pair(decode: pcmu, encode: receiver, ptime: 20)
        let opusEnc = try #require(enc as? Opus.Encoder)
        #expect(dec.sampleRate == 8000)
        // G.711 source: coded at 8 kHz (no resampler), mono (stereo=1 is a preference and there
        // is no stereo audio to send), FEC on with expected loss, bitrate capped by the fmtp.
        #expect(opusEnc.settings.sampleRate == 8000 && opusEnc.settings.channels == 1)
        #expect(opusEnc.settings.inbandFEC && opusEnc.settings.packetLossPercent > 0)
        #expect(opusEnc.settings.bitrate == 16000)

        // Without useinbandfec no FEC; the plan's transcode bitrate caps further.
        var plain = format(111, "opus", 48000, channels: 2, fmtp: "maxaveragebitrate=16000")
        plain.bitrate = 12000
        let (_, enc2) = try TranscodeCodecs.pair(decode: g722, encode: plain, ptime: 40)
        let e2 = try #require(enc2 as? Opus.Encoder)
        #expect(e2.settings.sampleRate == 16000 && !e2.settings.inbandFEC && e2.settings.bitrate == 12000 && e2.settings.ptime == 40)
    }

    @Test func opusDecoderRunsAtTheOtherSidesRate() throws {
        #expect(try TranscodeCodecs.pair(decode: opus, encode: pcma, ptime: 20).0.sampleRate == 8000)
        #expect(try TranscodeCodecs.pair(decode: opus, encode: g722, ptime: 20).0.sampleRate == 16000)
        // opus -> opus stereo: decoded and coded in stereo at 48 kHz.
        let stereo = format(96, "opus", 48000, channels: 2, fmtp: "stereo=1")
        let (dec, enc) = try TranscodeCodecs.pair(decode: opus, encode: stereo, ptime: 20)
        #expect(dec.sampleRate == 48000 && dec.channels == 2 && enc.channels == 2)
        // maxplaybackrate=16000 on the receiving side: both run at 16 kHz.
        let wideband = format(96, "opus", 48000, channels: 2, fmtp: "maxplaybackrate=16000")
        let (d3, e3) = try TranscodeCodecs.pair(decode: opus, encode: wideband, ptime: 20)
        #expect(d3.sampleRate == 16000 && e3.sampleRate == 16000)
        // Unknown codecs are refused with an error, not a crash.
        #expect(throws: CodecError.self) { try TranscodeCodecs.pair(decode: format(18, "G729", 8000), encode: pcmu, ptime: 20) }
    }
}
