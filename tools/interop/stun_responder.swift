// A UDP ICE-lite responder around STUN's ICELiteAgent, for live interop runs
// (tools/interop/aioice.sh). Compiled with Sources/STUN and Sources/TandemBase as one module.
//
//   stun_responder PORT UFRAG PWD REMOTE_UFRAG SECONDS
//
// Answers STUN on 0.0.0.0:PORT, prints every agent event as a line ("event nominated ..."),
// and echoes any non-STUN datagram to the nominated remote address (the latch), then exits
// after SECONDS printing the counters.
import Glibc

@main
struct Responder {
    static func main() {
        let args = CommandLine.arguments
        guard args.count == 6, let port = UInt16(args[1]), let seconds = Double(args[5]) else {
            fputs("usage: stun_responder PORT UFRAG PWD REMOTE_UFRAG SECONDS\n", stderr)
            exit(2)
        }
        var agent = ICELiteAgent(local: ICEShortTermCredentials(ufrag: args[2], pwd: args[3]),
                                 remote: ICEShortTermCredentials(ufrag: args[4], pwd: ""),
                                 configuration: .init(software: "Tandem interop"))
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = port.bigEndian
        sin.sin_addr.s_addr = 0
        let bound = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard fd >= 0, bound == 0 else { perror("bind"); exit(1) }
        var tv = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let localAddress = TransportAddress(ip: .v4(0), port: port)

        var input = [UInt8](repeating: 0, count: 2048)
        var output = [UInt8](repeating: 0, count: 1500)
        let start = now()
        var latched: sockaddr_in? = nil
        setvbuf(stdout, nil, _IOLBF, 0)
        print("ready")
        while now().seconds(since: start) < seconds {
            var peer = sockaddr_in()
            var peerLength = socklen_t(MemoryLayout<sockaddr_in>.size)
            let n = input.withUnsafeMutableBytes { buf in
                withUnsafeMutablePointer(to: &peer) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, buf.baseAddress, buf.count, 0, $0, &peerLength) }
                }
            }
            agent.handleTimeout(now: now())
            if n > 0 {
                let from = TransportAddress(ip: .v4(UInt32(bigEndian: peer.sin_addr.s_addr)), port: UInt16(bigEndian: peer.sin_port))
                if input[0] <= 3 {
                    let outcome = input.withUnsafeBytes { d in
                        output.withUnsafeMutableBytes {
                            agent.handle(UnsafeRawBufferPointer(rebasing: d[0..<n]), from: from, to: localAddress, now: now(), response: $0)
                        }
                    }
                    print("stun \(from) -> \(outcome)")
                    if outcome.responseLength > 0 { send(fd, output, outcome.responseLength, peer) }
                } else if let target = latched {
                    send(fd, Array(input[0..<n]), n, target)
                }
            }
            while let event = agent.pollEvent() {
                print("event \(event)")
                if case .nominated(let remote, _) = event, case .v4(let a) = remote.ip {
                    var t = sockaddr_in()
                    t.sin_family = sa_family_t(AF_INET)
                    t.sin_port = remote.port.bigEndian
                    t.sin_addr.s_addr = a.bigEndian
                    latched = t
                }
            }
        }
        print("counters \(agent.counters)")
    }

    static func now() -> MonotonicTime {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return MonotonicTime(nanoseconds: UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec))
    }

    static func send(_ fd: Int32, _ bytes: [UInt8], _ count: Int, _ to: sockaddr_in) {
        var t = to
        _ = bytes.withUnsafeBytes { b in
            withUnsafePointer(to: &t) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, b.baseAddress, count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }
}
