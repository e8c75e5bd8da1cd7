import Foundation

// Real audio test signals (espeak-ng speech, multi-tone) and the measures that judge a codec's
// or a transcoder's output against its input; shared by MediaIOTests and IntegrationTests
// and CodecsTests.
// Real test signals and the measures used to judge codec output against its input.

public enum SignalError: Error, CustomStringConvertible {
    case missingTool(String)
    case toolFailed(String, Int32)
    public var description: String {
        switch self {
        case .missingTool(let t):
            return "\(t) is not installed: run tools/setup.sh (it installs espeak-ng and sox for the codec tests; CI runs it)"
        case .toolFailed(let t, let rc): return "\(t) exited with status \(rc)"
        }
    }
}

/// Finds an executable on PATH (or the usual Debian locations).
public func tool(_ name: String) throws -> String {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for dir in path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"] {
        let p = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: p) { return p }
    }
    throw SignalError.missingTool(name)
}

public func runTool(_ executable: String, _ arguments: [String]) throws {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else { throw SignalError.toolFailed(executable, p.terminationStatus) }
}

public let speechText = "Hello. This is a test of the Tandem media relay. The quick brown fox jumps over the lazy dog, "
    + "and seven hundred and twenty nine packets arrive in order."

/// espeak-ng speech (22.05 kHz) converted by sox to `rate` Hz, 16-bit mono, normalised to
/// -3 dBFS peak, written in the test's temp dir. Fails with a message pointing at
/// tools/setup.sh when the tools are missing.
public func speech(rate: Int) throws -> [Int16] {
    let espeak = try tool("espeak-ng"), sox = try tool("sox")
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-codecs-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let wav = dir.appendingPathComponent("speech.wav")
    let raw = dir.appendingPathComponent("speech-\(rate).raw")
    try runTool(espeak, ["-v", "en", "-s", "160", "-w", wav.path, speechText])
    try runTool(sox, [wav.path, "-r", "\(rate)", "-c", "1", "-b", "16", "-e", "signed-integer", "-L", raw.path, "gain", "-n", "-3"])
    let data = try Data(contentsOf: raw)
    return data.withUnsafeBytes { Array($0.bindMemory(to: Int16.self)) }
}

/// Five tones spread over the telephone band, summed to about -9 dBFS peak.
public func multiTone(rate: Int, seconds: Double, frequencies: [Double] = [300, 770, 1209, 1870, 2900], amplitude: Double = 0.07) -> [Int16] {
    let n = Int(Double(rate) * seconds)
    return (0..<n).map { i in
        let t = Double(i) / Double(rate)
        var v = 0.0
        for (k, f) in frequencies.enumerated() { v += sin(2 * .pi * f * t + Double(k)) }
        return Int16(max(-32768, min(32767, v * amplitude * 32767)))
    }
}

/// Lag (0...maxLag) of `output` behind `reference` maximising their cross-correlation over a
/// window of the reference (the codec's delay).
public func delay(of output: [Int16], behind reference: [Int16], maxLag: Int, windowLength: Int = 12000) -> Int {
    let start = min(reference.count / 4, 4000)
    let end = min(reference.count - maxLag, start + windowLength)
    var best = 0
    var bestScore = -Double.infinity
    reference.withUnsafeBufferPointer { r in
        output.withUnsafeBufferPointer { o in
            for lag in 0...maxLag {
                var s = 0.0
                var i = start
                while i < end && i + lag < o.count {
                    s += Double(r[i]) * Double(o[i + lag])
                    i += 1
                }
                if s > bestScore { bestScore = s; best = lag }
            }
        }
    }
    return best
}

/// SNR in dB of `output` (delayed by `lag`) against `reference`, skipping `skip` samples at
/// both ends (codec start-up).
public func snr(_ reference: [Int16], _ output: [Int16], lag: Int = 0, skip: Int = 0) -> Double {
    var sig = 0.0, noise = 0.0
    let end = min(reference.count, output.count - lag) - skip
    for i in skip..<end {
        let x = Double(reference[i]), y = Double(output[i + lag])
        sig += x * x
        noise += (x - y) * (x - y)
    }
    return 10 * log10(sig / max(noise, 1e-9))
}

/// Segmental SNR (dB): mean over 20 ms segments whose reference energy is within 40 dB of the
/// loudest, each clamped to [-10, 35] dB (the usual definition, so silence does not dominate).
public func segmentalSNR(_ reference: [Int16], _ output: [Int16], lag: Int, rate: Int) -> Double {
    let seg = rate / 50
    let end = min(reference.count, output.count - lag)
    var energies: [(Double, Double)] = []
    var i = 0
    while i + seg <= end {
        var s = 0.0, n = 0.0
        for k in i..<(i + seg) {
            let x = Double(reference[k]), y = Double(output[k + lag])
            s += x * x; n += (x - y) * (x - y)
        }
        energies.append((s, n))
        i += seg
    }
    let maxE = energies.map(\.0).max() ?? 0
    let active = energies.filter { $0.0 > maxE * 1e-4 }
    let values = active.map { min(35, max(-10, 10 * log10($0.0 / max($0.1, 1e-9)))) }
    return values.reduce(0, +) / Double(max(values.count, 1))
}

/// In-place radix-2 FFT (re, im); count a power of two.
public func fft(_ re: inout [Double], _ im: inout [Double]) {
    let n = re.count
    var j = 0
    for i in 1..<n {
        var bit = n >> 1
        while j & bit != 0 { j ^= bit; bit >>= 1 }
        j |= bit
        if i < j { re.swapAt(i, j); im.swapAt(i, j) }
    }
    var len = 2
    while len <= n {
        let ang = -2 * Double.pi / Double(len)
        for start in stride(from: 0, to: n, by: len) {
            for k in 0..<(len / 2) {
                let wr = cos(ang * Double(k)), wi = sin(ang * Double(k))
                let a = start + k, b = start + k + len / 2
                let xr = re[b] * wr - im[b] * wi, xi = re[b] * wi + im[b] * wr
                re[b] = re[a] - xr; im[b] = im[a] - xi
                re[a] += xr; im[a] += xi
            }
        }
        len <<= 1
    }
}

/// Log band energies (dB) per ~32 ms frame (Hann window, 50 % overlap) in `bands` log-spaced
/// bands between 100 Hz and `maxHz`.
public func bandEnergies(_ x: ArraySlice<Int16>, rate: Int, maxHz: Double, bands: Int = 18) -> [[Double]] {
    var n = 256
    while n < rate * 32 / 1000 { n <<= 1 }
    let window = (0..<n).map { 0.5 - 0.5 * cos(2 * .pi * Double($0) / Double(n)) }
    let edges = (0...bands).map { 100 * pow(maxHz / 100, Double($0) / Double(bands)) }
    var frames: [[Double]] = []
    var pos = x.startIndex
    while pos + n <= x.endIndex {
        var re = (0..<n).map { Double(x[pos + $0]) * window[$0] }
        var im = [Double](repeating: 0, count: n)
        fft(&re, &im)
        var e = [Double](repeating: 1e-3, count: bands)
        for bin in 1..<(n / 2) {
            let f = Double(bin) * Double(rate) / Double(n)
            guard f >= edges[0], f < edges[bands] else { continue }
            var b = 0
            while f >= edges[b + 1] { b += 1 }
            e[b] += re[bin] * re[bin] + im[bin] * im[bin]
        }
        frames.append(e.map { 10 * log10($0) })
        pos += n / 2
    }
    return frames
}

/// Spectral similarity: Pearson correlation of the log band energies of reference and output
/// (output advanced by `lag`) over all frames and bands, each value floored 60 dB below the
/// loudest so near-silent bands (where any codec's noise floor is arbitrary) do not dominate.
public func spectralSimilarity(_ reference: [Int16], _ output: [Int16], lag: Int, rate: Int, maxHz: Double) -> Double {
    let end = min(reference.count, output.count - lag)
    let r = bandEnergies(reference[0..<end], rate: rate, maxHz: maxHz)
    let o = bandEnergies(output[lag..<(lag + end)], rate: rate, maxHz: maxHz)
    let floorDB = (r.flatMap { $0 }.max() ?? 0) - 60
    var xs: [Double] = [], ys: [Double] = []
    for (a, b) in zip(r, o) {
        for (u, v) in zip(a, b) { xs.append(max(u, floorDB)); ys.append(max(v, floorDB)) }
    }
    let mx = xs.reduce(0, +) / Double(xs.count), my = ys.reduce(0, +) / Double(ys.count)
    var sxy = 0.0, sxx = 0.0, syy = 0.0
    for (x, y) in zip(xs, ys) { sxy += (x - mx) * (y - my); sxx += (x - mx) * (x - mx); syy += (y - my) * (y - my) }
    return sxy / sqrt(sxx * syy)
}

/// Runs `input` frame by frame through an encode -> payload -> decode pair.
public func roundTrip(_ input: [Int16], frameSize: Int, maxPayload: Int = 4000,
               encode: (UnsafePointer<Int16>, UnsafeMutablePointer<UInt8>) -> Int,
               decode: (UnsafePointer<UInt8>, Int, UnsafeMutablePointer<Int16>) -> Int) -> [Int16] {
    var output: [Int16] = []
    output.reserveCapacity(input.count + frameSize)
    let payload = UnsafeMutablePointer<UInt8>.allocate(capacity: maxPayload)
    let pcm = UnsafeMutablePointer<Int16>.allocate(capacity: frameSize * 12)
    defer { payload.deallocate(); pcm.deallocate() }
    input.withUnsafeBufferPointer { inp in
        var i = 0
        while i + frameSize <= inp.count {
            let bytes = encode(inp.baseAddress! + i, payload)
            precondition(bytes > 0, "encode failed: \(bytes)")
            let n = decode(payload, bytes, pcm)
            precondition(n > 0, "decode failed: \(n)")
            output.append(contentsOf: UnsafeBufferPointer(start: pcm, count: n))
            i += frameSize
        }
    }
    return output
}

/// |DFT|^2 of `x[range]` at frequency `f` (Goertzel).
public func goertzelPower(_ x: [Int16], _ f: Double, rate: Int, range: Range<Int>) -> Double {
    let w = 2 * Double.pi * f / Double(rate)
    let c = 2 * cos(w)
    var s1 = 0.0, s2 = 0.0
    for i in range where i < x.count {
        let s0 = Double(x[i]) + c * s1 - s2
        s2 = s1; s1 = s0
    }
    return s1 * s1 + s2 * s2 - c * s1 * s2
}

/// `pcm` encoded frame by frame (`frame` samples each; a last partial frame is left out) with
/// `encode` (PCM in, payload buffer out, returns the payload length): one payload per frame,
/// empty where `encode` failed.
public func encodeFrames(_ pcm: [Int16], frame: Int,
                         encode: (UnsafePointer<Int16>, UnsafeMutablePointer<UInt8>) -> Int) -> [[UInt8]] {
    var payloads: [[UInt8]] = []
    let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 4000)
    defer { buffer.deallocate() }
    pcm.withUnsafeBufferPointer { x in
        var i = 0
        while i + frame <= x.count {
            let n = encode(x.baseAddress! + i, buffer)
            payloads.append(Array(UnsafeBufferPointer(start: buffer, count: max(0, n))))
            i += frame
        }
    }
    return payloads
}

/// Payloads decoded in order into one PCM stream with `decode` (payload, length, PCM buffer of
/// `capacity` samples; returns samples written). Empty payloads and failed decodes add nothing.
public func decodeFrames(_ payloads: [[UInt8]], capacity: Int,
                         decode: (UnsafePointer<UInt8>, Int, UnsafeMutablePointer<Int16>) -> Int) -> [Int16] {
    var pcm: [Int16] = []
    let buffer = UnsafeMutablePointer<Int16>.allocate(capacity: capacity)
    defer { buffer.deallocate() }
    for payload in payloads where !payload.isEmpty {
        let n = payload.withUnsafeBufferPointer { decode($0.baseAddress!, $0.count, buffer) }
        if n > 0 { pcm.append(contentsOf: UnsafeBufferPointer(start: buffer, count: n)) }
    }
    return pcm
}
