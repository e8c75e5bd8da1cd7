import Benchmark
import Foundation
import TandemBase

// Tandem's micro-benchmarks on ordo-one `benchmark`: the workloads of `tandem-bench micro` and
// `relay-mallocs` (the files beside this one are symlinks into Bench/tandem-bench), each measured
// for time and heap allocations (malloc-interposer: every thread of the process is counted).
//
// One iteration is one operation: a bencode decode, an SDP parse+serialize, a whole call's
// offer/answer/delete (the SDP rewrite both ways), one 20 ms frame through a transcode path, one
// 172-byte packet through SRTP; for the relay pipeline, a burst of `relayBurst` packets through a
// started PacketLoop on loopback (generator -> A -> B -> generator). Steady-state media paths
// must not allocate: their checked-in threshold (Thresholds/) is 0 mallocs per iteration; the
// control paths' thresholds are today's exact counts, so any increase shows.

/// `SRTPPackets.swift` (shared with tandem-bench) extends this with the packet arena helpers.
enum SRTPBench {}

/// Packets per relay-pipeline iteration (the malloc threshold is per iteration: 0 is 0 per packet).
let relayBurst = 1000

/// Loopback ports the relay fixture may bind (TANDEM_MICRO_PORTS="min-max", default 27400-27499).
func relayPorts() -> ClosedRange<UInt16> {
    let spec = ProcessInfo.processInfo.environment["TANDEM_MICRO_PORTS"] ?? "27400-27499"
    let parts = spec.split(separator: "-").compactMap { UInt16($0) }
    guard parts.count == 2, parts[0] < parts[1] else { fatalError("TANDEM_MICRO_PORTS must be min-max, got \(spec)") }
    return parts[0]...parts[1]
}

/// Bounded by time and count: every benchmark stops after 1 s or its iteration cap.
func configuration(maxIterations: Int) -> Benchmark.Configuration {
    .init(metrics: [.wallClock, .mallocCountTotal, .throughput],
          warmupIterations: 10,
          maxDuration: .seconds(1),
          maxIterations: maxIterations,
          // Tolerances around the static p90 thresholds in Thresholds/*.p90.json: none on
          // allocations (deterministic: exact counts); wall-clock time is noisy on a shared
          // 2-core machine, so only a p90 beyond 3.5x its threshold fails.
          thresholds: [.mallocCountTotal: .init(absolute: [.p90: 0]),
                       .wallClock: .init(relative: [.p90: 250])])
}

/// Control path: decode an ng offer, SDP parse+serialize, and a call's offer/answer/delete.
func controlBenchmarks() {
    Benchmark("bencode-decode-offer", configuration: configuration(maxIterations: 20_000)) { benchmark in
        for _ in benchmark.scaledIterations { Workloads.decodeOffer() }
    }
    Benchmark("sdp-parse-serialize", configuration: configuration(maxIterations: 20_000)) { benchmark in
        for _ in benchmark.scaledIterations { Workloads.parseSerializeSDP() }
    }
    Benchmark("sdp-rewrite-offer-answer-delete", configuration: configuration(maxIterations: 5_000)) { benchmark in
        for _ in benchmark.scaledIterations { Workloads.offerAnswerDelete() }
    }
}

/// Media path: transcode per 20 ms frame and SRTP per packet, as `tandem-bench micro` runs them.
func mediaBenchmarks() {
    // SRTP needs a fresh packet per operation: prepare more than the iteration cap plus warm-up.
    let cases: [(name: String, iterations: Int, body: () -> Void)]
    do {
        cases = try MediaWorkloads.cases(iterations: 20_000)
    } catch {
        fatalError("media set-up: \(error)")
    }
    for c in cases {
        let cap = min(c.iterations, 20_000)
        Benchmark(c.name, configuration: configuration(maxIterations: cap)) { benchmark in
            for _ in benchmark.scaledIterations { c.body() }
        }
    }
}

/// The relay pipeline: real sockets on loopback, the data plane's PacketLoop relaying two calls.
func relayBenchmark() {
    nonisolated(unsafe) var fixture: RelayFixture?
    nonisolated(unsafe) var sequence = 0
    Benchmark("relay-pipeline-1000-packets", configuration: configuration(maxIterations: 200)) { benchmark in
        guard let f = fixture else { fatalError("relay fixture missing") }
        for _ in benchmark.scaledIterations {
            let r = f.generator.pump(total: relayBurst, seconds: 5, window: 64, firstSequence: sequence)
            sequence += r.sent
            precondition(r.received > 0, "relay pipeline: nothing came back")
        }
    } setup: {
        guard let f = RelayFixture(calls: 2, portSlice: relayPorts(), cpu: nil) else {
            fatalError("relay pipeline: could not open 8 ports in \(relayPorts())")
        }
        // Warm-up outside the measured iterations: latching, stats and lazy runtime set-up.
        sequence = f.generator.pump(total: 5_000, seconds: 5, window: 64).sent
        fixture = f
    } teardown: {
        fixture?.stop()
        fixture = nil
    }
}

let benchmarks: @Sendable () -> Void = {
    controlBenchmarks()
    mediaBenchmarks()
    relayBenchmark()
}
