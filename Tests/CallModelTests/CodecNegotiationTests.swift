import Testing
import TandemBase
@testable import CallModel

// The TranscodePlan each negotiated situation hands the data plane (FakeMediaPlane records
// configure()). The socket advertised to B in the offer receives B's RTP (plan B -> A); the
// socket advertised to A in the answer receives A's RTP (plan A -> B).

private func sdp(_ origin: String, _ media: String) -> String {
    "v=0\r\no=- 1 1 IN IP4 \(origin)\r\ns=-\r\nc=IN IP4 \(origin)\r\nt=0 0\r\n"
        + media.split(separator: "\n").map { $0 + "\r\n" }.joined()
}

private struct Negotiated {
    let h: Harness
    let offered: String
    let answered: String

    init(offer: String, answer: String, codecs: CodecOptions, answerCodecs: CodecOptions = CodecOptions()) throws {
        h = Harness()
        offered = try h.offer(sdp("198.51.100.1", offer)) { $0.codecs = codecs }
        answered = try h.answer(sdp("198.51.100.2", answer)) { $0.codecs = answerCodecs }
    }

    /// What A sends, on its way to B.
    var aToB: TranscodePlan? { get throws { try h.plane.forwarding[h.socket(advertisedIn: answered)]?.transcode } }
    /// What B sends, on its way to A.
    var bToA: TranscodePlan? { get throws { try h.plane.forwarding[h.socket(advertisedIn: offered)]?.transcode } }
}

private func options(_ edit: (inout CodecOptions) -> Void) -> CodecOptions {
    var o = CodecOptions()
    edit(&o)
    return o
}

private let pcmu = PayloadFormat(payloadType: 0, encoding: "PCMU", clockRate: 8000)
private let pcma = PayloadFormat(payloadType: 8, encoding: "PCMA", clockRate: 8000)

@Test func pcmaToPCMUTranscodesBothWaysWithTelephoneEventAtTheSameRate() throws {
    let n = try Negotiated(
        offer: "m=audio 7078 RTP/AVP 8 101\na=rtpmap:101 telephone-event/8000\na=fmtp:101 0-15",
        answer: "m=audio 9000 RTP/AVP 0 101\na=rtpmap:0 PCMU/8000\na=rtpmap:101 telephone-event/8000",
        codecs: options { $0.transcode = ["PCMU"] })
    #expect(n.offered.contains("m=audio \(mediaPort(n.offered)!) RTP/AVP 8 0 101"))
    let aToB = try #require(try n.aToB)
    #expect(aToB.decode.map(\.payloadType) == [8])
    #expect(aToB.encode.payloadType == 0 && aToB.encode.encoding == "PCMU")
    #expect(aToB.telephoneEventIn?.payloadType == 101 && aToB.telephoneEventOut?.payloadType == 101)
    #expect(aToB.telephoneEventOut?.clockRate == 8000)
    #expect(!aToB.detectInbandDTMF && !aToB.generateInbandDTMF)
    #expect(aToB.ptime == 20)
    let bToA = try #require(try n.bToA)
    #expect(bToA.decode.map(\.payloadType) == [0])
    #expect(bToA.encode.payloadType == 8)
    #expect(bToA.telephoneEventOut?.payloadType == 101)
}

@Test func sharedCodecIsPassedThroughWithoutAPlan() throws {
    let n = try Negotiated(
        offer: "m=audio 7078 RTP/AVP 8 101\na=rtpmap:101 telephone-event/8000",
        answer: "m=audio 9000 RTP/AVP 8 101\na=rtpmap:101 telephone-event/8000",
        codecs: options { $0.transcode = ["PCMU"] })
    #expect(try n.aToB == nil)
    #expect(try n.bToA == nil)
}

@Test func noCodecOptionsNoPlan() throws {
    let n = try Negotiated(offer: "m=audio 7078 RTP/AVP 0 8", answer: "m=audio 9000 RTP/AVP 0", codecs: CodecOptions())
    #expect(try n.aToB == nil)
    #expect(try n.bToA == nil)
}

@Test func opusToPCMUTranslatesTelephoneEventBetween48000And8000() throws {
    let n = try Negotiated(
        offer: "m=audio 7078 RTP/AVP 111 101\na=rtpmap:111 opus/48000/2\na=rtpmap:101 telephone-event/48000",
        answer: "m=audio 9000 RTP/AVP 0 101\na=rtpmap:101 telephone-event/8000",
        codecs: options { $0.transcode = ["PCMU"] })
    let aToB = try #require(try n.aToB)
    #expect(aToB.decode.map(\.encoding) == ["opus"])
    #expect(aToB.decode.first?.clockRate == 48000 && aToB.decode.first?.channels == 2)
    #expect(aToB.encode == pcmu)
    #expect(aToB.telephoneEventIn?.clockRate == 48000)
    #expect(aToB.telephoneEventOut?.clockRate == 8000)
    let bToA = try #require(try n.bToA)
    #expect(bToA.decode == [pcmu])
    #expect(bToA.encode.payloadType == 111 && bToA.encode.encoding == "opus")
    #expect(bToA.telephoneEventIn?.clockRate == 8000)
    #expect(bToA.telephoneEventOut?.clockRate == 48000 && bToA.telephoneEventOut?.payloadType == 101)
}

@Test func calleeWithoutTelephoneEventMeansNoneForTheCallerEither() throws {
    // rtpengine #118: the caller is answered without telephone-event, so neither side sends it.
    let n = try Negotiated(
        offer: "m=audio 7078 RTP/AVP 8 101\na=rtpmap:101 telephone-event/8000",
        answer: "m=audio 9000 RTP/AVP 0",
        codecs: options { $0.transcode = ["PCMU"] })
    #expect(n.answered.contains("RTP/AVP 8\r\n"))
    let aToB = try #require(try n.aToB)
    #expect(aToB.decode == [pcma] && aToB.encode == pcmu)
    #expect(aToB.telephoneEventIn == nil && aToB.telephoneEventOut == nil && !aToB.generateInbandDTMF)
    let bToA = try #require(try n.bToA)
    #expect(bToA.telephoneEventIn == nil && bToA.telephoneEventOut == nil)
    #expect(!bToA.detectInbandDTMF && !bToA.generateInbandDTMF)
}

@Test func transcodedTelephoneEventAtTheReceiverOnlyMeansInbandDetection() throws {
    // `transcode: telephone-event` is how rtpengine is told to detect in-band DTMF.
    let n = try Negotiated(
        offer: "m=audio 7078 RTP/AVP 8",
        answer: "m=audio 9000 RTP/AVP 0 96\na=rtpmap:96 telephone-event/8000",
        codecs: options { $0.transcode = ["PCMU", "telephone-event"] })
    #expect(n.offered.contains("a=rtpmap:96 telephone-event/8000"))
    #expect(n.offered.contains("a=fmtp:96 0-15"))
    let aToB = try #require(try n.aToB)
    #expect(aToB.decode == [pcma] && aToB.encode == pcmu)
    #expect(aToB.telephoneEventIn == nil && aToB.telephoneEventOut?.payloadType == 96)
    #expect(aToB.detectInbandDTMF && !aToB.generateInbandDTMF)
    // The caller has no telephone-event: the callee's events are rendered as in-band tones.
    #expect(!n.answered.contains("telephone-event"))
    let bToA = try #require(try n.bToA)
    #expect(bToA.decode == [pcmu] && bToA.encode == pcma)
    #expect(bToA.telephoneEventIn?.payloadType == 96 && bToA.telephoneEventOut == nil)
    #expect(bToA.generateInbandDTMF && !bToA.detectInbandDTMF)
}

@Test func forcedPtimeRepacketisesTheSameCodec() throws {
    let n = try Negotiated(
        offer: "m=audio 7078 RTP/AVP 8\na=ptime:20",
        answer: "m=audio 9000 RTP/AVP 8\na=ptime:30",
        codecs: options { $0.ptime = 30 })
    #expect(n.offered.contains("a=ptime:30"))
    #expect(n.answered.contains("a=ptime:20"))
    let aToB = try #require(try n.aToB)
    #expect(aToB.decode == [pcma] && aToB.encode == pcma && aToB.ptime == 30)
    let bToA = try #require(try n.bToA)
    #expect(bToA.decode == [pcma] && bToA.ptime == 20)
}

@Test func comfortNoiseSharedByBothIsPassedWhileAudioIsTranscoded() throws {
    let n = try Negotiated(
        offer: "m=audio 7078 RTP/AVP 0 13 101\na=rtpmap:101 telephone-event/8000",
        answer: "m=audio 9000 RTP/AVP 8 13",
        codecs: options { $0.transcode = ["PCMA"] })
    let aToB = try #require(try n.aToB)
    #expect(aToB.decode == [pcmu] && aToB.encode == pcma)
    #expect(aToB.comfortNoise == .pass(payloadType: 13))
    let bToA = try #require(try n.bToA)
    #expect(bToA.comfortNoise == .pass(payloadType: 13))
}

@Test func answererPickingAnAcceptedCodecIsTranscodedToTheCallersPreference() throws {
    // always transcode = accept all: the caller's first codec is what it gets (#112).
    let n = try Negotiated(
        offer: "m=audio 7078 RTP/AVP 8 0 101\na=rtpmap:101 telephone-event/8000",
        answer: "m=audio 9000 RTP/AVP 0 101\na=rtpmap:101 telephone-event/8000",
        codecs: options { $0.accept = ["all"] })
    #expect(n.answered.contains("RTP/AVP 8 101\r\n"))
    let bToA = try #require(try n.bToA)
    #expect(bToA.decode == [pcmu] && bToA.encode == pcma)
    let aToB = try #require(try n.aToB)
    #expect(aToB.decode == [pcma] && aToB.encode == pcmu)
}

@Test func rtcpSocketsNeverCarryAPlan() throws {
    let n = try Negotiated(
        offer: "m=audio 7078 RTP/AVP 8", answer: "m=audio 9000 RTP/AVP 0",
        codecs: options { $0.transcode = ["PCMU"] })
    let plans = n.h.plane.forwarding.values.filter { $0.transcode != nil }
    #expect(plans.count == 2, "one RTP socket per party")
    #expect(plans.allSatisfy { $0.rtpOut != nil })
}

@Test func codecSpecificationsParseEveryField() {
    let spec = CodecSpec("opus/48000/2/32000/40/useinbandfec=1")
    #expect(spec?.encoding == "opus" && spec?.clockRate == 48000 && spec?.channels == 2)
    #expect(spec?.bitrate == 32000 && spec?.ptime == 40 && spec?.fmtp == "useinbandfec=1")
    let sparse = CodecSpec("opus/48000/2///stereo=1")
    #expect(sparse?.bitrate == nil && sparse?.ptime == nil && sparse?.fmtp == "stereo=1")
    #expect(CodecSpec("PCMU")?.matches(pcmu) == true)
    #expect(CodecSpec("pcmu/8000")?.matches(pcmu) == true)
    #expect(CodecSpec("PCMU/16000")?.matches(pcmu) == false)
    #expect(CodecSpec("") == nil)
}

@Test func bitrateFromTheTranscodeSpecReachesTheEncoder() throws {
    let n = try Negotiated(
        offer: "m=audio 7078 RTP/AVP 0",
        answer: "m=audio 9000 RTP/AVP 96\na=rtpmap:96 opus/48000/2\na=fmtp:96 useinbandfec=1",
        codecs: options { $0.transcode = ["opus/48000/2/32000"] })
    let aToB = try #require(try n.aToB)
    #expect(aToB.encode.encoding == "opus" && aToB.encode.bitrate == 32000)
    #expect(aToB.encode.fmtp == "useinbandfec=1", "the callee's fmtp is what the encoder honours")
}

@Test func setGivesTheCallersOpusABitrateWithoutChangingTheSDP() throws {
    let n = try Negotiated(
        offer: "m=audio 7078 RTP/AVP 96\na=rtpmap:96 opus/48000/2",
        answer: "m=audio 9000 RTP/AVP 0",
        codecs: options { $0.transcode = ["PCMU"]; $0.set = ["opus/48000/2/24000"] })
    #expect(!n.offered.contains("24000"))
    let bToA = try #require(try n.bToA)
    #expect(bToA.encode.encoding == "opus" && bToA.encode.bitrate == 24000)
}

@Test func malformedOrUnsupportedCodecSpecsChangeNothing() throws {
    let plain = try Negotiated(offer: "m=audio 7078 RTP/AVP 0 8", answer: "m=audio 9000 RTP/AVP 0",
                               codecs: CodecOptions())
    let odd = try Negotiated(
        offer: "m=audio 7078 RTP/AVP 0 8", answer: "m=audio 9000 RTP/AVP 0",
        codecs: options {
            $0.transcode = ["", "/", "//", "G729", "AMR-WB/16000", "PCMU/abc/x", "opus/16000", "PCMA/16000", "G722/8000/2"]
            $0.strip = ["nonexistent", ""]
            $0.mask = ["/"]
            $0.accept = ["whatever"]
            $0.set = ["///"]
        })
    let media = { (sdp: String) in sdp.split(separator: "\r\n").filter { $0.hasPrefix("a=rtpmap") || $0.hasPrefix("m=") }.map { $0.replacingPort() } }
    #expect(media(odd.offered) == media(plain.offered))
    #expect(media(odd.answered) == media(plain.answered))
    #expect(try odd.aToB == nil && odd.bToA == nil)
}

@Test func payloadTypeNumbersRunOutWithoutHarm() throws {
    // 96-127 all taken by the offer: a synthesised opus has no number left and is not offered.
    let dynamic = (96...127).map(String.init).joined(separator: " ")
    let maps = (96...127).map { "a=rtpmap:\($0) L16/\(8000 + $0)" }.joined(separator: "\n")
    let n = try Negotiated(
        offer: "m=audio 7078 RTP/AVP 0 \(dynamic)\n\(maps)", answer: "m=audio 9000 RTP/AVP 0",
        codecs: options { $0.transcode = ["opus", "G722"] })
    #expect(!n.offered.contains("opus"))
    #expect(n.offered.contains("a=rtpmap:9 G722/8000"))
}

private extension Substring {
    /// `m=audio 30000 RTP/AVP ...` without the allocated port.
    func replacingPort() -> String {
        guard hasPrefix("m=") else { return String(self) }
        var parts = split(separator: " ")
        parts[1] = "PORT"
        return parts.joined(separator: " ")
    }
}
