import Testing
import STUN
import TandemBase

@Suite struct ICECandidatesTests {
    /// rtpengine's numbers: first address local preference 65535, next 65534.
    @Test func prioritiesMatchRtpengine() {
        #expect(ICECandidates.priority(localPreference: 65535, component: 1) == 2_130_706_431)
        #expect(ICECandidates.priority(localPreference: 65535, component: 2) == 2_130_706_430)
        #expect(ICECandidates.priority(localPreference: 65534, component: 1) == 2_130_706_175)
        #expect(ICECandidates.priority(localPreference: 65534, component: 2) == 2_130_706_174)
    }

    @Test func hostCandidateLines() {
        let v4 = IPAddress("192.0.2.10")!
        let v6 = IPAddress("2001:db8::10")!
        let lines = ICECandidates.hostCandidates([
            ICEHostAddress(ip: v4, rtpPort: 30000, rtcpPort: 30001),
            ICEHostAddress(ip: v6, rtpPort: 30002, rtcpPort: 30003),
        ], seed: 7).map(\.line)
        let f4 = ICECandidates.foundation(for: v4, seed: 7)
        let f6 = ICECandidates.foundation(for: v6, seed: 7)
        #expect(lines == [
            "a=candidate:\(f4) 1 UDP 2130706431 192.0.2.10 30000 typ host",
            "a=candidate:\(f4) 2 UDP 2130706430 192.0.2.10 30001 typ host",
            "a=candidate:\(f6) 1 UDP 2130706175 2001:db8::10 30002 typ host",
            "a=candidate:\(f6) 2 UDP 2130706174 2001:db8::10 30003 typ host",
        ])
    }

    @Test func rtcpMuxGivesComponentOneOnly() {
        let lines = ICECandidates.hostCandidates([ICEHostAddress(ip: IPAddress("10.0.0.1")!, rtpPort: 4000)])
        #expect(lines.count == 1)
        #expect(lines[0].value!.hasSuffix(" 1 UDP 2130706431 10.0.0.1 4000 typ host"))
    }

    @Test func foundationsAreStableDistinctIceChars() {
        let a = IPAddress("192.0.2.10")!, b = IPAddress("192.0.2.11")!
        let fa = ICECandidates.foundation(for: a)
        #expect(fa.count == 16)
        #expect(ICEShortTermCredentials.isICEString(fa))
        #expect(fa == ICECandidates.foundation(for: a))
        #expect(fa != ICECandidates.foundation(for: b))
        #expect(fa != ICECandidates.foundation(for: a, seed: 1))
    }

    @Test func mediaAndSessionLines() {
        let creds = ICEShortTermCredentials(ufrag: "abcdEFGH", pwd: "0123456789abcdefghijklmnop")
        let lines = ICECandidates.mediaAttributes(credentials: creds,
                                                  addresses: [ICEHostAddress(ip: IPAddress("10.0.0.1")!, rtpPort: 4000)],
                                                  endOfCandidates: true).map(\.line)
        #expect(lines.count == 4)
        #expect(lines[0] == "a=ice-ufrag:abcdEFGH")
        #expect(lines[1] == "a=ice-pwd:0123456789abcdefghijklmnop")
        #expect(lines[2].hasPrefix("a=candidate:"))
        #expect(lines[3] == "a=end-of-candidates")
        #expect(ICECandidates.iceLite.line == "a=ice-lite")
    }

    @Test func generatedCredentials() {
        let c = ICEShortTermCredentials.generate()
        #expect(c.ufrag.utf8.count == 8)
        #expect(c.pwd.utf8.count == 26)
        #expect(ICEShortTermCredentials.isICEString(c.ufrag) && ICEShortTermCredentials.isICEString(c.pwd))
        #expect(c != ICEShortTermCredentials.generate())
        var g = SplitMix64(state: 1)
        let d = ICEShortTermCredentials.generate(ufragLength: 4, pwdLength: 24, using: &g)
        #expect(d.ufrag.utf8.count == 4 && d.pwd.utf8.count == 24)
        // Every ice-char shows up: the mapping covers the whole alphabet.
        let long = ICEShortTermCredentials.randomICEString(length: 4000, using: &g)
        #expect(Set(long.utf8).count == 64)
    }
}
