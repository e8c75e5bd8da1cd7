import CallModel
import Codecs
import Crypto
import Foundation
import MediaIO
import RTP
import TandemBase
import TandemTestSupport
import Testing

// The rest of a TranscodePlan through a real loop: SRTP on the transcoded leg, comfort noise
// passed or dropped, opus fmtp honoured, telephone-event moved onto our line, bad input.
// Slices of 31740-31999.

@Suite struct TranscodePlanTests {
    // B speaks SRTP: transcoded packets are protected for B like relayed ones; unprotected with
    // B's key they carry the table-mapped payload on our SSRC.
    @Test func transcodedPacketsAreProtectedForAnSRTPLeg() throws {
        let relay = Relay(slice: 31740...31759)
        let call = try #require(TranscodedCall(relay, aToB: TranscodePlan(decode: [pcma], encode: pcmu)))
        let toB = SRTPParameters(suite: "AES_CM_128_HMAC_SHA1_80", masterKey: (0..<16).map { UInt8($0 * 5 + 1) },
                                 masterSalt: (0..<14).map { UInt8($0 * 3 + 2) })
        var f = SocketForwarding(remote: call.bRTP.address, rtpOut: call.a[0], rtcpOut: call.a[1], acceptsRTCP: false,
                                 latching: LatchingPolicy(), encrypt: toB)
        f.transcode = nil
        relay.configure(call.b[0], f)
        let receiver = try SRTPContext(suite: .aesCM128HmacSHA1_80, masterKey: toB.masterKey, masterSalt: toB.masterSalt)
        let payload = (0..<160).map { UInt8(truncatingIfNeeded: $0 * 3) }
        for k in 0..<5 {
            call.aRTP.send(rtp(seq: UInt16(k), ts: UInt32(160 * k), ssrc: 0x0a0a_0a0a, pt: 8, payload: payload), to: relay.address(call.a[0]))
            let got = try #require(call.bRTP.receive())
            #expect(got.bytes.count == 12 + 160 + 10)
            var buffer = got.bytes
            var length = buffer.count
            try buffer.withUnsafeMutableBytes { try receiver.unprotect(packet: $0, length: &length) }
            let plain = try #require(ReceivedRTP(Array(buffer[0..<length])))
            #expect(plain.payloadType == 0 && plain.ssrc != 0x0a0a_0a0a)
            #expect(plain.payload == payload.map { G711.tables.alawToUlaw[Int($0)] })
        }
    }

    // CN (PT 13) per plan: passed on our line with the receiver's CN PT, or dropped without
    // counting as an error; after CN the next audio packet starts a talk spurt (marker).
    @Test(arguments: [true, false])
    func comfortNoisePerPlan(pass: Bool) throws {
        let relay = Relay(slice: pass ? 31760...31779 : 31780...31799)
        let plan = TranscodePlan(decode: [pcma], encode: pcmu, comfortNoise: pass ? .pass(payloadType: 13) : .drop)
        let call = try #require(TranscodedCall(relay, aToB: plan))
        let packets = [rtp(seq: 1, ts: 0, ssrc: 7, pt: 8), rtp(seq: 2, ts: 160, ssrc: 7, pt: 8),
                       rtp(seq: 3, ts: 320, ssrc: 7, pt: 13, payload: [42]), rtp(seq: 4, ts: 4000, ssrc: 7, pt: 8)]
        let out = pump(packets, from: call.aRTP, to: relay.address(call.a[0]), at: call.bRTP, timeout: 0.3)
        #expect(out.map(\.payloadType) == (pass ? [0, 0, 13, 0] : [0, 0, 0]))
        if pass, out.count == 4 {
            #expect(out[2].payload == [42] && out[2].timestamp == out[1].timestamp &+ 160 && out[2].ssrc == out[0].ssrc)
        }
        #expect(out.last?.marker == true)
        #expect(relay.counters.dropsTranscode == 0)
    }

    // opus fmtp of the receiver: maxaveragebitrate=12000 caps what we send (payload bytes per
    // 20 ms x 400 = bit/s, over 3 s of speech: at most the cap + 10 % for VBR's per-frame
    // swing), against the 20 kbit/s we send without the cap.
    @Test func opusEncoderHonoursMaxAverageBitrate() throws {
        let relay = Relay(slice: 31800...31819)
        func averageBitrate(_ fmtp: String) throws -> Double {
            let receiver = format(111, "opus", 48000, channels: 2, fmtp: fmtp)
            let call = try #require(TranscodedCall(relay, aToB: TranscodePlan(decode: [pcmu], encode: receiver)))
            let codec = G711Codec(.ulaw)
            let x = Array(try speech(rate: 8000).prefix(8000 * 3))
            let packets = packetize(x, frame: 160, pt: 0, timestampStep: 160) { codec.encode($0, samples: 160, into: $1, capacity: 160) }
            let out = pump(packets, from: call.aRTP, to: relay.address(call.a[0]), at: call.bRTP)
            #expect(out.count == packets.count)
            return Double(out.map(\.payload.count).reduce(0, +)) * 8 * 50 / Double(max(out.count, 1))
        }
        let capped = try averageBitrate("maxaveragebitrate=12000; useinbandfec=1")
        let uncapped = try averageBitrate("useinbandfec=1")
        print("opus out: \(capped) bit/s with maxaveragebitrate=12000, \(uncapped) bit/s without")
        #expect(capped <= 12000 * 1.1)
        #expect(uncapped > capped * 1.3)
    }

    // Both parties have telephone-event/8000 and the plan lists its PT as passthrough, but the
    // audio is transcoded onto our line: events follow it (our SSRC, our timestamps).
    @Test func telephoneEventFollowsTheTranscodedAudio() throws {
        let relay = Relay(slice: 31820...31839)
        let plan = TranscodePlan(passthrough: [101: 101], decode: [pcma], encode: pcmu, telephoneEventIn: te8k, telephoneEventOut: te8k)
        let call = try #require(TranscodedCall(relay, aToB: plan))
        let audio = (0..<3).map { rtp(seq: UInt16($0), ts: UInt32(800 + 160 * $0), ssrc: 0x3333_0000, pt: 8) }
        let events = TranscodeTests.eventPackets(code: 1, timestamp: 800 + 480, step: 160, updates: 2, ssrc: 0x3333_0000, firstSequence: 3)
        let out = pump(audio + events, from: call.aRTP, to: relay.address(call.a[0]), at: call.bRTP)
        #expect(out.count == 8)
        guard out.count == 8 else { return }
        #expect(Set(out.map(\.ssrc)).count == 1 && out[0].ssrc != 0x3333_0000)
        #expect(out[3...].allSatisfy { $0.payloadType == 101 && $0.timestamp == out[0].timestamp &+ 480 })
        #expect(out[3...].map { Int($0.payload[2]) << 8 | Int($0.payload[3]) } == [160, 320, 320, 320, 320])
    }

    // Bad input changes nothing: an empty audio payload, a truncated event, a malformed opus
    // payload and a plan whose codec cannot be built are dropped and counted; the stream goes on.
    @Test func badInputIsDroppedAndCounted() throws {
        let relay = Relay(slice: 31840...31859)
        let plan = TranscodePlan(decode: [opus, format(98, "AMR", 8000)], encode: pcmu, telephoneEventIn: te48k, telephoneEventOut: te8k)
        let call = try #require(TranscodedCall(relay, aToB: plan))
        let enc = try Opus.Encoder(Opus.EncoderSettings(sampleRate: 48000))
        let good = packetize([Int16](repeating: 0, count: 960 * 2), frame: 960, pt: 111, timestampStep: 960) {
            enc.encode($0, samples: 960, into: $1, capacity: 4000)
        }
        let bad: [[UInt8]] = [
            rtp(seq: 2000, ts: 1, ssrc: 0x1234_5678, pt: 111, payload: []),                 // empty
            rtp(seq: 2001, ts: 1, ssrc: 0x1234_5678, pt: 101, payload: [1, 2]),             // truncated event
            rtp(seq: 2002, ts: 1, ssrc: 0x1234_5678, pt: 111, payload: [0x0b, 0xff, 0xff]), // not opus (code 3, bad count)
            rtp(seq: 2003, ts: 1, ssrc: 0x1234_5678, pt: 98, payload: [1, 2, 3]),           // AMR: no codec here
        ]
        let out = pump([good[0]] + bad + [good[1]], from: call.aRTP, to: relay.address(call.a[0]), at: call.bRTP)
        #expect(out.count == 2 && out.allSatisfy { $0.payloadType == 0 })
        #expect(relay.counters.dropsTranscode == 4)
    }
}

@Suite struct TranscodeQueueTests {
    // 40 ms in, 20 ms out with a receive batch of 4: a batch of 4 inputs makes 8 outputs, more
    // than one send queue holds, so the queue is flushed mid-batch; every output arrives, in
    // order, each half of an input frame, timestamps +160.
    @Test func moreOutputsThanTheSendQueueHolds() throws {
        var options = PacketLoop.Options()
        options.batchSize = 4
        let relay = Relay(slice: 31860...31879, options: options)
        let call = try #require(TranscodedCall(relay, aToB: TranscodePlan(decode: [pcmu], encode: pcma, ptime: 20)))
        var all: [UInt8] = []
        var packets: [[UInt8]] = []
        for k in 0..<16 {
            let payload = (0..<320).map { UInt8(truncatingIfNeeded: $0 &* 3 &+ k &* 11) }
            all += payload
            packets.append(rtp(seq: UInt16(k), ts: UInt32(320 * k), ssrc: 0x6060_6060, pt: 0, payload: payload))
        }
        // Burst: all 16 before reading, so the loop sees full batches.
        for p in packets { call.aRTP.send(p, to: relay.address(call.a[0])) }
        var out: [ReceivedRTP] = []
        while let r = call.bRTP.receive(timeout: 0.5) { if let h = ReceivedRTP(r.bytes) { out.append(h) } }
        #expect(out.count == 32)
        for (k, p) in out.enumerated() {
            #expect(p.payload == all[(160 * k)..<(160 * k + 160)].map { G711.tables.ulawToAlaw[Int($0)] }, "packet \(k)")
            if k > 0 { #expect(p.timestamp == out[k - 1].timestamp &+ 160 && p.sequence == out[k - 1].sequence &+ 1) }
        }
        #expect(relay.counters.drops == 0)
    }
}
