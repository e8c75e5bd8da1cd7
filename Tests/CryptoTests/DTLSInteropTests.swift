// Interop with a real external DTLS peer: `openssl s_server -dtls1_2 -use_srtp` over loopback
// UDP, our endpoint as client (and as server against s_client). Bounded in time; skipped if the
// openssl tool is missing. Both sides print the exported keying material; it must match ours.
@testable import Crypto
import Foundation
import Glibc
import Testing
import TandemBase

@Suite("DTLS interop with openssl s_server / s_client", .serialized)
struct DTLSInteropTests {
    static let opensslPath: String? = ["/usr/bin/openssl", "/usr/local/bin/openssl"].first { (p: String) in access(p, X_OK) == 0 }

    @Test(.enabled(if: opensslPath != nil), .timeLimit(.minutes(1)),
          arguments: [DTLSSRTPProfile.aes128CmSha1_80, .aeadAes128Gcm])
    func clientAgainstOpenSSLServer(profile: DTLSSRTPProfile) throws {
        let serverCert = try DTLSCertificate.generateSelfSigned(commonName: "s_server")
        let dir = NSTemporaryDirectory() + "tandem-dtls-interop-\(getpid())-\(profile.rawValue)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try serverCert.certificatePEM.write(toFile: dir + "/c.pem", atomically: true, encoding: .utf8)
        try serverCert.privateKeyPEM.write(toFile: dir + "/k.pem", atomically: true, encoding: .utf8)

        let proc = Process()
        proc.executableURL = URL(fileURLWithPath: Self.opensslPath!)
        proc.arguments = ["s_server", "-dtls1_2", "-accept", "127.0.0.1:0", "-cert", dir + "/c.pem", "-key", dir + "/k.pem",
                          "-use_srtp", profile.openSSLName, "-keymatexport", "EXTRACTOR-dtls_srtp",
                          "-keymatexportlen", "\(DTLSSRTPKeyMaterial.exportLength(profile))", "-verify", "1", "-naccept", "1"]
        let stdin = Pipe(), stdout = Pipe()
        proc.standardInput = stdin   // kept open: s_server quits on EOF
        proc.standardOutput = stdout
        proc.standardError = stdout
        try proc.run()
        defer { stopProcess(proc, stdin) }

        // Output collected on a background reader; the port comes from "ACCEPT 127.0.0.1:PORT".
        let output = OutputCollector()
        stdout.fileHandleForReading.readabilityHandler = { h in output.append(h.availableData) }
        defer { stdout.fileHandleForReading.readabilityHandler = nil }
        let port = try #require(output.wait(timeout: 5) { text in
            text.split(separator: "\n").first { $0.hasPrefix("ACCEPT ") }.flatMap { $0.split(separator: ":").last.flatMap { UInt16($0) } }
        }, "no ACCEPT line: \(output.text)")

        let clientCert = try DTLSCertificate.generateSelfSigned(commonName: "tandem")
        let endpoint = try DTLSEndpoint(certificate: clientCert, remoteFingerprint: serverCert.fingerprint,
                                        configuration: .init(role: .client, profiles: [profile], initialRetransmitTimeout: 0.2))
        let sock = try UDPSocket(connectTo: port)
        defer { sock.close() }

        let clock0 = DispatchTime.now().uptimeNanoseconds
        func now() -> MonotonicTime { MonotonicTime(nanoseconds: DispatchTime.now().uptimeNanoseconds - clock0 + 1_000_000_000) }
        var keys: DTLSSRTPKeyMaterial?
        var failure: DTLSFailure?
        func handle(_ outs: [DTLSEndpoint.Output]) {
            for o in outs {
                switch o {
                case .send(let d): sock.send(d)
                case .connected(let k): keys = k
                case .failed(let f): failure = f
                case .closed: break
                }
            }
        }
        handle(endpoint.start(now: now()))
        let deadline = now() + 10
        while keys == nil && failure == nil && now() < deadline {
            if let d = sock.receive(timeoutMs: 50) { handle(endpoint.receive(datagram: d, now: now())) }
            if let t = endpoint.nextTimeout, now() >= t { handle(endpoint.timerFired(now: now())) }
        }
        let k = try #require(keys, "failure: \(String(describing: failure)); s_server said: \(output.text)")
        #expect(k.profile == profile)

        // s_server prints the same exported material: client key | server key | client salt | server salt.
        let hex = try #require(output.wait(timeout: 5) { text in
            text.split(separator: "\n").first { $0.contains("Keying material: ") }.map { String($0.split(separator: " ").last!) }
        }, "no keying material line: \(output.text)")
        let ours = (k.client.key + k.server.key + k.client.salt + k.server.salt).map { String(format: "%02X", $0) }.joined()
        #expect(hex.uppercased() == ours)
        #expect(output.text.contains("SRTP Extension negotiated, profile=\(profile.openSSLName)"))
        handle(endpoint.close(now: now()))
    }
}

extension DTLSInteropTests {
    @Test(.enabled(if: opensslPath != nil), .timeLimit(.minutes(1)))
    func serverAgainstOpenSSLClient() throws {
        let clientCert = try DTLSCertificate.generateSelfSigned(commonName: "s_client")
        let dir = NSTemporaryDirectory() + "tandem-dtls-interop-c-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try clientCert.certificatePEM.write(toFile: dir + "/c.pem", atomically: true, encoding: .utf8)
        try clientCert.privateKeyPEM.write(toFile: dir + "/k.pem", atomically: true, encoding: .utf8)

        let sock = try UDPSocket(bindLoopback: ())
        defer { sock.close() }
        let serverCert = try DTLSCertificate.generateSelfSigned(commonName: "tandem")
        let endpoint = try DTLSEndpoint(certificate: serverCert, remoteFingerprint: clientCert.fingerprint(.sha1),
                                        configuration: .init(role: .server, profiles: [.aeadAes256Gcm, .aes128CmSha1_80],
                                                             initialRetransmitTimeout: 0.2))

        let proc = Process()
        proc.executableURL = URL(fileURLWithPath: Self.opensslPath!)
        proc.arguments = ["s_client", "-dtls1_2", "-connect", "127.0.0.1:\(sock.port)", "-cert", dir + "/c.pem", "-key", dir + "/k.pem",
                          "-use_srtp", "SRTP_AES128_CM_SHA1_32:SRTP_AEAD_AES_256_GCM", "-keymatexport", "EXTRACTOR-dtls_srtp",
                          "-keymatexportlen", "88"]
        let stdin = Pipe(), stdout = Pipe()
        proc.standardInput = stdin
        proc.standardOutput = stdout
        proc.standardError = stdout
        let output = OutputCollector()
        stdout.fileHandleForReading.readabilityHandler = { h in output.append(h.availableData) }
        defer { stdout.fileHandleForReading.readabilityHandler = nil }
        try proc.run()
        defer { stopProcess(proc, stdin) }

        let clock0 = DispatchTime.now().uptimeNanoseconds
        func now() -> MonotonicTime { MonotonicTime(nanoseconds: DispatchTime.now().uptimeNanoseconds - clock0 + 1_000_000_000) }
        var keys: DTLSSRTPKeyMaterial?
        var failure: DTLSFailure?
        _ = endpoint.start(now: now())
        let deadline = now() + 10
        while keys == nil && failure == nil && now() < deadline {
            if let d = sock.receive(timeoutMs: 50) {
                for o in endpoint.receive(datagram: d, now: now()) {
                    switch o {
                    case .send(let b): sock.sendBack(b)
                    case .connected(let k): keys = k
                    case .failed(let f): failure = f
                    case .closed: break
                    }
                }
            }
            if let t = endpoint.nextTimeout, now() >= t {
                for case .send(let b) in endpoint.timerFired(now: now()) { sock.sendBack(b) }
            }
        }
        let k = try #require(keys, "failure: \(String(describing: failure)); s_client said: \(output.text)")
        #expect(k.profile == .aeadAes256Gcm, "the server's preference among what the client offered")
        #expect(!k.isClient && k.local == k.server)
        let hex = try #require(output.wait(timeout: 5) { text in
            text.split(separator: "\n").first { $0.contains("Keying material: ") }.map { String($0.split(separator: " ").last!) }
        }, "no keying material line: \(output.text)")
        let ours = (k.client.key + k.server.key + k.client.salt + k.server.salt).map { String(format: "%02X", $0) }.joined()
        #expect(hex.uppercased() == ours)
    }
}

/// Ends a child without Foundation's waitUntilExit (which can hang on Linux): EOF on its stdin
/// (s_server/s_client quit on it), then SIGKILL; bounded.
func stopProcess(_ proc: Process, _ stdin: Pipe) {
    try? stdin.fileHandleForWriting.close()
    for _ in 0..<100 where proc.isRunning { usleep(10_000) }
    if proc.isRunning { kill(proc.processIdentifier, SIGKILL) }
    for _ in 0..<100 where proc.isRunning { usleep(10_000) }
}

final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func append(_ d: Data) { lock.lock(); data.append(d); lock.unlock() }
    var text: String { lock.lock(); defer { lock.unlock() }; return String(decoding: data, as: UTF8.self) }
    func wait<T>(timeout: Double, _ parse: (String) -> T?) -> T? {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if let v = parse(text) { return v }
            usleep(10_000)
        }
        return parse(text)
    }
}

final class UDPSocket {
    let fd: Int32
    private(set) var port: UInt16 = 0
    private var peer = sockaddr_in()
    private var hasPeer = false

    /// Bound to 127.0.0.1 on a kernel-chosen port; replies go to the last sender.
    init(bindLoopback: Void) throws {
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw DTLSError("socket") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let r = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard r else { Glibc.close(fd); throw DTLSError("bind") }
        port = UInt16(bigEndian: addr.sin_port)
    }

    func sendBack(_ d: [UInt8]) {
        guard hasPeer else { return }
        _ = d.withUnsafeBytes { b in withUnsafePointer(to: &peer) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, b.baseAddress, b.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } }
    }

    init(connectTo port: UInt16) throws {
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw DTLSError("socket") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let r = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard r == 0 else { Glibc.close(fd); throw DTLSError("connect") }
    }

    func send(_ d: [UInt8]) { _ = d.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) } }

    func receive(timeoutMs: Int32) -> [UInt8]? {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, timeoutMs) == 1 else { return nil }
        var buf = [UInt8](repeating: 0, count: 65536)
        var from = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let n = buf.withUnsafeMutableBytes { b in withUnsafeMutablePointer(to: &from) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, b.baseAddress, b.count, 0, $0, &len) }
        } }
        if n > 0 { peer = from; hasPeer = true }
        return n > 0 ? Array(buf.prefix(n)) : nil
    }

    func close() { Glibc.close(fd) }
}
