import Bencode
import Glibc
import NGProtocol

/// Builds the request, runs the exchange, prints the reply. Returns the exit status:
/// 0 ok/pong, 1 error reply, 2 usage or local failure, 3 timeout.
func runCtl(_ invocation: CtlInvocation) -> Int32 {
    let message: BencodeDictionary
    do {
        message = try requestMessage(for: invocation.command)
    } catch {
        printError(error.message)
        return 2
    }
    let cookie = NGClientRequest.randomCookie()
    let body = BencodeValue.dictionary(message)
    let datagram = NGDatagram(cookie: cookie, body: invocation.json ? body.jsonEncoded : body.encoded).framed
    let exchange = UDPExchange(server: invocation.server, timeout: invocation.timeout, retransmissions: invocation.retransmissions)
    do {
        let reply = try exchange.run(datagram, cookie: cookie)
        return printReply(reply, command: invocation.command)
    } catch {
        printError("\(invocation.server): \(error)")
        if case .timeout = error { return 3 }
        return 2
    }
}

struct CtlFailure: Error { var message: String }

private func requestMessage(for command: CtlInvocation.Command) throws(CtlFailure) -> BencodeDictionary {
    switch command {
    case .ping: return NGClientRequest.simple(.ping)
    case .list: return NGClientRequest.simple(.list)
    case .statistics: return NGClientRequest.simple(.statistics)
    case .query(let callID): return NGClientRequest.query(callID: callID)
    case .delete(let callID, let fromTag, let options):
        return NGClientRequest.delete(callID: callID, fromTag: fromTag, options: options)
    case .offer(let callID, let fromTag, let file, let options):
        return NGClientRequest.offer(callID: callID, fromTag: fromTag, sdp: try readFile(file), options: options)
    case .answer(let callID, let fromTag, let toTag, let file, let options):
        return NGClientRequest.answer(callID: callID, fromTag: fromTag, toTag: toTag, sdp: try readFile(file), options: options)
    }
}

/// Reads an SDP file; "-" is stdin.
private func readFile(_ path: String) throws(CtlFailure) -> [UInt8] {
    guard let file = path == "-" ? fdopen(dup(0), "rb") : fopen(path, "rb") else {
        throw CtlFailure(message: "cannot open \(path): \(String(cString: strerror(errno)))")
    }
    defer { fclose(file) }
    var contents: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = fread(&chunk, 1, chunk.count, file)
        if count == 0 { break }
        contents += chunk[0..<count]
    }
    return contents
}

private func printReply(_ reply: [UInt8], command: CtlInvocation.Command) -> Int32 {
    guard let datagram = NGDatagram(parsing: reply), case .success(let (dict, _)) = datagram.decodeBody() else {
        printError("undecodable reply: \(String(decoding: reply, as: UTF8.self))")
        return 2
    }
    let result = dict["result"]?.stringValue ?? ""
    if result == "error" {
        printError("error: \(dict["error-reason"]?.stringValue ?? "(no reason)")")
        return 1
    }
    if let warning = dict["warning"]?.stringValue { printError("warning: \(warning)") }
    switch command {
    case .offer, .answer:
        if let sdp = dict["sdp"]?.bytesValue {
            print(String(decoding: sdp, as: UTF8.self), terminator: "")
            return 0
        }
    default: break
    }
    print(BencodeValue.dictionary(dict).prettyPrinted())
    return result == "ok" || result == "pong" ? 0 : 1
}

/// To stderr; through write(2) because Glibc's `stderr` global is not concurrency-safe in Swift 6.
func printError(_ message: String) {
    fflush(nil)
    let bytes = Array("tandem-ctl: \(message)\n".utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}
