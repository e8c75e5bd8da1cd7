/// Realistic session descriptions, written with "\n" and converted to CRLF where the real
/// sender uses CRLF.
enum Fixtures {
    static func crlf(_ s: String) -> String { s.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n") }

    static let linphoneOffer = crlf("""
        v=0
        o=alice 3724 1816 IN IP4 192.168.1.20
        s=Talk
        c=IN IP4 192.168.1.20
        t=0 0
        a=rtcp-xr:rcvr-rtt=all:10000 stat-summary=loss,dup,jitt,TTL voip-metrics
        m=audio 7078 RTP/AVP 96 97 98 0 8 18 101 99 100
        a=rtpmap:96 opus/48000/2
        a=fmtp:96 useinbandfec=1
        a=rtpmap:97 speex/16000
        a=fmtp:97 vbr=on
        a=rtpmap:98 speex/8000
        a=fmtp:98 vbr=on
        a=fmtp:18 annexb=yes
        a=rtpmap:101 telephone-event/48000
        a=rtpmap:99 telephone-event/16000
        a=rtpmap:100 telephone-event/8000
        a=rtcp-fb:* trr-int 1000
        a=rtcp-fb:* ccm tmmbr

        """)

    static let sippOffer = crlf("""
        v=0
        o=user1 53655765 2353687637 IN IP4 127.0.1.1
        s=-
        c=IN IP4 127.0.1.1
        t=0 0
        m=audio 6000 RTP/AVP 0
        a=rtpmap:0 PCMU/8000

        """)

    static let asteriskAnswer = crlf("""
        v=0
        o=- 1671047411 1671047413 IN IP4 10.0.0.5
        s=Asterisk
        c=IN IP4 10.0.0.5
        t=0 0
        m=audio 17442 RTP/AVP 8 0 101
        a=rtpmap:8 PCMA/8000
        a=rtpmap:0 PCMU/8000
        a=rtpmap:101 telephone-event/8000
        a=fmtp:101 0-16
        a=ptime:20
        a=maxptime:150
        a=sendrecv

        """)

    static let chromeOffer = crlf("""
        v=0
        o=- 4611731400430051336 2 IN IP4 127.0.0.1
        s=-
        t=0 0
        a=group:BUNDLE 0 1
        a=extmap-allow-mixed
        a=msid-semantic: WMS stream1
        m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126
        c=IN IP4 0.0.0.0
        a=rtcp:9 IN IP4 0.0.0.0
        a=candidate:1467250027 1 udp 2122260223 192.168.0.196 46243 typ host generation 0 network-id 1
        a=candidate:435653019 1 tcp 1845501695 203.0.113.7 9 typ srflx raddr 192.168.0.196 rport 0 tcptype active generation 0
        a=candidate:2999745851 1 udp 1686052607 203.0.113.7 46243 typ srflx raddr 192.168.0.196 rport 46243 generation 0
        a=ice-ufrag:Oyef
        a=ice-pwd:7ncYmtGHPv3dyq3QiEVS1frN
        a=ice-options:trickle
        a=fingerprint:sha-256 49:66:12:17:0D:1C:91:AE:57:4C:C6:36:DD:D5:97:D2:7D:62:C9:9A:7F:B9:A3:F4:70:03:E7:43:91:73:23:5E
        a=setup:actpass
        a=mid:0
        a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
        a=sendrecv
        a=msid:stream1 track1
        a=rtcp-mux
        a=rtpmap:111 opus/48000/2
        a=rtcp-fb:111 transport-cc
        a=fmtp:111 minptime=10;useinbandfec=1
        a=rtpmap:63 red/48000/2
        a=fmtp:63 111/111
        a=rtpmap:9 G722/8000
        a=rtpmap:0 PCMU/8000
        a=rtpmap:8 PCMA/8000
        a=rtpmap:13 CN/8000
        a=rtpmap:110 telephone-event/48000
        a=rtpmap:126 telephone-event/8000
        a=ssrc:3735928559 cname:4TOk42mSjXCkVIa6
        a=ssrc:3735928559 msid:stream1 track1
        m=video 9 UDP/TLS/RTP/SAVPF 96 97
        c=IN IP4 0.0.0.0
        a=rtcp:9 IN IP4 0.0.0.0
        a=ice-ufrag:Oyef
        a=ice-pwd:7ncYmtGHPv3dyq3QiEVS1frN
        a=ice-options:trickle
        a=fingerprint:sha-256 49:66:12:17:0D:1C:91:AE:57:4C:C6:36:DD:D5:97:D2:7D:62:C9:9A:7F:B9:A3:F4:70:03:E7:43:91:73:23:5E
        a=setup:actpass
        a=mid:1
        a=sendrecv
        a=rtcp-mux
        a=rtcp-rsize
        a=rtpmap:96 VP8/90000
        a=rtcp-fb:96 nack pli
        a=rtpmap:97 rtx/90000
        a=fmtp:97 apt=96
        a=ssrc-group:FID 2231627014 632943048
        a=ssrc:2231627014 cname:4TOk42mSjXCkVIa6
        a=ssrc:632943048 cname:4TOk42mSjXCkVIa6

        """)

    static let sdesOffer = crlf("""
        v=0
        o=- 20518 0 IN IP4 203.0.113.1
        s=-
        t=0 0
        c=IN IP4 203.0.113.1
        m=audio 54400 RTP/SAVP 0 96
        a=rtpmap:96 telephone-event/8000
        a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^20|1:32
        a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj|2^20|1:32 UNENCRYPTED_SRTCP

        """)

    static let ipv6Offer = crlf("""
        v=0
        o=bob 2808844564 2808844564 IN IP6 2001:db8::1
        s=-
        c=IN IP6 2001:db8::1
        t=0 0
        m=audio 49170 RTP/AVP 0
        a=rtcp:49171 IN IP6 2001:db8::1

        """)

    static let holdOffer = crlf("""
        v=0
        o=- 1 2 IN IP4 10.1.1.1
        s=-
        c=IN IP4 0.0.0.0
        t=0 0
        m=audio 30000 RTP/AVP 8
        a=sendonly

        """)

    static let rejectedVideoAnswer = crlf("""
        v=0
        o=- 1 2 IN IP4 10.1.1.1
        s=-
        c=IN IP4 10.1.1.1
        t=0 0
        m=audio 30000 RTP/AVP 8
        m=video 0 RTP/AVP 96

        """)

    static let multiPort = crlf("""
        v=0
        o=- 1 2 IN IP4 224.2.17.12
        s=Multicast
        c=IN IP4 224.2.1.1/127/3
        t=0 0
        m=video 49170/2 RTP/AVP 31
        b=AS:128

        """)

    static let t38Offer = crlf("""
        v=0
        o=- 1 2 IN IP4 10.1.1.1
        s=-
        c=IN IP4 10.1.1.1
        t=0 0
        m=image 40000 udptl t38
        a=T38FaxVersion:0
        a=T38FaxRateManagement:transferredTCF
        a=T38FaxUdpEC:t38UDPRedundancy

        """)

    static let lfOnly = """
        v=0
        o=- 1 1 IN IP4 10.0.0.1
        s=-
        c=IN IP4 10.0.0.1
        t=0 0
        m=audio 5000 RTP/AVP 0 8

        """

    static let noFinalNewline = crlf("""
        v=0
        o=- 1 1 IN IP4 10.0.0.1
        s=-
        c=IN IP4 10.0.0.1
        t=0 0
        m=audio 5000 RTP/AVP 0
        a=rtpmap:0 PCMU/8000
        """)

    static let all: [(name: String, sdp: String)] = [
        ("linphone", linphoneOffer), ("sipp", sippOffer), ("asterisk", asteriskAnswer),
        ("chrome", chromeOffer), ("sdes", sdesOffer), ("ipv6", ipv6Offer), ("hold", holdOffer),
        ("rejected", rejectedVideoAnswer), ("multiport", multiPort), ("t38", t38Offer),
        ("lf-only", lfOnly), ("no-final-newline", noFinalNewline),
    ]
}
