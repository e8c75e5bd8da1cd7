import Testing
@testable import SDP

@Suite("Model")
struct ModelTests {
    @Test func splitsSessionAndMediaLevels() throws {
        let sdp = try SessionDescription(parsing: Fixtures.chromeOffer)
        #expect(sdp.lines.first == SDPLine("v", "0"))
        #expect(sdp.lines.count == 7)
        #expect(sdp.media.count == 2)
        #expect(sdp.media[0].mediaLine == MediaLine(media: "audio", port: 9, proto: "UDP/TLS/RTP/SAVPF",
                                                    formats: ["111", "63", "9", "0", "8", "13", "110", "126"]))
        #expect(sdp.media[1].mediaLine.media == "video")
        #expect(sdp.media[1].lines.last == SDPLine("a", "ssrc:632943048 cname:4TOk42mSjXCkVIa6"))
    }

    @Test func originAccessor() throws {
        var sdp = try SessionDescription(parsing: Fixtures.chromeOffer)
        let origin = try #require(sdp.origin)
        #expect(origin == Origin(username: "-", sessionID: "4611731400430051336", sessionVersion: "2",
                                 addressType: "IP4", address: "127.0.0.1"))
        var bumped = origin
        bumped.incrementVersion()
        bumped.address = "203.0.113.9"
        sdp.origin = bumped
        #expect(sdp.lines[1] == SDPLine("o", "- 4611731400430051336 3 IN IP4 203.0.113.9"))
    }

    @Test("origin version increments textually", arguments: [
        ("0", "1"), ("9", "10"), ("1999", "2000"), ("18446744073709551615", "18446744073709551616"), ("abc", "abc"),
    ])
    func versionIncrement(before: String, after: String) {
        var origin = Origin(username: "-", sessionID: "1", sessionVersion: before, addressType: "IP4", address: "1.1.1.1")
        origin.incrementVersion()
        #expect(origin.sessionVersion == after)
    }

    @Test func originWithSpacesInUsername() {
        let origin = Origin(value: "Mitel Phone 1 2 IN IP4 10.0.0.1")
        #expect(origin?.username == "Mitel Phone")
        #expect(origin?.address == "10.0.0.1")
    }

    @Test("connection lines", arguments: [
        ("IN IP4 10.0.0.1", Connection(addressType: "IP4", address: "10.0.0.1")),
        ("IN IP6 2001:db8::1", Connection(addressType: "IP6", address: "2001:db8::1")),
        ("IN IP4 224.2.1.1/127", Connection(addressType: "IP4", address: "224.2.1.1", ttl: 127)),
        ("IN IP4 224.2.1.1/127/3", Connection(addressType: "IP4", address: "224.2.1.1", ttl: 127, count: 3)),
        ("IN IP6 ff15::101/3", Connection(addressType: "IP6", address: "ff15::101", count: 3)),
    ])
    func connection(value: String, expected: Connection) {
        #expect(Connection(value: value) == expected)
        #expect(expected.value == value)
    }

    @Test func holdAddressAndEffectiveValues() throws {
        let sdp = try SessionDescription(parsing: Fixtures.holdOffer)
        #expect(sdp.connection?.isUnspecified == true)
        #expect(sdp.connection(for: sdp.media[0])?.address == "0.0.0.0")
        #expect(sdp.direction(for: sdp.media[0]) == .sendonly)
        let sipp = try SessionDescription(parsing: Fixtures.sippOffer)
        #expect(sipp.direction(for: sipp.media[0]) == .sendrecv)
    }

    @Test func mediaLevelConnectionOverridesSession() throws {
        let sdp = try SessionDescription(parsing: Fixtures.chromeOffer)
        #expect(sdp.connection == nil)
        #expect(sdp.connection(for: sdp.media[0])?.address == "0.0.0.0")
    }

    @Test func rejectedAndMultiPortMediaLines() throws {
        let rejected = try SessionDescription(parsing: Fixtures.rejectedVideoAnswer)
        #expect(rejected.media[1].mediaLine.isRejected)
        #expect(!rejected.media[0].mediaLine.isRejected)
        let multi = try SessionDescription(parsing: Fixtures.multiPort)
        #expect(multi.media[0].mediaLine.port == 49170)
        #expect(multi.media[0].mediaLine.portCount == 2)
        #expect(multi.media[0].mediaLine.value == "video 49170/2 RTP/AVP 31")
        #expect(multi.media[0].values(ofType: "b") == ["AS:128"])
    }

    @Test func nonRTPMediaLines() throws {
        let t38 = try SessionDescription(parsing: Fixtures.t38Offer)
        #expect(t38.media[0].mediaLine.proto == "udptl")
        #expect(t38.media[0].mediaLine.formats == ["t38"])
        #expect(t38.media[0].attribute("T38FaxVersion") == "0")
        #expect(t38.media[0].attribute("t38faxversion") == nil)      // names are case-sensitive
    }

    @Test func ipv6() throws {
        let sdp = try SessionDescription(parsing: Fixtures.ipv6Offer)
        #expect(sdp.origin?.addressType == "IP6")
        #expect(sdp.connection?.address == "2001:db8::1")
        let rtcp = sdp.media[0].attribute(RTCPAttribute.self)
        #expect(rtcp == RTCPAttribute(port: 49171, connection: Connection(addressType: "IP6", address: "2001:db8::1")))
    }

    @Test func sessionLevelICEAndBundle() throws {
        let sdp = try SessionDescription(parsing: Fixtures.chromeOffer)
        #expect(sdp.attribute(Group.self) == Group.bundle(["0", "1"]))
        #expect(sdp.attribute(Group.self)?.isBundle == true)
        #expect(sdp.media.map(\.mid) == ["0", "1"])
        #expect(sdp.media.allSatisfy { $0.rtcpMux })
        #expect(ICECredentials(media: sdp.media[1], session: sdp) == ICECredentials(ufrag: "Oyef", pwd: "7ncYmtGHPv3dyq3QiEVS1frN"))
        #expect(sdp.media[0].iceOptions == ["trickle"])
        #expect(sdp.media[0].candidates.count == 3)
        #expect(sdp.media[0].attribute(Setup.self) == .actpass)
        #expect(sdp.media[0].attribute(Fingerprint.self)?.digest.count == 32)
    }

    @Test func rtpMapAndFmtpLookup() throws {
        let sdp = try SessionDescription(parsing: Fixtures.chromeOffer)
        let audio = sdp.media[0]
        #expect(audio.rtpMap(for: 111) == RTPMap(payloadType: 111, encoding: "opus", clockRate: 48000, channels: 2))
        #expect(audio.rtpMap(for: 5) == nil)
        #expect(audio.fmtp(for: 111)?.parameter("useinbandfec") == "1")
        #expect(audio.rtpMaps.count == 8)
        #expect(audio.attributes(SSRC.self).map(\.attribute) == ["cname", "msid"])
        #expect(sdp.media[1].attribute(SSRCGroup.self) == SSRCGroup(semantics: "FID", ids: [2231627014, 632943048]))
    }
}
