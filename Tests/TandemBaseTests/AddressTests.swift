import Testing
import TandemBase
import Glibc

@Test func parsesAndPrintsIPv4() throws {
    let a = try #require(IPAddress("192.0.2.17"))
    #expect(a == .v4(0xC000_0211))
    #expect(a.description == "192.0.2.17")
    #expect(a.family == .ipv4)
}

@Test func parsesAndPrintsIPv6Canonically() throws {
    let a = try #require(IPAddress("2001:DB8:0:0:0:0:0:1"))
    #expect(a.description == "2001:db8::1")
    #expect(IPAddress("[::1]")?.isLoopback == true)
    #expect(a.family == .ipv6)
}

@Test func rejectsMalformedAddresses() {
    for bad in ["", "1.2.3", "256.1.1.1", "1.2.3.4.5", "::g", "abc", "1.2.3.4 "] {
        #expect(IPAddress(bad) == nil, "\(bad)")
    }
}

@Test func transportAddressForms() throws {
    #expect(TransportAddress("127.0.0.1:2223")?.port == 2223)
    #expect(TransportAddress("[::1]:5060")?.description == "[::1]:5060")
    #expect(TransportAddress("::1:5060") == nil)
    #expect(TransportAddress("127.0.0.1") == nil)
    #expect(TransportAddress("127.0.0.1:70000") == nil)
}

@Test func unspecifiedMeansHold() {
    #expect(IPAddress("0.0.0.0")?.isUnspecified == true)
    #expect(IPAddress("::")?.isUnspecified == true)
    #expect(IPAddress("10.0.0.1")?.isUnspecified == false)
}

@Test func sockaddrRoundTripsBothFamilies() throws {
    for text in ["192.0.2.17:5060", "[2001:db8::1]:40000", "127.0.0.1:1"] {
        let address = try #require(TransportAddress(text))
        var storage = sockaddr_storage()
        let length = address.write(to: &storage)
        #expect(length == (address.ip.family == .ipv4 ? 16 : 28))
        #expect(TransportAddress(storage: &storage) == address)
    }
    var unknown = sockaddr_storage()
    unknown.ss_family = sa_family_t(AF_UNIX)
    #expect(TransportAddress(storage: &unknown) == nil)
}
