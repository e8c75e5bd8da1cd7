import CTandemSys
import Glibc

// `tandem-bench relay-pps`: floods a few calls for a fixed time through one pinned loop and
// reports relayed pps and CPU per packet (the loop thread's getrusage, and the process's).
// The generator keeps at most `window` packets unanswered, so it drives the relay near
// saturation without filling socket buffers.

enum RelayPPS {
    static func run(_ arguments: ArraySlice<String>) -> Int32 {
        var args = BenchArguments(arguments)
        let seconds = args.double("seconds", 5, in: 0.5...60)
        let calls = args.int("calls", 4, in: 1...1000)
        let window = args.int("window", 256, in: 1...4096)
        let relayCPU = args.int("cpu", 1, in: -1...1023)
        let generatorCPU = args.int("generator-cpu", 0, in: -1...1023)
        let portMin = args.int("port-min", 22000, in: 1024...65534)
        let portMax = args.int("port-max", 29999, in: 1025...65535)
        guard args.allErrors.isEmpty, portMin < portMax else {
            for e in args.allErrors { print("relay-pps: \(e)") }
            print("usage: tandem-bench relay-pps [--seconds S] [--calls C] [--window W] [--cpu N] [--generator-cpu N] [--port-min P] [--port-max P]  (cpu -1 = unpinned)")
            return 2
        }
        if generatorCPU >= 0 { _ = tandem_pin_thread(Int32(generatorCPU)) }
        guard let fixture = RelayFixture(calls: calls, portSlice: UInt16(portMin)...UInt16(portMax), cpu: relayCPU >= 0 ? relayCPU : nil) else {
            print("relay-pps: could not open \(4 * calls) ports in \(portMin)-\(portMax)")
            return 2
        }
        defer { fixture.stop() }
        _ = fixture.generator.pump(total: 50_000, seconds: 1, window: window)  // warm-up

        let c0 = fixture.counters, cpu0 = fixture.loopCPU
        var pu0: UInt64 = 0, ps0: UInt64 = 0
        _ = tandem_process_cputime(&pu0, &ps0)
        let r = fixture.generator.pump(total: 100_000_000, seconds: seconds, window: window, firstSequence: 50_000)
        var pu1: UInt64 = 0, ps1: UInt64 = 0
        _ = tandem_process_cputime(&pu1, &ps1)
        let c1 = fixture.counters, cpu1 = fixture.loopCPU

        let relayed = c1.packetsRelayed - c0.packetsRelayed
        let elapsed = Double(r.nanoseconds) / 1e9
        let loopUser = cpu1.user - cpu0.user, loopSystem = cpu1.system - cpu0.system
        let perPacket = { (ns: UInt64) in relayed > 0 ? Double(ns) / Double(relayed) : 0 }
        let receiveCalls = c1.receiveCalls - c0.receiveCalls
        print("""
        {"bench": "relay-pps", "calls": \(calls), "seconds": \(elapsed), "window": \(window), \
        "packets_sent": \(r.sent), "packets_received": \(r.received), "packets_relayed": \(relayed), \
        "relayed_pps": \(Int(Double(relayed) / elapsed)), "received_pps": \(Int(Double(r.received) / elapsed)), \
        "loop_cpu_ns_per_packet": \(Int(perPacket(loopUser + loopSystem))), "loop_user_ns_per_packet": \(Int(perPacket(loopUser))), \
        "loop_cpu_utilization": \(Double(loopUser + loopSystem) / Double(r.nanoseconds)), \
        "process_cpu_ns_per_packet": \(Int(perPacket((pu1 - pu0) + (ps1 - ps0)))), \
        "packets_per_recvmmsg": \(receiveCalls > 0 ? Double(c1.packetsReceived - c0.packetsReceived) / Double(receiveCalls) : 0), \
        "drops": \(c1.drops - c0.drops), "kernel_overflows": \(c1.kernelOverflows - c0.kernelOverflows)}
        """)
        return relayed > 0 ? 0 : 1
    }
}
