import SIP

/// Real-world shaped messages (SIPp uac/uas scenarios, Kamailio, Asterisk, Linphone), written
/// with `\n` and converted to CRLF by `crlf`.
enum Fixtures {
    static func crlf(_ text: String) -> [UInt8] {
        Array(text.replacing("\n", with: "\r\n").utf8)
    }

    static func parseRequest(_ text: String) throws -> SIPRequest {
        guard case .request(let r) = try SIPMessage.parse(crlf(text)) else { throw FixtureError.notARequest }
        return r
    }

    static func parseResponse(_ text: String) throws -> SIPResponse {
        guard case .response(let r) = try SIPMessage.parse(crlf(text)) else { throw FixtureError.notAResponse }
        return r
    }

    enum FixtureError: Error { case notARequest, notAResponse }

    static let sdp = """
        v=0
        o=user1 53655765 2353687637 IN IP4 127.0.1.1
        s=-
        c=IN IP4 127.0.1.1
        t=0 0
        m=audio 6000 RTP/AVP 0
        a=rtpmap:0 PCMU/8000

        """

    /// SIPp's default uac INVITE.
    static let sippInvite = """
        INVITE sip:service@127.0.0.1:5060 SIP/2.0
        Via: SIP/2.0/UDP 127.0.1.1:5061;branch=z9hG4bK-4018-1-0
        From: sipp <sip:sipp@127.0.1.1:5061>;tag=4018SIPpTag001
        To: service <sip:service@127.0.0.1:5060>
        Call-ID: 1-4018@127.0.1.1
        CSeq: 1 INVITE
        Contact: sip:sipp@127.0.1.1:5061
        Max-Forwards: 70
        Subject: Performance Test
        Content-Type: application/sdp
        Content-Length:   \(sdp.utf8.count + sdp.filter { $0 == "\n" }.count)

        \(sdp)
        """

    /// A Kamailio-forwarded INVITE: two Vias (one line each), Record-Route, rport/received.
    static let kamailioInvite = """
        INVITE sip:bob@192.168.1.20:5060 SIP/2.0
        Record-Route: <sip:10.0.0.1;lr;ftag=as1a2b3c;nat=yes>
        Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1f2e.5a3b0c2d1e0f.0
        Via: SIP/2.0/UDP 192.168.1.10:5060;received=203.0.113.5;rport=40312;branch=z9hG4bK-524287-1---abcd
        Max-Forwards: 69
        Contact: <sip:alice@192.168.1.10:5060;transport=udp>
        To: <sip:bob@example.com>
        From: "Alice, Smith" <sip:alice@example.com>;tag=as1a2b3c
        Call-ID: 3848276298220188511@192.168.1.10
        CSeq: 102 INVITE
        User-Agent: Asterisk PBX 18.10.0
        Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, SUBSCRIBE, NOTIFY, INFO, PUBLISH, MESSAGE
        Supported: replaces, timer
        Content-Length: 0


        """

    /// Linphone REGISTER with compact headers, a folded header and IPv6 sent-by.
    static let linphoneCompact = """
        REGISTER sip:sip.example.org SIP/2.0
        v: SIP/2.0/TCP [2001:db8::10]:5060;alias;branch=z9hG4bK.Kx7Dg9;rport
        f: <sip:alice@sip.example.org>;tag=Qw3~
        t: sip:alice@sip.example.org
        i: Zx-1Am9lQ
        CSeq: 20 REGISTER
        m: <sip:alice@[2001:db8::10]:5060;transport=tcp>;+sip.instance="<urn:uuid:5ba4c5d6-0000-1000-8000-0021f2a7c5e0>";expires=3600
        Max-Forwards: 70
        User-Agent: Linphone/5.2.0
         (belle-sip/5.2.0)
        k: outbound, gruu
        l: 0


        """

    /// A response with two Vias in one header line (Asterisk style 180 Ringing).
    static let ringing = """
        SIP/2.0 180 Ringing
        Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1f2e.5a3b0c2d1e0f.0, SIP/2.0/UDP 192.168.1.10:5060;received=203.0.113.5;rport=40312;branch=z9hG4bK-524287-1---abcd
        From: "Alice, Smith" <sip:alice@example.com>;tag=as1a2b3c
        To: <sip:bob@example.com>;tag=b0b7ag
        Call-ID: 3848276298220188511@192.168.1.10
        CSeq: 102 INVITE
        Contact: <sip:bob@192.168.1.20:5060>
        Content-Length: 0


        """
}
