import Crypto
import STUN
import Testing
import TandemBase
@testable import CallModel

private let browser = TransportAddress(ip: IPAddress("198.51.100.1")!, port: 6000)

/// The party's fingerprint may use any RFC 8122 hash; we answer with the same hash.
@Test(arguments: [DTLSHashFunction.sha1, .sha224, .sha384, .sha512])
func peersFingerprintHashIsAcceptedAndMirrored(_ hash: DTLSHashFunction) throws {
    let h = Harness()
    let peerCertificate = try DTLSCertificate.generateSelfSigned(commonName: "browser")
    let ours = try #require(DTLSIdentity.current)
    _ = try h.offer(webrtcOffer(fingerprint: peerCertificate.fingerprint(hash))) { $0.transportProtocol = "RTP/AVP" }
    let answered = try h.answer()
    #expect(answered.contains("a=fingerprint:\(ours.fingerprint(hash).sdpValue)\r\n"))
    let endpoint = try DTLSEndpoint(certificate: peerCertificate, remoteFingerprint: ours.fingerprint(hash),
                                    configuration: .init(role: .server))
    var peer = DTLSPeer(endpoint: endpoint)
    let socket = try h.socket(advertisedIn: answered)
    peer.run(h, socket: socket)
    #expect(peer.keys != nil)
    #expect(h.plane.forwarding[socket]?.decrypt != nil)
}

private func webrtcOffer(fingerprint: DTLSFingerprint) -> String {
    "v=0\r\no=- 1 1 IN IP4 198.51.100.1\r\ns=-\r\nc=IN IP4 198.51.100.1\r\nt=0 0\r\n"
        + "m=audio 6000 UDP/TLS/RTP/SAVPF 0\r\na=rtcp-mux\r\na=setup:actpass\r\n"
        + "a=fingerprint:\(fingerprint.sdpValue)\r\n"
}

/// A browser-like DTLS server (it said actpass; we answer active and send the ClientHello),
/// exchanging datagrams with the registry through the fake plane until nothing moves.
private struct DTLSPeer {
    let endpoint: DTLSEndpoint
    var keys: DTLSSRTPKeyMaterial?
    var failed = false
    var delivered = 0

    init(certificate: DTLSCertificate) throws {
        let ours = try #require(DTLSIdentity.current)
        endpoint = try DTLSEndpoint(certificate: certificate, remoteFingerprint: ours.fingerprint,
                                    configuration: .init(role: .server))
    }

    init(endpoint: DTLSEndpoint) { self.endpoint = endpoint }

    mutating func run(_ h: Harness, socket: SocketHandle, remote: TransportAddress = browser) {
        for _ in 0..<20 {
            let sent = h.plane.controlSent
            guard delivered < sent.count else { return }
            let batch = sent[delivered...]
            delivered = sent.count
            for datagram in batch where datagram.from == socket && datagram.to == remote {
                for output in endpoint.receive(datagram: datagram.bytes, now: h.now) {
                    switch output {
                    case .send(let bytes):
                        h.registry.handleControl(ControlPacket(kind: .dtls, socket: socket, source: remote, bytes: bytes), now: h.now)
                    case .connected(let k): keys = k
                    case .failed: failed = true
                    case .closed: break
                    }
                }
            }
        }
    }
}

@Test func dtlsHandshakeThroughTheRegistryInstallsThePeersKeys() throws {
    let h = Harness()
    let peerCertificate = try DTLSCertificate.generateSelfSigned(commonName: "browser")
    var peer = try DTLSPeer(certificate: peerCertificate)
    let offered = try h.offer(webrtcOffer(fingerprint: peerCertificate.fingerprint)) { $0.transportProtocol = "RTP/AVP" }
    #expect(!offered.contains("a=fingerprint"))
    let answered = try h.answer()
    #expect(answered.contains("a=setup:active\r\n"))
    #expect(answered.contains("a=fingerprint:sha-256 \(try #require(DTLSIdentity.current).fingerprint.hexDigest)\r\n"))
    let browserSocket = try h.socket(advertisedIn: answered)
    let calleeSocket = try h.socket(advertisedIn: offered)
    #expect(h.plane.forwarding[calleeSocket]?.rtpOut == nil, "no media to the browser before the keys")
    #expect(h.plane.controlSent.contains { $0.from == browserSocket && $0.to == browser }, "ClientHello sent at once")

    peer.run(h, socket: browserSocket)
    let keys = try #require(peer.keys)
    let f = try #require(h.plane.forwarding[browserSocket])
    #expect(f.decrypt?.masterKey == keys.local.key, "what the browser sends decrypts with its write key")
    #expect(f.decrypt?.masterSalt == keys.local.salt)
    #expect(f.encrypt?.masterKey == keys.remote.key)
    #expect(f.decrypt?.suite == keys.profile.sdesName)
    #expect(h.plane.forwarding[calleeSocket]?.rtpOut == browserSocket, "media flows once keyed")
    #expect(h.registry.counters.dtlsHandshakes == 1)

    // A re-offer with the same fingerprint keeps the association and its keys.
    _ = try h.offer(webrtcOffer(fingerprint: peerCertificate.fingerprint)) { $0.transportProtocol = "RTP/AVP" }
    _ = try h.answer()
    #expect(h.plane.forwarding[browserSocket]?.decrypt?.masterKey == keys.local.key)
}

@Test func wrongFingerprintGivesNoKeysAndNoMedia() throws {
    let h = Harness()
    let peerCertificate = try DTLSCertificate.generateSelfSigned(commonName: "browser")
    let impostor = try DTLSCertificate.generateSelfSigned(commonName: "impostor")
    var peer = try DTLSPeer(certificate: impostor)
    let offered = try h.offer(webrtcOffer(fingerprint: peerCertificate.fingerprint)) { $0.transportProtocol = "RTP/AVP" }
    let answered = try h.answer()
    let browserSocket = try h.socket(advertisedIn: answered)
    peer.run(h, socket: browserSocket)
    #expect(h.registry.counters.dtlsFailures == 1)
    #expect(h.registry.counters.dtlsHandshakes == 0)
    #expect(h.plane.forwarding[browserSocket]?.decrypt == nil)
    #expect(h.plane.forwarding[browserSocket]?.rtpOut == nil)
    #expect(h.plane.forwarding[try h.socket(advertisedIn: offered)]?.rtpOut == nil)
    #expect(h.registry.call("c1") != nil, "the call stays up")

    // The next signalling retries DTLS; the genuine peer now gets through.
    _ = try h.offer(webrtcOffer(fingerprint: peerCertificate.fingerprint)) { $0.transportProtocol = "RTP/AVP" }
    _ = try h.answer()
    var genuine = try DTLSPeer(certificate: peerCertificate)
    genuine.delivered = try #require(h.plane.controlSent.lastIndex { $0.from == browserSocket && $0.to == browser })
    genuine.run(h, socket: browserSocket)
    #expect(genuine.keys != nil)
    #expect(h.plane.forwarding[browserSocket]?.decrypt?.masterKey == genuine.keys?.local.key)
}

@Test func reofferWithANewFingerprintRestartsDTLS() throws {
    let h = Harness()
    let first = try DTLSCertificate.generateSelfSigned(commonName: "browser")
    var peer = try DTLSPeer(certificate: first)
    _ = try h.offer(webrtcOffer(fingerprint: first.fingerprint)) { $0.transportProtocol = "RTP/AVP" }
    let answered = try h.answer()
    let browserSocket = try h.socket(advertisedIn: answered)
    peer.run(h, socket: browserSocket)
    #expect(h.plane.forwarding[browserSocket]?.decrypt != nil)

    let second = try DTLSCertificate.generateSelfSigned(commonName: "browser2")
    var peer2 = try DTLSPeer(certificate: second)
    peer2.delivered = h.plane.controlSent.count
    _ = try h.offer(webrtcOffer(fingerprint: second.fingerprint)) { $0.transportProtocol = "RTP/AVP" }
    _ = try h.answer()
    #expect(h.plane.forwarding[browserSocket]?.decrypt == nil, "old keys dropped on restart")
    peer2.run(h, socket: browserSocket)
    let keys = try #require(peer2.keys)
    #expect(h.plane.forwarding[browserSocket]?.decrypt?.masterKey == keys.local.key)
}

@Test func lostClientHelloIsRetransmittedFromTheTick() async throws {
    var h = Harness()
    let peerCertificate = try DTLSCertificate.generateSelfSigned(commonName: "browser")
    _ = try h.offer(webrtcOffer(fingerprint: peerCertificate.fingerprint)) { $0.transportProtocol = "RTP/AVP" }
    let answered = try h.answer()
    let browserSocket = try h.socket(advertisedIn: answered)
    let hellos = { h.plane.controlSent.filter { $0.from == browserSocket && $0.to == browser }.count }
    #expect(hellos() == 1)
    h.registry.expire(now: h.now + 0.5)
    #expect(hellos() == 1, "not before the retransmission timeout")
    // OpenSSL keeps its DTLS timer on the wall clock: let a real second pass.
    try await Task.sleep(nanoseconds: 1_100_000_000)
    h.now = h.now + 1.2
    h.registry.expire(now: h.now)
    #expect(hellos() == 2, "ClientHello retransmitted")
    var peer = try DTLSPeer(certificate: peerCertificate)
    // The first copy was "lost": the peer sees the retransmission first.
    peer.delivered = try #require(h.plane.controlSent.lastIndex { $0.from == browserSocket && $0.to == browser })
    peer.run(h, socket: browserSocket)
    #expect(peer.keys != nil)
    #expect(h.plane.forwarding[browserSocket]?.decrypt != nil)
}

/// An ICE party's SDP address is not trusted for DTLS: the ClientHello goes out when its first
/// authenticated connectivity check arrives, to where the check came from.
@Test func iceDTLSClientStartsOnTheFirstValidCheck() throws {
    let h = Harness()
    let peerCertificate = try DTLSCertificate.generateSelfSigned(commonName: "browser")
    let offer = webrtcOffer(fingerprint: peerCertificate.fingerprint)
        + "a=ice-ufrag:F7gI\r\na=ice-pwd:x9cml/YzichV2+XlhiMu8g\r\na=candidate:1 1 udp 2122260223 198.51.100.1 6000 typ host\r\n"
    _ = try h.offer(offer.replacingOccurrences(of: "198.51.100.1 6000", with: "198.51.100.9 9")) {
        $0.transportProtocol = "RTP/AVP"
        $0.ice = .remove
    }
    let answered = try h.answer()
    let browserSocket = try h.socket(advertisedIn: answered)
    #expect(h.plane.controlSent.isEmpty, "no ClientHello to an ICE party's SDP address")
    let lines = answered.split(separator: "\r\n")
    let ufrag = try #require(lines.first { $0.hasPrefix("a=ice-ufrag:") }).dropFirst(12)
    let pwd = String(try #require(lines.first { $0.hasPrefix("a=ice-pwd:") }).dropFirst(10))
    var buffer = [UInt8](repeating: 0, count: 512)
    let count = try buffer.withUnsafeMutableBytes { raw -> Int in
        var w = try STUNWriter(into: raw, type: .bindingRequest, transactionID: STUNTransactionID(high: 1, low: 2))
        try w.appendUsername("\(ufrag):F7gI")
        try w.appendPriority(1_845_501_695)
        try w.appendICEControlling(tieBreaker: 7)
        try w.appendMessageIntegrity(password: pwd)
        try w.appendFingerprint()
        return w.count
    }
    h.registry.handleControl(ControlPacket(kind: .stun, socket: browserSocket, source: browser, bytes: Array(buffer[0..<count])), now: h.now)
    #expect(h.plane.controlSent.count == 2, "STUN response, then the ClientHello")
    var peer = try DTLSPeer(certificate: peerCertificate)
    peer.delivered = 1
    peer.run(h, socket: browserSocket)
    #expect(peer.keys != nil)
    #expect(h.plane.forwarding[browserSocket]?.decrypt != nil)
}

/// Without rtcp-mux the RTCP port runs its own association (RFC 5764 §4.1, as rtpengine does):
/// until it completes no RTCP flows to or from the party; then the RTCP socket has its own keys.
@Test func rtcpPortRunsItsOwnAssociationWithoutMux() throws {
    let h = Harness()
    let peerCertificate = try DTLSCertificate.generateSelfSigned(commonName: "browser")
    let offered = try h.offer(webrtcOffer(fingerprint: peerCertificate.fingerprint)) { $0.transportProtocol = "RTP/AVP" }
    let answered = try h.answer()
    #expect(!answered.contains("a=rtcp-mux"), "the plain callee declined mux, so the browser is not muxed")
    let browserRTP = try h.socket(advertisedIn: answered)
    let browserRTCP = try #require(h.plane.socket(port: browserRTP.port + 1))
    let calleeRTCP = try #require(h.plane.socket(port: try h.socket(advertisedIn: offered).port + 1))
    let browserRTCPAddress = TransportAddress(ip: browser.ip, port: browser.port + 1)
    var rtp = try DTLSPeer(certificate: peerCertificate)
    rtp.run(h, socket: browserRTP)
    #expect(h.plane.forwarding[calleeRTCP]?.rtcpOut == nil, "no RTCP to the browser before its RTCP association")
    var rtcp = try DTLSPeer(certificate: peerCertificate)
    rtcp.run(h, socket: browserRTCP, remote: browserRTCPAddress)
    let keys = try #require(rtcp.keys)
    #expect(keys.local.key != rtp.keys?.local.key, "two associations, two key sets")
    #expect(h.plane.forwarding[browserRTCP]?.decrypt?.masterKey == keys.local.key)
    #expect(h.plane.forwarding[browserRTCP]?.encrypt?.masterKey == keys.remote.key)
    #expect(h.plane.forwarding[browserRTP]?.decrypt?.masterKey == rtp.keys?.local.key)
    #expect(h.plane.forwarding[calleeRTCP]?.rtcpOut == browserRTCP)
    #expect(h.registry.counters.dtlsHandshakes == 2)
}

/// We are the DTLS server (`DTLS=passive` answer): a forged ClientHello from an impostor fails
/// on the fingerprint, and the genuine party's ClientHello still gets through afterwards.
@Test func forgedClientHelloDoesNotLockThePartyOut() throws {
    let h = Harness()
    let peerCertificate = try DTLSCertificate.generateSelfSigned(commonName: "browser")
    let impostor = try DTLSCertificate.generateSelfSigned(commonName: "impostor")
    let ours = try #require(DTLSIdentity.current)
    _ = try h.offer(webrtcOffer(fingerprint: peerCertificate.fingerprint)) { $0.transportProtocol = "RTP/AVP" }
    let answered = try h.answer { $0.security.dtls = .passive }
    #expect(answered.contains("a=setup:passive\r\n"))
    let socket = try h.socket(advertisedIn: answered)
    #expect(try handshakeAsClient(impostor, expecting: ours.fingerprint, h, socket) == nil)
    #expect(h.registry.counters.dtlsFailures == 1)
    #expect(h.plane.forwarding[socket]?.decrypt == nil)
    let keys = try #require(try handshakeAsClient(peerCertificate, expecting: ours.fingerprint, h, socket))
    #expect(h.plane.forwarding[socket]?.decrypt?.masterKey == keys.local.key)
}

/// The party as the DTLS client: ClientHello to the registry's socket, flights back and forth.
private func handshakeAsClient(_ certificate: DTLSCertificate, expecting fingerprint: DTLSFingerprint,
                               _ h: Harness, _ socket: SocketHandle) throws -> DTLSSRTPKeyMaterial? {
    let client = try DTLSEndpoint(certificate: certificate, remoteFingerprint: fingerprint, configuration: .init(role: .client))
    var delivered = h.plane.controlSent.count
    var pending = client.start(now: h.now)
    for _ in 0..<20 {
        var keys: DTLSSRTPKeyMaterial?
        for output in pending {
            switch output {
            case .send(let bytes):
                h.registry.handleControl(ControlPacket(kind: .dtls, socket: socket, source: browser, bytes: bytes), now: h.now)
            case .connected(let k): keys = k
            case .failed, .closed: return nil
            }
        }
        if let keys { return keys }
        let replies = h.plane.controlSent[delivered...].filter { $0.from == socket && $0.to == browser }
        delivered = h.plane.controlSent.count
        guard !replies.isEmpty else { return nil }
        pending = replies.flatMap { client.receive(datagram: $0.bytes, now: h.now) }
    }
    return nil
}
