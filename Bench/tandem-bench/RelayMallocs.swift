import CMallocCounter
import Glibc

// `tandem-bench relay-mallocs`: proves the relay path makes no heap allocation per packet.
// The malloc counter is enabled only around the steady-state pump (generator and relay both
// allocation-free there); set-up, warm-up and printing stay outside the window.

nonisolated(unsafe) private var counterProbe: [Int] = []

enum RelayMallocs {
    static func run(_ arguments: ArraySlice<String>) -> Int32 {
        var args = BenchArguments(arguments)
        let packets = args.int("packets", 200_000, in: 1...50_000_000)
        let calls = args.int("calls", 10, in: 1...1000)
        let seconds = args.double("seconds", 30, in: 0.1...300)
        let portMin = args.int("port-min", 22000, in: 1024...65534)
        let portMax = args.int("port-max", 29999, in: 1025...65535)
        guard args.allErrors.isEmpty, portMin < portMax else {
            for e in args.allErrors { print("relay-mallocs: \(e)") }
            print("usage: tandem-bench relay-mallocs [--packets N] [--calls C] [--seconds S] [--port-min P] [--port-max P]")
            return 2
        }
        guard counterWorks() else {
            print("relay-mallocs: FAIL: the malloc counter does not see allocations (interposer not linked?)")
            return 1
        }
        guard let fixture = RelayFixture(calls: calls, portSlice: UInt16(portMin)...UInt16(portMax), cpu: nil) else {
            print("relay-mallocs: could not open \(4 * calls) ports in \(portMin)-\(portMax)")
            return 2
        }
        defer { fixture.stop() }
        // Warm-up: first-packet paths (latching, SSRC stats) and lazy runtime set-up run here.
        _ = fixture.generator.pump(total: min(packets, 20_000), seconds: 5, window: 64)
        let before = fixture.counters

        tandem_malloc_count_enable(1)
        let m0 = tandem_malloc_count()
        let r = fixture.generator.pump(total: packets, seconds: seconds, window: 64, firstSequence: 20_000)
        let m1 = tandem_malloc_count()
        tandem_malloc_count_enable(0)

        let after = fixture.counters
        let relayed = after.packetsRelayed - before.packetsRelayed
        let mallocs = m1 - m0
        let perPacket = relayed > 0 ? Double(mallocs) / Double(relayed) : 0
        let pps = r.nanoseconds > 0 ? Double(r.received) * 1e9 / Double(r.nanoseconds) : 0
        print("""
        {"bench": "relay-mallocs", "calls": \(calls), "packets_sent": \(r.sent), "packets_received": \(r.received), \
        "packets_relayed": \(relayed), "drops": \(after.drops - before.drops), \
        "kernel_overflows": \(after.kernelOverflows - before.kernelOverflows), \
        "mallocs": \(mallocs), "mallocs_per_packet": \(perPacket), \
        "seconds": \(Double(r.nanoseconds) / 1e9), "pps": \(Int(pps))}
        """)
        if relayed == 0 {
            print("relay-mallocs: FAIL: nothing was relayed")
            return 1
        }
        if mallocs > 0 {
            print("relay-mallocs: FAIL: \(mallocs) allocations during the steady-state window")
            return 1
        }
        return 0
    }

    /// The interposer must count a known allocation, or a 0 below would prove nothing.
    private static func counterWorks() -> Bool {
        tandem_malloc_count_enable(1)
        let before = tandem_malloc_count()
        counterProbe = [Int](repeating: 1, count: 100)  // escapes to a global: cannot be elided
        let after = tandem_malloc_count()
        tandem_malloc_count_enable(0)
        counterProbe = []
        return after > before
    }
}
