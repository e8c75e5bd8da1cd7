import Bencode
import CMallocCounter
import CTandemSys
import CallModel
import Foundation
import Glibc
import NGProtocol
import SDP
import TandemBase

// `tandem-bench micro`: control-path and media-path micro-benchmarks (transcode per 20 ms frame,
// SRTP per packet: MicroMedia.swift), each reported as ns and heap allocations
// per operation, and checked against Bench/thresholds.json so a regression shows:
//   mallocs per operation are deterministic, so their thresholds are tight and `--mallocs-only`
//   (what tools/test.sh runs) fails on any increase; time thresholds are generous (noise) and
//   only checked by a full `--check` (Bench/run.sh).

enum Micro {
    struct Result: Codable {
        var name: String
        var nsPerOp: Double
        var mallocsPerOp: Double
    }

    struct Threshold: Codable {
        var maxNsPerOp: Double
        var maxMallocsPerOp: Double
    }

    static func run(_ arguments: ArraySlice<String>) -> Int32 {
        var args = BenchArguments(arguments)
        let iterations = args.int("iterations", 20_000, in: 10...10_000_000)
        let check = args.flag("check")
        let mallocsOnly = args.flag("mallocs-only")
        let thresholdsPath = args.string("thresholds", "Bench/thresholds.json")
        guard args.allErrors.isEmpty else {
            for e in args.allErrors { print("micro: \(e)") }
            print("usage: tandem-bench micro [--iterations N] [--check [--mallocs-only]] [--thresholds FILE]")
            return 2
        }
        var results = [
            measure("bencode-decode-offer", iterations) { Workloads.decodeOffer() },
            measure("bencode-encode-query-reply", iterations) { Workloads.encodeReply() },
            measure("sdp-parse-serialize", iterations) { Workloads.parseSerializeSDP() },
            measure("offer-answer-delete", iterations / 4) { Workloads.offerAnswerDelete() },
        ]
        // Media paths: per 20 ms frame (transcode) and per 172-byte packet (SRTP); see MicroMedia.swift.
        do {
            for c in try MediaWorkloads.cases(iterations: iterations) {
                results.append(measure(c.name, c.iterations, c.body))
            }
        } catch {
            print("micro: FAIL: media set-up: \(error)")
            return 1
        }
        for r in results {
            let name = r.name.padding(toLength: 32, withPad: " ", startingAt: 0)
            print(name + String(format: "%10.0f ns/op %8.2f mallocs/op", r.nsPerOp, r.mallocsPerOp))
        }
        if let json = try? JSONEncoder().encode(results), let text = String(data: json, encoding: .utf8) {
            print(text)
        }
        guard check || mallocsOnly else { return 0 }
        return verify(results, thresholdsPath: thresholdsPath, mallocsOnly: mallocsOnly) ? 0 : 1
    }

    /// Runs `body` `iterations` times after a warm-up; counts time and allocations.
    static func measure(_ name: String, _ iterations: Int, _ body: () -> Void) -> Result {
        for _ in 0..<max(10, iterations / 10) { body() }
        tandem_malloc_count_enable(1)
        let m0 = tandem_malloc_count()
        let t0 = tandem_monotonic_ns(0)
        for _ in 0..<iterations { body() }
        let t1 = tandem_monotonic_ns(0)
        let m1 = tandem_malloc_count()
        tandem_malloc_count_enable(0)
        return Result(name: name, nsPerOp: Double(t1 - t0) / Double(iterations),
                      mallocsPerOp: Double(m1 - m0) / Double(iterations))
    }

    static func verify(_ results: [Result], thresholdsPath: String, mallocsOnly: Bool) -> Bool {
        guard let data = FileManager.default.contents(atPath: thresholdsPath),
              let thresholds = try? JSONDecoder().decode([String: Threshold].self, from: data) else {
            print("micro: FAIL: cannot read \(thresholdsPath)")
            return false
        }
        var ok = true
        for r in results {
            guard let t = thresholds[r.name] else {
                print("micro: FAIL: no threshold for \(r.name)")
                ok = false
                continue
            }
            if r.mallocsPerOp > t.maxMallocsPerOp {
                print("micro: FAIL: \(r.name) makes \(r.mallocsPerOp) mallocs/op (threshold \(t.maxMallocsPerOp))")
                ok = false
            }
            if !mallocsOnly, r.nsPerOp > t.maxNsPerOp {
                print("micro: FAIL: \(r.name) takes \(Int(r.nsPerOp)) ns/op (threshold \(Int(t.maxNsPerOp)))")
                ok = false
            }
        }
        print(ok ? "micro: all within thresholds\(mallocsOnly ? " (mallocs)" : "")" : "micro: regression")
        return ok
    }
}
