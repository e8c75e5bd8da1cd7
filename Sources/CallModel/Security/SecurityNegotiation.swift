import Crypto
import SDP

/// rtpengine 10.5's SDES and DTLS-SRTP offer/answer (REFERENCE-NOTES §4 "DTLS / SDES", goldens
/// 062, 063, 150-199). We always terminate SRTP: every party gets its own keys towards us, so
/// the two sides may differ in protocol (RTP/AVP <-> RTP/SAVP(F) <-> UDP/TLS/RTP/SAVPF).
/// - Offer to a party on an SRTP protocol: the offerer's own a=crypto lines (its keys, lifetime
///   dropped) then our suites it did not list, in rtpengine's order with fresh keys (kept across
///   re-offers), numbered on; then a=setup:actpass and our a=fingerprint (unless `DTLS=off`).
/// - The answer picks: a fingerprint + setup -> DTLS-SRTP; else the a=crypto tag it accepted.
/// - Answer to an offerer: DTLS if it offered a fingerprint (favoured over SDES), role by its
///   a=setup (active unless `DTLS=passive`), the hash of its fingerprint; else SDES: the line the
///   callee accepted if it was the offerer's own, else the offerer's first usable suite with our key.
struct SecurityNegotiation {
    let options: SecurityOptions
    let certificate: DTLSCertificate?

    /// What the party's SDP says about SRTP.
    static func read(_ media: MediaDescription, session: SessionDescription) -> SenderSecurity {
        var out = SenderSecurity()
        out.crypto = media.attributes("crypto").compactMap { SDESCrypto(sdpValue: $0) }
        out.fingerprint = (media.attribute("fingerprint") ?? session.attribute("fingerprint"))
            .flatMap { try? DTLSFingerprint(sdpValue: $0) }
        out.setup = (media.attribute("setup") ?? session.attribute("setup")).flatMap { DTLSSetup(sdpValue: $0) }
        return out
    }

    // MARK: - Offer

    func offer(sender: inout MediaLeg, receiver: inout MediaLeg, _ item: SenderMedia, outProto: String) {
        remember(item, in: &sender)
        sender.security.excludedInAnswer = options.excludedSuites
        let previous = receiver.security
        receiver.security.sdpLines = []
        receiver.security.offeredCryptos = []
        guard !item.rejected, SecureTransport.isSecure(outProto) else { return }
        if !options.sdesOff {
            let (lines, keys) = offeredCryptos(from: item.security.crypto, to: previous)
            receiver.security.localKeys = keys
            receiver.security.offeredCryptos = lines
            receiver.security.sdpLines = lines.map { .attribute("crypto", $0.sdpValue(pad: options.pad)) }
        }
        // After the party accepted SDES, a re-offer offers no DTLS (goldens 150, 157, 158).
        let sdesAccepted = receiver.security.negotiated != nil
        if options.dtls != .off, !sdesAccepted, let fingerprint = certificate?.fingerprint(options.fingerprintHash ?? .sha256) {
            receiver.security.sdpLines += [.attribute("setup", DTLSSetup.actpass.rawValue),
                                           .attribute("fingerprint", fingerprint.sdpValue)]
        }
    }

    /// The offerer's own lines, then our suites. A re-offer to a party that accepted SDES: the
    /// offerer's lines, or the accepted line (same tag and key) when it has none, then the other
    /// suites numbered on with fresh keys (goldens 150, 157, 158; `nonew` changes nothing on
    /// 10.5). Otherwise our keys stay across re-offers.
    private func offeredCryptos(from theirs: [SDESCrypto], to receiver: LegSecurity) -> (lines: [SDESCrypto], keys: [String: SDESCrypto]) {
        let accepted = receiver.negotiated
        var lines = theirs.map { line -> SDESCrypto in
            var copy = line
            copy.lifetime = nil
            return copy
        }
        if let accepted, lines.isEmpty { lines = [accepted] }
        var keys = receiver.localKeys
        var tag = lines.map(\.tag).max() ?? 0
        for suite in SDESSuite.offerOrder where !options.excludedSuites.contains(suite.name) {
            guard !lines.contains(where: { $0.suite == suite.name }) else { continue }
            tag += 1
            var line = accepted == nil ? keys[suite.name] ?? SDESCrypto.generate(tag: tag, suite: suite)
                : SDESCrypto.generate(tag: tag, suite: suite)
            keys[suite.name] = line
            line.tag = tag
            line.lifetime = options.lifetime ? "2^31" : nil
            line.sessionParameters = options.sessionParameters
            lines.append(line)
        }
        return (lines, keys)
    }

    // MARK: - Answer

    /// `answerer` answered what we offered it; `offerer` gets our answer.
    func answer(answerer: inout MediaLeg, offerer: inout MediaLeg, _ item: SenderMedia, answerProto: String) {
        remember(item, in: &answerer)
        acceptAnswer(&answerer, item)
        answerOfferer(&offerer, answerer: answerer, answerProto: answerProto, rejected: item.rejected)
    }

    /// The answerer's choice: DTLS if it answered our a=setup:actpass, else the a=crypto it picked.
    private func acceptAnswer(_ leg: inout MediaLeg, _ item: SenderMedia) {
        let offeredDTLS = leg.security.sdpLines.contains { $0.attributeName == "fingerprint" }
        if offeredDTLS, let fingerprint = item.security.fingerprint, let role = item.security.setup?.offererRole() {
            setDTLS(&leg, DTLSPlan(role: role, remoteFingerprint: fingerprint))
        } else if let theirs = item.security.crypto.first,
                  let ours = leg.security.offeredCryptos.first(where: { $0.tag == theirs.tag && $0.suite == theirs.suite }) {
            var mine = ours
            mine.sessionParameters = theirs.sessionParameters
            setSDES(&leg, inbound: theirs, outbound: mine)
            leg.security.negotiated = ours
        } else {
            setPlain(&leg)
        }
    }

    /// Our answer to the offerer: DTLS if it offered it, else SDES if it offered a=crypto, else plain.
    private func answerOfferer(_ leg: inout MediaLeg, answerer: MediaLeg, answerProto: String, rejected: Bool) {
        leg.security.sdpLines = []
        guard !rejected, SecureTransport.isSecure(answerProto) else { return setPlain(&leg) }
        if answerWithDTLS(&leg) { return }
        // Like `DTLS=off`, `SDES=off` on an answer does not stop SDES towards an SDES offerer (golden 169).
        guard !leg.security.remoteCryptos.isEmpty else { return setPlain(&leg) }
        if echoCalleesLine(&leg, answerer: answerer) { return }
        answerWithOurKey(&leg)
    }

    /// `DTLS=off` on an answer does not stop DTLS towards a DTLS offerer (golden 165); the
    /// peer's hash wins over `DTLS-fingerprint` (golden 164).
    private func answerWithDTLS(_ leg: inout MediaLeg) -> Bool {
        guard let fingerprint = leg.security.remoteFingerprint, let setup = leg.security.remoteSetup,
              let role = setup.answererRole(preferPassive: options.dtls == .passive), let certificate else { return false }
        setDTLS(&leg, DTLSPlan(role: role, remoteFingerprint: fingerprint))
        leg.security.sdpLines = [.attribute("setup", DTLSSetup(answering: role).rawValue),
                                 .attribute("fingerprint", certificate.fingerprint(fingerprint.hashFunction).sdpValue)]
        return true
    }

    /// The callee accepted one of the offerer's own lines (same tag, suite and key): the offerer
    /// hears the callee's line back (golden 155).
    private func echoCalleesLine(_ leg: inout MediaLeg, answerer: MediaLeg) -> Bool {
        guard answerer.security.dtls == nil, answerer.security.inbound != nil,
              let theirs = answerer.security.remoteCryptos.first,
              let own = leg.security.remoteCryptos.first(where: {
                  $0.tag == theirs.tag && $0.suite == theirs.suite && $0.keySalt == answerer.security.outboundKeySalt
              }) else { return false }
        setSDES(&leg, inbound: own, outbound: theirs)
        leg.security.sdpLines = [.attribute("crypto", theirs.sdpValue(pad: options.pad))]
        return true
    }

    /// The offerer's first suite we can run and its offer did not exclude, its tag, our key for
    /// it (kept across re-answers).
    private func answerWithOurKey(_ leg: inout MediaLeg) {
        let excluded = leg.security.excludedInAnswer
        guard let own = leg.security.remoteCryptos.first(where: {
                  (SDESSuite(name: $0.suite)?.supported ?? false) && !excluded.contains($0.suite)
              }),
              let suite = SDESSuite(name: own.suite) else { return setPlain(&leg) }
        var line = leg.security.answerKeys[suite.name] ?? SDESCrypto.generate(tag: own.tag, suite: suite)
        leg.security.answerKeys[suite.name] = line
        line.tag = own.tag
        line.lifetime = options.lifetime ? "2^31" : nil
        line.sessionParameters = own.sessionParameters
        setSDES(&leg, inbound: own, outbound: line)
        leg.security.sdpLines = [.attribute("crypto", line.sdpValue(pad: options.pad))]
    }

    // MARK: - State

    private func remember(_ item: SenderMedia, in leg: inout MediaLeg) {
        leg.security.remoteCryptos = item.security.crypto
        leg.security.remoteFingerprint = item.security.fingerprint
        leg.security.remoteSetup = item.security.setup
    }

    /// A DTLS plan that did not change keeps its keys (a re-offer does not restart DTLS).
    private func setDTLS(_ leg: inout MediaLeg, _ plan: DTLSPlan) {
        leg.security.negotiated = nil
        leg.security.unusableSuite = false
        guard leg.security.dtls != plan else { return }
        leg.security.dtls = plan
        leg.security.clearKeys()
        leg.security.outboundKeySalt = nil
    }

    private func setSDES(_ leg: inout MediaLeg, inbound: SDESCrypto, outbound: SDESCrypto) {
        leg.security.dtls = nil
        leg.security.clearKeys()
        leg.security.inbound = inbound.srtpParameters
        leg.security.outbound = outbound.srtpParameters
        leg.security.unusableSuite = leg.security.inbound == nil || leg.security.outbound == nil
        leg.security.outboundKeySalt = outbound.keySalt
    }

    private func setPlain(_ leg: inout MediaLeg) {
        leg.security.negotiated = nil
        leg.security.unusableSuite = false
        leg.security.dtls = nil
        leg.security.clearKeys()
        leg.security.outboundKeySalt = nil
    }
}

/// The SRTP attributes of one m= line of a received SDP.
struct SenderSecurity: Equatable {
    var crypto: [SDESCrypto] = []
    var fingerprint: DTLSFingerprint?
    var setup: DTLSSetup?
}
