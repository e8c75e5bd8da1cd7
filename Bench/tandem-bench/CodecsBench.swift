import CMallocCounter
import Codecs
import CTandemSys
import Glibc

// `tandem-bench codecs`: CPU per 20 ms frame of each transcoding path (release build, one
// thread, optionally pinned) and heap allocations per frame in steady state. The input is
// espeak-ng speech resampled by sox (as in CodecsTests); without those tools it falls back to a
// multi-tone signal and says so. Each case times whole passes over the signal, three runs, and
// prints min/median/max ns per frame.

enum CodecsBench {
    static func run(_ arguments: ArraySlice<String>) -> Int32 {
        var args = BenchArguments(arguments)
        let cpu = args.int("cpu", -1, in: -1...1023)
        let minSeconds = args.double("seconds", 0.5, in: 0.01...60)
        let only = args.int("complexity", -1, in: -1...10)
        guard args.allErrors.isEmpty else {
            for e in args.allErrors { print("codecs: \(e)") }
            print("usage: tandem-bench codecs [--cpu N] [--seconds S per run] [--complexity C (default: 5 and 9)]")
            return 2
        }
        if cpu >= 0 { _ = tandem_pin_thread(Int32(cpu)) }
        let (speech8, source) = loadSignal(rate: 8000)
        let (speech48, _) = loadSignal(rate: 48000)
        let frames = speech8.count / 160
        let frames48 = min(speech48.count / 960, frames)
        print("{\"bench\": \"codecs\", \"signal\": \"\(source)\", \"frames\": \(frames), \"seconds_of_audio\": \(Double(frames) / 50)}")

        do {
            // Source payloads, prepared once.
            let pcma = UnsafeMutablePointer<UInt8>.allocate(capacity: frames * 160)
            speech8.withUnsafeBufferPointer { G711.encode(.alaw, $0.baseAddress!, pcma, count: frames * 160) }
            let out = UnsafeMutablePointer<UInt8>.allocate(capacity: 4000)
            var results: [(String, Stats)] = []
            func bench(_ name: String, frames n: Int, _ body: (Int) -> Void) {
                let s = measure(frames: n, minSeconds: minSeconds, body)
                results.append((name, s))
                print("{\"case\": \"\(name)\", \"ns_per_frame_min\": \(Int(s.min)), \"ns_per_frame_median\": \(Int(s.median)), \"ns_per_frame_max\": \(Int(s.max)), \"mallocs_per_frame\": \(s.mallocsPerFrame)}")
            }
            var sink = 0
            let emit: (UnsafePointer<UInt8>, Int, UInt32) -> Void = { _, n, ts in sink &+= n &+ Int(ts) }

            // G.711: the direct table, raw and through a TranscodePath.
            bench("pcma->pcmu table (160 B)", frames: frames) { f in G711.alawToUlaw(pcma + 160 * f, out, count: 160) }
            let inPlace = UnsafeMutablePointer<UInt8>.allocate(capacity: 160)
            inPlace.update(from: pcma, count: 160)
            bench("pcma->pcmu table in place", frames: frames) { _ in G711.alawToUlawInPlace(inPlace, count: 160) }
            let g711Path = try TranscodePath(decoder: G711Codec(.alaw), encoder: G711Codec(.ulaw))
            var ts: UInt32 = 0
            bench("pcma->pcmu TranscodePath", frames: frames) { f in
                g711Path.process(payload: pcma + 160 * f, count: 160, timestamp: ts, emit: emit); ts &+= 160
            }
            let g711Path40 = try TranscodePath(decoder: G711Codec(.alaw), encoder: G711Codec(.ulaw), targetPtime: 40)
            ts = 0
            bench("pcma->pcmu 20->40 ms repacketise", frames: frames) { f in
                g711Path40.process(payload: pcma + 160 * f, count: 160, timestamp: ts, emit: emit); ts &+= 160
            }

            // Opus at 8 kHz (no resampler) and 48 kHz (speexdsp 8 <-> 48 kHz).
            for complexity in only >= 0 ? [only] : [5, 9] {
                for rate in [8000, 48000] {
                    var settings = Opus.EncoderSettings(sampleRate: rate, complexity: complexity)
                    settings.bitrate = Opus.defaultBitrate(sampleRate: rate, channels: 1)
                    let path = try TranscodePath(decoder: G711Codec(.alaw), encoder: Opus.Encoder(settings))
                    ts = 0
                    bench("pcma->opus\(rate / 1000)k c\(complexity)", frames: frames) { f in
                        path.process(payload: pcma + 160 * f, count: 160, timestamp: ts, emit: emit); ts &+= 160
                    }
                }
            }
            // Opus packets as a sender would produce them (c5, our default bitrate).
            let opus8 = try encodeOpus(speech8, rate: 8000, frames: frames)
            let opus48 = try encodeOpus(speech48, rate: 48000, frames: frames48)
            let fromOpus8 = try TranscodePath(decoder: Opus.Decoder(sampleRate: 8000), encoder: G711Codec(.ulaw))
            ts = 0
            bench("opus8k->pcmu", frames: frames) { f in
                fromOpus8.process(payload: opus8.packet(f), count: opus8.length(f), timestamp: ts, emit: emit); ts &+= 960
            }
            let fromOpus48 = try TranscodePath(decoder: Opus.Decoder(sampleRate: 48000), encoder: G711Codec(.ulaw))
            ts = 0
            bench("opus48k->pcmu (decode 48k + resample)", frames: frames48) { f in
                fromOpus48.process(payload: opus48.packet(f), count: opus48.length(f), timestamp: ts, emit: emit); ts &+= 960
            }
            let fromOpus48At8 = try TranscodePath(decoder: Opus.Decoder(sampleRate: 8000), encoder: G711Codec(.ulaw))
            ts = 0
            bench("opus48k->pcmu (decode at 8k, no resampler)", frames: frames48) { f in
                fromOpus48At8.process(payload: opus48.packet(f), count: opus48.length(f), timestamp: ts, emit: emit); ts &+= 960
            }

            // G.722 <-> PCMA (speexdsp 8 <-> 16 kHz).
            let toG722 = try TranscodePath(decoder: G711Codec(.alaw), encoder: G722Encoder())
            let g722 = UnsafeMutablePointer<UInt8>.allocate(capacity: frames * 160)
            var g = 0
            for f in 0..<frames {
                toG722.process(payload: pcma + 160 * f, count: 160, timestamp: UInt32(160 * f)) { p, n, _ in
                    (g722 + 160 * g).update(from: p, count: n); g += 1
                }
            }
            let toG722b = try TranscodePath(decoder: G711Codec(.alaw), encoder: G722Encoder())
            ts = 0
            bench("pcma->g722", frames: frames) { f in
                toG722b.process(payload: pcma + 160 * f, count: 160, timestamp: ts, emit: emit); ts &+= 160
            }
            let fromG722 = try TranscodePath(decoder: G722Decoder(), encoder: G711Codec(.alaw))
            ts = 0
            bench("g722->pcma", frames: g) { f in
                fromG722.process(payload: g722 + 160 * f, count: 160, timestamp: ts, emit: emit); ts &+= 160
            }

            // Building blocks.
            let rs = try Resampler(inputRate: 8000, outputRate: 48000)
            let rsOut = UnsafeMutablePointer<Int16>.allocate(capacity: 1024)
            let pcm8 = UnsafeMutablePointer<Int16>.allocate(capacity: frames * 160)
            speech8.withUnsafeBufferPointer { pcm8.update(from: $0.baseAddress!, count: frames * 160) }
            bench("resample 8k->48k (160 samples)", frames: frames) { f in rs.process(pcm8 + 160 * f, samples: 160, into: rsOut, capacity: 1024) }
            let det = try DTMFDetector()
            bench("dtmf detect (160 samples)", frames: frames) { f in
                det.process(pcm8 + 160 * f, count: 160)
                while det.nextEvent() != nil {}
            }
            print("sink \(sink & 1)")
            print("")
            print("case                                         ns/frame min / median / max     mallocs/frame")
            for (name, s) in results {
                let padded = name + String(repeating: " ", count: max(0, 44 - name.count))
                print("\(padded) \(Int(s.min)) / \(Int(s.median)) / \(Int(s.max))    \(s.mallocsPerFrame)")
            }
            let g711Mallocs = results.filter { $0.0.hasPrefix("pcma->pcmu") }.map(\.1.mallocsPerFrame).max() ?? 1
            if g711Mallocs != 0 {
                print("codecs: FAIL: the PCMA->PCMU path allocated")
                return 1
            }
            return 0
        } catch {
            print("codecs: set-up failed: \(error)")
            return 1
        }
    }

    struct Stats {
        var min: Double, median: Double, max: Double
        var mallocsPerFrame: Double
    }

    /// Times passes of `frames` calls until a run lasts `minSeconds`; 3 runs; then one counted pass.
    static func measure(frames: Int, minSeconds: Double, _ body: (Int) -> Void) -> Stats {
        for f in 0..<frames { body(f) }  // warm-up (lazy set-up, caches)
        var passes = 1
        while true {
            let t0 = nanoseconds()
            for _ in 0..<passes { for f in 0..<frames { body(f) } }
            let dt = nanoseconds() - t0
            if Double(dt) / 1e9 >= minSeconds / 4 || passes > 1 << 20 {
                passes = Swift.max(1, Int(Double(passes) * minSeconds * 1e9 / Double(Swift.max(dt, 1))))
                break
            }
            passes *= 4
        }
        var per: [Double] = []
        for _ in 0..<3 {
            let t0 = nanoseconds()
            for _ in 0..<passes { for f in 0..<frames { body(f) } }
            per.append(Double(nanoseconds() - t0) / Double(passes * frames))
        }
        per.sort()
        tandem_malloc_count_enable(1)
        let m0 = tandem_malloc_count()
        for f in 0..<frames { body(f) }
        let m1 = tandem_malloc_count()
        tandem_malloc_count_enable(0)
        return Stats(min: per[0], median: per[1], max: per[2], mallocsPerFrame: Double(m1 - m0) / Double(frames))
    }

    static func nanoseconds() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
    }

    /// Packed opus packets with their offsets.
    struct Packets {
        let bytes: UnsafeMutablePointer<UInt8>
        let offsets: UnsafeMutablePointer<Int>
        func packet(_ i: Int) -> UnsafePointer<UInt8> { UnsafePointer(bytes + offsets[i]) }
        func length(_ i: Int) -> Int { offsets[i + 1] - offsets[i] }
    }

    static func encodeOpus(_ pcm: [Int16], rate: Int, frames: Int) throws -> Packets {
        var settings = Opus.EncoderSettings(sampleRate: rate)
        settings.bitrate = Opus.defaultBitrate(sampleRate: rate, channels: 1)
        let enc = try Opus.Encoder(settings)
        let frame = rate / 50
        let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: frames * 1500)
        let offsets = UnsafeMutablePointer<Int>.allocate(capacity: frames + 1)
        offsets[0] = 0
        pcm.withUnsafeBufferPointer { b in
            for f in 0..<frames {
                let n = enc.encode(b.baseAddress! + frame * f, samples: frame, into: bytes + offsets[f], capacity: 1500)
                offsets[f + 1] = offsets[f] + Swift.max(n, 0)
            }
        }
        return Packets(bytes: bytes, offsets: offsets)
    }

    /// espeak-ng + sox speech at `rate`, or a 26 s multi-tone if the tools are missing.
    static func loadSignal(rate: Int) -> ([Int16], String) {
        let path = "/tmp/tandem-bench-speech-\(getpid())-\(rate).raw"
        let text = "Hello. This is a test of the Tandem media relay. The quick brown fox jumps over the lazy dog. "
            + "Transcoding between the codecs that voice networks meet costs this much per packet, and no more. "
            + "Seven hundred and twenty nine packets arrive in order, none of them late, and every one is counted."
        let cmd = "espeak-ng -v en -s 150 --stdout '\(text)' 2>/dev/null | sox -t wav - -r \(rate) -c 1 -b 16 -e signed-integer -L \(path) gain -n -3 2>/dev/null"
        defer { unlink(path) }
        if system(cmd) == 0, let f = fopen(path, "rb") {
            defer { fclose(f) }
            fseek(f, 0, SEEK_END)
            let bytes = ftell(f)
            fseek(f, 0, SEEK_SET)
            var s = [Int16](repeating: 0, count: bytes / 2)
            let n = s.withUnsafeMutableBytes { fread($0.baseAddress, 1, bytes, f) }
            if n == bytes && bytes > rate { return (s, "espeak-ng speech") }
        }
        let n = rate * 26
        return ((0..<n).map { i in
            let t = Double(i) / Double(rate)
            var v = 0.0
            for (k, fr) in [300.0, 770, 1209, 1870, 2900].enumerated() { v += sin(2 * .pi * fr * t + Double(k)) }
            return Int16(v * 0.07 * 32767)
        }, "multi-tone (espeak-ng/sox missing: run tools/setup.sh)")
    }
}
