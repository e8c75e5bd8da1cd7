import CMallocCounter
import CallModel
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
        let srtp = args.int("srtp", 0, in: 0...1) == 1
        guard args.allErrors.isEmpty, portMin < portMax else {
            for e in args.allErrors { print("relay-mallocs: \(e)") }
            print("usage: tandem-bench relay-mallocs [--packets N] [--calls C] [--seconds S] [--port-min P] [--port-max P] [--srtp 0|1]")
            return 2
        }
        guard counterWorks() else {
            print("relay-mallocs: FAIL: the malloc counter does not see allocations (interposer not linked?)")
            return 1
        }
        // With --srtp 1: the plain relay first, then RTP in -> SRTP out, same calls and packets.
        var modes = [false]
        if srtp { modes.append(true) }
        var results: [Measurement] = []
        for mode in modes {
            guard let fixture = RelayFixture(calls: calls, portSlice: UInt16(portMin)...UInt16(portMax), cpu: nil, srtp: mode) else {
                print("relay-mallocs: could not open \(4 * calls) ports in \(portMin)-\(portMax)")
                return 2
            }
            let m = measure(fixture, packets: packets, seconds: seconds)
            fixture.stop()
            print("""
            {"bench": "relay-mallocs", "mode": "\(mode ? "rtp-to-srtp" : "plain")", "calls": \(calls), \
            "packets_sent": \(m.sent), "packets_received": \(m.received), \
            "packets_relayed": \(m.relayed), "bytes_per_relayed_packet": \(m.relayed > 0 ? m.bytesRelayed / m.relayed : 0), "drops": \(m.drops), "drops_srtp": \(m.dropsSRTP), \
            "kernel_overflows": \(m.kernelOverflows), \
            "mallocs": \(m.mallocs), "mallocs_per_packet": \(m.relayed > 0 ? Double(m.mallocs) / Double(m.relayed) : 0), \
            "loop_user_ns_per_packet": \(m.relayed > 0 ? Int(Double(m.loopUser) / Double(m.relayed)) : 0), \
            "loop_cpu_ns_per_packet": \(m.relayed > 0 ? Int(Double(m.loopUser + m.loopSystem) / Double(m.relayed)) : 0), \
            "seconds": \(Double(m.nanoseconds) / 1e9), "pps": \(Int(m.pps))}
            """)
            results.append(m)
        }
        if results.count == 2, results[0].pps > 0 {
            print("relay-mallocs: rtp-to-srtp pps / plain pps = \(Double(Int(results[1].pps / results[0].pps * 1000)) / 1000)")
        }
        var failed = false
        for (m, mode) in zip(results, modes) {
            let name = mode ? "rtp-to-srtp" : "plain"
            if m.relayed == 0 {
                print("relay-mallocs: FAIL (\(name)): nothing was relayed")
                failed = true
            }
            if m.mallocs > 0 {
                print("relay-mallocs: FAIL (\(name)): \(m.mallocs) allocations during the steady-state window")
                failed = true
            }
        }
        return failed ? 1 : 0
    }

    struct Measurement {
        var sent = 0, received = 0, nanoseconds: UInt64 = 0
        var relayed: UInt64 = 0, bytesRelayed: UInt64 = 0, drops: UInt64 = 0, dropsSRTP: UInt64 = 0, kernelOverflows: UInt64 = 0
        var mallocs: Int = 0
        var loopUser: UInt64 = 0, loopSystem: UInt64 = 0
        var pps: Double { nanoseconds > 0 ? Double(received) * 1e9 / Double(nanoseconds) : 0 }
    }

    private static func measure(_ fixture: RelayFixture, packets: Int, seconds: Double) -> Measurement {
        // Warm-up: first-packet paths (latching, SSRC stats, SRTP streams) and lazy runtime set-up run here.
        _ = fixture.generator.pump(total: min(packets, 20_000), seconds: 5, window: 64)
        let before = fixture.counters
        let cpu0 = fixture.loopCPU

        tandem_malloc_count_enable(1)
        let m0 = tandem_malloc_count()
        let r = fixture.generator.pump(total: packets, seconds: seconds, window: 64, firstSequence: 20_000)
        let m1 = tandem_malloc_count()
        tandem_malloc_count_enable(0)

        let after = fixture.counters
        let cpu1 = fixture.loopCPU
        var m = Measurement()
        m.sent = r.sent
        m.received = r.received
        m.nanoseconds = r.nanoseconds
        m.relayed = after.packetsRelayed - before.packetsRelayed
        m.bytesRelayed = after.bytesRelayed - before.bytesRelayed
        m.drops = after.drops - before.drops
        m.dropsSRTP = (after.dropsSRTP + after.dropsSRTPProtect) - (before.dropsSRTP + before.dropsSRTPProtect)
        m.kernelOverflows = after.kernelOverflows - before.kernelOverflows
        m.mallocs = Int(m1 - m0)
        m.loopUser = cpu1.user - cpu0.user
        m.loopSystem = cpu1.system - cpu0.system
        return m
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
