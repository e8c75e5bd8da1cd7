import CallModel
import Codecs
import RTP

// The transcode handler of one socket: what happens to RTP received there when the socket is
// configured with a TranscodePlan. Built on the control path from the plan (codecs, PT
// dispatch table, our output stream's SSRC/sequence/timestamp line); per packet it is sans-IO:
// the packet goes in, 0...n complete RTP packets come out through a non-escaping closure (the
// packet loop queues them for the out socket and protects them when it encrypts).
//
// Output stream (RFC 3550): our own random SSRC, sequence numbers +1 per packet sent,
// timestamps on one line that continues across decoder switches and input SSRC changes; the
// marker bit is set on the first packet of the stream, after an input marker (new talk
// spurt), after a timestamp jump (input gap / DTX) and after a switch of input format.
//
// Per packet nothing is allocated: codec objects and buffers exist from init on, the dispatch
// table is a 128-entry array in unsafe memory, decode legs are reached through Unmanaged.

/// What the packet path does with a packet after the transcoder saw it.
enum TranscodeDisposition {
    /// Fully handled (outputs, if any, were emitted).
    case consumed
    /// Relay the received packet itself (its PT has been rewritten in place: passthrough).
    case relayInPlace
    /// Not for us: a PT the plan does not know, or a malformed payload. Counted.
    case dropped
}

/// One decoded input format and its path to the output format.
final class DecodeLeg {
    let format: PayloadFormat
    let path: TranscodePath
    /// Present when the plan detects or renders in-band DTMF.
    let tap: InbandDTMFTap?
    /// Added to the path's target timestamps to put them on the output line.
    var offset: UInt32 = 0

    init(format: PayloadFormat, path: TranscodePath, tap: InbandDTMFTap?) {
        self.format = format
        self.path = path
        self.tap = tap
    }
}

final class SocketTranscoder {
    let plan: TranscodePlan
    /// Our SSRC on the output leg (random per socket configuration, RFC 3550 8.1).
    let ssrc: UInt32
    /// RTCP CNAME of the output stream.
    let cname: [UInt8]
    // The plan's scalars the packet path needs, copied out at init: reading them through `plan`
    // would copy PayloadFormats (Strings) per packet, i.e. ARC traffic.
    private let encodePayloadType: UInt8
    private let outputClockRate: UInt32
    /// telephone-event towards the receiver: PT and clock rate (nil: the receiver has none).
    private let eventOut: (payloadType: UInt8, clockRate: Int)?
    private let generateInband: Bool
    /// CN passed to the receiver with this PT (nil: CN dropped).
    private let comfortNoisePayloadType: UInt8?

    /// Why a format of the plan could not be set up (its PT is then dropped); empty when all is well.
    private(set) var setupErrors: [String] = []

    // PT dispatch: action and argument per received payload type.
    private enum Action: UInt8 { case drop = 0, passthrough, decode, telephoneEvent, comfortNoise }
    private let actions: UnsafeMutablePointer<UInt8>
    private let arguments: UnsafeMutablePointer<UInt8>
    private let legs: [DecodeLeg]
    private let legRefs: UnsafeMutablePointer<Unmanaged<DecodeLeg>>
    private let scratch: UnsafeMutableRawPointer
    private static let scratchSize = RTPHeader.fixedSize + Opus.maxPacketBytes + 64
    private let eventBuffer: UnsafeMutablePointer<UInt8>
    private static let eventBufferSize = 64

    // Output line.
    private(set) var sequence: UInt16
    private let initialTimestamp: UInt32
    private(set) var nextTimestamp: UInt32
    private var started = false
    private var pendingMarker = true
    private var active = -1
    private var inputSSRC: UInt32 = 0
    private var haveInput = false

    /// Monotonic ns when the next RTCP report for this leg is due (TranscodeRegistry's timer).
    var nextReport: UInt64 = 0

    // Sender statistics of the output stream (RTCP SR).
    private(set) var packetsSent: UInt32 = 0
    private(set) var octetsSent: UInt32 = 0
    /// RTP timestamp of the last audio packet sent and when (monotonic ns); 0 = none yet.
    private(set) var lastAudioTimestamp: UInt32 = 0
    private(set) var lastAudioAt: UInt64 = 0
    /// Packets dropped: PT not in the plan / payload that did not decode or translate.
    private(set) var droppedPayloadType: UInt64 = 0
    private(set) var droppedMalformed: UInt64 = 0

    // RFC 4733 events rendered as tones (generateInbandDTMF).
    private var rendering = false
    private var renderTimestamp: UInt32 = 0
    private var renderedTicks = 0
    private var renderUpdatedAt: UInt64 = 0
    private var lastRenderedEnd: UInt32?

    // Detected in-band digits sent as RFC 4733 events (detectInbandDTMF).
    private var detecting = false
    private var detectCode: UInt8 = 0
    private var detectTimestamp: UInt32 = 0
    private var detectDuration: UInt32 = 0

    /// Builds every codec the plan needs. A format that cannot be set up (unknown codec, bad
    /// fmtp) is recorded in `setupErrors` and its packets are dropped; the rest works.
    init(plan: TranscodePlan, ssrc: UInt32 = UInt32.random(in: 1...UInt32.max),
         sequence: UInt16 = UInt16.random(in: 0...UInt16.max), timestamp: UInt32 = UInt32.random(in: 0...UInt32.max)) {
        self.plan = plan
        self.ssrc = ssrc
        self.sequence = sequence
        initialTimestamp = timestamp
        nextTimestamp = timestamp
        cname = Array("tandem-\(String(ssrc, radix: 16))".utf8)
        encodePayloadType = plan.encode.payloadType
        outputClockRate = plan.encode.clockRate
        eventOut = plan.telephoneEventOut.map { ($0.payloadType, Int($0.clockRate)) }
        generateInband = plan.generateInbandDTMF
        if case .pass(let pt) = plan.comfortNoise { comfortNoisePayloadType = pt } else { comfortNoisePayloadType = nil }
        actions = .allocate(capacity: 128)
        actions.initialize(repeating: Action.drop.rawValue, count: 128)
        arguments = .allocate(capacity: 128)
        arguments.initialize(repeating: 0, count: 128)
        scratch = .allocate(byteCount: Self.scratchSize, alignment: 8)
        eventBuffer = .allocate(capacity: Self.eventBufferSize)

        // Lowest precedence first: later entries overwrite (passthrough wins, as the plan says).
        actions[13] = Action.comfortNoise.rawValue  // CN (RFC 3389's static PT): passed or dropped per plan
        if let te = plan.telephoneEventIn, te.payloadType < 128 { actions[Int(te.payloadType)] = Action.telephoneEvent.rawValue }
        let detect = plan.detectInbandDTMF && plan.telephoneEventOut != nil
        let render = plan.generateInbandDTMF && plan.telephoneEventIn != nil && plan.telephoneEventOut == nil
        var built: [DecodeLeg] = []
        var errors: [String] = []
        for format in plan.decode where format.payloadType < 128 {
            do {
                let (decoder, encoder) = try TranscodeCodecs.pair(decode: format, encode: plan.encode, ptime: plan.ptime)
                let tap = (detect || render) ? try InbandDTMFTap(inner: decoder, detect: detect) : nil
                let path = try TranscodePath(decoder: tap ?? decoder, encoder: encoder, targetPtime: plan.ptime)
                actions[Int(format.payloadType)] = Action.decode.rawValue
                arguments[Int(format.payloadType)] = UInt8(built.count)
                built.append(DecodeLeg(format: format, path: path, tap: tap))
            } catch {
                errors.append("\(format) -> \(plan.encode): \(error)")
            }
        }
        for (from, to) in plan.passthrough where from < 128 && to < 128 {
            actions[Int(from)] = Action.passthrough.rawValue
            arguments[Int(from)] = to
        }
        // Events belong to the audio's stream (RFC 4733 2.1: same SSRC and timestamp line):
        // while audio is transcoded onto our line, a telephone-event PT that is also listed as
        // passthrough is still moved onto our line (translated 1:1 when the clocks match).
        if let te = plan.telephoneEventIn, plan.telephoneEventOut != nil, !built.isEmpty, te.payloadType < 128 {
            actions[Int(te.payloadType)] = Action.telephoneEvent.rawValue
        }
        legs = built
        setupErrors = errors
        legRefs = .allocate(capacity: max(1, built.count))
        for (k, leg) in built.enumerated() { (legRefs + k).initialize(to: .passUnretained(leg)) }
    }

    deinit {
        actions.deallocate()
        arguments.deallocate()
        legRefs.deallocate()
        scratch.deallocate()
        eventBuffer.deallocate()
    }

    /// RTP clock rate of the output stream.
    var clockRate: UInt32 { outputClockRate }

    // MARK: per packet

    /// Handles one RTP packet (header validated by the packet path) of `length` bytes at
    /// `packet`; `emit` receives each output packet (valid only during the call).
    func handle(_ packet: UnsafeMutableRawPointer, length: Int, now: UInt64,
                emit: (UnsafeRawPointer, Int) -> Void) -> TranscodeDisposition {
        guard let h = RTPHeader(UnsafeRawPointer(packet), count: length) else {
            droppedMalformed &+= 1
            return .dropped
        }
        if !haveInput || h.ssrc != inputSSRC { restartInput(ssrc: h.ssrc) }
        let pt = Int(h.payloadType)
        switch Action(rawValue: actions[pt]) ?? .drop {
        case .passthrough:
            let b1 = packet.load(fromByteOffset: 1, as: UInt8.self)
            packet.storeBytes(of: (b1 & 0x80) | arguments[pt], toByteOffset: 1, as: UInt8.self)
            return .relayInPlace
        case .decode:
            return audio(Int(arguments[pt]), h, now: now, emit: emit)
        case .telephoneEvent:
            return telephoneEvent(h, now: now, emit: emit)
        case .comfortNoise:
            return comfortNoise(h, now: now, emit: emit)
        case .drop:
            droppedPayloadType &+= 1
            return .dropped
        }
    }

    /// A new input SSRC (or the first): every path starts a new timestamp mapping, continuing
    /// our output line.
    private func restartInput(ssrc: UInt32) {
        if haveInput {
            for k in 0..<legs.count { legRefs[k]._withUnsafeGuaranteedRef { $0.path.reset() } }
            active = -1
        }
        haveInput = true
        inputSSRC = ssrc
        rendering = false
        lastRenderedEnd = nil
        pendingMarker = true
    }

    /// Makes leg `k` the one feeding the output line: its mapping restarts at the next packet
    /// and lands on the line's next timestamp.
    private func activate(_ k: Int) {
        legRefs[k]._withUnsafeGuaranteedRef { leg in
            leg.path.reset()
            leg.offset = started ? nextTimestamp : initialTimestamp
        }
        active = k
        pendingMarker = true
    }

    private func audio(_ k: Int, _ h: RTPHeader, now: UInt64, emit: (UnsafeRawPointer, Int) -> Void) -> TranscodeDisposition {
        if active != k { activate(k) }
        if h.marker { pendingMarker = true }
        if rendering {
            // Tones replace the audio while an event is played; an event whose end never came
            // (all three end packets lost) stops after 250 ms without updates.
            if now &- renderUpdatedAt < 250_000_000 { return .consumed }
            rendering = false
        }
        let payload = h.payload
        guard let base = payload.baseAddress, payload.count > 0 else {
            // An empty payload would make opus conceal a whole 120 ms: not audio, dropped.
            droppedMalformed &+= 1
            return .dropped
        }
        return legRefs[k]._withUnsafeGuaranteedRef { leg in
            let input = base.assumingMemoryBound(to: UInt8.self)
            let frames = leg.path.process(payload: input, count: payload.count, timestamp: h.timestamp) { out, count, ts in
                emitAudio(leg, out, count, ts, now: now, emit: emit)
            }
            if let detector = leg.tap?.detector, let teOut = eventOut {
                sendDetectedEvents(detector, teOut, leg, now: now, emit: emit)
            }
            if frames < 0 {
                droppedMalformed &+= 1
                return .dropped
            }
            return .consumed
        }
    }

    private func emitAudio(_ leg: DecodeLeg, _ payload: UnsafePointer<UInt8>, _ count: Int, _ ts: UInt32,
                           now: UInt64, emit: (UnsafeRawPointer, Int) -> Void) {
        let outTs = ts &+ leg.offset
        let marker = pendingMarker || (started && outTs != nextTimestamp)
        write(marker: marker, payloadType: encodePayloadType, timestamp: outTs, payload: payload, count: count, emit: emit)
        nextTimestamp = outTs &+ leg.path.timestampIncrement
        started = true
        pendingMarker = false
        lastAudioTimestamp = outTs
        lastAudioAt = now
    }

    /// Writes header + payload into the scratch buffer and hands the packet out.
    private func write(marker: Bool, payloadType: UInt8, timestamp: UInt32, payload: UnsafePointer<UInt8>, count: Int,
                       emit: (UnsafeRawPointer, Int) -> Void) {
        let n = min(count, Self.scratchSize - RTPHeader.fixedSize)
        let p = scratch
        p.storeBytes(of: 0x80, toByteOffset: 0, as: UInt8.self)
        p.storeBytes(of: (marker ? 0x80 : 0) | (payloadType & 0x7f), toByteOffset: 1, as: UInt8.self)
        p.storeBytes(of: sequence.bigEndian, toByteOffset: 2, as: UInt16.self)
        p.storeBytes(of: timestamp.bigEndian, toByteOffset: 4, as: UInt32.self)
        p.storeBytes(of: ssrc.bigEndian, toByteOffset: 8, as: UInt32.self)
        (p + RTPHeader.fixedSize).copyMemory(from: payload, byteCount: n)
        emit(UnsafeRawPointer(p), RTPHeader.fixedSize + n)
        sequence &+= 1
        packetsSent &+= 1
        octetsSent &+= UInt32(truncatingIfNeeded: n)
    }

    // MARK: telephone-event

    /// The leg whose timestamp mapping events use: the active one, else the first.
    private func eventLeg() -> Int? {
        if active >= 0 { return active }
        guard !legs.isEmpty else { return nil }
        activate(0)
        return 0
    }

    private func telephoneEvent(_ h: RTPHeader, now: UInt64, emit: (UnsafeRawPointer, Int) -> Void) -> TranscodeDisposition {
        guard let k = eventLeg() else {
            droppedPayloadType &+= 1
            return .dropped
        }
        let payload = h.payload
        guard let base = payload.baseAddress?.assumingMemoryBound(to: UInt8.self), payload.count >= 4 else {
            droppedMalformed &+= 1
            return .dropped
        }
        if let teOut = eventOut {
            return legRefs[k]._withUnsafeGuaranteedRef { leg in
                // RFC 4733 over another clock: the event's timestamp through the audio's own
                // mapping (events stay aligned with it), durations scaled; every packet, end
                // retransmissions included, is translated one for one.
                guard let (ts, n) = try? leg.path.translateTelephoneEvent(timestamp: h.timestamp, payload: base, count: payload.count,
                                                                         into: eventBuffer, capacity: Self.eventBufferSize) else {
                    droppedMalformed &+= 1
                    return .dropped
                }
                write(marker: h.marker, payloadType: teOut.payloadType, timestamp: ts &+ leg.offset, payload: eventBuffer, count: n, emit: emit)
                return .consumed
            }
        }
        guard generateInband else {
            droppedPayloadType &+= 1
            return .dropped
        }
        return render(k, h, base, now: now, emit: emit)
    }

    /// Plays an RFC 4733 event into the encoded audio: each packet's new duration is produced
    /// as tone samples through the leg's path, at the event's own timestamps.
    private func render(_ k: Int, _ h: RTPHeader, _ payload: UnsafePointer<UInt8>, now: UInt64,
                        emit: (UnsafeRawPointer, Int) -> Void) -> TranscodeDisposition {
        guard let event = try? TelephoneEvent(parsing: payload, count: 4),
              let digit = TelephoneEvent.digit(forCode: event.event) else {
            droppedPayloadType &+= 1
            return .dropped
        }
        return legRefs[k]._withUnsafeGuaranteedRef { leg in
            guard let tap = leg.tap else { return .dropped }
            if !rendering || h.timestamp != renderTimestamp {
                if !rendering && lastRenderedEnd == h.timestamp { return .consumed }  // an end retransmission
                rendering = true
                renderTimestamp = h.timestamp
                renderedTicks = 0
                tap.startTone(digit: digit)
            }
            renderUpdatedAt = now
            let duration = Int(event.duration)
            if duration > renderedTicks {
                let clock = tap.rtpClockRate, rate = tap.sampleRate
                tap.toneSamples = (duration - renderedTicks) * rate / clock
                leg.path.process(payload: UnsafePointer(eventBuffer), count: 0,
                                 timestamp: renderTimestamp &+ UInt32(truncatingIfNeeded: renderedTicks)) { out, count, ts in
                    emitAudio(leg, out, count, ts, now: now, emit: emit)
                }
                tap.toneSamples = 0
                renderedTicks = duration
            }
            if event.end {
                rendering = false
                lastRenderedEnd = h.timestamp
            }
            return .consumed
        }
    }

    /// Digits the detector found in the decoded audio, sent as RFC 4733 events on our line:
    /// a start packet (marker), an update per audio packet while the tone lasts, and three end
    /// packets with the final duration.
    private func sendDetectedEvents(_ detector: DTMFDetector, _ teOut: (payloadType: UInt8, clockRate: Int), _ leg: DecodeLeg,
                                    now: UInt64, emit: (UnsafeRawPointer, Int) -> Void) {
        let scale = Int64(teOut.clockRate) / Int64(DTMFDetector.sampleRate)
        var updated = false
        while let e = detector.nextEvent() {
            switch e {
            case .began(let digit, _):
                if detecting { endDetected(emit: emit) }
                guard let code = TelephoneEvent.code(forDigit: digit) else { continue }
                detecting = true
                detectCode = code
                // The tone began about one detector block before it was confirmed: the frame
                // just sent.
                detectTimestamp = started ? nextTimestamp &- leg.path.timestampIncrement : initialTimestamp
                detectDuration = leg.path.timestampIncrement
                sendEvent(marker: true, end: false, teOut, emit: emit)
                updated = true
            case .ended(_, let start, let end):
                guard detecting else { continue }
                detectDuration = max(detectDuration, UInt32(clamping: (end - start) * scale))
                endDetected(emit: emit)
            }
        }
        if detecting && !updated {
            detectDuration = max(detectDuration, nextTimestamp &- detectTimestamp)
            sendEvent(marker: false, end: false, teOut, emit: emit)
        }
    }

    private func endDetected(emit: (UnsafeRawPointer, Int) -> Void) {
        guard let teOut = eventOut else { return }
        for _ in 0..<3 { sendEvent(marker: false, end: true, teOut, emit: emit) }  // RFC 4733 2.5.1.4
        detecting = false
    }

    private func sendEvent(marker: Bool, end: Bool, _ teOut: (payloadType: UInt8, clockRate: Int), emit: (UnsafeRawPointer, Int) -> Void) {
        TelephoneEvent(event: detectCode, end: end, volume: 10, duration: UInt16(clamping: detectDuration)).write(to: eventBuffer)
        write(marker: marker, payloadType: teOut.payloadType, timestamp: detectTimestamp, payload: eventBuffer, count: 4, emit: emit)
    }

    // MARK: comfort noise

    private func comfortNoise(_ h: RTPHeader, now: UInt64, emit: (UnsafeRawPointer, Int) -> Void) -> TranscodeDisposition {
        guard let pt = comfortNoisePayloadType else { return .consumed }  // dropped by plan, not an error
        let payload = h.payload
        guard let base = payload.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return .consumed }
        // On our line at its current position: CN fills the gap the audio left.
        write(marker: false, payloadType: pt, timestamp: started ? nextTimestamp : initialTimestamp, payload: base,
              count: payload.count, emit: emit)
        pendingMarker = true  // audio after CN starts a talk spurt
        return .consumed
    }

    // MARK: RTCP

    /// The sender info of an SR at wall-clock `unixNanoseconds` = monotonic `now`; nil before
    /// the first audio packet (then only an RR is due).
    func senderInfo(now: UInt64, unixNanoseconds: UInt64) -> RTCPSenderInfo? {
        guard lastAudioAt != 0 else { return nil }
        let elapsed = now >= lastAudioAt ? now - lastAudioAt : 0
        let ticks = elapsed / 1000 * UInt64(clockRate) / 1_000_000
        return RTCPSenderInfo(ntpTimestamp: RTCPSenderInfo.ntp(unixNanoseconds: unixNanoseconds),
                              rtpTimestamp: lastAudioTimestamp &+ UInt32(truncatingIfNeeded: ticks),
                              packetCount: packetsSent, octetCount: octetsSent)
    }
}
