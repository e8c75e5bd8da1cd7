import Testing
import SIP

@Suite("Typed headers")
struct HeaderTests {
    @Test("Via round trip", arguments: [
        "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK776asdhds",
        "SIP/2.0/TCP [2001:db8::1]:5070;branch=z9hG4bKx;rport=5070;received=2001:db8::2",
        "SIP/2.0/TLS proxy.example.com;branch=z9hG4bKy;maddr=224.2.0.1;ttl=16",
        "SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKz;rport",
    ])
    func viaRoundTrip(_ text: String) throws {
        let via = try #require(Via(text))
        #expect(via.description == text)
        #expect(Via(via.description) == via)
    }

    @Test func viaLenientSpacingAndCase() throws {
        let via = try #require(Via("SIP / 2.0 / udp   host.example:5062 ; branch = z9hG4bKabc ;rport"))
        #expect(via.transport == "UDP" && via.host == "host.example" && via.port == 5062)
        #expect(via.branch == "z9hG4bKabc" && via.hasRPort)
        #expect(!via.isReliableTransport)
    }

    @Test func viaParameterEditing() throws {
        var via = try #require(Via("SIP/2.0/UDP 192.168.0.2:5060;rport;branch=z9hG4bK1"))
        via.received = "203.0.113.9"
        via.rport = 40000
        #expect(via.description == "SIP/2.0/UDP 192.168.0.2:5060;rport=40000;branch=z9hG4bK1;received=203.0.113.9")
        via.ttl = 3
        #expect(via.ttl == 3)
        let ours = Via(transport: "udp", host: "10.0.0.1", port: 5060, branch: "z9hG4bKnew", rport: true)
        #expect(ours.description == "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKnew;rport")
    }

    @Test("Via malformed", arguments: ["", "SIP/2.0/UDP", "SIP/2.0 host", "SIP/2.0/UDP ;branch=x", "SIP/2.0/UDP h:99999",
                                       "SIP/2.0/UDP [::1", "SIP/2.0/UDP h;=x", "SIP/2.0/UDP h;branch=\"open", "SIP/2.0/UDP h:x"])
    func viaMalformed(_ text: String) { #expect(Via(text) == nil) }

    @Test func nameAddrForms() throws {
        let quoted = try #require(NameAddr(#""Bob \"the\" Builder" <sip:bob@biloxi.com>;tag=a6c85cf"#))
        #expect(quoted.displayName == #"Bob "the" Builder"# && quoted.tag == "a6c85cf")
        let token = try #require(NameAddr("Anonymous <sip:c8oqz84zk7z@privacy.org>;tag=hyh8"))
        #expect(token.displayName == "Anonymous")
        let bare = try #require(NameAddr("sip:+12125551212@server.phone2net.com;tag=887s"))
        #expect(bare.displayName == nil && bare.tag == "887s" && bare.uri.parameters.isEmpty)
        let noName = try #require(NameAddr("<sip:alice@atlanta.com;transport=tcp>;expires=60"))
        #expect(noName.uri.transport == "tcp" && noName.parameters.value("expires") == "60" && noName.tag == nil)
        #expect(NameAddr(noName.description) == noName)
        #expect(NameAddr(quoted.description) == quoted)
    }

    @Test("NameAddr malformed", arguments: ["", "<sip:a@b", "\"unterminated <sip:a@b>", "<>", "<sip:a@b>junk",
                                            "sip:a@b?x=y", "<sip:a@b>;=", "\"x\" sip:a@b"])
    func nameAddrMalformed(_ text: String) { #expect(NameAddr(text) == nil) }

    @Test func routeWithLooseRouting() throws {
        var route = try #require(NameAddr("<sip:p1.example.com;lr>"))
        #expect(route.uri.isLooseRouting)
        route.uri.isLooseRouting = false
        #expect(route.description == "<sip:p1.example.com>")
    }

    @Test("SIP URI round trip", arguments: [
        "sip:alice@atlanta.com",
        "sip:alice:secretword@atlanta.com;transport=tcp",
        "sips:alice@atlanta.com?subject=project%20x&priority=urgent",
        "sip:+1-212-555-1212:1234@gateway.com;user=phone",
        "sip:alice@192.0.2.4:5070",
        "sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com",
        "sip:alice;day=tuesday@atlanta.com",
        "sip:[2001:db8::9:1]:5061;transport=tls;lr",
        "tel:+358-555-1234567;postd=pp22",
    ])
    func uriRoundTrip(_ text: String) throws {
        let uri = try #require(SIPURI(text))
        #expect(uri.description == text)
    }

    @Test func uriFields() throws {
        let uri = try #require(SIPURI("SIP:alice:pw@[2001:db8::1]:5070;transport=udp;lr;maddr=239.255.255.1"))
        #expect(uri.scheme == .sip && uri.user == "alice" && uri.password == "pw")
        #expect(uri.host == "2001:db8::1" && uri.port == 5070 && uri.hostPort == "[2001:db8::1]:5070")
        #expect(uri.isLooseRouting && uri.transport == "udp" && uri.maddr == "239.255.255.1")
        #expect(uri.hostAddress != nil)
    }

    @Test("SIP URI malformed", arguments: ["", "sip:", "sip:@host", "sip:a@", "sip:a@host:port", "sip:a@[::1",
                                           "http://x", "sip:a b@c", "sip:host;=v", "tel:", "mailto:a@b"])
    func uriMalformed(_ text: String) { #expect(SIPURI(text) == nil) }

    @Test func uriEquivalenceRFC3261() throws {
        func eq(_ a: String, _ b: String) throws -> Bool {
            try #require(SIPURI(a)).isEquivalent(to: try #require(SIPURI(b)))
        }
        #expect(try eq("sip:%61lice@atlanta.com;transport=TCP", "sip:%61lice@AtLanTa.CoM;Transport=tcp"))
        #expect(try eq("sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5"))
        #expect(try eq("sip:carol@chicago.com;security=on", "sip:carol@chicago.com;newparam=5"))
        #expect(try eq("sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
                       "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com"))
        #expect(try !eq("SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP"))
        #expect(try !eq("sip:bob@biloxi.com", "sip:bob@biloxi.com:5060"))
        #expect(try !eq("sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp"))
        #expect(try !eq("sip:carol@chicago.com;newparam=5", "sip:carol@chicago.com;newparam=6"))
        #expect(try !eq("sip:carol@chicago.com?Subject=next%20meeting", "sip:carol@chicago.com?Subject=another"))
    }

    @Test func cseqMaxForwardsContentLength() {
        #expect(CSeq("4711 INVITE") == CSeq(number: 4711, method: .invite))
        #expect(CSeq("  1   REGISTER ")?.method == .register)
        #expect(CSeq("INVITE") == nil && CSeq("-1 INVITE") == nil && CSeq("2147483648 INVITE") == nil)
        #expect(CSeq("1 INVITE x") == nil)
        #expect(MaxForwards("70")?.value == 70 && MaxForwards("256") == nil && MaxForwards("") == nil)
        #expect(ContentLength(" 0 ")?.value == 0 && ContentLength("x") == nil)
    }
}
