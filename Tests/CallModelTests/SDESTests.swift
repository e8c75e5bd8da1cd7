import SDP
import Crypto
import Testing
import TandemBase
@testable import CallModel

private let key30 = "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz"  // 30 bytes: AES-128 key + salt

private func attributes(_ name: String, in sdp: String) -> [String] {
    sdp.split(separator: "\r\n").compactMap { line in
        line.hasPrefix("a=\(name):") ? String(line.dropFirst(name.count + 3)) : nil
    }
}

@Test func cryptoLineParsesLifetimeMKIAndSessionParameters() throws {
    let line = try #require(SDESCrypto(sdpValue: "7 AES_CM_128_HMAC_SHA1_80 inline:\(key30)|2^20|1:4 UNENCRYPTED_SRTCP"))
    #expect(line.tag == 7)
    #expect(line.keySalt.count == 30)
    #expect(line.lifetime == "2^20")
    #expect(line.mki?.value == 1 && line.mki?.length == 4)
    #expect(line.unencryptedSRTCP && !line.unencryptedSRTP)
    let p = try #require(line.srtpParameters)
    #expect(p.masterKey.count == 16 && p.masterSalt.count == 14)
    #expect(p.mki == [0, 0, 0, 1])
    #expect(p.unencryptedSRTCP)
    #expect(line.sdpValue() == "7 AES_CM_128_HMAC_SHA1_80 inline:\(key30)|2^20|1:4 UNENCRYPTED_SRTCP")
}

@Test func badCryptoLinesAreIgnored() {
    #expect(SDESCrypto(sdpValue: "1 FOO_BAR inline:abcd") == nil)
    #expect(SDESCrypto(sdpValue: "1 AES_CM_128_HMAC_SHA1_80 inline:c2hvcnQ") == nil, "wrong key length")
    #expect(SDESCrypto(sdpValue: "x AES_CM_128_HMAC_SHA1_80 inline:\(key30)") == nil)
    #expect(SDESCrypto(sdpValue: "1 AES_CM_128_HMAC_SHA1_80 key:\(key30)") == nil)
    #expect(SDESCrypto(sdpValue: "1 AES_CM_128_HMAC_SHA1_80 inline:\(key30)|1:99") == nil, "MKI too long")
    #expect(SDESCrypto(sdpValue: "1 AES_CM_128_HMAC_SHA1_80 inline:!!!") == nil)
}

/// Fuzzer find (tools/fuzz/seeds/sdes/grapheme-session-param): a tab-separated session
/// parameter starting with a combining mark was printed after a space, with which it forms one
/// Character, so the echoed line did not parse again.
@Test func cryptoLineWithCombiningMarkAfterTabReparses() throws {
    let line = try #require(SDESCrypto(sdpValue: "1 AES_CM_128_HMAC_SHA1_80 inline:\(key30)\t\u{301}x"))
    #expect(line.sessionParameters == ["\u{301}x"])
    #expect(SDESCrypto(sdpValue: line.sdpValue()) == line)
}

@Test func base64RoundTripsPaddedAndUnpadded() {
    for n in 28...46 {
        let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        #expect(Base64.decode(Base64.encode(bytes, pad: false)) == bytes)
        #expect(Base64.decode(Base64.encode(bytes, pad: true)) == bytes)
    }
    #expect(Base64.encode([1, 2], pad: true).hasSuffix("="))
}

@Test func sdesOptionsReadTheNGList() throws {
    var options = OfferAnswerOptions(fromTag: "A")
    options.security.excludedSuites = ["AEAD_AES_256_GCM"]
    options.security.lifetime = true
    options.security.pad = true
    options.security.unencryptedSRTP = true
    options.transportProtocol = "RTP/SAVP"
    let h = Harness()
    let offered = try h.offer { $0 = options }
    let lines = attributes("crypto", in: offered)
    #expect(lines.count == 11)
    #expect(lines[0].hasPrefix("1 AEAD_AES_128_GCM inline:"))
    #expect(lines.allSatisfy { $0.hasSuffix("|2^31 UNENCRYPTED_SRTP") })
    #expect(lines[0].contains("==|2^31"), "padded base64: 28 bytes of AEAD_AES_128_GCM key+salt")
    #expect(attributes("setup", in: offered) == ["actpass"])
}

/// RTP caller, SDES callee: the callee's key decrypts on its socket, the key of the tag it
/// picked encrypts towards it; the caller's sockets stay plain; a re-offer keeps our key.
@Test func sdesKeysReachTheDataPlane() throws {
    let h = Harness()
    let offered = try h.offer { $0.transportProtocol = "RTP/SAVP" }
    let ours = try #require(attributes("crypto", in: offered).first { $0.hasPrefix("7 AES_CM_128_HMAC_SHA1_80 ") })
    let calleeKey = "MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkw"
    let answered = try h.answer(answerSDP(extra: "a=crypto:7 AES_CM_128_HMAC_SHA1_80 inline:\(calleeKey)\r\n")
        .replacingOccurrences(of: "RTP/AVP", with: "RTP/SAVP"))
    #expect(attributes("crypto", in: answered).isEmpty)
    let calleeSocket = try h.socket(advertisedIn: offered)
    let f = try #require(h.plane.forwarding[calleeSocket])
    #expect(f.decrypt == SDESCrypto(sdpValue: "7 AES_CM_128_HMAC_SHA1_80 inline:\(calleeKey)")?.srtpParameters)
    #expect(f.encrypt == SDESCrypto(sdpValue: ours)?.srtpParameters)
    let callerSocket = try h.socket(advertisedIn: answered)
    #expect(h.plane.forwarding[callerSocket]?.decrypt == nil)
    #expect(h.plane.forwarding[callerSocket]?.encrypt == nil)
    let again = try h.offer { $0.transportProtocol = "RTP/SAVP" }
    #expect(attributes("crypto", in: again).first == ours, "the accepted line is offered first again")
}

/// SRTP caller to plain callee: the caller is answered with its first usable suite and our key.
@Test func srtpCallerIsAnsweredWithItsFirstUsableSuite() throws {
    let h = Harness()
    let offer = offerSDP(extra: "a=crypto:1 F8_128_HMAC_SHA1_80 inline:\(key30)\r\na=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:\(key30)\r\n")
        .replacingOccurrences(of: "RTP/AVP", with: "RTP/SAVP")
    let offered = try h.offer(offer) { $0.transportProtocol = "RTP/AVP" }
    #expect(attributes("crypto", in: offered).isEmpty)
    let answered = try h.answer()
    let line = try #require(attributes("crypto", in: answered).first)
    #expect(line.hasPrefix("2 AES_CM_128_HMAC_SHA1_32 inline:"))
    #expect(!line.contains(key30), "a fresh key, not the caller's")
    let callerSocket = try h.socket(advertisedIn: answered)
    #expect(h.plane.forwarding[callerSocket]?.decrypt?.suite == "AES_CM_128_HMAC_SHA1_32")
    #expect(h.plane.forwarding[callerSocket]?.encrypt == SDESCrypto(sdpValue: line)?.srtpParameters)
    #expect(try h.answer() == answered, "the key stays on a re-answer")
}

/// A callee that picks F8 (offered, as rtpengine does, but Tandem has no F8 transform) gets no
/// media either way rather than plain RTP.
@Test func unusableSuiteBlocksMediaInsteadOfSendingClear() throws {
    let h = Harness()
    let offered = try h.offer { $0.transportProtocol = "RTP/SAVP" }
    let f8 = try #require(attributes("crypto", in: offered).first { $0.contains(" F8_128_HMAC_SHA1_80 ") })
    let tag = f8.split(separator: " ")[0]
    let answered = try h.answer(answerSDP(extra: "a=crypto:\(tag) F8_128_HMAC_SHA1_80 inline:\(key30)\r\n")
        .replacingOccurrences(of: "RTP/AVP", with: "RTP/SAVP"))
    let calleeSocket = try h.socket(advertisedIn: offered)
    let callerSocket = try h.socket(advertisedIn: answered)
    #expect(h.plane.forwarding[calleeSocket]?.rtpOut == nil)
    #expect(h.plane.forwarding[callerSocket]?.rtpOut == nil)
}
