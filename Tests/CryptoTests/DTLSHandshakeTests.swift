@testable import Crypto
import COpenSSL
import Testing
import TandemBase

@Suite("DTLS handshake between two endpoints")
struct DTLSHandshakeTests {
    @Test func twoPeersDeriveTheSameKeys() throws {
        let (link, _, _) = try makePair()
        link.run()
        let ck = try #require(link.client.keys, "client: \(String(describing: link.client.failure))")
        let sk = try #require(link.server.keys, "server: \(String(describing: link.server.failure))")
        #expect(link.timersFired == 0)
        #expect(ck.isClient && !sk.isClient)
        #expect(ck.profile == .aes128CmSha1_80 && sk.profile == .aes128CmSha1_80)
        #expect(ck.local == sk.remote)
        #expect(ck.remote == sk.local)
        #expect(ck.client == sk.client && ck.server == sk.server)
        #expect(ck.local.key.count == 16 && ck.local.salt.count == 14)
        #expect(ck.local != ck.remote)
        #expect(link.client.connectedCount == 1 && link.server.connectedCount == 1)
        #expect(link.client.endpoint.isConnected && link.server.endpoint.isConnected)
        #expect(link.client.endpoint.nextTimeout == nil && link.server.endpoint.nextTimeout == nil)
    }

    @Test func datagramsRespectTheMTU() throws {
        let (link, _, _) = try makePair()
        var sizes: [Int] = []
        link.absorb(link.server.endpoint.start(now: link.now), from: .server)
        link.absorb(link.client.endpoint.start(now: link.now), from: .client)
        for _ in 0..<50 where !link.queue.isEmpty {
            let (to, bytes) = link.queue.removeFirst()
            sizes.append(bytes.count)
            link.absorb(link.peer(to).endpoint.receive(datagram: bytes, now: link.now), from: to)
        }
        #expect(link.client.keys != nil && link.server.keys != nil)
        #expect(sizes.allSatisfy { $0 <= 1200 }, "\(sizes)")
        #expect(sizes.allSatisfy { $0 >= 13 })
    }

    @Test(arguments: [
        // (client offers, server prefers, expected)
        ([DTLSSRTPProfile.aes128CmSha1_32, .aes128CmSha1_80], [DTLSSRTPProfile.aes128CmSha1_80, .aes128CmSha1_32], DTLSSRTPProfile.aes128CmSha1_80),
        ([.aeadAes256Gcm, .aes128CmSha1_80], [.aes128CmSha1_32, .aeadAes256Gcm, .aes128CmSha1_80], .aeadAes256Gcm),
        ([.aeadAes128Gcm], DTLSSRTPProfile.defaultPreference, .aeadAes128Gcm),
        ([.aes128CmSha1_32], DTLSSRTPProfile.defaultPreference, .aes128CmSha1_32),
    ])
    func negotiatedProfileIsOneBothOffered(client: [DTLSSRTPProfile], server: [DTLSSRTPProfile], expected: DTLSSRTPProfile) throws {
        let (link, _, _) = try makePair(clientProfiles: client, serverProfiles: server)
        link.run()
        let ck = try #require(link.client.keys)
        let sk = try #require(link.server.keys)
        #expect(ck.profile == expected && sk.profile == expected)
        #expect(ck.local == sk.remote && ck.remote == sk.local)
        #expect(ck.local.key.count == expected.masterKeyLength)
        #expect(ck.local.salt.count == expected.masterSaltLength)
    }

    @Test func noCommonProfileFailsBothSides() throws {
        let (link, _, _) = try makePair(clientProfiles: [.aeadAes256Gcm], serverProfiles: [.aes128CmSha1_80])
        link.run()
        #expect(link.client.keys == nil && link.server.keys == nil)
        #expect(link.client.failure != nil)
    }

    @Test func fingerprintMismatchFailsWithoutKeys() throws {
        let other = try DTLSCertificate.generateSelfSigned()
        // The client expects some other certificate than the server's.
        let (link, _, sc) = try makePair(clientExpects: { _ in other.fingerprint })
        link.run()
        #expect(link.client.keys == nil)
        #expect(link.server.keys == nil)
        #expect(link.client.failure == .fingerprintMismatch(expected: other.fingerprint, actual: sc.fingerprint))
        #expect(link.server.failure != nil, "the client's alert fails the server too")
        #expect(link.client.endpoint.isFinished)
    }

    @Test func serverRejectsClientWithWrongFingerprint() throws {
        let other = try DTLSCertificate.generateSelfSigned()
        let (link, cc, _) = try makePair(serverExpects: { _ in other.fingerprint(.sha1) })
        link.run()
        #expect(link.server.keys == nil && link.client.keys == nil)
        #expect(link.server.failure == .fingerprintMismatch(expected: other.fingerprint(.sha1), actual: cc.fingerprint(.sha1)))
        #expect(link.client.failure != nil)
    }

    @Test(arguments: DTLSHashFunction.allCases)
    func anyHashFunctionOfTheRightCertificateIsAccepted(hash: DTLSHashFunction) throws {
        let (link, _, _) = try makePair(clientExpects: { $0.fingerprint(hash) }, serverExpects: { $0.fingerprint(hash) })
        link.run()
        #expect(link.client.keys != nil && link.server.keys != nil)
    }

    @Test func digestLabelledWithTheWrongHashFunctionIsAMismatch() throws {
        // A sha-256 digest announced as sha-512 (or sha-1): it cannot match; no keys.
        let (link, _, sc) = try makePair(clientExpects: { DTLSFingerprint(hashFunction: .sha512, digest: $0.fingerprint.digest) })
        link.run()
        #expect(link.client.keys == nil)
        guard case .fingerprintMismatch(let expected, let actual) = link.client.failure else {
            Issue.record("got \(String(describing: link.client.failure))"); return
        }
        #expect(expected.hashFunction == .sha512 && actual == sc.fingerprint(.sha512))
    }

    @Test func fingerprintArrivingAfterTheHandshakeReleasesHeldKeys() throws {
        let (link, cc, _) = try makePair(serverExpects: { _ in nil })
        link.run()
        #expect(link.client.keys != nil)
        #expect(link.server.keys == nil && link.server.failure == nil, "keys held back without a fingerprint")
        link.absorb(link.server.endpoint.setRemoteFingerprint(cc.fingerprint, now: link.now), from: .server)
        let sk = try #require(link.server.keys)
        #expect(sk.remote == link.client.keys?.local)
    }

    @Test func lateWrongFingerprintFails() throws {
        let (link, _, _) = try makePair(serverExpects: { _ in nil })
        link.run()
        let other = try DTLSCertificate.generateSelfSigned()
        link.absorb(link.server.endpoint.setRemoteFingerprint(other.fingerprint, now: link.now), from: .server)
        #expect(link.server.keys == nil)
        guard case .fingerprintMismatch = link.server.failure else { Issue.record("\(String(describing: link.server.failure))"); return }
    }

    @Test func closeNotifyReachesThePeer() throws {
        let (link, _, _) = try makePair()
        link.run()
        #expect(link.client.keys != nil && link.server.keys != nil)
        link.absorb(link.client.endpoint.close(now: link.now), from: .client)
        #expect(link.client.closed)
        link.pump()
        #expect(link.server.closed)
        #expect(link.server.endpoint.isFinished)
        // Nothing more happens after close.
        #expect(link.client.endpoint.close(now: link.now).isEmpty)
    }

    @Test func restartIsANewEndpointWithANewCertificate() throws {
        let (first, _, _) = try makePair()
        first.run()
        let (second, _, _) = try makePair()
        second.run()
        let a = try #require(first.client.keys), b = try #require(second.client.keys)
        #expect(a.local != b.local)
    }
}

@Suite("DTLS retransmission (OpenSSL's timer, driven through timerFired)", .serialized)
struct DTLSRetransmissionTests {
    /// Loses the first `n` datagrams sent by `side`.
    func lose(_ n: Int, from side: Side) -> (Side, Int) -> Bool {
        { s, i in s == side && i < n }
    }

    @Test func lostClientHelloIsRetransmitted() throws {
        let (link, _, _) = try makePair()
        link.drop = lose(1, from: .client)
        link.run()
        #expect(link.client.keys != nil && link.server.keys != nil)
        #expect(link.client.keys?.local == link.server.keys?.remote)
        #expect(link.timersFired >= 1)
    }

    @Test func lostServerFirstFlightIsRecovered() throws {
        let (link, _, _) = try makePair()
        link.drop = lose(1, from: .server)
        link.run()
        #expect(link.client.keys != nil && link.server.keys != nil)
        #expect(link.timersFired >= 1)
    }

    @Test func lostClientSecondFlightIsRecovered() throws {
        let (link, _, _) = try makePair()
        link.drop = { s, i in s == .client && i >= 1 && i <= 4 }
        link.run()
        #expect(link.client.keys != nil && link.server.keys != nil)
        #expect(link.client.keys?.local == link.server.keys?.remote)
    }

    @Test func lostServerFinalFlightIsResentOnTheClientsRetransmission() throws {
        // The server is done after its last flight and has no timer: only the client's
        // retransmitted Finished (with fresh record numbers) makes it resend.
        let (link, _, _) = try makePair()
        // The server's final flight starts with its ChangeCipherSpec record (content type 20).
        var dropped = 0
        link.dropDatagram = { s, d in
            guard s == .server, d.first == 20, dropped == 0 else { return false }
            dropped += 1
            return true
        }
        link.run()
        #expect(dropped == 1)
        #expect(link.client.keys != nil && link.server.keys != nil)
        #expect(link.client.keys?.local == link.server.keys?.remote)
        #expect(link.timersFired >= 1)
    }

    @Test func givesUpAfterMaxRetransmissions() throws {
        let (link, _, _) = try makePair(initialTimeout: 0.02, maxTimeout: 0.04, maxRetransmissions: 3)
        link.drop = { s, _ in s == .client } // nothing the client sends arrives
        link.run()
        #expect(link.client.keys == nil && link.server.keys == nil)
        #expect(link.client.failure == .timeout(retransmissions: 3))
        #expect(link.client.sentCount == 4, "the ClientHello and 3 retransmissions")
        #expect(link.client.endpoint.nextTimeout == nil)
        #expect(link.client.endpoint.isFinished)
    }

    @Test func earlyTimerDoesNothing() throws {
        let (link, _, _) = try makePair(initialTimeout: 1)
        let out = link.client.endpoint.start(now: link.now)
        #expect(out.count == 1)
        let due = try #require(link.client.endpoint.nextTimeout)
        #expect(due.seconds(since: link.now) > 0.9 && due.seconds(since: link.now) <= 1.0)
        #expect(link.client.endpoint.timerFired(now: link.now + 0.5).isEmpty)
        #expect(link.client.endpoint.nextTimeout == due)
    }
}

@Suite("DTLS garbage input")
struct DTLSGarbageTests {
    struct LCG { var s: UInt64; mutating func next() -> UInt64 { s = s &* 6364136223846793005 &+ 1442695040888963407; return s >> 33 } }

    func garbage(_ rng: inout LCG, dtlsLooking: Bool) -> [UInt8] {
        let n = Int(rng.next() % 300)
        var b = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        if dtlsLooking, n >= 13 {
            b[0] = 20 + UInt8(rng.next() % 4)   // a real content type
            b[1] = 0xFE; b[2] = 0xFD            // DTLS 1.2
            let len = Int(rng.next() % 400)
            b[11] = UInt8(len >> 8); b[12] = UInt8(len & 0xFF)
        }
        return b
    }

    @Test func randomDatagramsAreIgnoredDuringAndAfterTheHandshake() throws {
        var rng = LCG(s: 42)
        let (link, _, _) = try makePair()
        // Before start, and interleaved with every real datagram.
        for _ in 0..<20 {
            let g = garbage(&rng, dtlsLooking: false)
            #expect(link.server.endpoint.receive(datagram: g, now: link.now).isEmpty)
        }
        link.absorb(link.server.endpoint.start(now: link.now), from: .server)
        link.absorb(link.client.endpoint.start(now: link.now), from: .client)
        var steps = 0
        while !link.queue.isEmpty && steps < 100 {
            steps += 1
            let (to, bytes) = link.queue.removeFirst()
            for _ in 0..<3 {
                let g = garbage(&rng, dtlsLooking: false)
                link.absorb(link.peer(to).endpoint.receive(datagram: g, now: link.now), from: to)
            }
            link.absorb(link.peer(to).endpoint.receive(datagram: bytes, now: link.now), from: to)
        }
        #expect(link.client.keys != nil && link.server.keys != nil)
        for _ in 0..<200 {
            for s in [Side.client, .server] {
                let out = link.peer(s).endpoint.receive(datagram: garbage(&rng, dtlsLooking: true), now: link.now)
                link.absorb(out, from: s)
            }
        }
        #expect(link.client.failure == nil && link.server.failure == nil)
        #expect(link.client.endpoint.isConnected && link.server.endpoint.isConnected)
        #expect(link.client.connectedCount == 1 && link.server.connectedCount == 1)
    }

    @Test func plausibleRecordHeadersWithJunkBodiesNeverCrash() throws {
        var rng = LCG(s: 7)
        for round in 0..<20 {
            let (link, _, _) = try makePair()
            link.absorb(link.server.endpoint.start(now: link.now), from: .server)
            link.absorb(link.client.endpoint.start(now: link.now), from: .client)
            var steps = 0
            while !link.queue.isEmpty && steps < 100 {
                steps += 1
                var (to, bytes) = link.queue.removeFirst()
                if rng.next() % 3 == 0 {
                    // Corrupt a real datagram: flip bytes or truncate.
                    if rng.next() % 2 == 0, bytes.count > 14 {
                        bytes = Array(bytes.prefix(13 + Int(rng.next() % UInt64(bytes.count - 13))))
                    } else {
                        for _ in 0..<3 { let i = Int(rng.next() % UInt64(bytes.count)); bytes[i] ^= UInt8(truncatingIfNeeded: rng.next() | 1) }
                    }
                }
                link.absorb(link.peer(to).endpoint.receive(datagram: garbage(&rng, dtlsLooking: true), now: link.now), from: to)
                link.absorb(link.peer(to).endpoint.receive(datagram: bytes, now: link.now), from: to)
            }
            // Either side may have failed or be stuck waiting; keys only if both agree.
            if let c = link.client.keys, let s = link.server.keys {
                #expect(c.local == s.remote, "round \(round)")
            }
            if link.client.failure != nil { #expect(link.client.keys == nil) }
            if link.server.failure != nil { #expect(link.server.keys == nil) }
        }
    }

    @Test func nonDTLSFirstBytesAreIgnored() throws {
        let (link, _, _) = try makePair()
        for first: UInt8 in [0, 1, 3, 16, 19, 64, 79, 128, 191, 255] {
            var d = [UInt8](repeating: 0, count: 40)
            d[0] = first
            #expect(link.server.endpoint.receive(datagram: d, now: link.now).isEmpty)
        }
        #expect(link.server.endpoint.receive(datagram: [], now: link.now).isEmpty)
        #expect(link.server.endpoint.receive(datagram: [22], now: link.now).isEmpty)
        link.run()
        #expect(link.client.keys != nil && link.server.keys != nil)
    }
}
