// libFuzzer harness for the security attributes of SDP: SDES `a=crypto` (RFC 4568) and DTLS
// `a=fingerprint` / `a=setup` (RFC 8122, RFC 4145), as the SDP library parses them and as the
// call model reads them for keying. Built by `tools/fuzz/run.sh sdes` together with
// Sources/SDP/**/*.swift, Sources/CallModel/Security/SDESCrypto.swift (+ SRTPParameters.swift)
// and Sources/Crypto/DTLS/DTLS{Fingerprint,Setup}.swift as one module (their `import SDP` and
// `import Crypto` stripped; COpenSSL stays, found through -I Sources/COpenSSL).
//
// Input: text; every line (an optional `a=crypto:` / `a=fingerprint:` / `a=setup:` prefix
// dropped) goes through every parser. Checks, beyond "no crash":
//   - SDP's Crypto, Fingerprint and Setup: an accepted value prints to text that parses to the
//     same value;
//   - SDESCrypto (the call model's a=crypto): an accepted line has a key of the suite's length,
//     prints (base64 with and without padding) to a line that parses to the same value, and its
//     SRTP parameters split key and salt at the suite's sizes, carry the MKI big-endian in its
//     declared length, and exist exactly for the suites Tandem has a transform for; where SDP's
//     Crypto accepts the same line, both read the same tag, suite, key, lifetime and MKI;
//   - DTLSFingerprint: an accepted value has the hash's digest length, prints to a value that
//     parses back equal, and SDP's Fingerprint reads the same digest from it;
//   - DTLSSetup: case-insensitive, prints its raw value, roles are consistent;
//   - Base64: the raw input encodes and decodes back (padded or not); any text that decodes
//     re-encodes to text that decodes to the same bytes.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSDES(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    checkBase64Bytes(bytes)
    let text = String(decoding: bytes, as: UTF8.self)
    for raw in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).prefix(64) {
        var line = String(decoding: raw, as: UTF8.self)
        if line.utf8.last == UInt8(ascii: "\r") { line = String(decoding: line.utf8.dropLast(), as: UTF8.self) }
        for prefix in ["a=crypto:", "a=fingerprint:", "a=setup:"] where line.hasPrefix(prefix) {
            line = String(line.dropFirst(prefix.count))
        }
        checkLine(line)
    }
    return 0
}

private func checkLine(_ value: String) {
    roundTrip(Crypto.self, value)
    roundTrip(Fingerprint.self, value)
    roundTrip(Setup.self, value)
    checkSDES(value)
    checkDTLSFingerprint(value)
    checkSetup(value)
    checkBase64Text(value)
    for token in value.utf8.split(separator: UInt8(ascii: " ")).prefix(8) {
        let word = String(decoding: token, as: UTF8.self)
        checkBase64Text(word)
        if word.hasPrefix("inline:") { checkBase64Text(String(word.dropFirst(7))) }
    }
}

/// A value a parser accepts must print to text that the parser accepts again, unchanged.
private func roundTrip<A: SDPAttributeValue>(_ type: A.Type, _ value: String) {
    guard let parsed = A(value: value) else { return }
    guard A(value: parsed.value) == parsed else { fatalError("\(A.self) does not reparse: \(value)") }
}

private func checkSDES(_ value: String) {
    guard let line = SDESCrypto(sdpValue: value) else { return }
    guard let suite = SDESSuite(name: line.suite) else { fatalError("accepted unknown suite \(line.suite)") }
    guard line.keySalt.count == suite.keyLength + suite.saltLength else { fatalError("key length \(line.keySalt.count) for \(suite.name)") }
    for pad in [false, true] {
        let printed = line.sdpValue(pad: pad)
        guard let again = SDESCrypto(sdpValue: printed) else { fatalError("printed a=crypto does not parse: \(printed)") }
        guard again == line else { fatalError("a=crypto reparses differently: \(value) -> \(printed)") }
    }
    let keys = line.srtpParameters
    guard (keys != nil) == suite.supported else { fatalError("SRTP parameters for \(suite.name): \(keys != nil)") }
    if let keys {
        guard keys.masterKey == Array(line.keySalt.prefix(suite.keyLength)),
              keys.masterSalt == Array(line.keySalt.dropFirst(suite.keyLength)), keys.suite == suite.name
        else { fatalError("key/salt split wrong") }
        guard keys.unencryptedSRTP == line.sessionParameters.contains("UNENCRYPTED_SRTP"),
              keys.unencryptedSRTCP == line.sessionParameters.contains("UNENCRYPTED_SRTCP") else { fatalError("session flags") }
        switch (line.mki, keys.mki) {
        case (nil, nil): break
        case let (m?, bytes?):
            guard bytes.count == m.length else { fatalError("MKI length \(bytes.count) vs \(m.length)") }
            let low = bytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let mask: UInt64 = m.length >= 8 ? .max : (1 << (8 * UInt64(m.length))) - 1
            guard low == m.value & mask else { fatalError("MKI bytes \(bytes) for \(m.value)") }
        default: fatalError("MKI presence differs")
        }
    }
    // Where the SDP library also accepts the line, both read the same keying. SDP's Crypto
    // (not used for keying) splits on SP only, SDESCrypto on SP and HTAB as RFC 4568's WSP
    // allows: lines with a tab are read differently by design.
    guard !value.utf8.contains(9), let sdp = Crypto(value: value), let first = sdp.key, first.method == "inline" else { return }
    guard sdp.tag == line.tag, sdp.suite == line.suite, first.keySaltBytes == line.keySalt,
          first.lifetime == line.lifetime, first.mki.map(\.length) == line.mki?.length,
          first.mki.map({ UInt64($0.value) }) ?? nil == line.mki?.value,
          sdp.sessionParams == line.sessionParameters
    else { fatalError("SDP Crypto and SDESCrypto read \(value) differently") }
}

private func checkDTLSFingerprint(_ value: String) {
    guard let fingerprint = try? DTLSFingerprint(sdpValue: value) else { return }
    guard fingerprint.digest.count == fingerprint.hashFunction.digestLength else { fatalError("digest length") }
    let printed = fingerprint.sdpValue
    guard (try? DTLSFingerprint(sdpValue: printed)) == fingerprint else { fatalError("fingerprint does not reparse: \(printed)") }
    guard let sdp = Fingerprint(value: value), sdp.hashFunction.lowercased() == fingerprint.hashFunction.rawValue,
          sdp.digest == fingerprint.digest
    else { fatalError("SDP Fingerprint and DTLSFingerprint read \(value) differently") }
}

private func checkSetup(_ value: String) {
    guard let setup = DTLSSetup(sdpValue: value) else {
        guard Setup(value: value.lowercased()) == nil else { fatalError("DTLSSetup refused \(value)") }
        return
    }
    guard setup.rawValue == value.lowercased(), DTLSSetup(sdpValue: setup.rawValue) == setup,
          Setup(value: setup.rawValue)?.rawValue == setup.rawValue else { fatalError("a=setup \(value)") }
    // Answering an offer, the role announced must give the offerer the opposite role.
    if let role = setup.answererRole() {
        guard DTLSSetup(answering: role).offererRole() != role else { fatalError("both sides take \(role)") }
    }
}

private func checkBase64Bytes(_ bytes: [UInt8]) {
    for pad in [true, false] {
        let text = Base64.encode(bytes, pad: pad)
        if bytes.isEmpty { guard text.isEmpty else { fatalError("empty input encodes to \(text)") }; continue }
        guard Base64.isBase64Text(text), Base64.decode(text) == bytes else { fatalError("base64 round trip (pad \(pad))") }
        guard text.utf8.count == (pad ? (bytes.count + 2) / 3 * 4 : (bytes.count * 8 + 5) / 6) else { fatalError("base64 length") }
    }
}

private func checkBase64Text(_ text: String) {
    guard let bytes = Base64.decode(text) else { return }
    guard Base64.isBase64Text(text) else { fatalError("decoded text that is not base64") }
    for pad in [true, false] where !bytes.isEmpty {
        guard Base64.decode(Base64.encode(bytes, pad: pad)) == bytes else { fatalError("base64 re-encode of \(text)") }
    }
}
