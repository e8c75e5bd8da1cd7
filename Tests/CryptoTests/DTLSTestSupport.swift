// Helpers for the DTLS tests: a two-peer in-memory link (str0m tests/common.rs style) that
// moves datagrams between a client and a server endpoint, with loss, and keeps the mock clock
// in step with the wall clock when waiting for retransmission timers (OpenSSL's DTLS timer runs
// on the wall clock; see DTLSEndpoint).
@testable import Crypto
import Glibc
import Testing
import TandemBase

enum Side: Hashable { case client, server }

final class DTLSPeer {
    let endpoint: DTLSEndpoint
    var keys: DTLSSRTPKeyMaterial?
    var failure: DTLSFailure?
    var closed = false
    var connectedCount = 0
    var sentCount = 0

    init(_ endpoint: DTLSEndpoint) { self.endpoint = endpoint }

    var done: Bool { keys != nil || failure != nil || closed }
}

final class DTLSLink {
    let client: DTLSPeer
    let server: DTLSPeer
    var now = MonotonicTime(seconds: 100)
    private var started = MonotonicTime(seconds: 100)
    /// Datagrams in flight: (to, bytes).
    var queue: [(to: Side, bytes: [UInt8])] = []
    /// Decides whether the n-th datagram (0-based, per sending side) is lost.
    var drop: (Side, Int) -> Bool = { _, _ in false }
    /// Content-based loss: sees the datagram too (applied after `drop`).
    var dropDatagram: (Side, [UInt8]) -> Bool = { _, _ in false }
    var timersFired = 0
    var delivered = 0

    init(client: DTLSEndpoint, server: DTLSEndpoint) {
        self.client = DTLSPeer(client)
        self.server = DTLSPeer(server)
    }

    func peer(_ s: Side) -> DTLSPeer { s == .client ? client : server }

    func absorb(_ outputs: [DTLSEndpoint.Output], from side: Side) {
        let p = peer(side)
        for o in outputs {
            switch o {
            case .send(let d):
                let n = p.sentCount
                p.sentCount += 1
                if !drop(side, n) && !dropDatagram(side, d) { queue.append((to: side == .client ? .server : .client, bytes: d)) }
            case .connected(let k):
                p.keys = k
                p.connectedCount += 1
            case .failed(let f):
                #expect(p.failure == nil, "failed reported twice")
                p.failure = f
            case .closed:
                p.closed = true
            }
        }
    }

    /// Starts both and runs until both are done (connected/failed) or nothing can happen.
    /// Waits for timers by sleeping the wall clock as far as the mock clock advances.
    func run(maxSteps: Int = 500) {
        absorb(server.endpoint.start(now: now), from: .server)
        absorb(client.endpoint.start(now: now), from: .client)
        pump(maxSteps: maxSteps)
    }

    func pump(maxSteps: Int = 500) {
        for _ in 0..<maxSteps {
            if client.done && server.done && queue.isEmpty { return }
            if !queue.isEmpty {
                let (to, bytes) = queue.removeFirst()
                delivered += 1
                absorb(peer(to).endpoint.receive(datagram: bytes, now: now), from: to)
                continue
            }
            let deadlines = [Side.client, .server].compactMap { s in peer(s).endpoint.nextTimeout.map { (s, $0) } }
            guard let next = deadlines.min(by: { $0.1 < $1.1 }) else { return }
            advance(to: next.1)
            for (s, t) in deadlines where t <= now {
                timersFired += 1
                absorb(peer(s).endpoint.timerFired(now: now), from: s)
            }
        }
    }

    /// Moves the mock clock forward, sleeping the wall clock by the same amount.
    func advance(to t: MonotonicTime) {
        guard t > now else { return }
        let ns = t.nanoseconds - now.nanoseconds
        usleep(useconds_t(ns / 1000 + 200))
        now = t
    }
}

/// A client/server pair of endpoints with fresh certificates that know each other's fingerprints.
func makePair(clientProfiles: [DTLSSRTPProfile] = DTLSSRTPProfile.defaultPreference,
              serverProfiles: [DTLSSRTPProfile] = DTLSSRTPProfile.defaultPreference,
              initialTimeout: Double = 0.02, maxTimeout: Double = 0.08, maxRetransmissions: Int = 6,
              clientExpects: ((DTLSCertificate) -> DTLSFingerprint?)? = nil,
              serverExpects: ((DTLSCertificate) -> DTLSFingerprint?)? = nil) throws -> (DTLSLink, DTLSCertificate, DTLSCertificate) {
    let cc = try DTLSCertificate.generateSelfSigned(commonName: "client")
    let sc = try DTLSCertificate.generateSelfSigned(commonName: "server")
    let client = try DTLSEndpoint(
        certificate: cc, remoteFingerprint: clientExpects.map { $0(sc) } ?? sc.fingerprint,
        configuration: .init(role: .client, profiles: clientProfiles, initialRetransmitTimeout: initialTimeout,
                             maxRetransmitTimeout: maxTimeout, maxRetransmissions: maxRetransmissions))
    let server = try DTLSEndpoint(
        certificate: sc, remoteFingerprint: serverExpects.map { $0(cc) } ?? cc.fingerprint,
        configuration: .init(role: .server, profiles: serverProfiles, initialRetransmitTimeout: initialTimeout,
                             maxRetransmitTimeout: maxTimeout, maxRetransmissions: maxRetransmissions))
    return (DTLSLink(client: client, server: server), cc, sc)
}
