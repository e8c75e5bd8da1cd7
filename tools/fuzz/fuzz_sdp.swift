// libFuzzer harness for the SDP library. Built by `tools/fuzz/run.sh sdp` together with
// Sources/SDP/**/*.swift as one module (no `import SDP`).
//
// Checks, for every input:
//   - parsing never crashes (ASan + Swift runtime traps catch the rest);
//   - an input that parses serializes back byte for byte;
//   - the serialized text parses again to an equal model (idempotence);
//   - every typed parser accepts or rejects each attribute without crashing, and a value it
//     accepts prints to text that parses back to the same value;
//   - editing accessors (direction, connection, origin) leave a description that reparses.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSDP(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    guard let sdp = try? SessionDescription(parsing: bytes) else { return 0 }
    let text = sdp.serialized()
    guard text.utf8.elementsEqual(bytes) else { fatalError("round trip differs") }
    guard let again = try? SessionDescription(parsing: text), again == sdp else { fatalError("reparse differs") }
    checkAttributes(sdp.lines)
    for media in sdp.media { checkAttributes(media.lines) }
    checkEdits(sdp)
    return 0
}

private func checkAttributes(_ lines: [SDPLine]) {
    for line in lines where line.isAttribute {
        let value = line.attributeValue ?? ""
        check(RTPMap.self, value)
        check(FMTP.self, value)
        check(RTCPAttribute.self, value)
        check(Candidate.self, value)
        check(Crypto.self, value)
        check(Fingerprint.self, value)
        check(Setup.self, value)
        check(MID.self, value)
        check(Group.self, value)
        check(PTime.self, value)
        check(MaxPTime.self, value)
        check(SSRC.self, value)
        check(SSRCGroup.self, value)
        _ = Origin(value: value)
        _ = Connection(value: value)
        _ = MediaLine(value: value)?.payloadTypes
        _ = Bandwidth(value: value)
        _ = Crypto(value: value)?.keyParams.map(\.keySaltBytes)
        _ = FMTP(value: value)?.parameterList
    }
}

/// A value a parser accepts must print to text that the parser accepts again, unchanged.
private func check<A: SDPAttributeValue>(_ type: A.Type, _ value: String) {
    guard let parsed = A(value: value) else { return }
    guard A(value: parsed.value) == parsed else { fatalError("\(A.self) does not reparse: \(value)") }
}

private func checkEdits(_ original: SessionDescription) {
    var sdp = original
    sdp.direction = .sendonly
    if var origin = sdp.origin {
        origin.incrementVersion()
        sdp.origin = origin
    }
    sdp.connection = Connection(addressType: "IP4", address: "192.0.2.1")
    for i in sdp.media.indices {
        // A rejected m= line may have no formats; giving it a port would make it invalid.
        if !sdp.media[i].mediaLine.formats.isEmpty { sdp.media[i].mediaLine.port = 30000 }
        sdp.media[i].direction = sdp.media[i].direction?.reversed
        sdp.media[i].rtcpMux = true
        if sdp.media[i].connection != nil { sdp.media[i].connection?.address = "192.0.2.2" }
    }
    guard (try? SessionDescription(parsing: sdp.serialized())) != nil else { fatalError("edited SDP does not reparse") }
}
