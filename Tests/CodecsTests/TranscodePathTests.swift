import TandemTestSupport
import CSpanDSP
import Codecs
import Foundation
import Testing

/// A packet as the RTP layer would hand it over: payload and RTP timestamp.
struct Packet {
    var payload: [UInt8]
    var timestamp: UInt32
}

func run(_ path: TranscodePath, _ packets: [Packet]) -> [Packet] {
    var out: [Packet] = []
    for p in packets {
        p.payload.withUnsafeBufferPointer { b in
            _ = path.process(payload: b.baseAddress!, count: b.count, timestamp: p.timestamp) { ptr, n, ts in
                out.append(Packet(payload: Array(UnsafeBufferPointer(start: ptr, count: n)), timestamp: ts))
            }
        }
    }
    return out
}

/// Speech packetised as 20 ms G.711 frames starting at `timestamp`.
func g711Packets(_ pcm: [Int16], _ law: G711.Law, ptime: Int = 20, timestamp: UInt32) -> [Packet] {
    let n = 8 * ptime
    var packets: [Packet] = []
    var ts = timestamp
    var i = 0
    while i + n <= pcm.count {
        let payload = pcm[i..<(i + n)].map { law == .alaw ? G711.linearToAlaw($0) : G711.linearToUlaw($0) }
        packets.append(Packet(payload: payload, timestamp: ts))
        ts &+= UInt32(n)
        i += n
    }
    return packets
}

func decodeG711(_ packets: [Packet], _ law: G711.Law) -> [Int16] {
    packets.flatMap { $0.payload.map { law == .alaw ? G711.alawToLinear($0) : G711.ulawToLinear($0) } }
}

/// Timestamps advance by exactly `increment` from `base` (mod 2^32).
func expectContinuous(_ packets: [Packet], base: UInt32, increment: UInt32, sourceLocation: SourceLocation = #_sourceLocation) {
    for (k, p) in packets.enumerated() {
        #expect(p.timestamp == base &+ UInt32(truncatingIfNeeded: k) &* increment, "packet \(k)", sourceLocation: sourceLocation)
    }
}

@Suite struct TranscodePathTests {
    @Test func g711Repacketise20To40To20() throws {
        let x = try speech(rate: 8000)
        let src = g711Packets(x, .alaw, timestamp: 0xFFFF_F000)  // wraps after 26 packets
        let toMu40 = try TranscodePath(decoder: G711Codec(.alaw), encoder: G711Codec(.ulaw), targetPtime: 40, targetTimestampBase: 5000)
        let mid = run(toMu40, src)
        #expect(mid.count == src.count / 2)
        #expect(mid.allSatisfy { $0.payload.count == 320 })
        expectContinuous(mid, base: 5000, increment: 320)

        let toA20 = try TranscodePath(decoder: G711Codec(.ulaw), encoder: G711Codec(.alaw), targetPtime: 20, targetTimestampBase: 0x7FFF_FFF0)
        let back = run(toA20, mid)
        #expect(back.count == mid.count * 2)
        #expect(back.allSatisfy { $0.payload.count == 160 })
        expectContinuous(back, base: 0x7FFF_FFF0, increment: 160)
        // Audio intact: every byte went through the direct tables (A->mu->A), in order.
        let expected = src.prefix(back.count).flatMap { $0.payload.map { ulaw_to_alaw(alaw_to_ulaw($0)) } }
        #expect(back.flatMap(\.payload) == expected)
        #expect(mid.flatMap(\.payload) == src.prefix(back.count).flatMap { $0.payload.map { alaw_to_ulaw($0) } })
    }

    @Test func g711SamePtimeUsesDirectTable() throws {
        let x = multiTone(rate: 8000, seconds: 0.2)
        let src = g711Packets(x, .ulaw, timestamp: 42)
        let path = try TranscodePath(decoder: G711Codec(.ulaw), encoder: G711Codec(.alaw), targetTimestampBase: 42)
        let out = run(path, src)
        #expect(out.count == src.count)
        for (a, b) in zip(src, out) {
            #expect(b.timestamp == a.timestamp)
            #expect(b.payload == a.payload.map { ulaw_to_alaw($0) })
        }
    }

    // PCMA 20 ms -> opus (codec at 8 kHz, no resampler) 40 ms -> PCMU 20 ms. Opus timestamps
    // advance 1920 per 40 ms (48 kHz RTP clock although the codec runs at 8 kHz); the speech
    // that comes back keeps its band envelope (spectral similarity > 0.9, as in QualityTests).
    @Test func opus8kRepacketise20To40To20() throws {
        let x = try speech(rate: 8000)
        let src = g711Packets(x, .alaw, timestamp: 1234)
        let fmtp = try Opus.Fmtp(parsing: "maxplaybackrate=8000; ptime=40; useinbandfec=1")
        let settings = Opus.EncoderSettings(remote: fmtp, pcmRate: 8000)
        #expect(settings.sampleRate == 8000 && settings.ptime == 40 && settings.inbandFEC)
        let enc = try Opus.Encoder(settings)
        let toOpus = try TranscodePath(decoder: G711Codec(.alaw), encoder: enc, targetPtime: settings.ptime, targetTimestampBase: 99)
        #expect(toOpus.resampler == nil)
        let opus = run(toOpus, src)
        #expect(opus.count == src.count / 2)
        expectContinuous(opus, base: 99, increment: 1920)

        let dec = try Opus.Decoder(sampleRate: 8000)
        let toMu = try TranscodePath(decoder: dec, encoder: G711Codec(.ulaw), targetPtime: 20, targetTimestampBase: 7)
        #expect(toMu.resampler == nil)
        let mu = run(toMu, opus)
        #expect(mu.count == opus.count * 2)
        expectContinuous(mu, base: 7, increment: 160)
        let y = decodeG711(mu, .ulaw)
        let lag = delay(of: y, behind: x, maxLag: 200, windowLength: 16000)
        let sim = spectralSimilarity(x, y, lag: lag, rate: 8000, maxHz: 3800)
        print("PCMA -> opus8k/40ms -> PCMU/20ms: delay \(lag), spectral similarity \(sim)")
        #expect(lag == enc.lookahead)
        #expect(sim > 0.9)
    }

    // PCMA -> opus at 48 kHz (speexdsp 8 -> 48 kHz in the path) -> PCMA (48 -> 8 kHz).
    @Test func opus48kThroughResamplers() throws {
        let x = try speech(rate: 8000)
        let src = g711Packets(x, .alaw, timestamp: 0)
        let enc = try Opus.Encoder(Opus.EncoderSettings(sampleRate: 48000))
        let up = try TranscodePath(decoder: G711Codec(.alaw), encoder: enc)
        #expect(up.resampler?.outputRate == 48000)
        let opus = run(up, src)
        #expect(opus.count == src.count)
        expectContinuous(opus, base: 0, increment: 960)
        let down = try TranscodePath(decoder: Opus.Decoder(sampleRate: 48000), encoder: G711Codec(.alaw))
        let back = run(down, opus)
        #expect(back.count == opus.count)
        expectContinuous(back, base: 0, increment: 160)
        let y = decodeG711(back, .alaw)
        let lag = delay(of: y, behind: x, maxLag: 200, windowLength: 16000)
        let sim = spectralSimilarity(x, y, lag: lag, rate: 8000, maxHz: 3800)
        print("PCMA -> opus48k -> PCMA: delay \(lag), spectral similarity \(sim)")
        #expect(sim > 0.9)
    }

    // G.711 <-> G.722: the two resamplers (8 -> 16 -> 8 kHz, speexdsp quality 3) and G.722
    // itself. Judged against the PCMA-decoded input (what the G.711 side really had): > 20 dB
    // aligned SNR (G.722 alone gives ~26 dB on this speech; the resamplers' passband ripple
    // and band edge cost a little).
    @Test func g711ToG722AndBack() throws {
        let x = try speech(rate: 8000)
        let src = g711Packets(x, .alaw, timestamp: 500)
        let toG722 = try TranscodePath(decoder: G711Codec(.alaw), encoder: G722Encoder(), targetTimestampBase: 600)
        let g722 = run(toG722, src)
        #expect(g722.count == src.count)
        #expect(g722.allSatisfy { $0.payload.count == 160 })
        expectContinuous(g722, base: 600, increment: G722.rtpTimestampIncrement(milliseconds: 20))
        let toA = try TranscodePath(decoder: G722Decoder(), encoder: G711Codec(.alaw), targetTimestampBase: 700)
        let back = run(toA, g722)
        #expect(back.count == g722.count)
        expectContinuous(back, base: 700, increment: 160)
        let reference = decodeG711(src, .alaw)
        let y = decodeG711(back, .alaw)
        let lag = delay(of: y, behind: reference, maxLag: 100)
        let s = snr(reference, y, lag: lag, skip: 800)
        print("PCMA -> G.722 -> PCMA: delay \(lag) samples, SNR \(s) dB")
        #expect(s > 20)
    }

    @Test func discontinuityResynchronises() throws {
        let x = multiTone(rate: 8000, seconds: 0.4)
        var src = g711Packets(x, .alaw, timestamp: 1000)  // 20 packets
        src.remove(at: 5)  // lost: the 40 ms frame being assembled from packets 4+5 is dropped
        let path = try TranscodePath(decoder: G711Codec(.alaw), encoder: G711Codec(.ulaw), targetPtime: 40, targetTimestampBase: 0)
        let out = run(path, src)
        // Frames from packets (0,1) (2,3) then (6,7) (8,9) ... (18,19): timestamps follow the source.
        let expected: [UInt32] = [0, 320] + stride(from: 6 * 160, to: 20 * 160, by: 320).map { UInt32($0) }
        #expect(out.map(\.timestamp) == expected)
    }

    @Test func telephoneEventsShareTheAudioMapping() throws {
        // opus (48 kHz clock) -> PCMA (8 kHz): audio and events of the stream map alike.
        let enc = try Opus.Encoder(Opus.EncoderSettings(sampleRate: 8000))
        let pcm = multiTone(rate: 8000, seconds: 0.1)
        var opus: [Packet] = []
        var ts: UInt32 = 0xFFFF_FC00
        let buf = UnsafeMutablePointer<UInt8>.allocate(capacity: 4000)
        defer { buf.deallocate() }
        try pcm.withUnsafeBufferPointer { b in
            for f in 0..<5 {
                let n = enc.encode(b.baseAddress! + 160 * f, samples: 160, into: buf, capacity: 4000)
                try #require(n > 0)
                opus.append(Packet(payload: Array(UnsafeBufferPointer(start: buf, count: n)), timestamp: ts))
                ts &+= 960
            }
        }
        let path = try TranscodePath(decoder: Opus.Decoder(sampleRate: 8000), encoder: G711Codec(.alaw), targetTimestampBase: 3000)
        let audio = run(path, opus)
        #expect(audio.map(\.timestamp) == [3000, 3160, 3320, 3480, 3640])
        // An event that started with packet 2 (its timestamp) lasting 2880 ticks (60 ms) at 48 kHz.
        var ev = [UInt8](repeating: 0, count: 4), out = [UInt8](repeating: 0, count: 4)
        TelephoneEvent(event: 9, end: true, volume: 7, duration: 2880).write(to: &ev)
        let r = try ev.withUnsafeBufferPointer { e in
            try out.withUnsafeMutableBufferPointer { o in
                try path.translateTelephoneEvent(timestamp: opus[2].timestamp, payload: e.baseAddress!, count: 4, into: o.baseAddress!, capacity: 4)
            }
        }
        #expect(r.timestamp == 3320)
        let te = try out.withUnsafeBufferPointer { try TelephoneEvent(parsing: $0.baseAddress!, count: 4) }
        #expect(te == TelephoneEvent(event: 9, end: true, volume: 7, duration: 480))
    }

    @Test func stereoOpusToMonoG711() throws {
        // A stereo opus sender (sprop-stereo=1) into a mono decoder path: libopus downmixes.
        let x = try speech(rate: 48000)
        var stereo = [Int16](repeating: 0, count: x.count * 2)
        for i in x.indices { stereo[2 * i] = x[i]; stereo[2 * i + 1] = x[i] }
        var s = Opus.EncoderSettings(remote: try Opus.Fmtp(parsing: "stereo=1; sprop-stereo=1"), pcmRate: 48000, pcmChannels: 2)
        #expect(s.channels == 2 && s.bitrate == 64000)
        s.complexity = 3
        let enc = try Opus.Encoder(s)
        let up = try TranscodePath(decoder: Opus.Decoder(sampleRate: 48000, channels: 2), encoder: enc)
        _ = up  // a stereo -> stereo path exists; the mono downmix path below is the interesting one
        var opus: [Packet] = []
        let buf = UnsafeMutablePointer<UInt8>.allocate(capacity: 4000)
        defer { buf.deallocate() }
        stereo.withUnsafeBufferPointer { b in
            var f = 0
            while (f + 1) * 1920 <= b.count {
                let n = enc.encode(b.baseAddress! + 1920 * f, samples: 960, into: buf, capacity: 4000)
                opus.append(Packet(payload: Array(UnsafeBufferPointer(start: buf, count: n)), timestamp: UInt32(960 * f)))
                f += 1
            }
        }
        let down = try TranscodePath(decoder: Opus.Decoder(sampleRate: 8000, channels: 1), encoder: G711Codec(.ulaw))
        let mu = run(down, opus)
        #expect(mu.count == opus.count)
        let ref = try speech(rate: 8000)
        let y = decodeG711(mu, .ulaw)
        let lag = delay(of: y, behind: ref, maxLag: 200, windowLength: 16000)
        let sim = spectralSimilarity(ref, y, lag: lag, rate: 8000, maxHz: 3800)
        print("stereo opus 48k -> mono PCMU: spectral similarity \(sim)")
        #expect(sim > 0.9)
    }
}

@Suite struct OpusFmtpTests {
    @Test func parseAndFormat() throws {
        let f = try Opus.Fmtp(parsing: " maxplaybackrate=16000; sprop-maxcapturerate=16000;stereo=0; sprop-stereo=0; useinbandfec=1 ; maxaveragebitrate=24000; ptime=20; x-foo=bar")
        #expect(f.maxPlaybackRate == 16000 && f.spropMaxCaptureRate == 16000)
        #expect(f.stereo == false && f.spropStereo == false && f.useInbandFEC == true)
        #expect(f.maxAverageBitrate == 24000 && f.ptime == 20)
        #expect(f.other.count == 1 && f.other[0].0 == "x-foo" && f.other[0].1 == "bar")
        #expect(try Opus.Fmtp(parsing: f.description) == f)
        #expect(throws: CodecError.self) { try Opus.Fmtp(parsing: "stereo=yes") }
        #expect(try Opus.Fmtp(parsing: "maxaveragebitrate=1000000").maxAverageBitrate == 510_000)
    }

    /// Fuzzer find (tools/fuzz/seeds/codecs/crash-fmtp-bare-equals): an item that is only "="
    /// split into no parts and trapped on `parts[0]`; a peer's `a=fmtp:111 =` crashed the daemon.
    @Test func itemsWithoutKeyAreSkipped() throws {
        let f = try Opus.Fmtp(parsing: "=;minptime=10; = ;=1;stereo=1")
        #expect(f.minPtime == 10 && f.stereo == true && f.other.isEmpty)
        #expect(try Opus.Fmtp(parsing: "=") == Opus.Fmtp())
        #expect(try Opus.Fmtp(parsing: f.description) == f)
    }

    /// Fuzzer find (tools/fuzz/seeds/codecs/crash-fmtp-combining-key): a key starting with a
    /// combining mark after a tab was printed after "; ", formed one Character with the space and
    /// was not trimmed on reparse, so the printed fmtp parsed to another key.
    @Test func keyStartingWithCombiningMarkReparses() throws {
        let f = try Opus.Fmtp(parsing: "ptime=20;\t\u{5BD}x=1")
        #expect(f.other.count == 1 && f.other[0].0 == "\u{5BD}x" && f.other[0].1 == "1")
        #expect(try Opus.Fmtp(parsing: f.description) == f)
    }

    @Test func settingsFromRemoteFmtp() throws {
        // A wideband receiver capping the bitrate, asking for FEC, 40 ms.
        let s = Opus.EncoderSettings(remote: try Opus.Fmtp(parsing: "maxplaybackrate=16000; maxaveragebitrate=16000; useinbandfec=1; ptime=40"), pcmRate: 48000)
        #expect(s.sampleRate == 16000 && s.channels == 1 && s.bitrate == 16000)
        #expect(s.inbandFEC && s.packetLossPercent > 0 && s.ptime == 40 && s.complexity == 5)
        // G.711-sourced audio is coded at 8 kHz whatever the receiver can play.
        let g = Opus.EncoderSettings(remote: Opus.Fmtp(), pcmRate: 8000)
        #expect(g.sampleRate == 8000 && g.bitrate == 20000 && !g.inbandFEC && g.ptime == 20)
        // stereo=1 only yields stereo when we have stereo audio; odd ptimes round down.
        #expect(Opus.EncoderSettings(remote: try Opus.Fmtp(parsing: "stereo=1; ptime=30"), pcmRate: 8000).channels == 1)
        #expect(Opus.EncoderSettings(remote: try Opus.Fmtp(parsing: "ptime=30"), pcmRate: 8000).ptime == 20)
        let local = Opus.localFmtp(playbackRate: 8000, channels: 1)
        #expect(local.description == "maxplaybackrate=8000; sprop-maxcapturerate=8000; stereo=0; sprop-stereo=0; useinbandfec=1")
    }

    @Test func rtpClock() throws {
        #expect(Opus.rtpTimestampIncrement(milliseconds: 20) == 960)
        #expect(Opus.rtpTimestampIncrement(samples: 160, sampleRate: 8000) == 960)
        #expect(Opus.rtpTimestampIncrement(samples: 320, sampleRate: 16000) == 960)
        #expect(G722.rtpTimestampIncrement(milliseconds: 20) == 160)
        #expect(G722.rtpTimestampIncrement(samples: 320) == 160)
        for rate in [8000, 16000, 48000] {
            #expect(try Opus.Encoder(Opus.EncoderSettings(sampleRate: rate)).rtpClockRate == 48000)
            #expect(try Opus.Decoder(sampleRate: rate, channels: 2).rtpClockRate == 48000)
        }
        #expect(throws: CodecError.unsupportedSampleRate(44100)) { try Opus.Decoder(sampleRate: 44100) }
    }

    @Test func fecRecoversALostPacket() throws {
        var s = Opus.EncoderSettings(sampleRate: 8000)
        s.inbandFEC = true; s.packetLossPercent = 20; s.bitrate = 24000
        let enc = try Opus.Encoder(s), dec = try Opus.Decoder(sampleRate: 8000)
        let x = try speech(rate: 8000)
        let pcm = UnsafeMutablePointer<Int16>.allocate(capacity: 960)
        let p1 = UnsafeMutablePointer<UInt8>.allocate(capacity: 4000), p2 = UnsafeMutablePointer<UInt8>.allocate(capacity: 4000)
        defer { pcm.deallocate(); p1.deallocate(); p2.deallocate() }
        var recovered = 0
        x.withUnsafeBufferPointer { b in
            // Every 10th packet is "lost" and recovered from the next one's FEC data.
            var f = 0
            while (f + 2) * 160 <= b.count {
                let n1 = enc.encode(b.baseAddress! + 160 * f, samples: 160, into: p1, capacity: 4000)
                if f % 10 == 5 {
                    let n2 = enc.encode(b.baseAddress! + 160 * (f + 1), samples: 160, into: p2, capacity: 4000)
                    if dec.decodeFEC(from: p2, count: n2, samples: 160, into: pcm) == 160 { recovered += 1 }
                    _ = dec.decode(p2, count: n2, into: pcm, capacity: 960)
                    f += 2
                } else {
                    _ = dec.decode(p1, count: n1, into: pcm, capacity: 960)
                    f += 1
                }
            }
        }
        #expect(recovered > 10)
    }
}
