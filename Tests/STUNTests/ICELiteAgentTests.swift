import Testing
import STUN
import TandemBase

/// A "browser": a full, controlling agent's Binding requests, built with our writer as
/// libwebrtc lays them out (USERNAME, ICE-CONTROLLING, USE-CANDIDATE, PRIORITY, MI, FINGERPRINT).
struct Browser {
    var local = ICEShortTermCredentials(ufrag: "brws", pwd: "browserpasswordbrowserpass")
    var tieBreaker: UInt64 = 0x1122_3344_5566_7788

    func request(to relay: ICEShortTermCredentials, tid: STUNTransactionID = .random(), useCandidate: Bool = true,
                 controlled: Bool = false, username: String? = nil, password: String? = nil,
                 fingerprint: Bool = true, extra: ((inout STUNWriter) throws -> Void)? = nil) throws -> [UInt8] {
        try build(.bindingRequest, tid) { w in
            try w.appendUsername(username ?? "\(relay.ufrag):\(local.ufrag)")
            if controlled {
                try w.appendICEControlled(tieBreaker: tieBreaker)
            } else {
                try w.appendICEControlling(tieBreaker: tieBreaker)
            }
            if useCandidate { try w.appendUseCandidate() }
            try w.appendPriority(1_853_824_767)
            try extra?(&w)
            try w.appendMessageIntegrity(password: password ?? relay.pwd)
            if fingerprint { try w.appendFingerprint() }
        }
    }
}

@Suite struct ICELiteAgentTests {
    let relayCreds = ICEShortTermCredentials(ufrag: "RlYuFrAg", pwd: "relaypasswordrelaypassword")
    let browser = Browser()
    let browserAddr = addr("198.51.100.7:54321")
    let relayAddr = addr("192.0.2.1:30000")
    let t0 = MonotonicTime(seconds: 100)

    func agent(_ config: ICELiteAgent.Configuration = .init()) -> ICELiteAgent {
        ICELiteAgent(local: relayCreds, remote: browser.local, configuration: config)
    }

    @Test func nominatingCheckGetsSignedSuccess() throws {
        var a = agent()
        let tid = STUNTransactionID.random()
        let (outcome, response) = a.handle(try browser.request(to: relayCreds, tid: tid), from: browserAddr, to: relayAddr, now: t0)
        guard case .success(let n) = outcome else { Issue.record("got \(outcome)"); return }
        #expect(n == response.count)
        try withMessage(response) { m in
            #expect(m.type == .bindingSuccess)
            #expect(m.transactionID == tid)
            #expect(m.xorMappedAddress == browserAddr)
            #expect(m.verifyMessageIntegrity(password: relayCreds.pwd) == true)
            #expect(m.fingerprintMatches == true)
            #expect(m.username == nil)
        }
        #expect(a.drainEvents() == [.validCheck(from: browserAddr, to: relayAddr), .nominated(from: browserAddr, to: relayAddr)])
        #expect(a.nominatedRemote(for: relayAddr) == browserAddr)
        #expect(a.counters.successes == 1 && a.counters.nominations == 1)
        #expect(a.lastValidCheck == t0)

        // The same nomination again: valid check only.
        _ = a.handle(try browser.request(to: relayCreds), from: browserAddr, to: relayAddr, now: t0 + 1)
        #expect(a.drainEvents() == [.validCheck(from: browserAddr, to: relayAddr)])

        // A new remote address nominated on that local address: reported, latched there.
        let moved = addr("198.51.100.7:50000")
        _ = a.handle(try browser.request(to: relayCreds), from: moved, to: relayAddr, now: t0 + 2)
        #expect(a.drainEvents() == [.validCheck(from: moved, to: relayAddr), .nominated(from: moved, to: relayAddr)])
        #expect(a.nominatedRemote(for: relayAddr) == moved)

        // Component 2 (another local port) is tracked on its own.
        let rtcp = addr("192.0.2.1:30001")
        _ = a.handle(try browser.request(to: relayCreds), from: addr("198.51.100.7:54322"), to: rtcp, now: t0 + 3)
        #expect(a.nominations.count == 2)
    }

    @Test func checkWithoutUseCandidateIsValidButNotNominated() throws {
        var a = agent()
        let (outcome, _) = a.handle(try browser.request(to: relayCreds, useCandidate: false), from: browserAddr, to: relayAddr, now: t0)
        #expect(outcome.responseLength > 0)
        #expect(a.drainEvents() == [.validCheck(from: browserAddr, to: relayAddr)])
        #expect(a.nominations.isEmpty)
    }

    @Test func ipv6SourceIsReflected() throws {
        var a = agent()
        let from = addr("[2001:db8:1234::99]:40000")
        let (_, response) = a.handle(try browser.request(to: relayCreds), from: from, to: addr("[2001:db8::1]:30000"), now: t0)
        #expect(try withMessage(response) { $0.xorMappedAddress } == from)
    }

    @Test func badIntegrityGets401AndIsCounted() throws {
        var a = agent()
        let (outcome, response) = a.handle(try browser.request(to: relayCreds, password: "notthepasswordnotthepasswd"),
                                           from: browserAddr, to: relayAddr, now: t0)
        #expect(outcome == .error(code: 401, length: response.count))
        try withMessage(response) { m in
            #expect(m.type == .bindingError)
            #expect(m.errorCode?.code == 401)
            #expect(!m.hasMessageIntegrity)
            #expect(m.fingerprintMatches == true)
            #expect(m.xorMappedAddress == nil)
        }
        #expect(a.counters.badIntegrity == 1)
        #expect(a.counters.successes == 0)
        #expect(a.drainEvents().isEmpty)
        #expect(a.lastValidCheck == nil)

        // Signed with the browser's own password (the classic mix-up): also rejected.
        let (o2, _) = a.handle(try browser.request(to: relayCreds, password: browser.local.pwd), from: browserAddr, to: relayAddr, now: t0)
        #expect(o2 == .error(code: 401, length: o2.responseLength))
        #expect(a.counters.badIntegrity == 2)
    }

    @Test(arguments: ["brws:RlYuFrAg", "RlYuFrAgX:brws", "RlYuFrA:brws", "RlYuFrAg:", "RlYuFrAg", "RlYuFrAg:other", ""])
    func wrongUsernameGets401(username: String) throws {
        var a = agent()
        let (outcome, response) = a.handle(try browser.request(to: relayCreds, username: username),
                                           from: browserAddr, to: relayAddr, now: t0)
        #expect(outcome == .error(code: 401, length: response.count))
        #expect(a.counters.badUsername == 1)
        #expect(a.drainEvents().isEmpty)
    }

    @Test func remoteHalfIsOnlyCheckedWhenKnownAndEnabled() throws {
        let other = try browser.request(to: relayCreds, username: "RlYuFrAg:someone")
        var unknownRemote = ICELiteAgent(local: relayCreds)
        #expect(unknownRemote.handle(other, from: browserAddr, to: relayAddr, now: t0).outcome.responseLength > 0)
        #expect(unknownRemote.counters.successes == 1)
        var lenient = agent(.init(checkRemoteUfrag: false))
        _ = lenient.handle(other, from: browserAddr, to: relayAddr, now: t0)
        #expect(lenient.counters.successes == 1)
        // After the answer arrives, the remote half counts.
        unknownRemote.setRemote(browser.local)
        _ = unknownRemote.handle(other, from: browserAddr, to: relayAddr, now: t0)
        #expect(unknownRemote.counters.badUsername == 1)
    }

    @Test func missingUsernameOrIntegrityGets400() throws {
        var a = agent()
        let noUser = try build(.bindingRequest, .random()) { w in
            try w.appendICEControlling(tieBreaker: 1)
            try w.appendMessageIntegrity(password: relayCreds.pwd)
            try w.appendFingerprint()
        }
        let noMI = try build(.bindingRequest, .random()) { w in
            try w.appendUsername("RlYuFrAg:brws")
            try w.appendFingerprint()
        }
        for request in [noUser, noMI] {
            let (outcome, response) = a.handle(request, from: browserAddr, to: relayAddr, now: t0)
            #expect(outcome == .error(code: 400, length: response.count))
        }
        #expect(a.counters.badRequests == 2)
        #expect(a.drainEvents().isEmpty)
    }

    /// A request carrying ICE-CONTROLLED: the peer thinks it is controlled too. A lite agent
    /// cannot take the controlling role, so it answers 487 and the full peer switches.
    @Test func iceControlledGets487() throws {
        var a = agent()
        let tid = STUNTransactionID.random()
        let (outcome, response) = a.handle(try browser.request(to: relayCreds, tid: tid, controlled: true),
                                           from: browserAddr, to: relayAddr, now: t0)
        #expect(outcome == .error(code: 487, length: response.count))
        try withMessage(response) { m in
            #expect(m.type == .bindingError && m.transactionID == tid)
            #expect(m.errorCode?.code == 487)
            #expect(m.verifyMessageIntegrity(password: relayCreds.pwd) == true)
            #expect(m.fingerprintMatches == true)
        }
        #expect(a.drainEvents() == [.roleConflict(from: browserAddr, to: relayAddr)])
        #expect(a.counters.roleConflicts == 1)
        #expect(a.nominations.isEmpty)
    }

    @Test func bothRoleAttributesGet400() throws {
        var a = agent()
        let r = try browser.request(to: relayCreds) { try $0.appendICEControlled(tieBreaker: 5) }
        let (outcome, _) = a.handle(r, from: browserAddr, to: relayAddr, now: t0)
        #expect(outcome == .error(code: 400, length: outcome.responseLength))
    }

    @Test func unknownComprehensionRequiredGets420() throws {
        var a = agent()
        let r = try browser.request(to: relayCreds) { try $0.append(STUNAttributeType(0x0003), text: "CHANGE-REQUEST?") }
        let (outcome, response) = a.handle(r, from: browserAddr, to: relayAddr, now: t0)
        #expect(outcome == .error(code: 420, length: response.count))
        try withMessage(response) { m in
            #expect(m.unknownAttributes == [STUNAttributeType(0x0003)])
            #expect(m.verifyMessageIntegrity(password: relayCreds.pwd) == true)
        }
        // Optional unknown attributes (libwebrtc's GOOG-NETWORK-INFO 0xC057) are fine.
        let g = try browser.request(to: relayCreds) { try $0.append(STUNAttributeType(0xC057), text: "netw") }
        #expect(a.handle(g, from: browserAddr, to: relayAddr, now: t0).outcome == .success(length: 64))
    }

    @Test func fingerprintRules() throws {
        var a = agent()
        var bad = try browser.request(to: relayCreds)
        bad[bad.count - 1] ^= 0xff
        #expect(a.handle(bad, from: browserAddr, to: relayAddr, now: t0).outcome == .dropped(.fingerprintMismatch))
        let none = try browser.request(to: relayCreds, fingerprint: false)
        #expect(a.handle(none, from: browserAddr, to: relayAddr, now: t0).outcome.responseLength > 0)
        var strict = agent(.init(requireFingerprint: true))
        #expect(strict.handle(none, from: browserAddr, to: relayAddr, now: t0).outcome == .dropped(.fingerprintMissing))
        #expect(a.counters.fingerprintFailures == 1 && strict.counters.fingerprintFailures == 1)
    }

    @Test func garbageAndNonRequestsAreDropped() throws {
        var a = agent()
        let good = try browser.request(to: relayCreds)
        var inputs: [[UInt8]] = [[], [0], [0, 1], Array(good.prefix(19)), Array(good.prefix(20)), Array(good.prefix(good.count - 1)),
                                 Array(good.prefix(good.count - 4)), [UInt8](repeating: 0xff, count: 100),
                                 [UInt8](repeating: 0, count: 20)]
        var g = SplitMix64(state: 9)
        for _ in 0..<2000 {
            var b = good
            for _ in 0..<3 { b[Int(g.next() % UInt64(b.count))] = UInt8(truncatingIfNeeded: g.next()) }
            inputs.append(b)
        }
        for input in inputs {
            let (outcome, response) = a.handle(input, from: browserAddr, to: relayAddr, now: t0)
            // Only a change after MESSAGE-INTEGRITY (FINGERPRINT turned into an ignored
            // attribute, say) or no change at all may still succeed.
            if case .success = outcome, input.prefix(good.count - 8) != good.prefix(good.count - 8) {
                Issue.record("a mangled request succeeded: \(input)")
            }
            #expect(response.count == outcome.responseLength)
        }
        #expect(a.counters.malformed > 0)
        #expect(a.counters.badIntegrity > 0)
        let ignored = a.counters.ignored

        let indication = try build(.bindingIndication, .random()) { try $0.appendFingerprint() }
        #expect(a.handle(indication, from: browserAddr, to: relayAddr, now: t0).outcome == .dropped(.notARequest(.indication)))
        let response = try build(.bindingSuccess, .random()) { try $0.appendXORMappedAddress(browserAddr) }
        #expect(a.handle(response, from: browserAddr, to: relayAddr, now: t0).outcome == .dropped(.notARequest(.successResponse)))
        let allocate = try build(STUNMessageType(method: 3, class: .request), .random()) { try $0.appendFingerprint() }
        #expect(a.handle(allocate, from: browserAddr, to: relayAddr, now: t0).outcome.responseLength > 0)
        #expect(a.counters.ignored == ignored + 2)
    }

    @Test func consentExpiresOnTheFakeClock() throws {
        var a = agent()
        #expect(a.pollTimeout() == nil)
        a.handleTimeout(now: t0 + 1000)
        #expect(a.pollEvent() == nil)  // no consent yet, nothing to lose

        _ = a.handle(try browser.request(to: relayCreds), from: browserAddr, to: relayAddr, now: t0)
        _ = a.drainEvents()
        #expect(a.pollTimeout() == t0 + 30)
        a.handleTimeout(now: t0 + 29.9)
        #expect(a.pollEvent() == nil)
        // A consent refresh at 25 s pushes the deadline.
        _ = a.handle(try browser.request(to: relayCreds, useCandidate: false), from: browserAddr, to: relayAddr, now: t0 + 25)
        _ = a.drainEvents()
        #expect(a.pollTimeout() == t0 + 55)
        a.handleTimeout(now: t0 + 54)
        #expect(a.pollEvent() == nil)
        a.handleTimeout(now: t0 + 55)
        #expect(a.drainEvents() == [.consentExpired])
        #expect(a.pollTimeout() == nil)
        a.handleTimeout(now: t0 + 60)
        #expect(a.pollEvent() == nil)  // reported once
        #expect(a.nominations.isEmpty)

        // Checks resume: consent and nomination are back.
        _ = a.handle(try browser.request(to: relayCreds), from: browserAddr, to: relayAddr, now: t0 + 70)
        #expect(a.drainEvents() == [.validCheck(from: browserAddr, to: relayAddr), .nominated(from: browserAddr, to: relayAddr)])
        #expect(a.pollTimeout() == t0 + 100)
        #expect(a.counters.consentExpiries == 1)
        // A failed check does not refresh consent.
        _ = a.handle(try browser.request(to: relayCreds, password: "x"), from: browserAddr, to: relayAddr, now: t0 + 90)
        #expect(a.pollTimeout() == t0 + 100)
    }

    @Test func sha256OnlyRequestGetsSha256Answer() throws {
        var a = agent()
        let r = try build(.bindingRequest, .random()) { w in
            try w.appendUsername("RlYuFrAg:brws")
            try w.appendICEControlling(tieBreaker: 1)
            try w.appendMessageIntegritySHA256(password: relayCreds.pwd)
            try w.appendFingerprint()
        }
        let (outcome, response) = a.handle(r, from: browserAddr, to: relayAddr, now: t0)
        #expect(outcome == .success(length: response.count))
        try withMessage(response) { m in
            #expect(!m.hasMessageIntegrity)
            #expect(m.verifyMessageIntegritySHA256(password: relayCreds.pwd) == true)
        }
    }

    @Test func softwareAndSmallBuffers() throws {
        var a = agent(.init(software: "Tandem"))
        let request = try browser.request(to: relayCreds)
        let (_, response) = a.handle(request, from: browserAddr, to: relayAddr, now: t0)
        #expect(try withMessage(response) { $0.software } == "Tandem")
        var tiny = [UInt8](repeating: 0, count: 40)
        let outcome = request.withUnsafeBytes { d in
            tiny.withUnsafeMutableBytes { a.handle(d, from: browserAddr, to: relayAddr, now: t0, response: $0) }
        }
        #expect(outcome == .dropped(.responseBufferTooSmall))
    }

    @Test func iceRestartForgetsState() throws {
        var a = agent()
        _ = a.handle(try browser.request(to: relayCreds), from: browserAddr, to: relayAddr, now: t0)
        let fresh = ICEShortTermCredentials.generate()
        a.restart(local: fresh, remote: browser.local)
        #expect(a.nominations.isEmpty && a.pollTimeout() == nil)
        let old = a.handle(try browser.request(to: relayCreds), from: browserAddr, to: relayAddr, now: t0)
        #expect(old.outcome == .error(code: 401, length: old.response.count))
        let new = a.handle(try browser.request(to: fresh), from: browserAddr, to: relayAddr, now: t0)
        #expect(new.outcome == .success(length: new.response.count))
    }
}
