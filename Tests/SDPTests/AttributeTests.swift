import Testing
@testable import SDP

/// Valid values that must parse and print back unchanged, per attribute kind.
@Suite("Attribute parsers")
struct AttributeTests {
    @Test("rtpmap", arguments: ["0 PCMU/8000", "111 opus/48000/2", "101 telephone-event/8000", "97 AMR-WB/16000/1", "127 x/1"])
    func rtpmapRoundTrip(_ value: String) throws {
        let map = try #require(RTPMap(value: value))
        #expect(map.value == value)
    }

    @Test("rtpmap malformed", arguments: ["", "0", "0 PCMU", "0 PCMU/", "0 /8000", "x PCMU/8000", "128 PCMU/8000",
                                          "-1 PCMU/8000", "0 PCMU/8000/2/3", "0 PCMU/8k", "0PCMU/8000"])
    func rtpmapMalformed(_ value: String) {
        #expect(RTPMap(value: value) == nil)
    }

    @Test func rtpmapFields() throws {
        let opus = try #require(RTPMap(value: "111 opus/48000/2"))
        #expect(opus.payloadType == 111 && opus.encoding == "opus" && opus.clockRate == 48000 && opus.channels == 2)
        #expect(opus.encodingSpec == "opus/48000/2")
        #expect(RTPMap(value: "0 PCMU/8000")?.channels == 1)
        #expect(RTPMap(payloadType: 8, encoding: "PCMA", clockRate: 8000, channels: 1).value == "8 PCMA/8000")
    }

    @Test("fmtp", arguments: ["101 0-16", "111 minptime=10;useinbandfec=1", "18 annexb=no", "96"])
    func fmtpRoundTrip(_ value: String) throws {
        #expect(FMTP(value: value)?.value == value)
    }

    @Test func fmtpParameters() throws {
        let fmtp = try #require(FMTP(value: "111 minptime=10; useinbandfec=1;;stereo"))
        #expect(fmtp.parameter("MinPTime") == "10")
        #expect(fmtp.parameter("useinbandfec") == "1")
        #expect(fmtp.parameterList.map(\.name) == ["minptime", "useinbandfec", "stereo"])
        #expect(fmtp.parameterList.last?.value == nil)
        #expect(FMTP(value: "x 0-16") == nil)
        #expect(FMTP(value: "") == nil)
    }

    @Test("rtcp", arguments: ["53020", "53020 IN IP4 126.16.64.4", "9 IN IP6 2001:db8::1"])
    func rtcpRoundTrip(_ value: String) {
        #expect(RTCPAttribute(value: value)?.value == value)
    }

    @Test func rtcpMalformed() {
        for bad in ["", "0", "65536", "x", "53020 IN", "53020 IN IP4"] {
            #expect(RTCPAttribute(value: bad) == nil, "\(bad)")
        }
        #expect(RTCPAttribute(value: "53020 IN IP4 1.2.3.4")?.connection?.address == "1.2.3.4")
    }

    @Test func mediaDirection() {
        #expect(MediaDirection.sendonly.reversed == .recvonly)
        #expect(MediaDirection.recvonly.reversed == .sendonly)
        #expect(MediaDirection.sendrecv.reversed == .sendrecv)
        #expect(MediaDirection.inactive.reversed == .inactive)
        #expect(MediaDirection(sends: true, receives: false) == .sendonly)
        #expect(MediaDirection.recvonly.receives && !MediaDirection.recvonly.sends)
        #expect(MediaDirection(rawValue: "SENDRECV") == nil)
    }

    @Test("candidate", arguments: [
        "1467250027 1 udp 2122260223 192.168.0.196 46243 typ host generation 0 network-id 1",
        "435653019 1 tcp 1845501695 203.0.113.7 9 typ srflx raddr 192.168.0.196 rport 0 tcptype active generation 0",
        "1 2 UDP 16777215 198.51.100.1 50001 typ relay raddr 203.0.113.7 rport 45664",
        "a1b2 1 udp 2122262783 2001:db8::5 50000 typ host",
        "3 1 udp 2122194687 0f3bd5d1-7a5c-4c35-8c8e-6ba5c5a0d5c4.local 55137 typ host",
    ])
    func candidateRoundTrip(_ value: String) {
        #expect(Candidate(value: value)?.value == value)
    }

    @Test("candidate malformed", arguments: [
        "", "1 1 udp 1 1.2.3.4 5000", "1 1 udp 1 1.2.3.4 5000 type host", "1 x udp 1 1.2.3.4 5000 typ host",
        "1 0 udp 1 1.2.3.4 5000 typ host", "1 1 udp 4294967296 1.2.3.4 5000 typ host", "1 1 udp 1 1.2.3.4 70000 typ host",
        "1 1 udp 1 1.2.3.4 5000 typ srflx raddr", "1 1 udp 1 1.2.3.4 5000 typ srflx rport x", "1 1 udp 1 1.2.3.4 5000 typ host generation",
    ])
    func candidateMalformed(_ value: String) {
        #expect(Candidate(value: value) == nil)
    }

    @Test func candidateFields() throws {
        let c = try #require(Candidate(value: "435653019 1 tcp 1845501695 203.0.113.7 9 typ srflx raddr 192.168.0.196 rport 0 tcptype active"))
        #expect(c.component == 1 && c.priority == 1845501695 && c.port == 9 && c.type == "srflx")
        #expect(c.relatedAddress == "192.168.0.196" && c.relatedPort == 0)
        #expect(c.extensionValue("tcptype") == "active")
    }

    @Test func iceAttributes() throws {
        let sdp = try SessionDescription(parsing: "v=0\r\na=ice-lite\r\na=ice-ufrag:F7gI\r\na=ice-pwd:x9cml/YzichV2+XlhiMu8g\r\na=ice-options:trickle renomination\r\n")
        #expect(sdp.iceLite)
        #expect(sdp.iceCredentials == ICECredentials(ufrag: "F7gI", pwd: "x9cml/YzichV2+XlhiMu8g"))
        #expect(sdp.iceOptions == ["trickle", "renomination"])
    }

    @Test("crypto", arguments: [
        "1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^20|1:32",
        "2 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj|2^20|1:32 UNENCRYPTED_SRTCP",
        "1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz",
        "3 AES_256_CM_HMAC_SHA1_80 inline:MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJjZGVmMTIzNDU2Nzg5QUJDREUwMTIz|1048576",
        "1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|1:4",
        "1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj;inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj KDR=1 WSH=64",
    ])
    func cryptoRoundTrip(_ value: String) {
        #expect(Crypto(value: value)?.value == value)
    }

    @Test("crypto malformed", arguments: [
        "", "1 AES_CM_128_HMAC_SHA1_80", "x AES_CM_128_HMAC_SHA1_80 inline:abcd", "1 AES_CM_128_HMAC_SHA1_80 inline",
        "1 AES_CM_128_HMAC_SHA1_80 inline:", "1 AES_CM_128_HMAC_SHA1_80 inline:ab$d", "1 S inline:abcd|1:4|2^20",
        "1 S inline:abcd|2^x", "1 S inline:abcd|1:0", "1 S inline:abcd|20|30", "1 S inline:ab=cd",
    ])
    func cryptoMalformed(_ value: String) {
        #expect(Crypto(value: value) == nil)
    }

    @Test func cryptoFields() throws {
        let c = try #require(Crypto(value: "1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^20|1:32"))
        #expect(c.tag == 1 && c.suite == "AES_CM_128_HMAC_SHA1_80")
        #expect(c.key?.lifetime == "2^20")
        #expect(c.key?.mki == Crypto.MKI(value: "1", length: 32))
        #expect(c.key?.keySaltBytes?.count == 30)     // 16-byte key + 14-byte salt
        #expect(Base64.decode("TWFu") == [77, 97, 110])
        #expect(Base64.decode("TWE") == [77, 97])      // unpadded
        #expect(Base64.decode("TQ==") == [77])
        #expect(Base64.decode("T") == nil)
    }

    @Test func fingerprint() throws {
        let value = "sha-256 49:66:12:17:0D:1C:91:AE:57:4C:C6:36:DD:D5:97:D2:7D:62:C9:9A:7F:B9:A3:F4:70:03:E7:43:91:73:23:5E"
        let f = try #require(Fingerprint(value: value))
        #expect(f.digest.first == 0x49 && f.digest.count == 32)
        #expect(f.value == value)
        #expect(Fingerprint(value: "sha-1 4a:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB")?.value
            == "sha-1 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB")
        for bad in ["", "sha-256", "sha-256 49:66", "sha-1 4G:AD", "sha-256 49:66:", "x 1:2"] {
            #expect(Fingerprint(value: bad) == nil, "\(bad)")
        }
        #expect(Fingerprint(value: "x-unknown AB:CD")?.digest == [0xAB, 0xCD])
    }

    @Test func setupMidGroup() {
        #expect(Setup.allCases.allSatisfy { Setup(value: $0.value) == $0 })
        #expect(Setup(value: "ACTPASS") == nil)
        #expect(MID(value: "audio")?.identifier == "audio")
        #expect(MID(value: "") == nil)
        #expect(Group(value: "BUNDLE 0 1")?.value == "BUNDLE 0 1")
        #expect(Group(value: "LS a")?.isBundle == false)
        #expect(Group(value: "") == nil)
    }

    @Test func ptime() {
        #expect(PTime(value: "20")?.milliseconds == 20)
        #expect(PTime(value: "22.5")?.milliseconds == 22)
        #expect(MaxPTime(value: "150")?.value == "150")
        for bad in ["", "x", "20ms", "-20", "1.x", "99999999"] {
            #expect(PTime(value: bad) == nil, "\(bad)")
        }
    }

    @Test func ssrc() {
        #expect(SSRC(value: "3735928559 cname:4TOk42mSjXCkVIa6") == SSRC(id: 3735928559, attribute: "cname", attributeValue: "4TOk42mSjXCkVIa6"))
        #expect(SSRC(value: "1 msid:stream1 track1")?.attributeValue == "stream1 track1")
        #expect(SSRC(value: "1 previous-ssrc")?.value == "1 previous-ssrc")
        #expect(SSRC(value: "0 cname:x")?.id == 0)
        for bad in ["", "1", "x cname:y", "4294967296 cname:y", "1 :y"] {
            #expect(SSRC(value: bad) == nil, "\(bad)")
        }
        #expect(SSRCGroup(value: "FID 1 x") == nil)
    }

    @Test func staticPayloadTypes() {
        #expect(StaticPayloadTypes.rtpmap(for: 0)?.value == "0 PCMU/8000")
        #expect(StaticPayloadTypes.rtpmap(for: 8)?.value == "8 PCMA/8000")
        #expect(StaticPayloadTypes.rtpmap(for: 9)?.value == "9 G722/8000")
        #expect(StaticPayloadTypes.rtpmap(for: 10)?.value == "10 L16/44100/2")
        #expect(StaticPayloadTypes.rtpmap(for: 10)?.channels == 2)
        #expect(StaticPayloadTypes.rtpmap(for: 34)?.value == "34 H263/90000")
        #expect(StaticPayloadTypes.rtpmap(for: 2) == nil)
        #expect(StaticPayloadTypes.rtpmap(for: 96) == nil)
        #expect(StaticPayloadTypes.all.count == 24)
    }

    @Test func genericAttributeAccessSkipsMalformed() throws {
        let sdp = try SessionDescription(parsing: "v=0\r\nm=audio 1 RTP/AVP 0 8\r\na=rtpmap:0 broken\r\na=rtpmap:8 PCMA/8000\r\n")
        #expect(sdp.media[0].attribute(RTPMap.self)?.payloadType == 8)
        #expect(sdp.media[0].rtpMaps.count == 1)
        #expect(sdp.media[0].attributes("rtpmap").count == 2)
    }

    @Test func lineAttributeViews() {
        let line = SDPLine("a", "rtpmap:0 PCMU/8000")
        #expect(line.attributeName == "rtpmap" && line.attributeValue == "0 PCMU/8000")
        #expect(SDPLine("a", "sendrecv").attributeValue == nil)
        #expect(SDPLine("c", "IN IP4 1.1.1.1").attributeName == nil)
        #expect(SDPLine.attribute("x", "y").text == "a=x:y")
    }
}
