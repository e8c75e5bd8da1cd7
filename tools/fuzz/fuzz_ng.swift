// libFuzzer entry for the ng front end: arbitrary datagrams through framing, the cookie cache,
// bencode/JSON decoding and request typing. run.sh compiles TandemBase, Bencode and NGProtocol
// into this one module (with their cross-module imports stripped).
//
// Properties: never crash; an answered datagram is answered with its own cookie; a datagram
// that reached `.execute` can be completed, and its retransmission gets the same bytes.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNG(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    var frontEnd = NGFrontEnd<Int>(cache: NGCookieCache(maxEntries: 4))
    let now = MonotonicTime(seconds: 1)
    switch frontEnd.receive(input, from: nil, waiter: 0, now: now) {
    case .drop, .wait:
        break
    case .reply(let reply):
        checkCookie(reply, of: input)
    case .execute(let pending):
        let (reply, _) = frontEnd.complete(pending, with: .ok(pending.request.message), now: now)
        checkCookie(reply, of: input)
        guard case .reply(let again) = frontEnd.receive(input, from: nil, waiter: 1, now: now), again == reply else {
            fatalError("retransmission did not get the cached reply")
        }
    }
    return 0
}

private func checkCookie(_ reply: [UInt8], of input: [UInt8]) {
    guard let space = input.firstIndex(of: 0x20), reply.starts(with: input[...space]) else {
        fatalError("reply does not start with the request's cookie")
    }
}
