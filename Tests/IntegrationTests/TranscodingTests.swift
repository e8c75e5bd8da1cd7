import Bencode
import Codecs
import Foundation
import Glibc
import NGProtocol
import TandemBase
import TandemTestSupport
import Testing

// Transcoding through a real daemon (issue #4): A offers its codec with rtpengine's
// `codec: {transcode: [...]}`, B answers only the transcoded codec, and real audio (espeak-ng
// speech, a multi-tone signal) and RFC 4733 DTMF go through both ways. What arrives is decoded
// and compared with what was sent (aligned SNR for waveform codecs, band-envelope similarity
// for opus), and the events must keep their digits, durations (scaled with the clock rate) and
// end-of-event retransmissions.
//
// Slots 35-39 (28500-28999). They pass against tandemd and against the reference daemon
// (TANDEM_IT_DAEMON=rtpengine), which validates what they expect.

/// One party's media description: its payload types with rtpmap/fmtp lines.
struct CodecOffer {
    var payloadTypes: [UInt8]
    var attributes: [String]

    func sdp(_ phone: Phone, session: String) -> String {
        let lines = ["v=0", "o=- \(session) 1 IN IP4 \(phone.ip)", "s=-", "c=IN IP4 \(phone.ip)", "t=0 0",
                     "m=audio \(phone.port) RTP/AVP \(payloadTypes.map(String.init).joined(separator: " "))"]
            + attributes + ["a=sendrecv"]
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// The payload type `sdp` gives `encoding` (e.g. "telephone-event/8000"), if any.
    static func payloadType(of encoding: String, in sdp: String) -> UInt8? {
        for line in sdp.split(whereSeparator: \.isNewline) where line.hasPrefix("a=rtpmap:") {
            let parts = line.dropFirst(9).split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[1].lowercased().hasPrefix(encoding.lowercased()) { return UInt8(parts[0]) }
        }
        return nil
    }
}

/// Offer with `codec: {transcode: [...]}`, answer; the two rewritten SDPs.
func transcodedCall(_ ng: NGClient, a: Phone, b: Phone, offer: CodecOffer, transcode: [String],
                    answer: (String) -> CodecOffer) throws -> (toA: SDPTarget, toB: SDPTarget, offerToB: String, answerToA: String) {
    let callID = "tc-\(UInt32.random(in: 0...UInt32.max))"
    var request = NGClientRequest.offer(callID: callID, fromTag: "A-tag", sdp: Array(offer.sdp(a, session: "1").utf8))
    request["codec"] = .dictionary(["transcode": .list(transcode.map { .text($0) })])
    let offered = try ng.ok(request)
    guard let offerToB = offered["sdp"]?.stringValue else { throw IntegrationError("offer reply without sdp") }
    let answerSDP = answer(offerToB).sdp(b, session: "2")
    let answerToA = try ng.answer(callID, from: "A-tag", to: "B-tag", sdp: answerSDP)
    return (try SDPTarget(answerToA), try SDPTarget(offerToB), offerToB, answerToA)
}

/// Sends `packets` 2 ms apart (a daemon that transcodes in real time keeps up; nothing queues
/// up in socket buffers) and collects the RTP that arrives at `at`, in sequence order.
func sendPaced(_ packets: [RTPPacket], from: UDPSocket, to: TransportAddress, at: UDPSocket) -> [RTPPacket] {
    var out: [RTPPacket] = []
    for p in packets {
        from.send(p.bytes, to: to)
        while let r = at.receive(timeout: 0.002) { if let h = RTPPacket(parsing: r.bytes) { out.append(h) } }
    }
    while let r = at.receive(timeout: 0.5) { if let h = RTPPacket(parsing: r.bytes) { out.append(h) } }
    // rtpengine's userspace threads may reorder; sequence numbers are ours to sort by.
    if let first = out.first?.seq { out.sort { ($0.seq &- first) < ($1.seq &- first) } }
    return out
}

/// RTP packets carrying `pcm` encoded frame by frame.
func encodedStream(_ pcm: [Int16], frame: Int, pt: UInt8, ssrc: UInt32, timestampStep: UInt32,
                   encode: (UnsafePointer<Int16>, UnsafeMutablePointer<UInt8>) -> Int) -> [RTPPacket] {
    encodeFrames(pcm, frame: frame, encode: encode).enumerated().map { k, payload in
        RTPPacket(marker: k == 0, payloadType: pt, seq: UInt16(truncatingIfNeeded: 3000 + k),
                  timestamp: 90_000 &+ UInt32(k) &* timestampStep, ssrc: ssrc, payload: payload)
    }
}

func decodedStream(_ packets: [RTPPacket], pt: UInt8, decode: (UnsafePointer<UInt8>, Int, UnsafeMutablePointer<Int16>) -> Int) -> [Int16] {
    decodeFrames(packets.filter { $0.payloadType == pt }.map(\.payload), capacity: 5760, decode: decode)
}

/// An RFC 4733 event: 6 updates 20 ms apart (marker on the first), then three end packets.
func dtmfEvent(code: UInt8, pt: UInt8, ssrc: UInt32, seq: UInt16, timestamp: UInt32, step: UInt32) -> [RTPPacket] {
    (0..<9).map { k in
        let end = k >= 6
        let duration = step * UInt32(min(k + 1, 6))
        return RTPPacket(marker: k == 0, payloadType: pt, seq: seq &+ UInt16(k), timestamp: timestamp, ssrc: ssrc,
                         payload: [code, (end ? 0x80 : 0) | 10, UInt8(duration >> 8), UInt8(duration & 0xff)])
    }
}

/// The events in `packets` with PT `pt`, grouped by timestamp: (code, final duration, end packets).
func receivedEvents(_ packets: [RTPPacket], pt: UInt8) -> [(code: UInt8, duration: Int, ends: Int)] {
    var order: [UInt32] = []
    for p in packets where p.payloadType == pt && !order.contains(p.timestamp) { order.append(p.timestamp) }
    return order.map { ts in
        let group = packets.filter { $0.payloadType == pt && $0.timestamp == ts && $0.payload.count >= 4 }
        let ends = group.filter { $0.payload[1] & 0x80 != 0 }
        let duration = group.map { Int($0.payload[2]) << 8 | Int($0.payload[3]) }.max() ?? 0
        return (group.first?.payload[0] ?? 255, duration, ends.count)
    }
}

extension Integration {
    @Suite struct Transcoding {
        /// PCMA offered with `transcode: PCMU`, PCMU answered: speech both ways (G.711 -> G.711
        /// with one companding step: aligned SNR > 25 dB, G.711's ~38 dB minus re-quantisation),
        /// and a DTMF event (8000 both sides) with its digit, duration and three end packets.
        @Test func pcmaToPCMUSpeechAndDTMF() throws {
            let daemon = try Tandemd(slot: 36)
            try withDaemonLog(daemon) {
                let ng = try daemon.client()
                let a = try Phone(), b = try Phone()
                let offer = CodecOffer(payloadTypes: [8, 101], attributes: ["a=rtpmap:8 PCMA/8000", "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-15"])
                let call = try transcodedCall(ng, a: a, b: b, offer: offer, transcode: ["PCMU"]) { offerToB in
                    let te = CodecOffer.payloadType(of: "telephone-event/8000", in: offerToB) ?? 101
                    return CodecOffer(payloadTypes: [0, te], attributes: ["a=rtpmap:0 PCMU/8000", "a=rtpmap:\(te) telephone-event/8000", "a=fmtp:\(te) 0-15"])
                }
                #expect(CodecOffer.payloadType(of: "PCMU/8000", in: call.offerToB) == 0, "offer to B:\n\(call.offerToB)")
                #expect(CodecOffer.payloadType(of: "PCMU/8000", in: call.answerToA) == nil, "answer to A:\n\(call.answerToA)")
                let teB = CodecOffer.payloadType(of: "telephone-event/8000", in: call.offerToB) ?? 101

                let x = try speech(rate: 8000)
                let alaw = G711Codec(.alaw), ulaw = G711Codec(.ulaw)
                let sent = encodedStream(x, frame: 160, pt: 8, ssrc: 0xA1A1_0001, timestampStep: 160) { alaw.encode($0, samples: 160, into: $1, capacity: 160) }
                let got = sendPaced(sent, from: a.rtp, to: call.toA.rtp, at: b.rtp)
                #expect(got.count >= sent.count - 2, "B received \(got.count) of \(sent.count)")
                #expect(got.allSatisfy { $0.payloadType == 0 })
                let y = decodedStream(got, pt: 0) { ulaw.decode($0, count: $1, into: $2, capacity: 5760) }
                let lag = delay(of: y, behind: x, maxLag: 800, windowLength: 16000)
                let s = snr(x, y, lag: lag, skip: 1600)
                print("PCMA -> PCMU speech through \(Tandemd.isReference ? "rtpengine" : "tandemd"): delay \(lag), SNR \(s) dB")
                #expect(s > 25)

                // And back: PCMU from B reaches A as PCMA.
                let back = encodedStream(multiTone(rate: 8000, seconds: 1), frame: 160, pt: 0, ssrc: 0xB1B1_0001, timestampStep: 160) {
                    ulaw.encode($0, samples: 160, into: $1, capacity: 160)
                }
                let gotA = sendPaced(back, from: b.rtp, to: call.toB.rtp, at: a.rtp)
                #expect(gotA.count >= back.count - 2 && gotA.allSatisfy { $0.payloadType == 8 })

                // DTMF from A: digit 7, 120 ms (duration 960 at 8000), three end packets.
                let last = sent.last!
                let event = dtmfEvent(code: 7, pt: 101, ssrc: 0xA1A1_0001, seq: last.seq &+ 1, timestamp: last.timestamp &+ 160, step: 160)
                let events = receivedEvents(sendPaced(event, from: a.rtp, to: call.toA.rtp, at: b.rtp), pt: teB)
                #expect(events.count == 1, "events at B: \(events)")
                if let e = events.first {
                    #expect(e.code == 7 && e.duration == 960 && e.ends == 3, "event at B: \(e)")
                }
            }
        }

        /// opus (48 kHz) offered with `transcode: PCMU`, PCMU answered: speech from A (opus) to
        /// B and from B (PCMU) to A, each judged by band-envelope similarity > 0.9 (opus is not
        /// waveform-preserving; see CodecsTests' QualityTests for the measure's calibration);
        /// a DTMF event sent at 48000 arrives at 8000 (duration / 6) and the other way x 6.
        @Test func opusToPCMUSpeechAndDTMF() throws {
            let daemon = try Tandemd(slot: 37)
            try withDaemonLog(daemon) {
                let ng = try daemon.client()
                let a = try Phone(), b = try Phone()
                let offer = CodecOffer(payloadTypes: [96, 101], attributes: ["a=rtpmap:96 opus/48000/2", "a=fmtp:96 useinbandfec=1",
                                                                         "a=rtpmap:101 telephone-event/48000", "a=fmtp:101 0-15"])
                let call = try transcodedCall(ng, a: a, b: b, offer: offer, transcode: ["PCMU"]) { offerToB in
                    let te = CodecOffer.payloadType(of: "telephone-event/8000", in: offerToB) ?? 101
                    return CodecOffer(payloadTypes: [0, te], attributes: ["a=rtpmap:0 PCMU/8000", "a=rtpmap:\(te) telephone-event/8000", "a=fmtp:\(te) 0-15"])
                }
                let teB = try #require(CodecOffer.payloadType(of: "telephone-event/8000", in: call.offerToB), "offer to B:\n\(call.offerToB)")

                let x48 = try speech(rate: 48000), x8 = try speech(rate: 8000)
                let enc = try Opus.Encoder(Opus.EncoderSettings(sampleRate: 48000))
                let sent = encodedStream(x48, frame: 960, pt: 96, ssrc: 0xA2A2_0001, timestampStep: 960) { enc.encode($0, samples: 960, into: $1, capacity: 4000) }
                let got = sendPaced(sent, from: a.rtp, to: call.toA.rtp, at: b.rtp)
                #expect(got.count >= sent.count - 3, "B received \(got.count) of \(sent.count)")
                let ulaw = G711Codec(.ulaw)
                let y = decodedStream(got, pt: 0) { ulaw.decode($0, count: $1, into: $2, capacity: 5760) }
                let lag = delay(of: y, behind: x8, maxLag: 800, windowLength: 16000)
                let similarity = spectralSimilarity(x8, y, lag: lag, rate: 8000, maxHz: 3800)
                print("opus -> PCMU speech: delay \(lag), spectral similarity \(similarity)")
                #expect(similarity > 0.9)

                let back = encodedStream(x8, frame: 160, pt: 0, ssrc: 0xB2B2_0001, timestampStep: 160) { ulaw.encode($0, samples: 160, into: $1, capacity: 160) }
                let gotA = sendPaced(back, from: b.rtp, to: call.toB.rtp, at: a.rtp)
                #expect(gotA.count >= back.count - 3, "A received \(gotA.count) of \(back.count)")
                #expect(gotA.allSatisfy { $0.payloadType == 96 || $0.payloadType == 101 })
                let dec = try Opus.Decoder(sampleRate: 8000)
                let z = decodedStream(gotA, pt: 96) { dec.decode($0, count: $1, into: $2, capacity: 5760) }
                let zlag = delay(of: z, behind: x8, maxLag: 800, windowLength: 16000)
                let zsim = spectralSimilarity(x8, z, lag: zlag, rate: 8000, maxHz: 3800)
                print("PCMU -> opus speech: delay \(zlag), spectral similarity \(zsim)")
                #expect(zsim > 0.9)

                // DTMF 48000 -> 8000: digit 3, 120 ms = 5760 ticks -> 960.
                let last = sent.last!
                let event = dtmfEvent(code: 3, pt: 101, ssrc: 0xA2A2_0001, seq: last.seq &+ 1, timestamp: last.timestamp &+ 960, step: 960)
                let atB = receivedEvents(sendPaced(event, from: a.rtp, to: call.toA.rtp, at: b.rtp), pt: teB)
                #expect(atB.count == 1, "events at B: \(atB)")
                if let e = atB.first { #expect(e.code == 3 && e.duration == 960 && e.ends == 3, "event at B: \(e)") }

                // DTMF 8000 -> 48000: digit 9 (#), 120 ms = 960 ticks -> 5760.
                let lastB = back.last!
                let eventB = dtmfEvent(code: 11, pt: teB, ssrc: 0xB2B2_0001, seq: lastB.seq &+ 1, timestamp: lastB.timestamp &+ 160, step: 160)
                let atA = receivedEvents(sendPaced(eventB, from: b.rtp, to: call.toB.rtp, at: a.rtp), pt: 101)
                #expect(atA.count == 1, "events at A: \(atA)")
                if let e = atA.first { #expect(e.code == 11 && e.duration == 5760 && e.ends == 3, "event at A: \(e)") }
            }
        }

        /// ptime: B answers PCMU with a=ptime:40, A sends 20 ms PCMA: B gets 40 ms packets
        /// (320 bytes, timestamp +320, consecutive sequence numbers) holding the same audio
        /// (aligned SNR > 25 dB, as for 20 ms).
        @Test func repacketisesToTheReceiversPtime() throws {
            let daemon = try Tandemd(slot: 35)
            try withDaemonLog(daemon) {
                let ng = try daemon.client()
                let a = try Phone(), b = try Phone()
                let offer = CodecOffer(payloadTypes: [8], attributes: ["a=rtpmap:8 PCMA/8000"])
                let call = try transcodedCall(ng, a: a, b: b, offer: offer, transcode: ["PCMU"]) { _ in
                    CodecOffer(payloadTypes: [0], attributes: ["a=rtpmap:0 PCMU/8000", "a=ptime:40"])
                }
                let x = multiTone(rate: 8000, seconds: 2)
                let alaw = G711Codec(.alaw), ulaw = G711Codec(.ulaw)
                let sent = encodedStream(x, frame: 160, pt: 8, ssrc: 0xA5A5_0001, timestampStep: 160) { alaw.encode($0, samples: 160, into: $1, capacity: 160) }
                let got = sendPaced(sent, from: a.rtp, to: call.toA.rtp, at: b.rtp)
                #expect(got.count >= sent.count / 2 - 1 && got.count <= sent.count / 2, "B received \(got.count) packets for \(sent.count) x 20 ms")
                #expect(got.allSatisfy { $0.payloadType == 0 && $0.payload.count == 320 })
                for k in got.indices.dropFirst() {
                    #expect(got[k].timestamp == got[k - 1].timestamp &+ 320 && got[k].seq == got[k - 1].seq &+ 1)
                }
                let y = decodedStream(got, pt: 0) { ulaw.decode($0, count: $1, into: $2, capacity: 5760) }
                let lag = delay(of: y, behind: x, maxLag: 800)
                let s = snr(x, y, lag: lag, skip: 1600)
                print("PCMA 20 ms -> PCMU 40 ms: delay \(lag), SNR \(s) dB")
                #expect(s > 25)
            }
        }

        /// RTCP on a transcoded leg: A's own SR does not reach B unchanged (its SSRC and counts
        /// describe a stream B never sees); B gets reports for the stream it does receive: an
        /// SR whose SSRC is that of the transcoded RTP and whose packet count is what B got.
        @Test func rtcpOnTheTranscodedLeg() throws {
            let daemon = try Tandemd(slot: 39)
            try withDaemonLog(daemon) {
                let ng = try daemon.client()
                let a = try Phone(), b = try Phone()
                let offer = CodecOffer(payloadTypes: [8], attributes: ["a=rtpmap:8 PCMA/8000"])
                let call = try transcodedCall(ng, a: a, b: b, offer: offer, transcode: ["PCMU"]) { _ in
                    CodecOffer(payloadTypes: [0], attributes: ["a=rtpmap:0 PCMU/8000"])
                }
                let alaw = G711Codec(.alaw)
                let sent = encodedStream(multiTone(rate: 8000, seconds: 1), frame: 160, pt: 8, ssrc: 0xA4A4_0001, timestampStep: 160) {
                    alaw.encode($0, samples: 160, into: $1, capacity: 160)
                }
                // B talks too, so the daemon has a stream to report on towards B.
                let fromB = (0..<10).map { RTPPacket.stream($0, ssrc: 0xB4B4_0001) }
                for p in fromB { b.rtp.send(p.bytes, to: call.toB.rtp) }
                let got = sendPaced(sent, from: a.rtp, to: call.toA.rtp, at: b.rtp)
                #expect(got.count == sent.count, "B received \(got.count) of \(sent.count)")
                let ssrc = try #require(got.first?.ssrc)
                let aSR = rtcpSR(ssrc: 0xA4A4_0001, n: 1)
                a.rtcp.send(aSR, to: call.toA.rtcp)
                // Reports come every ~5 s (RFC 3550's minimum, randomised): wait up to 12 s for
                // an SR on the stream B receives, after all 50 packets went out.
                var report: (ssrc: UInt32, packets: UInt32)?
                let deadline = Date().addingTimeInterval(12)
                while report == nil, Date() < deadline {
                    guard let r = b.rtcp.receive(timeout: 1) else { continue }
                    #expect(r.bytes != aSR, "A's own SR was forwarded across the transcoded leg")
                    if r.bytes.count >= 28, r.bytes[1] == 200, be32(r.bytes, 4) == ssrc { report = (ssrc, be32(r.bytes, 20)) }
                }
                let sr = try #require(report, "no SR for SSRC \(String(ssrc, radix: 16)) at B within 12 s")
                #expect(sr.packets == UInt32(got.count))
            }
        }

        /// G.722 offered with `transcode: PCMA`, PCMA answered: G.722 speech (16 kHz) reaches B
        /// as PCMA and a multi-tone signal as well: waveform codecs on both sides plus a 16 -> 8
        /// kHz resampler, so aligned SNR on the telephone-band tones > 20 dB and band-envelope
        /// similarity of speech > 0.95 against the 8 kHz rendering of the same speech.
        @Test func g722ToPCMA() throws {
            let daemon = try Tandemd(slot: 38)
            try withDaemonLog(daemon) {
                let ng = try daemon.client()
                let a = try Phone(), b = try Phone()
                let offer = CodecOffer(payloadTypes: [9], attributes: ["a=rtpmap:9 G722/8000"])
                let call = try transcodedCall(ng, a: a, b: b, offer: offer, transcode: ["PCMA"]) { _ in
                    CodecOffer(payloadTypes: [8], attributes: ["a=rtpmap:8 PCMA/8000"])
                }
                let alaw = G711Codec(.alaw)
                let tones16 = multiTone(rate: 16000, seconds: 2), tones8 = multiTone(rate: 8000, seconds: 2)
                let enc = try G722Encoder()
                let sent = encodedStream(tones16, frame: 320, pt: 9, ssrc: 0xA3A3_0001, timestampStep: 160) { enc.encode($0, samples: 320, into: $1, capacity: 160) }
                let got = sendPaced(sent, from: a.rtp, to: call.toA.rtp, at: b.rtp)
                #expect(got.count >= sent.count - 3 && got.allSatisfy { $0.payloadType == 8 }, "B received \(got.count) of \(sent.count)")
                let y = decodedStream(got, pt: 8) { alaw.decode($0, count: $1, into: $2, capacity: 5760) }
                let lag = delay(of: y, behind: tones8, maxLag: 800)
                let s = snr(tones8, y, lag: lag, skip: 1600)
                print("G.722 -> PCMA multi-tone: delay \(lag), SNR \(s) dB")
                #expect(s > 20)

                let x16 = try speech(rate: 16000), x8 = try speech(rate: 8000)
                let enc2 = try G722Encoder()
                let speechSent = encodedStream(x16, frame: 320, pt: 9, ssrc: 0xA3A3_0002, timestampStep: 160) { enc2.encode($0, samples: 320, into: $1, capacity: 160) }
                let speechGot = sendPaced(speechSent, from: a.rtp, to: call.toA.rtp, at: b.rtp)
                let z = decodedStream(speechGot, pt: 8) { alaw.decode($0, count: $1, into: $2, capacity: 5760) }
                let zlag = delay(of: z, behind: x8, maxLag: 800, windowLength: 16000)
                let similarity = spectralSimilarity(x8, z, lag: zlag, rate: 8000, maxHz: 3800)
                print("G.722 -> PCMA speech: delay \(zlag), spectral similarity \(similarity)")
                #expect(similarity > 0.95)

                // PCMA from B reaches A as G.722 (decoded at 16 kHz: the tones at their level).
                let back = encodedStream(tones8, frame: 160, pt: 8, ssrc: 0xB3B3_0001, timestampStep: 160) { alaw.encode($0, samples: 160, into: $1, capacity: 160) }
                let gotA = sendPaced(back, from: b.rtp, to: call.toB.rtp, at: a.rtp)
                #expect(gotA.count >= back.count - 3 && gotA.allSatisfy { $0.payloadType == 9 }, "A received \(gotA.count) of \(back.count)")
                let dec = try G722Decoder()
                let w = decodedStream(gotA, pt: 9) { dec.decode($0, count: $1, into: $2, capacity: 5760) }
                let wlag = delay(of: w, behind: tones16, maxLag: 1600)
                for f in [300.0, 770, 1209, 1870, 2900] {
                    let range = 4000..<24000
                    let db = 10 * log10(goertzelPower(w, f, rate: 16000, range: (range.lowerBound + wlag)..<(range.upperBound + wlag))
                                        / goertzelPower(tones16, f, rate: 16000, range: range))
                    #expect(abs(db) < 2, "PCMA -> G.722 tone \(f) Hz changed by \(db) dB")
                }
            }
        }
    }
}
