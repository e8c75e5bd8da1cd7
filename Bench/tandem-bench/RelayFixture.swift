import CTandemSys
import CallModel
import MediaIO
import TandemBase

// An in-process relay for the benches: one started PacketLoop with `calls` calls configured the
// way the call model will (two ports per side), A's remote being the generator's send socket and
// B's remote its receive socket. With `srtp`, B's sockets protect what they send (RTP in from
// the generator, SRTP out to it: AES_CM_128_HMAC_SHA1_80, one context per call).

final class RelayFixture {
    let loop: PacketLoop
    let generator: Generator
    let calls: Int

    /// With `transcode`, A's RTP sockets transcode what the generator sends by that plan
    /// (`input` describes what the generator sends: PT, payload, timestamp step).
    init?(calls: Int, portSlice: ClosedRange<UInt16>, cpu: Int?, srtp: Bool = false,
          transcode: TranscodePlan? = nil, input: (payloadType: UInt8, payload: [UInt8], timestampStep: UInt32)? = nil) {
        self.calls = calls
        var options = PacketLoop.Options(cpu: cpu)
        options.receiveBufferBytes = 4 << 20
        options.sendBufferBytes = 4 << 20
        loop = PacketLoop(index: 0, portSlice: portSlice, options: options)
        loop.start()
        let interface = LocalInterface(name: "bench", address: .v4(0x7f00_0001))
        guard let sides = loop.sync({ ctx -> [[SocketHandle]]? in
            var out: [[SocketHandle]] = []
            for _ in 0..<(2 * calls) {
                guard let pair = ctx.plane.openPorts(on: interface, count: 2) else { return nil }
                out.append(pair)
            }
            return out
        }) ?? nil else {
            loop.stop()
            return nil
        }
        let targets = (0..<calls).map { TransportAddress(ip: interface.address, port: sides[2 * $0][0].port) }
        generator = input.map { Generator(targets: targets, payloadType: $0.payloadType, payload: $0.payload, timestampStep: $0.timestampStep) }
            ?? Generator(targets: targets)
        let aRemote = generator.sendAddress, bRemote = generator.receiveAddress
        _ = loop.sync { ctx in
            for k in 0..<calls {
                let a = sides[2 * k], b = sides[2 * k + 1]
                Self.wire(ctx.plane, side: a, remote: aRemote, peer: b, transcode: transcode)
                Self.wire(ctx.plane, side: b, remote: bRemote, peer: a, encrypt: srtp ? Self.key(k) : nil)
            }
        }
    }

    private static func wire(_ plane: MediaPlane, side: [SocketHandle], remote: TransportAddress, peer: [SocketHandle],
                             encrypt: SRTPParameters? = nil, transcode: TranscodePlan? = nil) {
        var rtp = SocketForwarding(remote: remote, rtpOut: peer[0], rtcpOut: peer[1], acceptsRTCP: false,
                                   latching: LatchingPolicy(), encrypt: encrypt)
        rtp.transcode = transcode
        plane.configure(side[0], rtp)
        plane.configure(side[1], SocketForwarding(remote: nil, rtpOut: nil, rtcpOut: peer[1], acceptsRTCP: true,
                                                  latching: LatchingPolicy(), encrypt: encrypt))
    }

    /// A distinct SRTP key per call.
    static func key(_ call: Int) -> SRTPParameters {
        SRTPParameters(suite: "AES_CM_128_HMAC_SHA1_80",
                       masterKey: (0..<16).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ call) },
                       masterSalt: (0..<14).map { UInt8(truncatingIfNeeded: $0 &* 5 &+ call &+ 1) })
    }

    var counters: LoopCounters { loop.sync { $0.counters } ?? LoopCounters() }

    /// CPU time of the loop thread (user, system) in nanoseconds.
    var loopCPU: (user: UInt64, system: UInt64) {
        loop.sync { _ -> (UInt64, UInt64) in
            var u: UInt64 = 0, s: UInt64 = 0
            _ = tandem_thread_cputime(&u, &s)
            return (u, s)
        } ?? (0, 0)
    }

    func stop() { loop.stop() }
}

/// Parses `--name value` options and `--flag`s (a name followed by another option or nothing);
/// unknown names and bad values are reported.
struct BenchArguments {
    private var values: [String: String] = [:]
    private(set) var errors: [String] = []

    init(_ args: ArraySlice<String>) {
        let list = Array(args)
        var i = 0
        while i < list.count {
            let a = list[i]
            guard a.hasPrefix("--") else {
                errors.append("expected --name [value], got \(a)")
                i += 1
                continue
            }
            let hasValue = i + 1 < list.count && !list[i + 1].hasPrefix("--")
            values[String(a.dropFirst(2))] = hasValue ? list[i + 1] : ""
            i += hasValue ? 2 : 1
        }
    }

    /// A valueless option: present or not.
    mutating func flag(_ name: String) -> Bool {
        values.removeValue(forKey: name) != nil
    }

    mutating func string(_ name: String, _ fallback: String) -> String {
        values.removeValue(forKey: name) ?? fallback
    }

    mutating func int(_ name: String, _ fallback: Int, in range: ClosedRange<Int>) -> Int {
        guard let s = values.removeValue(forKey: name) else { return fallback }
        guard let v = Int(s), range.contains(v) else {
            errors.append("--\(name) must be an integer in \(range)")
            return fallback
        }
        return v
    }

    mutating func double(_ name: String, _ fallback: Double, in range: ClosedRange<Double>) -> Double {
        guard let s = values.removeValue(forKey: name) else { return fallback }
        guard let v = Double(s), range.contains(v) else {
            errors.append("--\(name) must be a number in \(range)")
            return fallback
        }
        return v
    }

    /// Errors, including options nobody asked for.
    var allErrors: [String] { errors + values.keys.sorted().map { "unknown option --\($0)" } }
}
