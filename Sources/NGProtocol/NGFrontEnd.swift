import Bencode
import TandemBase

/// A request that passed framing, the cookie cache and typing, and must now be executed.
/// Hand it back to `NGFrontEnd.complete` with the command's response.
public struct NGPendingRequest: Hashable, Sendable {
    public var key: NGCookieKey
    public var encoding: NGEncoding
    public var request: NGRequest

    public var cookie: [UInt8] { key.cookie }
}

/// The sans-IO ng front end: datagram in, action out. It frames, consults the cookie cache,
/// decodes, types the request, and answers protocol errors itself; only well-formed commands
/// reach the caller. Every reply it produces (errors included) is cached, as rtpengine does.
///
///     switch frontEnd.receive(bytes, from: peer, waiter: peer, now: now) {
///     case .drop: break
///     case .reply(let bytes): send(bytes, to: peer)
///     case .wait: break                        // parked; `complete` returns it later
///     case .execute(let pending):
///         let response = callModel.run(pending.request)
///         let (reply, waiters) = frontEnd.complete(pending, with: response, now: now)
///         send(reply, to: peer); for w in waiters { send(reply, to: w) }
///     }
public struct NGFrontEnd<Waiter> {
    public enum Action {
        /// No cookie: send nothing at all.
        case drop
        /// Send these bytes back to the sender (a cached reply or a protocol error).
        case reply([UInt8])
        /// A retransmission of a command still running; the waiter was parked.
        case wait
        /// Run this command, then call `complete`.
        case execute(NGPendingRequest)
    }

    public var cache: NGCookieCache<Waiter>

    public init(cache: NGCookieCache<Waiter> = NGCookieCache()) {
        self.cache = cache
    }

    public mutating func receive(
        _ bytes: some Collection<UInt8>, from source: TransportAddress?, waiter: Waiter, now: MonotonicTime
    ) -> Action {
        guard let datagram = NGDatagram(parsing: bytes) else { return .drop }
        let key = NGCookieKey(cookie: datagram.cookie, source: source)
        switch cache.begin(key, now: now, waiter: waiter) {
        case .cached(let reply): return .reply(reply)
        case .inProgress: return .wait
        case .execute: break
        }
        switch Self.typedRequest(datagram) {
        case .success(let (request, encoding)):
            return .execute(NGPendingRequest(key: key, encoding: encoding, request: request))
        case .failure(let error):
            let reply = datagram.reply(.error(error.reason), encoding: error.encoding)
            _ = cache.complete(key, reply: reply, now: now)
            return .reply(reply)
        }
    }

    /// Frames and caches the response; returns the bytes for the sender and for every
    /// duplicate that waited.
    public mutating func complete(
        _ pending: NGPendingRequest, with response: NGResponse, now: MonotonicTime
    ) -> (reply: [UInt8], waiters: [Waiter]) {
        let reply = NGDatagram(cookie: pending.key.cookie, body: response.encoded(as: pending.encoding)).framed
        let waiters = cache.complete(pending.key, reply: reply, now: now)
        return (reply, waiters)
    }

    /// Body decoding plus typing, with the encoding errors must be answered in.
    static func typedRequest(_ datagram: NGDatagram) -> Result<(NGRequest, NGEncoding), NGBodyError> {
        switch datagram.decodeBody() {
        case .failure(let error):
            return .failure(error)
        case .success(let (message, encoding)):
            do {
                return .success((try NGRequest.parse(message), encoding))
            } catch {
                return .failure(NGBodyError(reason: error, encoding: encoding))
            }
        }
    }
}

extension NGFrontEnd: Sendable where Waiter: Sendable {}
