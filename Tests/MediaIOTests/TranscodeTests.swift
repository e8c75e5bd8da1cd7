import CallModel
import Codecs
import Foundation
import MediaIO
import RTP
import TandemBase
import TandemTestSupport
import Testing

// The transcode handler in a real packet loop: sockets configured with TranscodePlans, phones on
// loopback sending real encoded audio; what comes out is checked byte for byte (G.711 tables)
// or decoded and compared with what went in. Each test owns a slice of 31500-31999.

@Suite struct TranscodeTests {
    // PCMA -> PCMU goes through G.711's direct code table: every output payload must equal the
    // table applied to the input payload. The output is our own stream: one new SSRC, sequence
    // +1 and timestamp +160 per packet, marker on the first packet and after a talk spurt starts
    // or the timestamp jumps (the jump itself carried over); an unknown PT is dropped and counted.
    @Test func pcmaToPCMUUsesTheDirectTableOnOurOwnStream() throws {
        let relay = Relay(slice: 31500...31519)
        let call = try #require(TranscodedCall(relay, aToB: TranscodePlan(decode: [pcma], encode: pcmu)))
        var packets: [[UInt8]] = []
        var payloads: [[UInt8]] = []
        for k in 0..<20 {
            let payload = (0..<160).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ k &* 13) }
            payloads.append(payload)
            // k == 12: a new talk spurt after 200 ms of silence (marker, timestamp jump).
            let ts = UInt32(8000 + 160 * k + (k >= 12 ? 1600 : 0))
            var p = rtp(seq: UInt16(500 + k), ts: ts, ssrc: 0xaaaa_0001, pt: 8, payload: payload)
            if k == 12 { p[1] |= 0x80 }
            packets.append(p)
        }
        let out = pump(packets, from: call.aRTP, to: relay.address(call.a[0]), at: call.bRTP)
        #expect(out.count == 20)
        guard out.count == 20 else { return }
        let ssrc = out[0].ssrc
        #expect(ssrc != 0xaaaa_0001)
        for (k, p) in out.enumerated() {
            let expected = payloads[k].map { G711.tables.alawToUlaw[Int($0)] }
            #expect(p.payloadType == 0 && p.ssrc == ssrc && p.payload == expected)
            if k > 0 {
                #expect(p.sequence == out[k - 1].sequence &+ 1)
                #expect(p.timestamp == out[k - 1].timestamp &+ (k == 12 ? 160 + 1600 : 160))
            }
            #expect(p.marker == (k == 0 || k == 12), "marker of packet \(k)")
        }
        // A PT the plan does not know (G.729 here) is dropped and counted, nothing is sent.
        call.aRTP.send(rtp(seq: 520, ts: 20_000, ssrc: 0xaaaa_0001, pt: 18, payload: [1, 2, 3, 4]), to: relay.address(call.a[0]))
        #expect(call.bRTP.hearsNothing())
        let c = relay.counters
        #expect(c.dropsTranscode == 1 && c.transcodedPackets == 20)
        #expect(relay.stats(call.a[0]).errors == 1)
    }

    // A passthrough PT is relayed untouched apart from its PT; a change of input SSRC keeps
    // our output line continuous (next timestamp, next sequence, marker).
    @Test func passthroughAndInputSSRCChange() throws {
        let relay = Relay(slice: 31520...31539)
        let plan = TranscodePlan(passthrough: [0: 0, 96: 97], decode: [pcma], encode: pcmu)
        let call = try #require(TranscodedCall(relay, aToB: plan))
        let through = rtp(seq: 1, ts: 99, ssrc: 0x0101_0101, pt: 96, payload: [9, 8, 7])
        call.aRTP.send(through, to: relay.address(call.a[0]))
        let got = try #require(call.bRTP.receive())
        var expected = through
        expected[1] = 97
        #expect(got.bytes == expected)

        let first = pump((0..<3).map { rtp(seq: UInt16(10 + $0), ts: UInt32(1000 + 160 * $0), ssrc: 0x0202_0202, pt: 8) },
                         from: call.aRTP, to: relay.address(call.a[0]), at: call.bRTP, timeout: 0.2)
        let second = pump((0..<3).map { rtp(seq: UInt16(7000 + $0), ts: UInt32(777_777 + 160 * $0), ssrc: 0x0303_0303, pt: 8) },
                          from: call.aRTP, to: relay.address(call.a[0]), at: call.bRTP, timeout: 0.2)
        #expect(first.count == 3 && second.count == 3)
        guard first.count == 3, second.count == 3 else { return }
        #expect(second[0].ssrc == first[0].ssrc)
        #expect(second[0].sequence == first[2].sequence &+ 1)
        #expect(second[0].timestamp == first[2].timestamp &+ 160)
        #expect(second[0].marker && !second[1].marker)
    }

    // 20 ms in, 40 ms out: every output packet holds two input frames (table-mapped, in order)
    // and its timestamp advances 320 per packet.
    @Test func repacketises20msTo40ms() throws {
        let relay = Relay(slice: 31540...31559)
        let call = try #require(TranscodedCall(relay, aToB: TranscodePlan(decode: [pcmu], encode: pcma, ptime: 40)))
        var all: [UInt8] = []
        var packets: [[UInt8]] = []
        for k in 0..<10 {
            let payload = (0..<160).map { UInt8(truncatingIfNeeded: $0 &+ k &* 31) }
            all += payload
            packets.append(rtp(seq: UInt16(k), ts: UInt32(160 * k), ssrc: 0x4040_4040, pt: 0, payload: payload))
        }
        let out = pump(packets, from: call.aRTP, to: relay.address(call.a[0]), at: call.bRTP)
        #expect(out.count == 5)
        guard out.count == 5 else { return }
        for (k, p) in out.enumerated() {
            #expect(p.payloadType == 8 && p.payload.count == 320)
            #expect(p.payload == all[(320 * k)..<(320 * k + 320)].map { G711.tables.ulawToAlaw[Int($0)] })
            if k > 0 { #expect(p.timestamp == out[k - 1].timestamp &+ 320 && p.sequence == out[k - 1].sequence &+ 1) }
        }
    }

    // MARK: audio quality through the loop

    // opus (48 kHz, 20 ms) -> PCMU: the relay decodes opus at 8 kHz (no resampler) and
    // compands. opus is not waveform-preserving, so the output (decoded G.711) is compared with
    // the 8 kHz speech by the band-envelope correlation of Signals: > 0.9 means every speech
    // band's envelope survives (a smeared or band-losing chain scores 0.5-0.7; opus alone scores
    // ~0.97 on this measure in CodecsTests).
    @Test func opusToPCMUSpeech() throws {
        let relay = Relay(slice: 31560...31579)
        let call = try #require(TranscodedCall(relay, aToB: TranscodePlan(decode: [opus], encode: pcmu)))
        let x48 = try speech(rate: 48000), x8 = try speech(rate: 8000)
        let enc = try Opus.Encoder(Opus.EncoderSettings(sampleRate: 48000))
        let packets = packetize(x48, frame: 960, pt: 111, timestampStep: 960) { enc.encode($0, samples: 960, into: $1, capacity: 4000) }
        let out = pump(packets, from: call.aRTP, to: relay.address(call.a[0]), at: call.bRTP)
        #expect(out.count == packets.count)
        #expect(out.allSatisfy { $0.payloadType == 0 && $0.payload.count == 160 })
        let codec = G711Codec(.ulaw)
        let y = depacketize(out, capacity: 960) { codec.decode($0, count: $1, into: $2, capacity: 960) }
        let lag = delay(of: y, behind: x8, maxLag: 400, windowLength: 16000)
        let similarity = spectralSimilarity(x8, y, lag: lag, rate: 8000, maxHz: 3800)
        print("opus -> PCMU speech through the loop: delay \(lag), spectral similarity \(similarity)")
        #expect(similarity > 0.9)
    }

    // PCMU -> opus: the relay encodes opus at 8 kHz (the receiver sets no maxplaybackrate, but
    // the source has nothing above 4 kHz) with fmtp useinbandfec=1; decoded output judged as above.
    // A five-tone signal: each tone's level must survive within 3 dB (all below 2 kHz but one;
    // the 2.9 kHz tone within 10 dB, the bounds CodecsTests justifies for opus NB at 20 kbit/s).
    @Test func pcmuToOpusSpeechAndTones() throws {
        let relay = Relay(slice: 31580...31599)
        let call = try #require(TranscodedCall(relay, aToB: TranscodePlan(decode: [pcmu], encode: opus)))
        let codec = G711Codec(.ulaw)
        let x = try speech(rate: 8000)
        let packets = packetize(x, frame: 160, pt: 0, timestampStep: 160) { codec.encode($0, samples: 160, into: $1, capacity: 160) }
        let out = pump(packets, from: call.aRTP, to: relay.address(call.a[0]), at: call.bRTP)
        #expect(out.count == packets.count)
        #expect(out.allSatisfy { $0.payloadType == 111 })
        if out.count > 1 { #expect(out[1].timestamp == out[0].timestamp &+ 960) }  // RFC 7587: 48 kHz clock
        let dec = try Opus.Decoder(sampleRate: 8000)
        let y = depacketize(out, capacity: 960) { dec.decode($0, count: $1, into: $2, capacity: 960) }
        let lag = delay(of: y, behind: x, maxLag: 400, windowLength: 16000)
        let similarity = spectralSimilarity(x, y, lag: lag, rate: 8000, maxHz: 3800)
        print("PCMU -> opus speech through the loop: delay \(lag), spectral similarity \(similarity)")
        #expect(similarity > 0.9)

        let freqs: [Double] = [300, 770, 1209, 1870, 2900]
        let tones = multiTone(rate: 8000, seconds: 2, frequencies: freqs)
        let tonePackets = packetize(tones, frame: 160, pt: 0, ssrc: 0x7777_0000, timestampStep: 160) {
            codec.encode($0, samples: 160, into: $1, capacity: 160)
        }
        let toneOut = pump(tonePackets, from: call.aRTP, to: relay.address(call.a[0]), at: call.bRTP)
        let dec2 = try Opus.Decoder(sampleRate: 8000)
        let z = depacketize(toneOut, capacity: 960) { dec2.decode($0, count: $1, into: $2, capacity: 960) }
        let zlag = delay(of: z, behind: tones, maxLag: 400)
        for f in freqs {
            let range = 2000..<14000
            let db = 10 * log10(goertzelPower(z, f, rate: 8000, range: (range.lowerBound + zlag)..<(range.upperBound + zlag))
                                / goertzelPower(tones, f, rate: 8000, range: range))
            print("PCMU -> opus tone \(f) Hz: \(db) dB")
            #expect(abs(db) < (f < 2000 ? 3 : 10), "tone \(f) Hz changed by \(db) dB")
        }
    }

    // G.722 -> PCMA: G.722 decoded at 16 kHz, resampled to 8 kHz (speexdsp), companded. All
    // three stages are waveform coders, so SNR after alignment applies. A five-tone signal in the
    // telephone band: > 20 dB (G.722 alone gives > 20 dB, A-law ~38 dB, the resampler's
    // passband ripple a fraction of a dB; the measured chain sits around 25 dB). Speech:
    // spectral similarity > 0.95 against sox's 8 kHz version (the two resamplers' different
    // filters near 4 kHz rule out a tight SNR bound on speech).
    @Test func g722ToPCMAToneAndSpeech() throws {
        let relay = Relay(slice: 31600...31619)
        let call = try #require(TranscodedCall(relay, aToB: TranscodePlan(decode: [g722], encode: pcma)))
        let tones16 = multiTone(rate: 16000, seconds: 2), tones8 = multiTone(rate: 8000, seconds: 2)
        let enc = try G722Encoder()
        let packets = packetize(tones16, frame: 320, pt: 9, timestampStep: 160) { enc.encode($0, samples: 320, into: $1, capacity: 160) }
        let out = pump(packets, from: call.aRTP, to: relay.address(call.a[0]), at: call.bRTP)
        #expect(out.count >= packets.count - 1)  // the resampler's delay may hold back the last frame
        #expect(out.allSatisfy { $0.payloadType == 8 && $0.payload.count == 160 })
        let alaw = G711Codec(.alaw)
        let y = depacketize(out, capacity: 960) { alaw.decode($0, count: $1, into: $2, capacity: 960) }
        let lag = delay(of: y, behind: tones8, maxLag: 200)
        let s = snr(tones8, y, lag: lag, skip: 800)
        print("G.722 -> PCMA multi-tone through the loop: delay \(lag), SNR \(s) dB")
        #expect(s > 20)

        let x16 = try speech(rate: 16000), x8 = try speech(rate: 8000)
        let enc2 = try G722Encoder()
        let speechPackets = packetize(x16, frame: 320, pt: 9, ssrc: 0x2222_0000, timestampStep: 160) {
            enc2.encode($0, samples: 320, into: $1, capacity: 160)
        }
        let speechOut = pump(speechPackets, from: call.aRTP, to: relay.address(call.a[0]), at: call.bRTP)
        let z = depacketize(speechOut, capacity: 960) { alaw.decode($0, count: $1, into: $2, capacity: 960) }
        let zlag = delay(of: z, behind: x8, maxLag: 400, windowLength: 16000)
        let similarity = spectralSimilarity(x8, z, lag: zlag, rate: 8000, maxHz: 3800)
        print("G.722 -> PCMA speech through the loop: delay \(zlag), spectral similarity \(similarity), SNR \(snr(x8, z, lag: zlag, skip: 800)) dB")
        #expect(similarity > 0.95)
    }

    // PCMA -> G.722: companded 8 kHz audio expanded, resampled to 16 kHz and G.722-coded. The
    // output is decoded at 16 kHz and compared with the tones' 16 kHz rendering: every tone's
    // level within 1.5 dB (A-law and the resampler's passband ripple are far below that; G.722's
    // low band codes these tones at > 20 dB SNR), and SNR > 15 dB against the 16 kHz reference
    // (lower than the 8 kHz case: the reference has no band limit at 4 kHz but the path does).
    @Test func pcmaToG722Tones() throws {
        let relay = Relay(slice: 31620...31639)
        let call = try #require(TranscodedCall(relay, aToB: TranscodePlan(decode: [pcma], encode: g722)))
        let freqs: [Double] = [300, 770, 1209, 1870, 2900]
        let tones8 = multiTone(rate: 8000, seconds: 2, frequencies: freqs), tones16 = multiTone(rate: 16000, seconds: 2, frequencies: freqs)
        let alaw = G711Codec(.alaw)
        let packets = packetize(tones8, frame: 160, pt: 8, timestampStep: 160) { alaw.encode($0, samples: 160, into: $1, capacity: 160) }
        let out = pump(packets, from: call.aRTP, to: relay.address(call.a[0]), at: call.bRTP)
        #expect(out.count >= packets.count - 1)
        #expect(out.allSatisfy { $0.payloadType == 9 && $0.payload.count == 160 })
        if out.count > 1 { #expect(out[1].timestamp == out[0].timestamp &+ 160) }  // RFC 3551: 8000 clock for G.722
        let dec = try G722Decoder()
        let y = depacketize(out, capacity: 1920) { dec.decode($0, count: $1, into: $2, capacity: 1920) }
        let lag = delay(of: y, behind: tones16, maxLag: 400)
        for f in freqs {
            let range = 4000..<28000
            let db = 10 * log10(goertzelPower(y, f, rate: 16000, range: (range.lowerBound + lag)..<(range.upperBound + lag))
                                / goertzelPower(tones16, f, rate: 16000, range: range))
            #expect(abs(db) < 1.5, "tone \(f) Hz changed by \(db) dB")
        }
        let s = snr(tones16, y, lag: lag, skip: 1600)
        print("PCMA -> G.722 multi-tone through the loop: delay \(lag), SNR \(s) dB")
        #expect(s > 15)
    }

    // MARK: telephone-event

    /// An RFC 4733 event as the sender sends it: `updates` packets 20 ms apart with growing
    /// duration (marker on the first), then three end packets with the final duration.
    static func eventPackets(code: UInt8, timestamp: UInt32, step: UInt32, updates: Int, pt: UInt8 = 101,
                             ssrc: UInt32, firstSequence: UInt16) -> [[UInt8]] {
        var out: [[UInt8]] = []
        for k in 0..<(updates + 3) {
            let end = k >= updates
            let duration = step * UInt32(min(k + 1, updates))
            var p = rtp(seq: firstSequence &+ UInt16(k), ts: timestamp, ssrc: ssrc, pt: pt,
                        payload: [code, (end ? 0x80 : 0) | 10, UInt8(duration >> 8), UInt8(duration & 0xff)])
            if k == 0 { p[1] |= 0x80 }
            out.append(p)
        }
        return out
    }

    // PCMU side (8000) -> opus side (48000) and back: the event keeps its digit, its timestamp
    // lands where the audio at the same source instant lands, durations scale by 6 (and by
    // 1/6 back), the start packet keeps its marker and all three end packets come through.
    @Test(arguments: [true, false])
    func telephoneEventAcrossClockRates(fromPCMU: Bool) throws {
        let relay = Relay(slice: fromPCMU ? 31640...31659 : 31660...31679)
        let plan = fromPCMU
            ? TranscodePlan(decode: [pcmu], encode: opus, telephoneEventIn: te8k, telephoneEventOut: te48k)
            : TranscodePlan(decode: [opus], encode: pcmu, telephoneEventIn: te48k, telephoneEventOut: te8k)
        let call = try #require(TranscodedCall(relay, aToB: plan))
        let inStep: UInt32 = fromPCMU ? 160 : 960, outStep: UInt32 = fromPCMU ? 960 : 160
        let codec = G711Codec(.ulaw)
        let enc = try Opus.Encoder(Opus.EncoderSettings(sampleRate: 48000))
        let silence8 = [Int16](repeating: 0, count: 160 * 5), silence48 = [Int16](repeating: 0, count: 960 * 5)
        let audio = fromPCMU
            ? packetize(silence8, frame: 160, pt: 0, ssrc: 0x5151_5151, firstSequence: 1, firstTimestamp: 4000, timestampStep: 160) {
                codec.encode($0, samples: 160, into: $1, capacity: 160) }
            : packetize(silence48, frame: 960, pt: 111, ssrc: 0x5151_5151, firstSequence: 1, firstTimestamp: 4000, timestampStep: 960) {
                enc.encode($0, samples: 960, into: $1, capacity: 4000) }
        let eventTs = 4000 + 5 * inStep  // the event starts where the audio stops
        let events = Self.eventPackets(code: 5, timestamp: eventTs, step: inStep, updates: 6, ssrc: 0x5151_5151, firstSequence: 6)
        let out = pump(audio + events, from: call.aRTP, to: relay.address(call.a[0]), at: call.bRTP)
        let audioOut = out.filter { $0.payloadType == (fromPCMU ? 111 : 0) }
        let eventOut = out.filter { $0.payloadType == 101 }
        #expect(audioOut.count == 5 && eventOut.count == 9)
        guard audioOut.count == 5, eventOut.count == 9 else { return }
        #expect(Set(out.map(\.ssrc)).count == 1)
        #expect(eventOut.allSatisfy { $0.timestamp == audioOut[0].timestamp &+ 5 * outStep })
        for (k, p) in eventOut.enumerated() {
            let e = try p.payload.withUnsafeBufferPointer { try TelephoneEvent(parsing: $0.baseAddress!, count: $0.count) }
            #expect(e.event == 5 && e.volume == 10)
            #expect(e.end == (k >= 6))
            #expect(Int(e.duration) == Int(outStep) * min(k + 1, 6))
            #expect(p.marker == (k == 0))
            if k > 0 { #expect(p.sequence == eventOut[k - 1].sequence &+ 1) }
        }
    }

    // A sender without telephone-event, a receiver with it: the relay detects the in-band
    // digits (spandsp) in the decoded audio and sends RFC 4733 events: the right digits in
    // order, each with a start (marker), three end packets, and a final duration near the
    // tone's 100 ms (spandsp confirms onset and offset each within ~2 blocks of 12.75 ms).
    @Test func inbandDigitsBecomeEvents() throws {
        let relay = Relay(slice: 31680...31699)
        let plan = TranscodePlan(decode: [pcmu], encode: pcma, telephoneEventOut: te8k, detectInbandDTMF: true)
        let call = try #require(TranscodedCall(relay, aToB: plan))
        let generator = try DTMFGenerator(level: -10, onMilliseconds: 100, offMilliseconds: 100)
        generator.queue("159#")
        var pcm = [Int16](repeating: 0, count: 8000 * 11 / 10)
        pcm.withUnsafeMutableBufferPointer { _ = generator.generate(into: $0.baseAddress! + 800, count: $0.count - 800) }
        let codec = G711Codec(.ulaw)
        let packets = packetize(pcm, frame: 160, pt: 0, timestampStep: 160) { codec.encode($0, samples: 160, into: $1, capacity: 160) }
        let out = pump(packets, from: call.aRTP, to: relay.address(call.a[0]), at: call.bRTP)
        let events = out.filter { $0.payloadType == 101 }
        #expect(out.filter { $0.payloadType == 8 }.count == packets.count)  // the audio still flows
        var digits: [UInt8] = []
        for ts in events.map(\.timestamp).reduce(into: [UInt32](), { if !$0.contains($1) { $0.append($1) } }) {
            let group = events.filter { $0.timestamp == ts }
            let parsed = try group.map { p in try p.payload.withUnsafeBufferPointer { try TelephoneEvent(parsing: $0.baseAddress!, count: 4) } }
            digits.append(TelephoneEvent.digit(forCode: parsed[0].event) ?? 0)
            #expect(group[0].marker)
            let ends = parsed.filter(\.end)
            #expect(ends.count == 3)
            if let last = ends.last { #expect(abs(Int(last.duration) - 800) <= 240, "duration \(last.duration)") }
        }
        #expect(String(decoding: digits, as: UTF8.self) == "159#")
    }

    // Talk-off: speech alone must not be taken for digits (no event reaches the receiver).
    @Test func speechIsNotTakenForDigits() throws {
        let relay = Relay(slice: 31880...31899)
        let plan = TranscodePlan(decode: [pcmu], encode: pcma, telephoneEventOut: te8k, detectInbandDTMF: true)
        let call = try #require(TranscodedCall(relay, aToB: plan))
        let codec = G711Codec(.ulaw)
        let packets = packetize(try speech(rate: 8000), frame: 160, pt: 0, timestampStep: 160) { codec.encode($0, samples: 160, into: $1, capacity: 160) }
        let out = pump(packets, from: call.aRTP, to: relay.address(call.a[0]), at: call.bRTP)
        #expect(out.count == packets.count && out.allSatisfy { $0.payloadType == 8 })
    }

    // A sender with telephone-event, a receiver without: the events are rendered as DTMF tones
    // into the receiver's codec; decoding the output and running spandsp's detector on it gives
    // the digits back, and the tone lasts as long as the event (duration 800 = 100 ms).
    @Test func eventsBecomeInbandTones() throws {
        let relay = Relay(slice: 31700...31719)
        let plan = TranscodePlan(decode: [pcmu], encode: pcma, telephoneEventIn: te8k, generateInbandDTMF: true)
        let call = try #require(TranscodedCall(relay, aToB: plan))
        let codec = G711Codec(.ulaw)
        var packets: [[UInt8]] = []
        var ts: UInt32 = 1000
        var seq: UInt16 = 1
        for code: UInt8 in [7, 11] {
            let silence = packetize([Int16](repeating: 0, count: 160 * 5), frame: 160, pt: 0, firstSequence: seq, firstTimestamp: ts,
                                    timestampStep: 160) { codec.encode($0, samples: 160, into: $1, capacity: 160) }
            packets += silence
            ts += 5 * 160
            seq &+= 5
            packets += Self.eventPackets(code: code, timestamp: ts, step: 160, updates: 5, ssrc: 0x1234_5678, firstSequence: seq)
            ts += 5 * 160
            seq &+= 8
        }
        packets += packetize([Int16](repeating: 0, count: 160 * 5), frame: 160, pt: 0, firstSequence: seq, firstTimestamp: ts,
                             timestampStep: 160) { codec.encode($0, samples: 160, into: $1, capacity: 160) }
        let out = pump(packets, from: call.aRTP, to: relay.address(call.a[0]), at: call.bRTP)
        #expect(out.allSatisfy { $0.payloadType == 8 })
        #expect(out.count == 25)  // 3 x 5 silence frames + 2 events x 5 frames of tone
        let alaw = G711Codec(.alaw)
        let y = depacketize(out, capacity: 960) { alaw.decode($0, count: $1, into: $2, capacity: 960) }
        let detector = try DTMFDetector()
        y.withUnsafeBufferPointer { _ = detector.process($0.baseAddress!, count: $0.count) }
        var digits: [UInt8] = []
        while let e = detector.nextEvent() {
            if case .ended(let d, let start, let end) = e {
                digits.append(d)
                #expect(abs(Int(end - start) - 800) <= 240, "tone length \(end - start)")
            }
        }
        #expect(String(decoding: digits, as: UTF8.self) == "7#")
    }

    // MARK: RTCP

    // A's RTCP is not forwarded across the transcoding socket; B gets reports generated for our
    // output stream instead: an SR with our SSRC, the packets and payload octets we sent, and a
    // report block on B's own stream as we received it; plus SDES.
    @Test func generatesRTCPForTheTranscodedLeg() throws {
        var options = PacketLoop.Options()
        options.rtcpIntervalSeconds = 0.4
        let relay = Relay(slice: 31720...31739, options: options)
        let call = try #require(TranscodedCall(relay, aToB: TranscodePlan(decode: [pcma], encode: pcmu)))
        // B's stream first, so the relay has something to report on.
        for k in 0..<5 {
            call.bRTP.send(rtp(seq: UInt16(300 + k), ts: UInt32(160 * k), ssrc: 0xbbbb_0001, pt: 0), to: relay.address(call.b[0]))
        }
        let out = pump((0..<30).map { rtp(seq: UInt16($0), ts: UInt32(160 * $0), ssrc: 0xaaaa_0001, pt: 8) },
                       from: call.aRTP, to: relay.address(call.a[0]), at: call.bRTP, timeout: 0.1)
        #expect(out.count == 30)
        while call.aRTP.receive(timeout: 0.05) != nil {}
        call.aRTCP.send(rtcpRR(ssrc: 0xaaaa_0001), to: relay.address(call.a[1]))  // must not reach B
        // Reports sent while the 30 packets were still going out count fewer: skip them (each
        // must still be ours), then take the next one.
        func nextReport(timeout: Double) -> RTCPReport? {
            guard let r = call.bRTCP.receive(timeout: timeout) else { return nil }
            #expect(r.from == relay.address(call.b[1]))
            let parsed = r.bytes.withUnsafeBytes { RTCPReport($0) }
            #expect(parsed?.ssrc == out.first?.ssrc, "not our SR/RR: \(r.bytes)")
            return parsed
        }
        while nextReport(timeout: 0.01) != nil {}
        let report = nextReport(timeout: 2)
        let sr = try #require(report)
        #expect(sr.packetType == 200 && sr.ssrc == out.first?.ssrc)
        #expect(sr.sender?.packetCount == 30 && sr.sender?.octetCount == 30 * 160)
        #expect(sr.block?.ssrc == 0xbbbb_0001 && sr.block?.extendedHighestSequence == 304)
        let c = relay.counters
        #expect(c.rtcpConsumed == 1 && c.rtcpGenerated >= 1)
    }
}
