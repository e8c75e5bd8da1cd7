import Bencode
import Crypto
import Foundation
import TandemBase
import TandemTestSupport
import Testing

// SDES-SRTP and DTLS-SRTP through a real tandemd: the SRTP phones use Crypto's SRTPContext and
// DTLSEndpoint (the same code as the daemon, cross-checked against libsrtp2 and OpenSSL in
// CryptoTests). Ports: ng 22252, media 24500-24999 (the secure-media helper's range).

private let securePorts: (ng: UInt16, media: ClosedRange<UInt16>) = (22252, 24500...24999)

private func protect(_ ctx: SRTPContext, _ packet: [UInt8]) throws -> [UInt8] {
    var buffer = packet + [UInt8](repeating: 0, count: 64)
    var length = packet.count
    try buffer.withUnsafeMutableBytes { b in try ctx.protect(packet: b, length: &length) }
    return Array(buffer[0..<length])
}

private func protectRTCP(_ ctx: SRTPContext, _ packet: [UInt8]) throws -> [UInt8] {
    var buffer = packet + [UInt8](repeating: 0, count: 64)
    var length = packet.count
    try buffer.withUnsafeMutableBytes { b in try ctx.protectRTCP(packet: b, length: &length) }
    return Array(buffer[0..<length])
}

private func unprotectRTCP(_ ctx: SRTPContext, _ packet: [UInt8]) throws -> [UInt8] {
    var buffer = packet
    var length = packet.count
    try buffer.withUnsafeMutableBytes { b in try ctx.unprotectRTCP(packet: b, length: &length) }
    return Array(buffer[0..<length])
}

private func unprotect(_ ctx: SRTPContext, _ packet: [UInt8]) throws -> [UInt8] {
    var buffer = packet
    var length = packet.count
    try buffer.withUnsafeMutableBytes { b in try ctx.unprotect(packet: b, length: &length) }
    return Array(buffer[0..<length])
}

/// `a=name:value` values of `sdp`.
private func attributes(_ name: String, in sdp: String) -> [String] {
    sdp.split(whereSeparator: \.isNewline).compactMap { line in
        line.hasPrefix("a=\(name):") ? String(line.dropFirst(name.count + 3)) : nil
    }
}

/// An SDES key: suite + base64(key||salt) from an `a=crypto` value.
private func context(fromCrypto value: String) throws -> SRTPContext {
    let fields = value.split(separator: " ")
    let suite = try #require(SRTPSuite(sdesName: fields[1]))
    let inline = fields[2].dropFirst("inline:".count).split(separator: "|")[0]
    let keySalt = try #require(Data(base64Encoded: String(inline) + String(repeating: "=", count: (4 - inline.count % 4) % 4)))
    let bytes = [UInt8](keySalt)
    return try SRTPContext(suite: suite, masterKey: Array(bytes.prefix(suite.masterKeyLength)),
                           masterSalt: Array(bytes.dropFirst(suite.masterKeyLength)))
}

private func tandemStat(_ ng: NGClient, _ name: String) throws -> Int64 {
    try ng.statistics()["tandem"]?.dictionaryValue?[name]?.intValue ?? -1
}

extension Integration {
    @Suite struct SecureMedia {
        /// Plain caller A, SDES callee B (transport-protocol RTP/SAVP): A's RTP reaches B as SRTP
        /// under the key tandemd offered, B's SRTP reaches A as the original RTP. A tampered
        /// auth tag and a replayed packet are dropped and counted; the call carries on.
        @Test(.enabled(if: !Tandemd.isReference, "tandemd's SRTP counters"))
        func sdesBridgesRTPAndSRTPAndDropsForgeries() throws {
            let daemon = try Tandemd(slot: 45, ports: securePorts)
            try withDaemonLog(daemon) {
                let ng = try daemon.client()
                let a = try Phone(), b = try Phone()
                let callID = "sdes-\(UInt32.random(in: 0...UInt32.max))"
                let offer = try ng.offer(callID, from: "A-tag", sdp: a.sdp(), options: ["transport-protocol=RTP/SAVP"])
                let ours = try #require(attributes("crypto", in: offer).first { $0.hasPrefix("7 AES_CM_128_HMAC_SHA1_80 ") })
                let bKey = "MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkw"
                let bSDP = b.sdp(extra: ["a=crypto:7 AES_CM_128_HMAC_SHA1_80 inline:\(bKey)"]).replacingOccurrences(of: "RTP/AVP", with: "RTP/SAVP")
                let answer = try ng.answer(callID, from: "A-tag", to: "B-tag", sdp: bSDP)
                #expect(attributes("crypto", in: answer).isEmpty, "the caller stays plain")
                let toB = try SDPTarget(offer), toA = try SDPTarget(answer)
                let receiveFromTandem = try context(fromCrypto: ours)
                let sendToTandem = try context(fromCrypto: "7 AES_CM_128_HMAC_SHA1_80 inline:\(bKey)")

                // A -> B: RTP in, SRTP out under our offered key.
                for i in 0..<20 {
                    let packet = RTPPacket.stream(i, ssrc: 0xA0A0_0001)
                    a.rtp.send(packet.bytes, to: toA.rtp)
                    let got = try #require(b.rtp.receive(timeout: 1.5), "SRTP packet \(i) did not arrive")
                    #expect(got.bytes.count == packet.bytes.count + 10, "10-byte auth tag")
                    #expect(got.bytes != packet.bytes)
                    #expect(RTPPacket(parsing: try unprotect(receiveFromTandem, got.bytes)) == packet)
                }
                // B -> A: SRTP in, the original RTP out.
                var sent: [[UInt8]] = []
                for i in 0..<20 {
                    let packet = RTPPacket.stream(i, ssrc: 0xB0B0_0001)
                    let protected = try protect(sendToTandem, packet.bytes)
                    sent.append(protected)
                    b.rtp.send(protected, to: toB.rtp)
                    let got = try #require(a.rtp.receive(timeout: 1.5), "RTP packet \(i) did not arrive")
                    #expect(RTPPacket(parsing: got.bytes) == packet)
                }
                // RTCP both ways on the RTCP ports: SRTCP <-> RTCP.
                let srB = rtcpSR(ssrc: 0xB0B0_0001, n: 1)
                b.rtcp.send(try protectRTCP(sendToTandem, srB), to: toB.rtcp)
                #expect(try #require(a.rtcp.receive(timeout: 1.5), "SRTCP did not arrive as RTCP").bytes == srB)
                let srA = rtcpSR(ssrc: 0xA0A0_0001, n: 1)
                a.rtcp.send(srA, to: toA.rtcp)
                let srtcp = try #require(b.rtcp.receive(timeout: 1.5), "RTCP did not arrive as SRTCP")
                #expect(srtcp.bytes != srA)
                #expect(try unprotectRTCP(receiveFromTandem, srtcp.bytes) == srA)
                let dropsBefore = try tandemStat(ng, "dropssrtp")
                // A bad auth tag, then a replay: both dropped and counted.
                var forged = try protect(sendToTandem, RTPPacket.stream(20, ssrc: 0xB0B0_0001).bytes)
                forged[forged.count - 1] ^= 0x01
                b.rtp.send(forged, to: toB.rtp)
                b.rtp.send(sent[5], to: toB.rtp)
                #expect(a.rtp.hearsNothing(within: 0.3), "forged or replayed SRTP was relayed")
                #expect(try tandemStat(ng, "dropssrtp") == dropsBefore + 2)
                // The call stays up: the next genuine packet flows.
                let next = RTPPacket.stream(21, ssrc: 0xB0B0_0001)
                b.rtp.send(try protect(sendToTandem, next.bytes), to: toB.rtp)
                #expect(RTPPacket(parsing: try #require(a.rtp.receive(timeout: 1.5)).bytes) == next)
                #expect(try ng.list().contains(callID))
                let q = try ng.query(callID)
                #expect(q.at("tags", "B-tag", "medias", 0, "streams", 0, "crypto suite")?.stringValue == "AES_CM_128_HMAC_SHA1_80")
                #expect(q.at("tags", "B-tag", "medias", 0, "flags")?.listValue?.contains { $0.stringValue == "SDES" } == true)
                #expect(q.at("tags", "A-tag", "medias", 0, "streams", 0, "crypto suite") == nil)
                #expect((q.int("tags", "B-tag", "medias", 0, "streams", 0, "stats", "errors") ?? 0) >= 2,
                        "the forged and the replayed packet are stream errors: \(q.pretty)")
            }
        }

        /// A DTLS-SRTP "browser" (our DTLSEndpoint as the server: it offered actpass) calls a
        /// plain phone: tandemd sends the ClientHello, the handshake completes, and SRTP under
        /// the exported keys flows both ways; the callee's RTP arrives intact.
        @Test(.enabled(if: !Tandemd.isReference, "tandemd's DTLS statistics"))
        func dtlsHandshakeThenSRTPBothWays() throws {
            let daemon = try Tandemd(slot: 46, ports: securePorts)
            try withDaemonLog(daemon) {
                let ng = try daemon.client()
                let browser = try Phone(), b = try Phone()
                let certificate = try DTLSCertificate.generateSelfSigned(commonName: "browser")
                let call = try dtlsCall(ng, browser: browser, b: b, advertised: certificate.fingerprint)
                let fingerprint = try #require(attributes("fingerprint", in: call.answer.text).first)
                let expected = try DTLSFingerprint(sdpValue: fingerprint)
                let endpoint = try DTLSEndpoint(certificate: certificate, remoteFingerprint: expected,
                                                configuration: .init(role: .server))
                let keys = try #require(handshake(endpoint, browser: browser, tandem: call.answer.rtp))
                #expect(try tandemStat(ng, "dtlshandshakes") == 1)

                let suite = try #require(SRTPSuite(sdesName: keys.profile.sdesName))
                let toTandem = try SRTPContext(suite: suite, masterKey: keys.local.key, masterSalt: keys.local.salt)
                let fromTandem = try SRTPContext(suite: suite, masterKey: keys.remote.key, masterSalt: keys.remote.salt)
                for i in 0..<10 {
                    let packet = RTPPacket.stream(i, ssrc: 0xC0C0_0001)
                    browser.rtp.send(try protect(toTandem, packet.bytes), to: call.answer.rtp)
                    let got = try #require(b.rtp.receive(timeout: 1.5), "browser packet \(i) did not reach the phone")
                    #expect(RTPPacket(parsing: got.bytes) == packet)
                }
                for i in 0..<10 {
                    let packet = RTPPacket.stream(i, ssrc: 0xD0D0_0001)
                    b.rtp.send(packet.bytes, to: call.offer.rtp)
                    let got = try #require(browser.rtp.receive(timeout: 1.5), "phone packet \(i) did not reach the browser")
                    #expect(RTPPacket(parsing: try unprotect(fromTandem, got.bytes)) == packet)
                }
            }
        }

        /// The browser presents a certificate other than the one in its SDP: no keys, no media
        /// either way, a counted DTLS failure, and the call stays up.
        @Test(.enabled(if: !Tandemd.isReference, "tandemd's DTLS statistics"))
        func wrongFingerprintMeansNoMedia() throws {
            let daemon = try Tandemd(slot: 47, ports: securePorts)
            try withDaemonLog(daemon) {
                let ng = try daemon.client()
                let browser = try Phone(), b = try Phone()
                let advertised = try DTLSCertificate.generateSelfSigned(commonName: "browser")
                let impostor = try DTLSCertificate.generateSelfSigned(commonName: "impostor")
                let call = try dtlsCall(ng, browser: browser, b: b, advertised: advertised.fingerprint)
                let fingerprint = try DTLSFingerprint(sdpValue: try #require(attributes("fingerprint", in: call.answer.text).first))
                let endpoint = try DTLSEndpoint(certificate: impostor, remoteFingerprint: fingerprint,
                                                configuration: .init(role: .server))
                #expect(handshake(endpoint, browser: browser, tandem: call.answer.rtp) == nil)
                let deadline = Date().addingTimeInterval(2)
                while try tandemStat(ng, "dtlsfailures") < 1, Date() < deadline { usleep(20_000) }
                #expect(try tandemStat(ng, "dtlsfailures") == 1)
                #expect(try tandemStat(ng, "dtlshandshakes") == 0)
                b.rtp.send(RTPPacket.stream(0, ssrc: 0xE0E0_0001).bytes, to: call.offer.rtp)
                #expect(browser.rtp.hearsNothing(within: 0.3), "media reached a party that failed DTLS")
                browser.rtp.send(RTPPacket.stream(0, ssrc: 0xE0E0_0002).bytes, to: call.answer.rtp)
                #expect(b.rtp.hearsNothing(within: 0.3), "unauthenticated media from a failed DTLS party was relayed")
                #expect(try ng.list().contains(call.callID))
            }
        }
    }
}

extension Integration.SecureMedia {
    /// Interop across implementations: caller -> Debian rtpengine (RTP -> SRTP) -> tandemd
    /// (SRTP -> RTP) -> callee, and the mirror (tandemd first), with SDES (`DTLS=off` on the
    /// first daemon's offer) and with DTLS-SRTP (the answering daemon takes the active role);
    /// payloads arrive intact both ways.
    @Test(.enabled(if: !Tandemd.isReference && FileManager.default.isExecutableFile(atPath: "/usr/bin/rtpengine"),
                   "needs Debian's rtpengine-daemon"),
          arguments: [true, false], [false, true])
    func rtpengineAndTandemdInSeries(sdes: Bool, tandemdFirst: Bool) throws {
        let rtpengine = try Tandemd(slot: 48, ports: (22251, 24000...24499), reference: true)
        let daemon = try Tandemd(slot: 49, ports: securePorts)
        try withDaemonLog(daemon) {
            let ng = try daemon.client()
            let (first, second) = tandemdFirst ? (ng, try rtpengine.client()) : (try rtpengine.client(), ng)
            let a = try Phone(), b = try Phone()
            let callID = "chain-\(UInt32.random(in: 0...UInt32.max))"
            let secureOffer = try first.offer(callID, from: "A-tag", sdp: a.sdp(),
                                            options: ["transport-protocol=RTP/SAVP"] + (sdes ? ["DTLS=off"] : []))
            let plainOffer = try second.offer(callID, from: "A-tag", sdp: secureOffer, options: ["transport-protocol=RTP/AVP"])
            #expect(attributes("crypto", in: plainOffer).isEmpty)
            let secureAnswer = try second.answer(callID, from: "A-tag", to: "B-tag", sdp: b.sdp(session: "2"))
            if sdes {
                #expect(attributes("crypto", in: secureAnswer).count == 1)
            } else {
                #expect(attributes("setup", in: secureAnswer) == ["active"])
                #expect(attributes("crypto", in: secureAnswer).isEmpty)
            }
            let toFirst = try SDPTarget(try first.answer(callID, from: "A-tag", to: "B-tag", sdp: secureAnswer))
            let toSecond = try SDPTarget(plainOffer)
            // DTLS needs a moment: send until the first packet makes it (bounded), then a stream.
            var arrived: RTPPacket?
            for i in 0..<40 where arrived == nil {
                let packet = RTPPacket.stream(i, ssrc: 0xAAAA_0001)
                a.rtp.send(packet.bytes, to: toFirst.rtp)
                if let got = b.rtp.receive(timeout: 0.1) { arrived = RTPPacket(parsing: got.bytes) }
            }
            #expect(arrived != nil, "no media through rtpengine and tandemd")
            _ = b.rtp.drain(quiet: 0.2)
            relayInAnyOrder(count: 20, ssrc: 0xAAAA_0002, from: a.rtp, to: toFirst.rtp, at: b.rtp)
            relayInAnyOrder(count: 20, ssrc: 0xBBBB_0002, from: b.rtp, to: toSecond.rtp, at: a.rtp)
            // RTCP on the separate RTCP ports (no rtcp-mux between the daemons).
            let srA = rtcpSR(ssrc: 0xAAAA_0002, n: 1), srB = rtcpSR(ssrc: 0xBBBB_0002, n: 1)
            var gotA: [UInt8]?, gotB: [UInt8]?
            for _ in 0..<20 where gotA == nil || gotB == nil {
                if gotA == nil { a.rtcp.send(srA, to: toFirst.rtcp) }
                if gotB == nil { b.rtcp.send(srB, to: toSecond.rtcp) }
                if gotA == nil, let got = b.rtcp.receive(timeout: 0.1) { gotA = got.bytes }
                if gotB == nil, let got = a.rtcp.receive(timeout: 0.1) { gotB = got.bytes }
            }
            #expect(gotA == srA, "caller's RTCP through both daemons")
            #expect(gotB == srB, "callee's RTCP through both daemons")
            #expect(try tandemStat(ng, "dropssrtp") == 0)
            if !sdes { #expect(try tandemStat(ng, "dtlshandshakes") == 2, "RTP and RTCP associations (no rtcp-mux)") }
        }
    }
}

/// Like relayRTP, but in any order: rtpengine's userspace threads may reorder a burst.
private func relayInAnyOrder(count: Int, ssrc: UInt32, from: UDPSocket, to: TransportAddress, at: UDPSocket,
                             sourceLocation: SourceLocation = #_sourceLocation) {
    let sent = (0..<count).map { RTPPacket.stream($0, ssrc: ssrc) }
    for packet in sent { from.send(packet.bytes, to: to) }
    let received = at.receive(count: count, timeout: 1.5).compactMap { RTPPacket(parsing: $0.bytes) }.sorted { $0.seq < $1.seq }
    #expect(received == sent, "\(received.count) of \(count) RTP packets arrived intact", sourceLocation: sourceLocation)
}

extension Integration.SecureMedia {
    /// `--dtls-cert`/`--dtls-key`: the fingerprint offered is the loaded certificate's; with
    /// `--dtls-passive` a DTLS offerer is answered `a=setup:passive`.
    @Test(.enabled(if: !Tandemd.isReference, "tandemd's --dtls-cert"))
    func certificateFromFilesAndPassivePreference() throws {
        let certificate = try DTLSCertificate.generateSelfSigned(commonName: "operator")
        let dir = NSTemporaryDirectory() + "tandem-dtls-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try certificate.certificatePEM.write(toFile: dir + "/cert.pem", atomically: true, encoding: .utf8)
        try certificate.privateKeyPEM.write(toFile: dir + "/key.pem", atomically: true, encoding: .utf8)
        let daemon = try Tandemd(slot: 44, extra: ["--dtls-cert=\(dir)/cert.pem", "--dtls-key=\(dir)/key.pem", "--dtls-passive"],
                                 ports: securePorts)
        try withDaemonLog(daemon) {
            let ng = try daemon.client()
            let browser = try Phone(), b = try Phone()
            let offer = try ng.offer("cert-1", from: "A-tag", sdp: b.sdp(), options: ["transport-protocol=UDP/TLS/RTP/SAVPF"])
            #expect(attributes("fingerprint", in: offer) == [certificate.fingerprint.sdpValue])
            _ = try ng.delete("cert-1")
            let peer = try DTLSCertificate.generateSelfSigned(commonName: "browser")
            let call = try ng.offer("cert-2", from: "A-tag", sdp: browser.sdp(extra: ["a=setup:actpass", "a=fingerprint:\(peer.fingerprint.sdpValue)"])
                .replacingOccurrences(of: "RTP/AVP", with: "UDP/TLS/RTP/SAVPF"), options: ["transport-protocol=RTP/AVP"])
            _ = call
            let answer = try ng.answer("cert-2", from: "A-tag", to: "B-tag", sdp: b.sdp(session: "2"))
            #expect(attributes("setup", in: answer) == ["passive"])
        }
    }

    @Test(.enabled(if: !Tandemd.isReference, "tandemd's --dtls-cert"))
    func unreadableCertificateStopsTheDaemon() throws {
        #expect(throws: IntegrationError.self) {
            _ = try Tandemd(slot: 44, extra: ["--dtls-cert=/nonexistent/cert.pem"], ports: securePorts)
        }
    }
}

private struct DTLSCall {
    var callID: String
    var offer: SDPTarget   // as the phone received it
    var answer: SDPTarget  // as the browser received it
}

/// The browser offers UDP/TLS/RTP/SAVPF with rtcp-mux and setup:actpass; the phone answers plain.
private func dtlsCall(_ ng: NGClient, browser: Phone, b: Phone, advertised: DTLSFingerprint) throws -> DTLSCall {
    let callID = "dtls-\(UInt32.random(in: 0...UInt32.max))"
    let sdp = browser.sdp(extra: ["a=rtcp-mux", "a=setup:actpass", "a=fingerprint:\(advertised.sdpValue)"])
        .replacingOccurrences(of: "RTP/AVP", with: "UDP/TLS/RTP/SAVPF")
    let offer = try ng.offer(callID, from: "A-tag", sdp: sdp, options: ["transport-protocol=RTP/AVP", "ICE=remove"])
    #expect(!offer.contains("a=fingerprint"), "the phone gets plain RTP")
    let answer = try ng.answer(callID, from: "A-tag", to: "B-tag", sdp: b.sdp(session: "2"))
    #expect(attributes("setup", in: answer) == ["active"])
    return DTLSCall(callID: callID, offer: try SDPTarget(offer), answer: try SDPTarget(answer))
}

/// Runs the server side of the handshake on the browser's socket (bounded: 40 datagrams, 3 s).
private func handshake(_ endpoint: DTLSEndpoint, browser: Phone, tandem: TransportAddress) -> DTLSSRTPKeyMaterial? {
    let deadline = Date().addingTimeInterval(3)
    for _ in 0..<40 where Date() < deadline {
        guard let datagram = browser.rtp.receive(timeout: 0.5) else { continue }
        var keys: DTLSSRTPKeyMaterial?
        for output in endpoint.receive(datagram: datagram.bytes, now: MonotonicTime(seconds: 0)) {
            switch output {
            case .send(let bytes): browser.rtp.send(bytes, to: tandem)  // the final flight follows .connected's cause
            case .connected(let k): keys = k
            case .failed, .closed: return nil
            }
        }
        if let keys { return keys }
    }
    return nil
}
