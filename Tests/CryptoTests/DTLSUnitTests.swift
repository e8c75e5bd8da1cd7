@testable import Crypto
import COpenSSL
import Glibc
import Testing
import TandemBase

@Suite("DTLS certificate and fingerprints")
struct DTLSCertificateTests {
    func opensslDigest(_ der: [UInt8], _ hash: DTLSHashFunction) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 64)
        var len: UInt32 = 0
        let ok = der.withUnsafeBytes { d in out.withUnsafeMutableBufferPointer { EVP_Digest(d.baseAddress, d.count, $0.baseAddress, &len, hash.evpMD, nil) } }
        precondition(ok == 1)
        return Array(out.prefix(Int(len)))
    }

    @Test(arguments: DTLSHashFunction.allCases)
    func fingerprintIsTheDigestOfTheDER(hash: DTLSHashFunction) throws {
        let cert = try DTLSCertificate.generateSelfSigned()
        let fp = cert.fingerprint(hash)
        let digest = opensslDigest(cert.der, hash)
        #expect(fp.digest == digest)
        #expect(fp.digest.count == hash.digestLength)
        let expectedHex = digest.map { String($0, radix: 16, uppercase: true) }.map { $0.count == 1 ? "0" + $0 : $0 }.joined(separator: ":")
        #expect(fp.hexDigest == expectedHex)
        #expect(fp.sdpValue == "\(hash.rawValue) \(expectedHex)")
        #expect(try DTLSFingerprint(sdpValue: fp.sdpValue) == fp)
        #expect(try DTLSFingerprint(sdpValue: fp.sdpValue.lowercased().uppercased()) == fp, "SHA-256 and upper hex")
        #expect(try DTLSFingerprint(sdpValue: fp.sdpValue.lowercased()) == fp)
    }

    @Test func defaultIsSHA256AndTheCertificateIsP256SelfSigned() throws {
        let cert = try DTLSCertificate.generateSelfSigned(commonName: "tandem")
        #expect(cert.fingerprint.hashFunction == .sha256)
        #expect(cert.fingerprint.sdpValue.hasPrefix("sha-256 "))
        #expect(cert.fingerprint.sdpValue.count == "sha-256 ".count + 32 * 3 - 1)
        let other = try DTLSCertificate.generateSelfSigned()
        #expect(cert.fingerprint != other.fingerprint)
        // The key is EC on P-256.
        #expect(EVP_PKEY_get_base_id(cert.privateKey) == EVP_PKEY_EC)
        #expect(X509_verify(cert.x509, X509_get0_pubkey(cert.x509)) == 1, "self-signed")
    }

    @Test func fingerprintParseErrors() {
        #expect(throws: DTLSFingerprint.ParseError.unsupportedHashFunction("md5")) { try DTLSFingerprint(sdpValue: "md5 AA:BB") }
        #expect(throws: DTLSFingerprint.ParseError.missingSeparator) { try DTLSFingerprint(sdpValue: "sha-256") }
        #expect(throws: DTLSFingerprint.ParseError.badHex) { try DTLSFingerprint(sdpValue: "sha-1 GG:00") }
        #expect(throws: DTLSFingerprint.ParseError.badHex) { try DTLSFingerprint(sdpValue: "sha-1 A:00") }
        // Fuzzer find (tools/fuzz/seeds/sdes/signed-hex-pair): a sign is not a hex digit.
        let signed = "+A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:-0"
        #expect(throws: DTLSFingerprint.ParseError.badHex) { try DTLSFingerprint(sdpValue: "sha-1 \(signed)") }
        #expect(throws: DTLSFingerprint.ParseError.wrongDigestLength(expected: 20, got: 2)) { try DTLSFingerprint(sdpValue: "sha-1 AA:00") }
        let sha256Hex = Array(repeating: "AB", count: 32).joined(separator: ":")
        #expect(throws: DTLSFingerprint.ParseError.wrongDigestLength(expected: 20, got: 32)) { try DTLSFingerprint(sdpValue: "sha-1 " + sha256Hex) }
        #expect(throws: DTLSFingerprint.ParseError.badHex) { try DTLSFingerprint(sdpValue: "sha-256 " + sha256Hex + ":") }
    }

    @Test func pemRoundTripKeepsTheFingerprint() throws {
        let cert = try DTLSCertificate.generateSelfSigned()
        #expect(cert.certificatePEM.hasPrefix("-----BEGIN CERTIFICATE-----"))
        #expect(cert.privateKeyPEM.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        let again = try DTLSCertificate(certificatePEM: cert.certificatePEM, privateKeyPEM: cert.privateKeyPEM)
        #expect(again.fingerprint == cert.fingerprint)
        let dir = "/tmp/tandem-dtls-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        mkdir(dir, 0o700)
        defer { unlink(dir + "/c.pem"); unlink(dir + "/k.pem"); rmdir(dir) }
        try write(dir + "/c.pem", cert.certificatePEM)
        try write(dir + "/k.pem", cert.privateKeyPEM)
        let fromFiles = try DTLSCertificate(certificateFile: dir + "/c.pem", privateKeyFile: dir + "/k.pem")
        let sha1a = fromFiles.fingerprint(.sha1), sha1b = cert.fingerprint(.sha1)
        #expect(sha1a == sha1b)
        #expect(throws: DTLSError.self) { try DTLSCertificate(certificateFile: dir + "/missing.pem", privateKeyFile: dir + "/k.pem") }
        // A key that does not belong to the certificate is refused.
        let stranger = try DTLSCertificate.generateSelfSigned()
        #expect(throws: DTLSError.self) { try DTLSCertificate(certificatePEM: cert.certificatePEM, privateKeyPEM: stranger.privateKeyPEM) }
    }

    func write(_ path: String, _ text: String) throws {
        guard let f = fopen(path, "w") else { throw DTLSError("open \(path)") }
        defer { fclose(f) }
        _ = fputs(text, f)
    }
}

@Suite("DTLS-SRTP keys, setup roles")
struct DTLSKeyingTests {
    @Test func exportedMaterialSplitsPerRFC5764() throws {
        let exported = (0..<60).map { UInt8($0) }
        let k = try #require(DTLSSRTPKeyMaterial(profile: .aes128CmSha1_80, exported: exported, isClient: true))
        #expect(k.client.key == Array(0..<16))
        #expect(k.server.key == Array(16..<32))
        #expect(k.client.salt == Array(32..<46))
        #expect(k.server.salt == Array(46..<60))
        #expect(k.local == k.client && k.remote == k.server)
        let s = try #require(DTLSSRTPKeyMaterial(profile: .aes128CmSha1_80, exported: exported, isClient: false))
        #expect(s.local == k.remote && s.remote == k.local)
        #expect(DTLSSRTPKeyMaterial(profile: .aes128CmSha1_80, exported: Array(exported.prefix(59)), isClient: true) == nil)
        let gcm = (0..<88).map { UInt8($0) }
        let g = try #require(DTLSSRTPKeyMaterial(profile: .aeadAes256Gcm, exported: gcm, isClient: true))
        #expect(g.client.key == Array(0..<32) && g.server.key == Array(32..<64))
        #expect(g.client.salt == Array(64..<76) && g.server.salt == Array(76..<88))
        #expect(DTLSSRTPKeyMaterial.exportLength(.aeadAes128Gcm) == 56)
    }

    @Test func setupRoles() {
        #expect(DTLSSetup.actpass.answererRole() == .client, "rtpengine's default: active when possible")
        #expect(DTLSSetup.actpass.answererRole(preferPassive: true) == .server, "DTLS=passive")
        #expect(DTLSSetup.active.answererRole() == .server)
        #expect(DTLSSetup.passive.answererRole(preferPassive: true) == .client)
        #expect(DTLSSetup.holdconn.answererRole() == nil)
        #expect(DTLSSetup.active.offererRole() == .server)
        #expect(DTLSSetup.passive.offererRole() == .client)
        #expect(DTLSSetup(answering: .client) == .active)
        #expect(DTLSSetup(answering: .server) == .passive)
        #expect(DTLSSetup(sdpValue: "ACTPASS") == .actpass)
        #expect(DTLSSetup(sdpValue: "bogus") == nil)
    }

    @Test func recordPackerKeepsRecordsWhole() {
        func record(_ n: Int, _ fill: UInt8) -> [UInt8] { [22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, UInt8(n >> 8), UInt8(n & 0xFF)] + Array(repeating: fill, count: n) }
        let stream = record(500, 1) + record(500, 2) + record(500, 3) + record(10, 4)
        let d = DTLSRecordPacker.pack(stream[...], mtu: 1200)
        #expect(d.map(\.count) == [1026, 536])
        #expect(d.joined().elementsEqual(stream))
        #expect(DTLSRecordPacker.pack([1, 2, 3][...], mtu: 1200) == [[1, 2, 3]])
    }
}

@Suite("DTLS state machine on a mock clock")
struct DTLSStateMachineTests {
    let t0 = MonotonicTime(seconds: 1000)

    @Test func clientRetransmitsThenGivesUp() {
        var m = DTLSStateMachine(maxRetransmissions: 2)
        do { let r = m.start(); #expect(r == .driveHandshake) }
        do { let r = m.start(); #expect(r == .none) }
        do { let r = m.handshakeStepped(.inProgress(timerRemaining: 1), now: t0); #expect(r == .wait) }
        #expect(m.nextTimeout == t0 + 1)
        do { let r = m.timerFired(now: t0 + 0.999); #expect(r == .none) }
        do { let r = m.timerFired(now: t0 + 1); #expect(r == .retransmit) }
        m.retransmitted()
        do { let r = m.handshakeStepped(.inProgress(timerRemaining: 2), now: t0 + 1); #expect(r == .wait) }
        #expect(m.nextTimeout == t0 + 3)
        do { let r = m.timerFired(now: t0 + 3); #expect(r == .retransmit) }
        m.retransmitted()
        do { let r = m.handshakeStepped(.inProgress(timerRemaining: 4), now: t0 + 3); #expect(r == .wait) }
        do { let r = m.timerFired(now: t0 + 7); #expect(r == .giveUp(.timeout(retransmissions: 2))) }
        #expect(m.nextTimeout == nil)
        #expect(m.isFinished)
        do { let r = m.timerFired(now: t0 + 100); #expect(r == .none) }
        do { let r = m.datagramReceived(); #expect(r == .drop) }
    }

    @Test func timerNotYetExpiredForOpenSSLReArms() {
        var m = DTLSStateMachine(maxRetransmissions: 3)
        _ = m.start()
        _ = m.handshakeStepped(.inProgress(timerRemaining: 1), now: t0)
        do { let r = m.timerFired(now: t0 + 1); #expect(r == .retransmit) }
        // OpenSSL did not retransmit (its wall-clock timer had 10 ms left): no retransmission counted.
        do { let r = m.handshakeStepped(.inProgress(timerRemaining: 0.01), now: t0 + 1); #expect(r == .wait) }
        #expect(m.nextTimeout == t0 + 1.01)
        #expect(m.state == .handshaking(.init(retransmissions: 0, deadline: t0 + 1.01)))
    }

    @Test func serverStartsOnFirstDatagramAndConnectsOnce() {
        var m = DTLSStateMachine(maxRetransmissions: 3)
        do { let r = m.datagramReceived(); #expect(r == .driveHandshake) }
        do { let r = m.handshakeStepped(.inProgress(timerRemaining: 1), now: t0); #expect(r == .wait) }
        do { let r = m.datagramReceived(); #expect(r == .driveHandshake) }
        do { let r = m.handshakeStepped(.completed(fingerprintKnown: true), now: t0); #expect(r == .reportConnected) }
        #expect(m.nextTimeout == nil)
        do { let r = m.handshakeStepped(.completed(fingerprintKnown: true), now: t0); #expect(r == .none) }
        do { let r = m.datagramReceived(); #expect(r == .readRecords) }
        do { let r = m.closeNotifyReceived(); #expect(r) }
        do { let r = m.closeNotifyReceived(); #expect(!r) }
        do { let r = m.datagramReceived(); #expect(r == .drop) }
    }

    @Test func heldKeysWaitForTheFingerprint() {
        var m = DTLSStateMachine(maxRetransmissions: 3)
        _ = m.start()
        do { let r = m.fingerprintChecked(nil); #expect(r == .none, "nothing to release before the handshake completes") }
        do { let r = m.handshakeStepped(.completed(fingerprintKnown: false), now: t0); #expect(r == .holdKeys) }
        #expect(m.state == .awaitingFingerprint)
        do { let r = m.fingerprintChecked(nil); #expect(r == .reportConnected) }
        var n = DTLSStateMachine(maxRetransmissions: 3)
        _ = n.start()
        _ = n.handshakeStepped(.completed(fingerprintKnown: false), now: t0)
        do { let r = n.fingerprintChecked(.noPeerCertificate); #expect(r == .reportFailed(.noPeerCertificate)) }
        do { let r = n.failedAfterHandshake(.handshake("x")); #expect(r == .none, "failure reported once") }
    }

    @Test func failureAndCloseAreFinal() {
        var m = DTLSStateMachine(maxRetransmissions: 3)
        _ = m.start()
        do { let r = m.handshakeStepped(.failed(.noSRTPProfile), now: t0); #expect(r == .reportFailed(.noSRTPProfile)) }
        do { let r = m.close(); #expect(r == .none) }
        var c = DTLSStateMachine(maxRetransmissions: 3)
        do { let r = c.close(); #expect(r == .none) }
        do { let r = c.start(); #expect(r == .none) }
        var d = DTLSStateMachine(maxRetransmissions: 3)
        _ = d.start()
        do { let r = d.close(); #expect(r == .sendCloseNotify) }
        do { let r = d.handshakeStepped(.completed(fingerprintKnown: true), now: t0); #expect(r == .none) }
    }
}
