import Codecs
import Crypto
import Glibc

// `tandem-bench micro`'s media cases: one 20 ms frame through a transcode path, one 172-byte
// RTP packet through SRTP protect or unprotect, on the same code the data plane runs (Codecs'
// TranscodePath, Crypto's SRTPContext; the set-up mirrors `tandem-bench codecs` / `srtp`).
// Inputs are synthetic and deterministic (no espeak-ng/sox needed), prepared once; every
// operation of a case gets the next frame or packet, so the codecs see a real stream (running
// timestamps, changing audio) and SRTP's replay check sees fresh indices. Steady state must not
// allocate: the thresholds for these cases are 0 mallocs per operation.

enum MediaWorkloads {
    /// The cases in the order `micro` prints them; `iterations` scales the work of one run.
    static func cases(iterations: Int) throws -> [(name: String, iterations: Int, body: () -> Void)] {
        let pcma = Frames.pcma
        let opus = try Frames.opus48k()
        let g722 = try Frames.g722()
        let toUlaw = try Stream(TranscodePath(decoder: G711Codec(.alaw), encoder: G711Codec(.ulaw)), pcma, step: 160)
        // An opus stream from a 48 kHz sender, decoded at 8 kHz (no resampler), as an opus <-> G.711 leg runs.
        let opusToUlaw = try Stream(TranscodePath(decoder: Opus.Decoder(sampleRate: 8000), encoder: G711Codec(.ulaw)), opus, step: 960)
        let g722ToAlaw = try Stream(TranscodePath(decoder: G722Decoder(), encoder: G711Codec(.alaw)), g722, step: 160)
        let srtpOps = iterations + max(10, iterations / 10) + 16  // measure() runs a warm-up tenth first
        let protect = try SRTPWorkload(packets: srtpOps, preProtect: false)
        let unprotect = try SRTPWorkload(packets: srtpOps, preProtect: true)
        return [
            ("transcode-pcma-pcmu-20ms", iterations, toUlaw.next),
            ("transcode-opus-pcmu-20ms", max(10, iterations / 4), opusToUlaw.next),
            ("transcode-g722-pcma-20ms", max(10, iterations / 4), g722ToAlaw.next),
            ("srtp-protect-aes128-sha1-80", iterations, protect.protectNext),
            ("srtp-unprotect-aes128-sha1-80", iterations, unprotect.unprotectNext),
        ]
    }

    /// A transcode path fed frame after frame of a prepared stream, wrapping around.
    final class Stream {
        let path: TranscodePath
        let frames: Frames
        let step: UInt32
        var index = 0
        var timestamp: UInt32 = 0
        var emitted = 0

        init(_ path: TranscodePath, _ frames: Frames, step: UInt32) {
            self.path = path
            self.frames = frames
            self.step = step
        }

        func next() {
            let f = index
            index = index + 1 == frames.count ? 0 : index + 1
            var bytes = 0
            let n = path.process(payload: frames.packet(f), count: frames.length(f), timestamp: timestamp) { _, count, _ in
                bytes &+= count
            }
            precondition(n >= 0, "transcode path rejected frame \(f)")
            emitted &+= bytes
            timestamp &+= step
        }
    }

    /// Packed frames with their offsets (allocated once, never freed: the process ends).
    struct Frames {
        let bytes: UnsafeMutablePointer<UInt8>
        let offsets: UnsafeMutablePointer<Int>
        let count: Int
        func packet(_ i: Int) -> UnsafePointer<UInt8> { UnsafePointer(bytes + offsets[i]) }
        func length(_ i: Int) -> Int { offsets[i + 1] - offsets[i] }

        static let seconds = 2

        /// A speech-band signal: three tones under a 4 Hz syllable envelope plus a little noise.
        static func signal(rate: Int) -> [Int16] {
            var seed: UInt32 = 1
            return (0..<rate * seconds).map { i in
                let t = Double(i) / Double(rate)
                seed = seed &* 1_103_515_245 &+ 12345
                let noise = (Double((seed >> 16) & 0x7fff) / 16384 - 1) * 0.03
                let env = 0.55 + 0.45 * sin(2 * .pi * 4 * t)
                let v = env * (0.35 * sin(2 * .pi * 220 * t) + 0.2 * sin(2 * .pi * 710 * t + 1) + 0.1 * sin(2 * .pi * 1850 * t + 2)) + noise
                return Int16(v * 20000)
            }
        }

        static func pack(_ frames: [[UInt8]]) -> Frames {
            let total = frames.reduce(0) { $0 + $1.count }
            let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, total))
            let offsets = UnsafeMutablePointer<Int>.allocate(capacity: frames.count + 1)
            offsets[0] = 0
            for (i, f) in frames.enumerated() {
                f.withUnsafeBufferPointer { (bytes + offsets[i]).update(from: $0.baseAddress!, count: f.count) }
                offsets[i + 1] = offsets[i] + f.count
            }
            return Frames(bytes: bytes, offsets: offsets, count: frames.count)
        }

        nonisolated(unsafe) static let pcma: Frames = {
            let pcm = signal(rate: 8000)
            var out = [UInt8](repeating: 0, count: pcm.count)
            pcm.withUnsafeBufferPointer { p in out.withUnsafeMutableBufferPointer { G711.encode(.alaw, p.baseAddress!, $0.baseAddress!, count: pcm.count) } }
            return pack(stride(from: 0, to: out.count, by: 160).map { Array(out[$0..<$0 + 160]) })
        }()

        /// opus packets as a 48 kHz sender produces them (our encoder, default bitrate).
        static func opus48k() throws -> Frames {
            var settings = Opus.EncoderSettings(sampleRate: 48000)
            settings.bitrate = Opus.defaultBitrate(sampleRate: 48000, channels: 1)
            let encoder = try Opus.Encoder(settings)
            let pcm = signal(rate: 48000)
            var frames: [[UInt8]] = []
            var buffer = [UInt8](repeating: 0, count: 1500)
            pcm.withUnsafeBufferPointer { p in
                for f in 0..<pcm.count / 960 {
                    let n = buffer.withUnsafeMutableBufferPointer { encoder.encode(p.baseAddress! + 960 * f, samples: 960, into: $0.baseAddress!, capacity: 1500) }
                    frames.append(Array(buffer[0..<max(0, n)]))
                }
            }
            return pack(frames)
        }

        /// G.722 frames from the PCMA stream through our own PCMA -> G.722 path.
        static func g722() throws -> Frames {
            let path = try TranscodePath(decoder: G711Codec(.alaw), encoder: G722Encoder())
            var frames: [[UInt8]] = []
            for f in 0..<pcma.count {
                path.process(payload: pcma.packet(f), count: pcma.length(f), timestamp: UInt32(160 * f)) { p, n, _ in
                    frames.append(Array(UnsafeBufferPointer(start: p, count: n)))
                }
            }
            return pack(frames)
        }
    }

    /// SRTP AES_CM_128_HMAC_SHA1_80 on 172-byte packets in a preallocated arena, one per operation.
    final class SRTPWorkload {
        static let slot = 256, packetLength = 172
        let tx: SRTPContext
        let rx: SRTPContext
        let arena: UnsafeMutableRawPointer
        let lengths: UnsafeMutablePointer<Int>
        let count: Int
        var index = 0

        init(packets: Int, preProtect: Bool) throws {
            let key = (0..<16).map { UInt8($0 &* 7 &+ 1) }, salt = (0..<14).map { UInt8($0 &* 13 &+ 5) }
            tx = try SRTPContext(suite: .aesCM128HmacSHA1_80, masterKey: key, masterSalt: salt)
            rx = try SRTPContext(suite: .aesCM128HmacSHA1_80, masterKey: key, masterSalt: salt)
            count = packets
            arena = .allocate(byteCount: packets * Self.slot, alignment: 64)
            lengths = .allocate(capacity: packets)
            SRTPBench.fill(arena, packets)
            for i in 0..<packets { lengths[i] = Self.packetLength }
            if preProtect {
                for i in 0..<packets { try protect(i) }
            }
        }

        private func protect(_ i: Int) throws(SRTPError) {
            var l = Self.packetLength
            try tx.protect(packet: UnsafeMutableRawBufferPointer(start: arena + i * Self.slot, count: Self.slot), length: &l)
            lengths[i] = l
        }

        func protectNext() {
            precondition(index < count, "srtp micro: more operations than prepared packets")
            do throws(SRTPError) { try protect(index) } catch { fatalError("srtp protect: \(error)") }
            index += 1
        }

        func unprotectNext() {
            precondition(index < count, "srtp micro: more operations than prepared packets")
            var l = lengths[index]
            do throws(SRTPError) {
                try rx.unprotect(packet: UnsafeMutableRawBufferPointer(start: arena + index * Self.slot, count: Self.slot), length: &l)
            } catch { fatalError("srtp unprotect: \(error)") }
            precondition(l == Self.packetLength)
            index += 1
        }
    }
}
