// The ICE-lite responder of one media stream (RFC 8445 sections 2.5, 6.1.1 and 7.3; RFC 7675
// consent freshness), sans-IO in the style of str0m's IceAgent: bytes and `now` in, response
// bytes (into the caller's buffer) and events out, no clock, no socket, no timer of its own.
//
// A lite agent never sends checks; it answers the full peer's Binding requests on every local
// candidate, is always controlled, and uses the pair the peer nominates with USE-CANDIDATE. The
// relay latches its outgoing media onto the remote address of `.nominated(from:to:)`.
//
// Processing order for a datagram (RFC 8489 sections 6.3 and 9.1.3, RFC 8445 section 7.3),
// compared with rtpengine's daemon/stun.c:
//   1. not a well-formed STUN message                     -> dropped, `malformed`
//   2. indication / response (a lite agent sends no requests) -> dropped, `ignored`
//   3. FINGERPRINT present and wrong (so not STUN), or absent
//      with `requireFingerprint`                           -> dropped, `fingerprintFailures`
//      (rtpengine: both dropped; its default requires FINGERPRINT, ours verifies it if present,
//      RFC 8445 makes every ICE agent send it, so the difference only shows for non-ICE clients)
//   4. not a Binding request                              -> 400, `badRequests`
//   5. USERNAME or MESSAGE-INTEGRITY missing              -> 400, `badRequests` (as rtpengine)
//   6. USERNAME not "localUfrag:remoteUfrag"              -> 401, `badUsername`
//      (rtpengine checks only the local half; we also check the remote half once the remote
//      ufrag is known, unless `checkRemoteUfrag` is off)
//   7. MESSAGE-INTEGRITY wrong under the local password   -> 401, `badIntegrity` (as rtpengine;
//      the choice between answering 401 and dropping: we answer, as RFC 8489 and rtpengine do.
//      The 400/401 answers carry no MESSAGE-INTEGRITY — RFC 5389 section 10.1.2: the server
//      cannot know the key — where rtpengine signs them with its own password; both carry
//      FINGERPRINT. No success response is ever sent for a request that failed here.)
//   8. unknown comprehension-required attributes          -> 420 + UNKNOWN-ATTRIBUTES
//   9. ICE-CONTROLLED (the peer also thinks it is controlled) -> 487, `.roleConflict`.
//      A full agent in the controlled role would compare tie-breakers and might switch to
//      controlling; a lite agent cannot be controlling (it has no check list), so it always
//      answers 487, which makes the full peer switch to controlling (RFC 8445 section 7.2.5.1).
//      ICE-CONTROLLING is the expected case; neither attribute (RFC 5245-era peer) is accepted.
//      Both at once -> 400.
//  10. success: Binding success with XOR-MAPPED-ADDRESS = the source, MESSAGE-INTEGRITY (local
//      password; MESSAGE-INTEGRITY-SHA256 instead when the request used only that) and
//      FINGERPRINT; `.validCheck`, and `.nominated` when USE-CANDIDATE is present and the pair
//      differs from the one last nominated on that local address.

import TandemBase

public struct ICELiteAgent: Sendable {
    public struct Configuration: Hashable, Sendable {
        /// RFC 7675: consent is lost this long after the last valid check.
        public var consentTimeout: Double = 30
        /// Drop requests without FINGERPRINT (rtpengine does).
        public var requireFingerprint = false
        /// Check the remote half of USERNAME against the remote ufrag when one is known.
        public var checkRemoteUfrag = true
        /// A SOFTWARE attribute for responses (rtpengine sends its software id), or none.
        public var software: String? = nil

        public init(consentTimeout: Double = 30, requireFingerprint: Bool = false,
                    checkRemoteUfrag: Bool = true, software: String? = nil) {
            self.consentTimeout = consentTimeout
            self.requireFingerprint = requireFingerprint
            self.checkRemoteUfrag = checkRemoteUfrag
            self.software = software
        }
    }

    public enum Event: Hashable, Sendable {
        /// An authenticated Binding request from `from` to our `to` was answered with success.
        case validCheck(from: TransportAddress, to: TransportAddress)
        /// The peer nominated the pair (`from`, `to`): send media for `to`'s component to `from`.
        case nominated(from: TransportAddress, to: TransportAddress)
        /// An authenticated request carried ICE-CONTROLLED; answered with 487.
        case roleConflict(from: TransportAddress, to: TransportAddress)
        /// No valid check for `consentTimeout` seconds since the last one (RFC 7675).
        case consentExpired
    }

    public enum DropReason: Hashable, Sendable {
        case malformed(STUNError)
        /// An indication or a response: a lite agent has no transactions of its own.
        case notARequest(STUNMessageClass)
        case fingerprintMismatch
        case fingerprintMissing
        /// The caller's response buffer was too small for the answer.
        case responseBufferTooSmall
    }

    /// What `handle` did with a datagram.
    public enum Outcome: Hashable, Sendable {
        /// A Binding success response of `length` bytes is in the response buffer.
        case success(length: Int)
        /// An error response (`code`) of `length` bytes is in the response buffer.
        case error(code: Int, length: Int)
        /// Nothing to send.
        case dropped(DropReason)

        /// Bytes to send from the response buffer (0 when dropped).
        public var responseLength: Int {
            switch self {
            case .success(let n), .error(_, let n): return n
            case .dropped: return 0
            }
        }
    }

    public struct Counters: Hashable, Sendable {
        /// Well-formed STUN requests seen (steps 4 onward).
        public var requests = 0
        public var successes = 0
        public var nominations = 0
        public var malformed = 0
        public var ignored = 0
        public var fingerprintFailures = 0
        public var badRequests = 0
        public var badUsername = 0
        public var badIntegrity = 0
        public var unknownAttributes = 0
        public var roleConflicts = 0
        public var consentExpiries = 0
        public init() {}
    }

    public let configuration: Configuration
    public private(set) var local: ICEShortTermCredentials
    /// The peer's credentials from its SDP; only the ufrag is used (a lite agent sends no
    /// requests, so it never needs the remote password).
    public private(set) var remote: ICEShortTermCredentials?
    public private(set) var counters = Counters()
    /// The remote address last nominated on each local address (component / family).
    public private(set) var nominations: [(local: TransportAddress, remote: TransportAddress)] = []
    /// When the last valid check arrived (consent was last refreshed).
    public private(set) var lastValidCheck: MonotonicTime?

    private var localUfrag: [UInt8]
    private var localPwd: [UInt8]
    private var remoteUfrag: [UInt8]?
    private var consentLost = false
    private var events: [Event] = []

    public init(local: ICEShortTermCredentials, remote: ICEShortTermCredentials? = nil,
                configuration: Configuration = Configuration()) {
        self.configuration = configuration
        self.local = local
        self.remote = remote
        self.localUfrag = Array(local.ufrag.utf8)
        self.localPwd = Array(local.pwd.utf8)
        self.remoteUfrag = remote.map { Array($0.ufrag.utf8) }
        events.reserveCapacity(4)
        nominations.reserveCapacity(4)
    }

    /// The peer's credentials arrived (its answer) or changed (it restarted ICE).
    public mutating func setRemote(_ remote: ICEShortTermCredentials?) {
        if remote != self.remote { nominations.removeAll(keepingCapacity: true) }
        self.remote = remote
        self.remoteUfrag = remote.map { Array($0.ufrag.utf8) }
    }

    /// ICE restart (RFC 8445 section 9): new local credentials, nominations and consent forgotten.
    public mutating func restart(local: ICEShortTermCredentials, remote: ICEShortTermCredentials?) {
        self.local = local
        localUfrag = Array(local.ufrag.utf8)
        localPwd = Array(local.pwd.utf8)
        setRemote(remote)
        nominations.removeAll(keepingCapacity: true)
        lastValidCheck = nil
        consentLost = false
    }

    /// The next event, if any (str0m's `poll_event`).
    public mutating func pollEvent() -> Event? {
        events.isEmpty ? nil : events.removeFirst()
    }

    /// When `handleTimeout` has something to do next: consent expiry, while consent holds.
    public func pollTimeout() -> MonotonicTime? {
        guard let last = lastValidCheck, !consentLost else { return nil }
        return last + configuration.consentTimeout
    }

    /// Drives consent freshness: `.consentExpired` once when the deadline has passed; the
    /// nominations are forgotten, so the next nomination is reported again.
    public mutating func handleTimeout(now: MonotonicTime) {
        guard let deadline = pollTimeout(), now >= deadline else { return }
        consentLost = true
        counters.consentExpiries += 1
        nominations.removeAll(keepingCapacity: true)
        events.append(.consentExpired)
    }

    /// Handles a datagram that the RFC 7983 demultiplexer classified as STUN (first byte 0...3),
    /// received from `from` on our `to`; writes any answer into `response` (548 bytes is plenty).
    public mutating func handle(_ datagram: UnsafeRawBufferPointer, from: TransportAddress, to: TransportAddress,
                                now: MonotonicTime, response: UnsafeMutableRawBufferPointer) -> Outcome {
        let message: STUNMessage
        do {
            message = try STUNMessage(datagram)
        } catch {
            counters.malformed += 1
            return .dropped(.malformed(error))
        }
        guard message.messageClass == .request else {
            counters.ignored += 1
            return .dropped(.notARequest(message.messageClass))
        }
        switch message.fingerprintMatches {
        case .some(false):
            counters.fingerprintFailures += 1
            return .dropped(.fingerprintMismatch)
        case .none where configuration.requireFingerprint:
            counters.fingerprintFailures += 1
            return .dropped(.fingerprintMissing)
        default:
            break
        }
        counters.requests += 1

        guard message.method == STUNMessageType.bindingMethod else {
            counters.badRequests += 1
            return reject(message, 400, "Bad Request", into: response)
        }
        guard let username = message.usernameBytes,
              message.hasMessageIntegrity || message.hasMessageIntegritySHA256 else {
            counters.badRequests += 1
            return reject(message, 400, "Bad Request", into: response)
        }
        guard usernameMatches(username) else {
            counters.badUsername += 1
            return reject(message, 401, "Unauthorized", into: response)
        }
        let sha256Only = !message.hasMessageIntegrity
        let authentic = localPwd.withUnsafeBytes { key in
            sha256Only ? message.verifyMessageIntegritySHA256(key: key) : message.verifyMessageIntegrity(key: key)
        }
        guard authentic == true else {
            counters.badIntegrity += 1
            return reject(message, 401, "Unauthorized", into: response)
        }

        // Authenticated from here on: every answer is signed with the local password.
        if message.unknownComprehensionRequiredCount > 0 {
            counters.unknownAttributes += 1
            let unknown = message.unknownComprehensionRequired
            return answer(message, sha256: sha256Only, into: response, error: (420, "Unknown Attribute")) { w throws(STUNError) in
                try w.appendUnknownAttributes(Array(unknown.prefix(32)))
            }
        }
        if message.iceControlled != nil && message.iceControlling != nil {
            counters.badRequests += 1
            return answer(message, sha256: sha256Only, into: response, error: (400, "Bad Request")) { _ in }
        }
        if message.iceControlled != nil {
            counters.roleConflicts += 1
            let outcome = answer(message, sha256: sha256Only, into: response, error: (487, "Role Conflict")) { _ in }
            events.append(.roleConflict(from: from, to: to))
            return outcome
        }

        let outcome = answer(message, sha256: sha256Only, into: response, error: nil) { w throws(STUNError) in
            try w.appendXORMappedAddress(from)
        }
        guard case .success = outcome else { return outcome }
        counters.successes += 1
        lastValidCheck = now
        consentLost = false
        events.append(.validCheck(from: from, to: to))
        if message.useCandidate {
            if let i = nominations.firstIndex(where: { $0.local == to }) {
                if nominations[i].remote != from {
                    nominations[i].remote = from
                    counters.nominations += 1
                    events.append(.nominated(from: from, to: to))
                }
            } else {
                nominations.append((local: to, remote: from))
                counters.nominations += 1
                events.append(.nominated(from: from, to: to))
            }
        }
        return outcome
    }

    /// The remote address nominated for local address `to`, if any.
    public func nominatedRemote(for to: TransportAddress) -> TransportAddress? {
        nominations.first { $0.local == to }?.remote
    }

    /// USERNAME = localUfrag ":" remoteUfrag (RFC 8445 section 7.2.2).
    private func usernameMatches(_ username: UnsafeRawBufferPointer) -> Bool {
        let n = localUfrag.count
        guard username.count > n + 1, username[n] == UInt8(ascii: ":") else { return false }
        for i in 0..<n where username[i] != localUfrag[i] { return false }
        let peer = UnsafeRawBufferPointer(rebasing: username[(n + 1)...])
        if configuration.checkRemoteUfrag, let remoteUfrag {
            return peer.elementsEqual(remoteUfrag)
        }
        return true
    }

    /// 400/401: no MESSAGE-INTEGRITY (the key is unknown or wrong), FINGERPRINT.
    private func reject(_ request: STUNMessage, _ code: Int, _ reason: String,
                        into response: UnsafeMutableRawBufferPointer) -> Outcome {
        do throws(STUNError) {
            var w = try STUNWriter(into: response, type: STUNMessageType(method: request.method, class: .errorResponse),
                                   transactionID: request.transactionID)
            if let software = configuration.software { try w.appendSoftware(software) }
            try w.appendErrorCode(code, reason: reason)
            try w.appendFingerprint()
            return .error(code: code, length: w.count)
        } catch {
            return .dropped(.responseBufferTooSmall)
        }
    }

    /// A signed answer: success (body adds XOR-MAPPED-ADDRESS) or `error`.
    private func answer(_ request: STUNMessage, sha256: Bool, into response: UnsafeMutableRawBufferPointer,
                        error: (code: Int, reason: String)?,
                        body: (inout STUNWriter) throws(STUNError) -> Void) -> Outcome {
        do throws(STUNError) {
            let type = STUNMessageType(method: request.method, class: error == nil ? .successResponse : .errorResponse)
            var w = try STUNWriter(into: response, type: type, transactionID: request.transactionID)
            if let software = configuration.software { try w.appendSoftware(software) }
            if let error { try w.appendErrorCode(error.code, reason: error.reason) }
            try body(&w)
            if sha256 { try w.appendMessageIntegritySHA256(password: local.pwd) } else { try w.appendMessageIntegrity(password: local.pwd) }
            try w.appendFingerprint()
            return error.map { .error(code: $0.code, length: w.count) } ?? .success(length: w.count)
        } catch {
            return .dropped(.responseBufferTooSmall)
        }
    }
}

extension ICELiteAgent {
    /// Convenience for tests and control paths: the answer as an array (allocates).
    public mutating func handle(_ datagram: [UInt8], from: TransportAddress, to: TransportAddress,
                                now: MonotonicTime) -> (outcome: Outcome, response: [UInt8]) {
        var out = [UInt8](repeating: 0, count: 1500)
        let outcome = datagram.withUnsafeBytes { d in
            out.withUnsafeMutableBytes { r in handle(d, from: from, to: to, now: now, response: r) }
        }
        return (outcome, Array(out[0..<outcome.responseLength]))
    }

    /// Every pending event.
    public mutating func drainEvents() -> [Event] {
        var all: [Event] = []
        while let e = pollEvent() { all.append(e) }
        return all
    }
}
