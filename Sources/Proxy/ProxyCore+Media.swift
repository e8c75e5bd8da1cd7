import NGProtocol
import SIP
import TandemBase

/// What to do with a SIP message once the media daemon has answered.
enum Continuation {
    /// Forward the request (its SDP replaced) through a client transaction.
    case forward(SIPRequest, server: ServerTransactionKey, offered: Bool)
    /// Forward a 2xx ACK without a transaction.
    case forwardStateless(SIPRequest)
    /// Send the response up (its SDP replaced).
    case respond(SIPResponse, server: ServerTransactionKey?)
}

/// The SIP message whose SDP goes to the media daemon.
enum MediaSubject {
    case request(SIPRequest)
    case response(SIPResponse)
}

extension ProxyCore {
    /// Sends an offer or answer for `subject` to the media daemon; `next` continues with the
    /// rewritten SDP when the reply comes.
    func askMedia(_ command: NGCommand, for subject: MediaSubject, then next: Continuation,
                  now: MonotonicTime) -> [ProxyOutput] {
        let flags = command == .offer ? config.offerFlags : config.answerFlags
        guard let context = Self.context(of: subject, withSDP: true) else { return proceed(next, sdp: nil, now: now) }
        let request: KamailioRequest
        do {
            request = try KamailioFlags.request(flags, command: command, message: context)
        } catch {
            log.error("bad \(command) flags '\(flags)': \(error)")
            return refuse(next, now: now)
        }
        let (id, sends, done) = media.start(request, now: now)
        guard let done else {
            parked[id] = next
            return sends
        }
        return sends + finish(next, outcome: done, command: command, now: now)
    }

    /// Deletes the call's media; nobody waits for the reply.
    func deleteMedia(for request: SIPRequest, now: MonotonicTime) -> [ProxyOutput] {
        guard let context = Self.context(of: .request(request), withSDP: false),
              let delete = try? KamailioFlags.request(nil, command: .delete, message: context) else { return [] }
        return media.start(delete, now: now).sends
    }

    /// The media daemon answered (or gave up) on a parked message.
    func resume(cookie id: Int, outcome: MediaCoordinator.Outcome, now: MonotonicTime) -> [ProxyOutput] {
        guard let next = parked.removeValue(forKey: id) else { return [] }
        return finish(next, outcome: outcome, command: nil, now: now)
    }

    private func finish(_ next: Continuation, outcome: MediaCoordinator.Outcome, command: NGCommand?,
                        now: MonotonicTime) -> [ProxyOutput] {
        switch outcome {
        case .reply(let reply) where reply.result == "ok" && reply.sdp != nil:
            return proceed(next, sdp: reply.sdp, now: now)
        case .reply(let reply):
            log.warning("media daemon refused: \(reply.errorReason ?? reply.result ?? "?")")
            return refuse(next, now: now)
        case .failed(let why):
            log.warning("media daemon unreachable: \(why)")
            return refuse(next, now: now)
        }
    }

    /// Continues with the SDP replaced (or unchanged when `sdp` is nil).
    private func proceed(_ next: Continuation, sdp: [UInt8]?, now: MonotonicTime) -> [ProxyOutput] {
        switch next {
        case .forward(var request, let server, let offered):
            if let sdp { request.body = sdp }
            if transactions[server: server]?.cancelled == true { return [] }
            return forward(request, server: server, offered: offered, now: now)
        case .forwardStateless(var request):
            if let sdp { request.body = sdp }
            return forwardStateless(request)
        case .respond(var response, let server):
            if let sdp { response.body = sdp }
            return respond(response, server: server, now: now)
        }
    }

    /// Without the media daemon a new call is refused (503, as a Kamailio script would reply
    /// when rtpengine_offer() fails); responses and ACKs go on with their SDP untouched.
    private func refuse(_ next: Continuation, now: MonotonicTime) -> [ProxyOutput] {
        switch next {
        case .forward(_, let server, _):
            return failServer(server, status: 503, reason: "Media Daemon Unavailable", now: now)
        case .forwardStateless, .respond:
            return proceed(next, sdp: nil, now: now)
        }
    }

    /// What the Kamailio module reads from a SIP message to build an ng request.
    static func context(of subject: MediaSubject, withSDP: Bool) -> KamailioMessageContext? {
        let headers: SIPHeaders
        let body: [UInt8]
        let kind: KamailioMessageContext.Kind
        switch subject {
        case .request(let request): (headers, body, kind) = (request.headers, request.body, .request)
        case .response(let response): (headers, body, kind) = (response.headers, response.body, .reply)
        }
        guard let callID = headers.callID, let fromTag = headers.from?.tag else { return nil }
        let branches = (headers.vias ?? []).compactMap(\.branch)
        return KamailioMessageContext(kind: kind, callID: callID, fromTag: fromTag, toTag: headers.to?.tag,
                                      sdp: withSDP ? body : nil, viaBranches: branches)
    }
}
