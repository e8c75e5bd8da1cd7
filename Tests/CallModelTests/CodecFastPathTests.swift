import SDP
import Testing
@testable import CallModel

// The byte-level shortcuts of the codec negotiation must answer exactly as the String
// operations they replace (`lowercased() ==`, `contains("RTP")`, `hasPrefix`), including for
// text that is not ASCII.

private let names = [
    "PCMU", "pcmu", "PcMu", "PCMA", "telephone-event", "TELEPHONE-EVENT", "telephone-even", "CN", "cn",
    "", "opus", "OPUS", "G722", "k", "K", "\u{212A}", "\u{212A}n", "Straße", "STRASSE", "straße",
    "İ", "i", "i\u{307}", "é", "e\u{301}", "É", "[", "{", "@", "`",
]

@Test func codecNamesCompareAsLowercasedStringsDo() {
    for a in names {
        for b in names {
            #expect(CodecCatalog.sameName(a, b) == (a.lowercased() == b.lowercased()), "\(a) vs \(b)")
        }
    }
}

@Test func rtpProtocolCheckMatchesStringContains() {
    let protos = ["RTP/AVP", "UDP/TLS/RTP/SAVPF", "RTP", "RT", "udp", "rtp/avp", "", "RTP\u{301}/AVP",
                  "UDP/RTP\u{301}", "\u{212A}RTP", "TCP/MRCPv2", "R T P", "xRTPx"]
    for proto in protos {
        #expect(CodecNegotiation.isRTP(proto) == proto.contains("RTP"), "\(proto)")
    }
}

@Test func codecEntryTraitsFollowItsFormat() {
    var entry = CodecEntry(format: PayloadFormat(payloadType: 0, encoding: "PCMU", clockRate: 8000), lines: [])
    #expect(!entry.isSupplemental && entry.isSupported)
    entry.format.encoding = "Telephone-Event"
    #expect(entry.isSupplemental && entry.traits.supplemental == .telephoneEvent)
    entry.format.encoding = "GSM"
    #expect(!entry.isSupplemental && !entry.isSupported)
    entry.format = PayloadFormat(payloadType: 13, encoding: "cn", clockRate: 8000)
    #expect(entry.traits.supplemental == .comfortNoise && entry.isSupported)
}

@Test func rtcpFeedbackLinesGoWithTheirPayloadType() throws {
    let text = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
        + "m=video 5000 RTP/AVPF 96 97 9\r\na=rtpmap:96 VP8/90000\r\na=rtpmap:97 H264/90000\r\n"
        + "a=rtcp-fb:96 nack\r\na=rtcp-fb:97 nack pli\r\na=rtcp-fb:9 ccm fir\r\na=rtcp-fb:96 goog-remb\r\n"
        + "a=rtcp-fb:* transport-cc\r\na=rtcp-fb:960 nack\r\na=rtcp-fb:96\r\na=rtcp-fb:97 \u{301}x\r\n"
    let media = try SessionDescription(parsing: text).media[0]
    let store = CodecStore.read(media)
    for entry in store.entries {
        let expected = media.lines.filter {
            $0.attributeName == "rtcp-fb" && $0.value.hasPrefix("rtcp-fb:\(entry.payloadType) ")
        }
        #expect(Array(entry.lines.dropFirst()) == expected, "\(entry.payloadType)")
    }
    #expect(store.entries[0].lines.count == 3)
}
