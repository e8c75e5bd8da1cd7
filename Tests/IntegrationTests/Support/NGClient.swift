import Bencode
import Foundation
import Glibc
import NGProtocol
import TandemBase
import TandemTestSupport

/// An ng client over UDP on loopback: `COOKIE SP BENCODE` out, the reply with the same cookie in.
final class NGClient: @unchecked Sendable {
    let socket: UDPSocket
    let server: TransportAddress

    init(port: UInt16, host: String = "127.0.0.1") throws {
        guard let socket = UDPSocket(host == "::1" ? "::1" : "127.0.0.1") else {
            throw IntegrationError("cannot bind an ng client socket")
        }
        self.socket = socket
        server = TransportAddress(ip: IPAddress(host)!, port: port)
    }

    /// Sends raw bytes; returns the first datagram received within `timeout` s (nil: none).
    func raw(_ bytes: [UInt8], timeout: Double = 2) -> [UInt8]? {
        socket.send(bytes, to: server)
        return socket.receive(timeout: timeout)?.bytes
    }

    /// Sends `body` with `cookie`, returns the raw reply whose cookie matches (stale replies of
    /// earlier requests are skipped).
    func exchange(cookie: [UInt8], body: [UInt8], timeout: Double = 2) throws -> [UInt8] {
        let datagram = NGDatagram(cookie: cookie, body: body).framed
        socket.send(datagram, to: server)
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let left = deadline.timeIntervalSinceNow
            guard left > 0, let (reply, _) = socket.receive(timeout: left) else {
                throw IntegrationError("no ng reply within \(timeout) s to \(String(decoding: body.prefix(200), as: UTF8.self))")
            }
            if let parsed = NGDatagram(parsing: reply), parsed.cookie == cookie { return reply }
        }
    }

    /// A request with a fresh cookie; the decoded reply dictionary.
    func request(_ dict: BencodeDictionary, timeout: Double = 2) throws -> BencodeDictionary {
        let reply = try exchange(cookie: NGClientRequest.randomCookie(), body: BencodeValue.dictionary(dict).encoded,
                                 timeout: timeout)
        return try Self.decodeReply(reply)
    }

    static func decodeReply(_ reply: [UInt8]) throws -> BencodeDictionary {
        guard let datagram = NGDatagram(parsing: reply) else { throw IntegrationError("reply without cookie") }
        guard let dict = (try? BencodeValue.decode(datagram.body))?.dictionaryValue else {
            throw IntegrationError("reply is not a bencode dictionary: \(String(decoding: datagram.body.prefix(300), as: UTF8.self))")
        }
        return dict
    }

    /// A request whose reply must be `result: ok`; the reply.
    @discardableResult
    func ok(_ dict: BencodeDictionary, timeout: Double = 2) throws -> BencodeDictionary {
        let reply = try request(dict, timeout: timeout)
        guard reply["result"]?.stringValue == "ok" else {
            throw IntegrationError("\(dict["command"]?.stringValue ?? "?") failed: \(BencodeValue.dictionary(reply).prettyPrinted())")
        }
        return reply
    }

    // MARK: Commands

    func offer(_ callID: String, from: String, sdp: String, options: [String] = []) throws -> String {
        let reply = try ok(NGClientRequest.offer(callID: callID, fromTag: from, sdp: Array(sdp.utf8), options: options))
        guard let out = reply["sdp"]?.stringValue else { throw IntegrationError("offer reply without sdp") }
        return out
    }

    func answer(_ callID: String, from: String, to: String, sdp: String, options: [String] = []) throws -> String {
        let reply = try ok(NGClientRequest.answer(callID: callID, fromTag: from, toTag: to, sdp: Array(sdp.utf8),
                                                  options: options))
        guard let out = reply["sdp"]?.stringValue else { throw IntegrationError("answer reply without sdp") }
        return out
    }

    func query(_ callID: String) throws -> BencodeDictionary { try request(NGClientRequest.query(callID: callID)) }

    func delete(_ callID: String, from: String? = nil, options: [String] = []) throws -> BencodeDictionary {
        try request(NGClientRequest.delete(callID: callID, fromTag: from, options: options))
    }

    func list() throws -> [String] {
        let reply = try ok(["command": "list"])
        return (reply["calls"]?.listValue ?? []).compactMap(\.stringValue).sorted()
    }

    func statistics() throws -> BencodeDictionary {
        guard let stats = try ok(["command": "statistics"])["statistics"]?.dictionaryValue else {
            throw IntegrationError("statistics reply without statistics")
        }
        return stats
    }

    func ping() -> Bool {
        (try? request(["command": "ping"]))?["result"]?.stringValue == "pong"
    }
}

extension BencodeDictionary {
    /// Nested lookup by a path of keys (String) and list indices (Int).
    func at(_ path: Any...) -> BencodeValue? { lookup(path) }

    func int(_ path: Any...) -> Int64? { lookup(path)?.intValue }

    private func lookup(_ path: [Any]) -> BencodeValue? {
        var current: BencodeValue? = .dictionary(self)
        for step in path {
            switch step {
            case let key as String: current = current?[key]
            case let index as Int: current = current?[index]
            default: return nil
            }
        }
        return current
    }

    var pretty: String { BencodeValue.dictionary(self).prettyPrinted() }
}
