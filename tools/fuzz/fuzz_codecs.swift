// libFuzzer harness for the codec layer. Built by `tools/fuzz/run.sh codecs` together with
// Sources/Codecs/*.swift as one module; COpus, CSpanDSP and CSpeexDSP stay imported (module
// maps found via -I, linking libopus, libspandsp and libspeexdsp).
//
// Input: byte 0 picks the opus decoder (rate, channels) and the telephone-event clocks, byte 1
// the transcode path; the rest is payload (or, for a TranscodePath, a packet list: length byte,
// timestamp byte, payload). Every buffer handed to a codec is an exact-size heap allocation,
// so ASan reports any write past the capacity given. Checks, beyond "no crash":
//   - G.711: decode gives one sample per byte and matches the tables; encode(decode(x))
//     decodes to the same samples; the 8-bytes-at-a-time A<->mu mapping equals per-byte
//     lookup, in place or not; too small a capacity returns -1 and writes nothing;
//   - G.722: `count` bytes decode to 2 x count samples and re-encode to `count` bytes;
//   - opus: decode returns at most the capacity and, on success, the packet's sample count;
//     a capacity one frame short is refused; FEC/PLC stay within the frame asked for;
//   - opus fmtp: a parsed line prints to text that parses to the same value, and the encoder
//     settings derived from it are accepted by libopus;
//   - RFC 4733: blocks round-trip through parse/write (R bit cleared); translation keeps the
//     size, the event, E bit and volume, scales the duration exactly (long events split into
//     the timestamp), is a pure function of (timestamp, payload), and refuses bad lengths;
//   - TranscodePath (PCMA->PCMU, PCMU->PCMA 30 ms, opus->PCMU, opus 48k stereo->PCMA,
//     G.722->PCMU, PCMU->opus, PCMA->G.722): `process` returns the frames it emitted (or -1
//     and none), frames have the encoder's exact size (opus: 1...4000 bytes) and consecutive
//     timestamps; a G.711 pair fed continuous timestamps emits exactly the table-mapped input.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCodecs(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 2 else { return 0 }
    let config = data[0], pathConfig = data[1]
    let payload = Array(UnsafeBufferPointer(start: data + 2, count: size - 2))
    checkG711(payload)
    checkG722(payload)
    checkOpus(payload, config)
    checkFmtp(payload)
    checkTelephoneEvents(payload, config)
    checkTranscode(payload, pathConfig)
    return 0
}

/// An exact-size heap buffer (ASan redzone right after `count` elements).
private final class Exact<T> {
    let pointer: UnsafeMutablePointer<T>
    let count: Int
    init(_ count: Int, filling value: T) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: value, count: max(count, 1))
    }
    convenience init(_ values: [T], filling value: T) {
        self.init(values.count, filling: value)
        for (i, v) in values.enumerated() { pointer[i] = v }
    }
    deinit { pointer.deallocate() }
    var array: [T] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}

private func be32(_ b: [UInt8], _ i: Int) -> UInt32 {
    guard i + 4 <= b.count else { return 0 }
    return UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
}

// MARK: G.711

private func checkG711(_ p: [UInt8]) {
    let n = p.count
    let src = Exact(p, filling: 0)
    for law in [G711.Law.alaw, .ulaw] {
        let codec = G711Codec(law)
        let pcm = Exact<Int16>(n, filling: 0)
        guard codec.decode(src.pointer, count: n, into: pcm.pointer, capacity: n) == n else { fatalError("G.711 decode count") }
        for i in 0..<n {
            let reference = law == .alaw ? G711.alawToLinear(p[i]) : G711.ulawToLinear(p[i])
            guard pcm.pointer[i] == reference else { fatalError("G.711 decode differs from the table") }
        }
        if n > 0 {
            let small = Exact<Int16>(n - 1, filling: 0x5A5A)
            guard codec.decode(src.pointer, count: n, into: small.pointer, capacity: n - 1) == -1,
                  small.array.allSatisfy({ $0 == 0x5A5A }) else { fatalError("G.711 decode ignored its capacity") }
        }
        let codes = Exact<UInt8>(n, filling: 0)
        guard codec.encode(pcm.pointer, samples: n, into: codes.pointer, capacity: n) == n else { fatalError("G.711 encode count") }
        let again = Exact<Int16>(n, filling: 0)
        _ = codec.decode(codes.pointer, count: n, into: again.pointer, capacity: n)
        guard again.array == pcm.array else { fatalError("G.711 encode(decode(x)) decodes differently") }
        guard codec.conceal(samples: n, into: again.pointer) == n, again.array.allSatisfy({ $0 == 0 }) else {
            fatalError("G.711 conceal")
        }
    }
    let t = G711.tables
    for (table, batch, inPlace) in [(t.alawToUlaw, G711.alawToUlaw, G711.alawToUlawInPlace),
                                    (t.ulawToAlaw, G711.ulawToAlaw, G711.ulawToAlawInPlace)] {
        let out = Exact<UInt8>(n, filling: 0)
        batch(src.pointer, out.pointer, n)
        guard out.array == p.map({ table[Int($0)] }) else { fatalError("batched code mapping differs from per-byte") }
        let copy = Exact(p, filling: 0)
        inPlace(copy.pointer, n)
        guard copy.array == out.array else { fatalError("in-place code mapping differs") }
    }
}

// MARK: G.722

private func checkG722(_ p: [UInt8]) {
    let n = p.count
    guard n > 0 else { return }
    let src = Exact(p, filling: 0)
    let decoder = try! G722Decoder()
    let pcm = Exact<Int16>(2 * n, filling: 0)
    let decoded = decoder.decode(src.pointer, count: n, into: pcm.pointer, capacity: 2 * n)
    guard decoded == 2 * n else { fatalError("G.722 decoded \(decoded) samples from \(n) bytes") }
    let small = Exact<Int16>(2 * n - 1, filling: 0)
    guard decoder.decode(src.pointer, count: n, into: small.pointer, capacity: 2 * n - 1) == -1 else {
        fatalError("G.722 decode ignored its capacity")
    }
    let encoder = try! G722Encoder()
    let codes = Exact<UInt8>(n, filling: 0)
    guard encoder.encode(pcm.pointer, samples: 2 * n, into: codes.pointer, capacity: n) == n else { fatalError("G.722 encode") }
}

// MARK: opus

private func checkOpus(_ p: [UInt8], _ config: UInt8) {
    let rate = Opus.supportedSampleRates[Int(config % 5)]
    let channels = config & 8 != 0 ? 2 : 1
    let decoder = try! Opus.Decoder(sampleRate: rate, channels: channels)
    let capacity = Opus.maxFrameSamples(sampleRate: rate)
    let pcm = Exact<Int16>(capacity * channels, filling: 0)
    let src = Exact(p, filling: 0)
    let n = p.count
    let inPacket = n > 0 ? decoder.samplesInPacket(src.pointer, count: n) : -1
    let decoded = decoder.decode(src.pointer, count: n, into: pcm.pointer, capacity: capacity)
    guard decoded <= capacity else { fatalError("opus decoded \(decoded) > capacity \(capacity)") }
    if decoded >= 0, n > 0 {
        guard decoded == inPacket else { fatalError("opus decoded \(decoded), packet says \(inPacket)") }
    }
    if inPacket > 1 {
        // A buffer one sample short of the packet: refused, never overrun.
        let short = Exact<Int16>((inPacket - 1) * channels, filling: 0)
        let r = decoder.decode(src.pointer, count: n, into: short.pointer, capacity: inPacket - 1)
        guard r < 0 else { fatalError("opus decoded \(r) samples into \(inPacket - 1)") }
    }
    let frame = rate / 50  // 20 ms
    let fec = decoder.decodeFEC(from: src.pointer, count: n, samples: frame, into: pcm.pointer)
    guard fec <= frame else { fatalError("opus FEC gave \(fec) > \(frame)") }
    guard decoder.conceal(samples: frame, into: pcm.pointer) == frame else { fatalError("opus PLC") }
}

private func checkFmtp(_ p: [UInt8]) {
    let text = String(decoding: p.prefix(512), as: UTF8.self)
    guard let fmtp = try? Opus.Fmtp(parsing: text) else { return }
    let printed = fmtp.description
    guard let again = try? Opus.Fmtp(parsing: printed) else { fatalError("printed fmtp does not parse: \(printed)") }
    guard again == fmtp else { fatalError("fmtp reparses differently: \(printed)") }
    for pcmRate in [8000, 48000] {
        let settings = Opus.EncoderSettings(remote: fmtp, pcmRate: pcmRate, pcmChannels: 2)
        do { _ = try Opus.Encoder(settings) } catch { fatalError("remote fmtp \(printed) gives settings libopus refuses: \(error)") }
    }
}

// MARK: RFC 4733

private let clockPairs = [(8000, 48000), (48000, 8000), (8000, 8000), (16000, 48000), (48000, 16000), (8000, 16000)]

private func checkTelephoneEvents(_ p: [UInt8], _ config: UInt8) {
    let n = p.count
    let src = Exact(p, filling: 0)
    let block = Exact<UInt8>(4, filling: 0)
    var i = 0
    while i + 4 <= n {
        let e = try! TelephoneEvent(parsing: src.pointer + i, count: 4)
        e.write(to: block.pointer)
        guard block.array == [p[i], p[i + 1] & 0xBF, p[i + 2], p[i + 3]] else { fatalError("event block round trip") }
        i += 4
    }
    if n < 4 {
        do { _ = try TelephoneEvent(parsing: src.pointer, count: n); fatalError("short event parsed") } catch {}
    }

    let (sourceRate, targetRate) = clockPairs[Int(config >> 4) % clockPairs.count]
    var translator = TelephoneEventTranslator(sourceClockRate: sourceRate, targetClockRate: targetRate,
                                              sourceBase: be32(p, 0), targetBase: be32(p, 4))
    let timestamp = be32(p, 8)
    let out = Exact<UInt8>(n, filling: 0)
    var peek = translator.mapper
    let mapped = peek.map(timestamp)
    let valid = n >= 4 && n % 4 == 0
    do {
        let r = try translator.translate(timestamp: timestamp, payload: src.pointer, count: n, into: out.pointer, capacity: n)
        guard valid, r.count == n else { fatalError("translated a payload of \(n) bytes to \(r.count)") }
        let offset = Int64(r.timestamp &- mapped)
        let mapper = translator.mapper
        var first = true
        for at in stride(from: 0, to: n, by: 4) {
            let input = try! TelephoneEvent(parsing: src.pointer + at, count: 4)
            let output = try! TelephoneEvent(parsing: out.pointer + at, count: 4)
            guard output.event == input.event, output.end == input.end, output.volume == input.volume else {
                fatalError("translation changed an event's fields")
            }
            let scaled = mapper.scale(Int64(input.duration))
            if first {
                guard offset + Int64(output.duration) == scaled, offset % 0xFFFF == 0 else {
                    fatalError("duration \(input.duration) -> ts +\(offset), duration \(output.duration); scaled \(scaled)")
                }
                first = false
            } else {
                guard Int64(output.duration) == min(max(scaled - offset, 0), 0xFFFF) else { fatalError("later block duration") }
            }
        }
        // A retransmission translates identically.
        let repeatOut = Exact<UInt8>(n, filling: 0)
        let again = try translator.translate(timestamp: timestamp, payload: src.pointer, count: n, into: repeatOut.pointer, capacity: n)
        guard again.timestamp == r.timestamp, repeatOut.array == out.array else { fatalError("retransmission differs") }
        // Too small an output buffer: refused, untouched.
        let small = Exact<UInt8>(n - 1, filling: 0xA5)
        do {
            _ = try translator.translate(timestamp: timestamp, payload: src.pointer, count: n, into: small.pointer, capacity: n - 1)
            fatalError("translated into too small a buffer")
        } catch {
            guard small.array.allSatisfy({ $0 == 0xA5 }) else { fatalError("a refused translation wrote") }
        }
    } catch {
        guard !valid else { fatalError("a valid payload of \(n) bytes was refused") }
    }

    // The mapping is a pure function nearby, and exact for an integer upscale.
    var m = translator.mapper
    let delta = Int32(truncatingIfNeeded: Int(be32(p, 12) >> 4)) // < 2^28
    let a = m.map(timestamp), b = m.map(timestamp &+ UInt32(bitPattern: delta)), c = m.map(timestamp)
    guard a == c else { fatalError("mapping is not a function of the timestamp") }
    if targetRate % sourceRate == 0 {
        guard b &- a == UInt32(truncatingIfNeeded: Int64(delta) * Int64(targetRate / sourceRate)) else { fatalError("upscale not exact") }
    }
}

// MARK: TranscodePath

private enum Kind { case pcma, pcmu, g722, opus8k, opus48kStereo }

private let paths: [(Kind, Kind, Int)] = [
    (.pcma, .pcmu, 20), (.pcmu, .pcma, 30), (.opus8k, .pcmu, 20), (.opus48kStereo, .pcma, 20),
    (.g722, .pcmu, 20), (.pcmu, .opus8k, 20), (.pcma, .g722, 20),
]

private func makeDecoder(_ k: Kind) -> any FrameDecoder {
    switch k {
    case .pcma: return G711Codec(.alaw)
    case .pcmu: return G711Codec(.ulaw)
    case .g722: return try! G722Decoder()
    case .opus8k: return try! Opus.Decoder(sampleRate: 8000)
    case .opus48kStereo: return try! Opus.Decoder(sampleRate: 48000, channels: 2)
    }
}

private func makeEncoder(_ k: Kind) -> any FrameEncoder {
    switch k {
    case .pcma: return G711Codec(.alaw)
    case .pcmu: return G711Codec(.ulaw)
    case .g722: return try! G722Encoder()
    case .opus8k: return try! Opus.Encoder(Opus.EncoderSettings(sampleRate: 8000))
    case .opus48kStereo: return try! Opus.Encoder(Opus.EncoderSettings(sampleRate: 48000, channels: 2))
    }
}

private func checkTranscode(_ p: [UInt8], _ pathConfig: UInt8) {
    let (from, to, ptime) = paths[Int(pathConfig) % paths.count]
    let base = be32(p, 0)
    let path = try! TranscodePath(decoder: makeDecoder(from), encoder: makeEncoder(to), targetPtime: ptime, targetTimestampBase: base)
    let isG711Pair = [Kind.pcma, .pcmu].contains(from) && [Kind.pcma, .pcmu].contains(to)
    let frameBytes: Int? = switch to {
    case .pcma, .pcmu: path.frameSamples
    case .g722: path.frameSamples / 2
    case .opus8k, .opus48kStereo: nil
    }
    let sizer = try! Opus.Decoder(sampleRate: 48000)
    var timestamp = be32(p, 4)
    var continuous = true
    var fedBytes: [UInt8] = []
    var emittedBytes: [UInt8] = []
    var emittedTimestamps: [UInt32] = []
    var i = 8
    var packets = 0
    while i + 2 <= p.count, packets < 64 {
        let length = min(Int(p[i]), p.count - i - 2)
        let jump = p[i + 1]
        let payload = Exact(Array(p[(i + 2)..<(i + 2 + length)]), filling: 0)
        i += 2 + length
        packets += 1
        if jump & 0x80 != 0 {
            continuous = false
            timestamp &+= UInt32(jump & 0x7F) &* 37 &- 1000
        }
        if jump & 0x40 != 0, length >= 4 {
            // A telephone-event payload on the same stream, through the shared mapping.
            let out = Exact<UInt8>(length, filling: 0)
            let r = try? path.translateTelephoneEvent(timestamp: timestamp, payload: payload.pointer, count: length & ~3,
                                                      into: out.pointer, capacity: length)
            guard r == nil || r!.count == length & ~3 else { fatalError("event translation size") }
            continue
        }
        var emits = 0
        var previous: UInt32?
        let frames = path.process(payload: payload.pointer, count: length, timestamp: timestamp) { bytes, count, ts in
            guard count > 0, frameBytes.map({ count == $0 }) ?? (count <= Opus.maxPacketBytes) else {
                fatalError("emitted a frame of \(count) bytes")
            }
            if let previous { guard ts == previous &+ path.timestampIncrement else { fatalError("frame timestamps not consecutive") } }
            previous = ts
            emittedBytes += UnsafeBufferPointer(start: bytes, count: count)
            emittedTimestamps.append(ts)
            emits += 1
        }
        guard frames == emits || (frames == -1 && emits == 0) else { fatalError("process returned \(frames), emitted \(emits)") }
        if isG711Pair {
            fedBytes += payload.array
            timestamp &+= UInt32(length)
        } else if length > 0 {
            let ticks = sizer.samplesInPacket(payload.pointer, count: length)
            switch from {
            case .g722: timestamp &+= UInt32(length)  // 2 samples at 16 kHz per byte = 1 tick at 8000
            case .opus8k, .opus48kStereo: if ticks > 0 { timestamp &+= UInt32(ticks) }
            default: timestamp &+= UInt32(length)
            }
        }
    }
    guard isG711Pair, continuous else { return }
    // Continuous G.711 input: the output is the table-mapped input, cut into whole frames.
    let table = from == to ? G711.tables.identity : from == .pcma ? G711.tables.alawToUlaw : G711.tables.ulawToAlaw
    let whole = fedBytes.count / path.frameSamples * path.frameSamples
    guard emittedBytes == fedBytes.prefix(whole).map({ table[Int($0)] }) else { fatalError("G.711 path output differs from its input") }
    for (k, ts) in emittedTimestamps.enumerated() {
        guard ts == base &+ UInt32(k) &* path.timestampIncrement else { fatalError("G.711 path timestamp \(k)") }
    }
}
