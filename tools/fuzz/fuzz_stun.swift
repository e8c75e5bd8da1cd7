// libFuzzer harness for the STUN codec and the ICE-lite responder. Built by
// `tools/fuzz/run.sh stun` together with Sources/STUN/*.swift and Sources/TandemBase/*.swift as
// one module (the TandemBase import stripped; COpenSSL stays, found through -I Sources/COpenSSL,
// since MESSAGE-INTEGRITY is OpenSSL's HMAC).
//
// Checks, for every input:
//   - parsing and every accessor never crash (ASan + Swift runtime traps catch the rest);
//   - a message that parses, rewritten attribute by attribute with the writer, parses again
//     to the same type, transaction id and attributes;
//   - the ICE-lite agent never crashes; whatever it answers parses, is a response of the same
//     method with the same transaction id and a good FINGERPRINT; a success carries the source
//     as XOR-MAPPED-ADDRESS and verifies under the local password; 487/420 verify too;
//   - the same input re-signed with the local password (attributes before MESSAGE-INTEGRITY
//     kept, fresh MESSAGE-INTEGRITY + FINGERPRINT) goes through the authenticated paths.
// Seeds (tools/fuzz/seeds/stun) are the RFC 5769 vectors and requests signed with the
// credentials below.

private let local = ICEShortTermCredentials(ufrag: "RlYuFrAg", pwd: "relaypasswordrelaypassword")
private let remote = ICEShortTermCredentials(ufrag: "brws", pwd: "browserpasswordbrowserpass")
private let from = TransportAddress(ip: .v4(0xC633_6407), port: 54321)
private let fromV6 = TransportAddress(ip: .v6(0x2001_0db8_0000_0000, 0x99), port: 40000)
private let to = TransportAddress(ip: .v4(0xC000_0201), port: 30000)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSTUN(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    var scratch = [UInt8](repeating: 0, count: 70_000)
    var response = [UInt8](repeating: 0, count: 1500)

    if let message = try? STUNMessage(input) {
        touch(message)
        roundTrip(message, &scratch)
    }

    var agent = ICELiteAgent(local: local, remote: remote, configuration: .init(software: "fuzz"))
    respond(&agent, input, from: size & 1 == 0 ? from : fromV6, &response)

    if let signed = resign(input, &scratch) {
        signed.withUnsafeBytes { respond(&agent, $0, from: from, &response) }
    }
    while agent.pollEvent() != nil {}
    agent.handleTimeout(now: MonotonicTime(seconds: 1000))
    return 0
}

private func touch(_ m: STUNMessage) {
    var n = 0
    for a in m.attributes { n &+= a.value.count &+ Int(a.type.rawValue) }
    _ = (n, m.username, m.software, m.priority, m.iceControlled, m.iceControlling, m.useCandidate,
         m.mappedAddress, m.xorMappedAddress, m.errorCode, m.unknownAttributes, m.unknownComprehensionRequired,
         m.fingerprintMatches, m.verifyMessageIntegrity(password: local.pwd),
         m.verifyMessageIntegritySHA256(password: local.pwd), m.type.method, m.type.messageClass)
}

private func roundTrip(_ m: STUNMessage, _ scratch: inout [UInt8]) {
    let count: Int = scratch.withUnsafeMutableBytes { out in
        do {
            var w = try STUNWriter(into: out, type: m.type, transactionID: m.transactionID)
            for a in m.attributes { try w.append(a.type, bytes: a.value) }
            return w.count
        } catch {
            fatalError("a parsed message could not be rewritten: \(error)")
        }
    }
    guard count == m.bytes.count else { fatalError("rewritten size \(count) != \(m.bytes.count)") }
    scratch.withUnsafeBytes { raw in
        let again: STUNMessage
        do { again = try STUNMessage(UnsafeRawBufferPointer(rebasing: raw[0..<count])) } catch {
            fatalError("rewritten message does not parse: \(error)")
        }
        guard again.type == m.type, again.transactionID == m.transactionID else { fatalError("header differs") }
        guard again.attributes.elementsEqual(m.attributes, by: { $0.type == $1.type && $0.value.elementsEqual($1.value) }) else {
            fatalError("attributes differ")
        }
    }
}

/// The attributes before integrity, re-signed with the local password; nil when the input is
/// not a STUN message.
private func resign(_ input: UnsafeRawBufferPointer, _ scratch: inout [UInt8]) -> [UInt8]? {
    guard let m = try? STUNMessage(input) else { return nil }
    return scratch.withUnsafeMutableBytes { out -> [UInt8]? in
        do {
            var w = try STUNWriter(into: out, type: m.type, transactionID: m.transactionID)
            for a in m.attributes {
                if a.type == .messageIntegrity || a.type == .messageIntegritySHA256 || a.type == .fingerprint { break }
                try w.append(a.type, bytes: a.value)
            }
            try w.appendMessageIntegrity(password: local.pwd)
            try w.appendFingerprint()
            return Array(w.message)
        } catch {
            return nil  // too long to take two more attributes
        }
    }
}

private func respond(_ agent: inout ICELiteAgent, _ request: UnsafeRawBufferPointer, from: TransportAddress,
                     _ response: inout [UInt8]) {
    let outcome = response.withUnsafeMutableBytes {
        agent.handle(request, from: from, to: to, now: MonotonicTime(seconds: 1), response: $0)
    }
    let n = outcome.responseLength
    guard n > 0 else { return }
    let req = try! STUNMessage(request)  // answered, so it parsed
    response.withUnsafeBytes { raw in
        let m: STUNMessage
        do { m = try STUNMessage(UnsafeRawBufferPointer(rebasing: raw[0..<n])) } catch {
            fatalError("our response does not parse: \(error)")
        }
        guard m.transactionID == req.transactionID, m.method == req.method else { fatalError("response does not match") }
        guard m.fingerprintMatches == true else { fatalError("our FINGERPRINT is wrong") }
        switch outcome {
        case .success:
            guard m.messageClass == .successResponse, m.xorMappedAddress == from else { fatalError("bad success") }
            let ok = req.hasMessageIntegrity ? m.verifyMessageIntegrity(password: local.pwd)
                : m.verifyMessageIntegritySHA256(password: local.pwd)
            guard ok == true else { fatalError("success not signed with the local password") }
            guard req.verifyMessageIntegrity(password: local.pwd) == true
                || req.verifyMessageIntegritySHA256(password: local.pwd) == true else {
                fatalError("a request that does not verify got a success")
            }
        case .error(let code, _):
            guard m.messageClass == .errorResponse, m.errorCode?.code == code else { fatalError("bad error response") }
            if code == 487 || code == 420 {
                guard m.verifyMessageIntegrity(password: local.pwd) == true
                    || m.verifyMessageIntegritySHA256(password: local.pwd) == true else { fatalError("\(code) unsigned") }
            }
        case .dropped:
            fatalError("dropped with a response")
        }
    }
}
