// libFuzzer harness for the SIP library. Built by `tools/fuzz/run.sh sip` together with
// Sources/SIP/**/*.swift and Sources/TandemBase/*.swift as one module (imports stripped).
//
// Checks, for every input:
//   - parsing (datagram) and stream framing never crash (ASan + Swift runtime traps catch the rest);
//   - a message that parses serializes to bytes that parse again, with the same start line,
//     headers (Content-Length aside: it is recomputed) and body, and serialize identically;
//   - typed header views (Via, From/To, CSeq, Route, Contact) and the transaction key never
//     crash, and a parsed Via / NameAddr / URI prints to text that parses back equal;
//   - a parse error that says it is answerable produces a response that parses.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSIP(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = SIPFraming.frame(bytes)
    let message: SIPMessage
    do {
        message = try SIPMessage.parse(bytes)
    } catch {
        if error.isAnswerable, let reply = error.response(toTag: "fuzz") {
            guard (try? SIPMessage.parse(reply.serialized())) != nil else { fatalError("error reply does not parse") }
        }
        return 0
    }
    let wire = message.serialized()
    let again: SIPMessage
    do { again = try SIPMessage.parse(wire) } catch { fatalError("reserialized message does not parse: \(error)") }
    guard again.startLine == message.startLine else { fatalError("start line differs") }
    guard again.body == message.body else { fatalError("body differs") }
    guard withoutLength(again.headers) == withoutLength(message.headers) else { fatalError("headers differ") }
    guard again.serialized() == wire else { fatalError("serialization is not idempotent") }
    checkTyped(message)
    return 0
}

private func withoutLength(_ headers: SIPHeaders) -> [SIPHeaderField] {
    headers.fields.filter { SIPHeaderName.key($0.name) != "content-length" }
}

private func checkTyped(_ message: SIPMessage) {
    let h = message.headers
    for via in h.vias ?? [] {
        guard Via(via.description) == via else { fatalError("Via does not reparse: \(via)") }
    }
    for name in ["From", "To", "Route", "Record-Route", "Contact"] {
        for value in h.values(name) {
            guard let addr = NameAddr(value) else { continue }
            guard NameAddr(addr.description) == addr else { fatalError("\(name) does not reparse: \(value)") }
            guard SIPURI(addr.uri.description) == addr.uri else { fatalError("URI does not reparse: \(addr.uri)") }
        }
    }
    _ = h.cseq
    _ = h.maxForwards
    if case .request(let r) = message {
        guard SIPURI(r.uri.description) == r.uri else { fatalError("Request-URI does not reparse") }
        _ = r.transactionKey
        let reply = SIPResponse(replyingTo: r, statusCode: 408, toTag: "fuzz")
        guard (try? SIPMessage.parse(reply.serialized())) != nil else { fatalError("408 reply does not parse") }
        var edited = r
        edited.headers.pushVia(Via(transport: "UDP", host: "192.0.2.1", port: 5060, branch: "z9hG4bKfuzz"))
        _ = edited.headers.popVia()
        if r.method == .invite { _ = SIPRequest(cancelling: r) }
    }
}
