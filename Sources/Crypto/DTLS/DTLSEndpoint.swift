// A sans-IO DTLS-SRTP endpoint (RFC 5763/5764) on OpenSSL memory BIOs: datagrams in, datagrams
// and events out; one per media stream (5-tuple). The blueprint is swift-nio-ssl's SSLConnection
// (an SSL object between two memory BIOs, C resources freed in deinit).
//
// Retransmission timing. OpenSSL 3.x keeps the DTLS retransmission timer itself, on the wall
// clock (gettimeofday), and there is no way to inject a clock: DTLSv1_handle_timeout retransmits
// only once that timer has really expired, and an empty read with an expired timer retransmits
// too. Retransmitting flights ourselves (a copy of the datagrams) is not correct DTLS: a copy
// reuses record sequence numbers, the peer's replay window drops it, and a lost final flight
// would never be resent. So OpenSSL retransmits, with durations we choose through
// DTLS_set_timer_cb (initial, doubling, capped); this endpoint reports OpenSSL's timer as
// `nextTimeout` on the caller's clock, counts retransmissions and gives up after
// `maxRetransmissions`. `timerFired(now:)` early (by the wall clock) is harmless: it re-arms.
import COpenSSL
import TandemBase

public final class DTLSEndpoint {
    public struct Configuration: Sendable {
        public var role: DTLSRole
        /// `use_srtp` profiles in preference order (a server picks its most preferred one that
        /// the client offered).
        public var profiles: [DTLSSRTPProfile]
        /// Largest datagram sent (handshake messages are fragmented to fit).
        public var mtu: Int
        /// First retransmission timeout in seconds (RFC 6347: 1 s), doubled per retry.
        public var initialRetransmitTimeout: Double
        /// Cap of the doubled timeout in seconds (RFC 6347: 60 s).
        public var maxRetransmitTimeout: Double
        /// Retransmissions of one flight before giving up (OpenSSL's own limit is 12).
        public var maxRetransmissions: Int

        public init(role: DTLSRole, profiles: [DTLSSRTPProfile] = DTLSSRTPProfile.defaultPreference,
                    mtu: Int = 1200, initialRetransmitTimeout: Double = 1, maxRetransmitTimeout: Double = 60,
                    maxRetransmissions: Int = 6) {
            self.role = role; self.profiles = profiles; self.mtu = mtu
            self.initialRetransmitTimeout = initialRetransmitTimeout
            self.maxRetransmitTimeout = maxRetransmitTimeout
            self.maxRetransmissions = maxRetransmissions
        }
    }

    /// What the caller must do after an event, in order.
    public enum Output: Equatable, Sendable {
        /// Send this datagram to the peer.
        case send([UInt8])
        /// The handshake completed and the peer's certificate matched the SDP fingerprint.
        case connected(DTLSSRTPKeyMaterial)
        /// The association failed; no keys will come. Any alert to send precedes it.
        case failed(DTLSFailure)
        /// Closed (close_notify received, or `close` called).
        case closed
    }

    public let configuration: Configuration
    public var role: DTLSRole { configuration.role }
    /// The fingerprint the peer's certificate must have (from its SDP), if known yet.
    public var remoteFingerprint: DTLSFingerprint? { context.expected }

    private let ssl: OpaquePointer
    private let rbio: OpaquePointer
    private let wbio: OpaquePointer
    private let context: CallbackContext
    private var machine: DTLSStateMachine
    private var heldKeys: DTLSSRTPKeyMaterial?
    /// Keeps the SSL_CTX (and so the key) alive as long as this SSL.
    private let certificate: DTLSCertificate

    /// When `timerFired(now:)` is due; nil when no retransmission is pending.
    public var nextTimeout: MonotonicTime? { machine.nextTimeout }

    /// True once connected with keys reported.
    public var isConnected: Bool { machine.state == .connected }

    /// True after `.failed` or `.closed`: the endpoint is done; a re-offer makes a new one.
    public var isFinished: Bool { machine.isFinished }

    /// - Parameters:
    ///   - remoteFingerprint: from the peer's `a=fingerprint`; may be set later with
    ///     `setRemoteFingerprint` (keys are then held back until it is set and matches).
    public init(certificate: DTLSCertificate, remoteFingerprint: DTLSFingerprint?, configuration: Configuration) throws(DTLSError) {
        ERR_clear_error()
        guard !configuration.profiles.isEmpty else { throw DTLSError("no SRTP profiles configured") }
        guard let ssl = SSL_new(certificate.sslContext) else { throw .openSSL("SSL_new failed") }
        guard let rbio = BIO_new(BIO_s_mem()), let wbio = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw .openSSL("BIO_new failed")
        }
        _ = tandem_bio_set_mem_eof_return(rbio, -1)
        _ = tandem_bio_set_mem_eof_return(wbio, -1)
        SSL_set_bio(ssl, rbio, wbio) // the SSL owns both BIOs now
        self.ssl = ssl
        self.rbio = rbio
        self.wbio = wbio
        self.certificate = certificate
        self.configuration = configuration
        self.machine = DTLSStateMachine(maxRetransmissions: configuration.maxRetransmissions)
        func micros(_ s: Double) -> UInt32 { UInt32(min(max(s, 0.001), 4000) * 1e6) }
        self.context = CallbackContext(expected: remoteFingerprint,
                                       initialMicros: micros(configuration.initialRetransmitTimeout),
                                       maxMicros: micros(configuration.maxRetransmitTimeout))

        let profileList = configuration.profiles.map(\.openSSLName).joined(separator: ":")
        // Returns 0 on success, unlike most of OpenSSL.
        guard SSL_set_tlsext_use_srtp(ssl, profileList) == 0 else { throw .openSSL("use_srtp \(profileList) rejected") }
        guard tandem_dtls_set_link_mtu(ssl, configuration.mtu) == 1 else { throw .openSSL("MTU \(configuration.mtu) rejected") }
        SSL_set_verify(ssl, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, dtlsVerifyCallback)
        DTLS_set_timer_cb(ssl, dtlsTimerCallback)
        _ = tandem_ssl_set_app_data(ssl, Unmanaged.passUnretained(context).toOpaque())
        if configuration.role == .client { SSL_set_connect_state(ssl) } else { SSL_set_accept_state(ssl) }
    }

    deinit {
        _ = tandem_ssl_set_app_data(ssl, nil)
        SSL_free(ssl) // frees rbio and wbio
    }

    // MARK: events

    /// Begins the handshake: a client sends its ClientHello; a server waits for one.
    public func start(now: MonotonicTime) -> [Output] {
        switch machine.start() {
        case .none: return []
        case .driveHandshake: return driveHandshake(now: now)
        }
    }

    /// A datagram from the peer. Anything that is not DTLS by its first byte (RFC 7983: 20...63)
    /// or is too short for a record header is ignored; malformed records are dropped by OpenSSL.
    public func receive(datagram: UnsafeRawBufferPointer, now: MonotonicTime) -> [Output] {
        guard datagram.count >= 13, datagram.count <= Self.maxDatagram,
              (20...63).contains(datagram[0]), let base = datagram.baseAddress else { return [] }
        let action = machine.datagramReceived()
        if action == .drop { return [] }
        discardUnread()
        guard BIO_write(rbio, base, Int32(datagram.count)) == Int32(datagram.count) else { return [] }
        let out: [Output]
        switch action {
        case .driveHandshake: out = driveHandshake(now: now)
        case .readRecords: out = readRecords(now: now)
        case .drop: out = []
        }
        discardUnread()
        return out
    }

    public func receive(datagram: [UInt8], now: MonotonicTime) -> [Output] {
        datagram.withUnsafeBytes { receive(datagram: $0, now: now) }
    }

    /// The retransmission timer: call at (or after) `nextTimeout`.
    public func timerFired(now: MonotonicTime) -> [Output] {
        switch machine.timerFired(now: now) {
        case .none: return []
        case .giveUp(let reason): return [.failed(reason)]
        case .retransmit:
            ERR_clear_error()
            let r = tandem_dtlsv1_handle_timeout(ssl)
            var out = drainDatagrams()
            machine.retransmitted(count: context.takeRetransmissions())
            let step: DTLSStateMachine.HandshakeStep = r < 0
                ? .failed(context.verifyFailure ?? .handshake(opensslErrorQueueText()))
                : .inProgress(timerRemaining: opensslTimerRemaining())
            out += report(machine.handshakeStepped(step, now: now))
            return out
        }
    }

    /// Sets (or replaces, before the handshake completes) the expected peer fingerprint. If the
    /// handshake already completed without one, the peer certificate is checked now and the
    /// held keys are released (`.connected`) or the endpoint fails.
    public func setRemoteFingerprint(_ fingerprint: DTLSFingerprint, now: MonotonicTime) -> [Output] {
        context.expected = fingerprint
        guard machine.state == .awaitingFingerprint else { return [] }
        return report(machine.fingerprintChecked(checkPeerCertificate()))
    }

    /// Sends close_notify (best effort) and closes.
    public func close(now: MonotonicTime) -> [Output] {
        switch machine.close() {
        case .none: return []
        case .sendCloseNotify:
            ERR_clear_error()
            _ = SSL_shutdown(ssl)
            return drainDatagrams() + [.closed]
        }
    }

    // MARK: OpenSSL driving

    static let maxDatagram = 16384 + 2048

    private func driveHandshake(now: MonotonicTime) -> [Output] {
        ERR_clear_error()
        let r = SSL_do_handshake(ssl)
        let err = r == 1 ? SSL_ERROR_NONE : SSL_get_error(ssl, r)
        var out = drainDatagrams()
        machine.retransmitted(count: context.takeRetransmissions())
        let step: DTLSStateMachine.HandshakeStep
        if r == 1 {
            switch completedHandshake() {
            case .success(let keys):
                heldKeys = keys
                step = .completed(fingerprintKnown: context.expected != nil)
            case .failure(let reason):
                step = .failed(reason)
            }
        } else if err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE {
            step = .inProgress(timerRemaining: opensslTimerRemaining())
        } else {
            step = .failed(context.verifyFailure ?? .handshake(opensslErrorQueueText()))
        }
        out += report(machine.handshakeStepped(step, now: now))
        return out
    }

    /// After the handshake: close_notify, alerts, and a retransmitted final flight of the peer
    /// (a server answers it by resending its own, which OpenSSL does inside SSL_read).
    private func readRecords(now: MonotonicTime) -> [Output] {
        ERR_clear_error()
        var buf = [UInt8](repeating: 0, count: 2048)
        var out: [Output] = []
        var closed = false
        var failure: DTLSFailure?
        while true {
            let n = buf.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32($0.count)) }
            if n > 0 { continue } // application data has no use in DTLS-SRTP: dropped
            let err = SSL_get_error(ssl, n)
            if err == SSL_ERROR_ZERO_RETURN { closed = true }
            else if err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE {
                failure = .handshake(opensslErrorQueueText())
            }
            break
        }
        out += drainDatagrams()
        if closed {
            if machine.closeNotifyReceived() { out.append(.closed) }
        } else if let failure {
            out += report(machine.failedAfterHandshake(failure))
        }
        return out
    }

    private func report(_ action: DTLSStateMachine.StepAction) -> [Output] {
        switch action {
        case .wait, .none, .holdKeys: return []
        case .reportConnected:
            guard let keys = heldKeys else { return [] }
            return [.connected(keys)]
        case .reportFailed(let reason):
            heldKeys = nil
            return [.failed(reason)]
        }
    }

    /// Profile, peer certificate check and key export, once SSL_do_handshake returned 1.
    private func completedHandshake() -> Result<DTLSSRTPKeyMaterial, DTLSFailure> {
        if context.expected != nil, let failure = checkPeerCertificate() { return .failure(failure) }
        if context.expected == nil, SSL_get0_peer_certificate(ssl) == nil { return .failure(.noPeerCertificate) }
        guard let selected = SSL_get_selected_srtp_profile(ssl),
              let profile = DTLSSRTPProfile(rawValue: UInt16(truncatingIfNeeded: selected.pointee.id)),
              configuration.profiles.contains(profile) else { return .failure(.noSRTPProfile) }
        let length = DTLSSRTPKeyMaterial.exportLength(profile)
        var exported = [UInt8](repeating: 0, count: length)
        let label = "EXTRACTOR-dtls_srtp"
        let ok = exported.withUnsafeMutableBufferPointer {
            SSL_export_keying_material(ssl, $0.baseAddress, length, label, label.utf8.count, nil, 0, 0)
        }
        guard ok == 1, let keys = DTLSSRTPKeyMaterial(profile: profile, exported: exported, isClient: role == .client) else {
            return .failure(.keyExport(opensslErrorQueueText()))
        }
        return .success(keys)
    }

    /// nil if the peer certificate has the expected fingerprint.
    private func checkPeerCertificate() -> DTLSFailure? {
        guard let expected = context.expected else { return nil }
        guard let cert = SSL_get0_peer_certificate(ssl) else { return .noPeerCertificate }
        if expected.matches(x509: cert) { return nil }
        return .fingerprintMismatch(expected: expected, actual: DTLSFingerprint.of(x509: cert, hash: expected.hashFunction))
    }

    /// OpenSSL's retransmission timer, seconds left (0 if due), nil if not running.
    private func opensslTimerRemaining() -> Double? {
        var sec = 0, usec = 0
        guard tandem_dtlsv1_get_timeout(ssl, &sec, &usec) == 1 else { return nil }
        return Double(sec) + Double(usec) / 1e6
    }

    /// Whatever OpenSSL wrote, as datagrams of at most `mtu` bytes: the write BIO holds whole
    /// DTLS records back to back; records are packed into datagrams in order (RFC 6347 4.1.1).
    private func drainDatagrams() -> [Output] {
        let pending = tandem_bio_ctrl_pending(wbio)
        guard pending > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: pending)
        let n = bytes.withUnsafeMutableBytes { BIO_read(wbio, $0.baseAddress, Int32(pending)) }
        guard n > 0 else { return [] }
        return DTLSRecordPacker.pack(bytes[0..<Int(n)], mtu: configuration.mtu).map { .send($0) }
    }

    /// Drops anything OpenSSL left unread in the read BIO, so one datagram never runs into the
    /// next (it reads whole datagrams; leftovers would only come from a malformed one).
    private func discardUnread() {
        var pending = tandem_bio_ctrl_pending(rbio)
        var scratch = [UInt8](repeating: 0, count: 2048)
        while pending > 0 {
            let n = scratch.withUnsafeMutableBytes { BIO_read(rbio, $0.baseAddress, Int32(min($0.count, pending))) }
            if n <= 0 { break }
            pending -= Int(n)
        }
    }
}

/// Packs a stream of DTLS records into datagrams of at most `mtu` bytes.
enum DTLSRecordPacker {
    static let headerLength = 13

    static func pack(_ stream: ArraySlice<UInt8>, mtu: Int) -> [[UInt8]] {
        var datagrams: [[UInt8]] = []
        var current: [UInt8] = []
        var i = stream.startIndex
        while i < stream.endIndex {
            var end = stream.endIndex
            if stream.endIndex - i >= headerLength {
                let len = Int(stream[i + 11]) << 8 | Int(stream[i + 12])
                end = min(stream.endIndex, i + headerLength + len)
            }
            let recordLength = end - i
            if !current.isEmpty && current.count + recordLength > mtu {
                datagrams.append(current)
                current = []
            }
            current.append(contentsOf: stream[i..<end])
            i = end
        }
        if !current.isEmpty { datagrams.append(current) }
        return datagrams
    }
}

/// State the C callbacks reach through SSL app data. Touched only from calls on the owning
/// endpoint's thread (OpenSSL calls back synchronously).
final class CallbackContext {
    var expected: DTLSFingerprint?
    let initialMicros: UInt32
    let maxMicros: UInt32
    var retransmissions = 0
    var verifyFailure: DTLSFailure?

    init(expected: DTLSFingerprint?, initialMicros: UInt32, maxMicros: UInt32) {
        self.expected = expected; self.initialMicros = initialMicros; self.maxMicros = maxMicros
    }

    func takeRetransmissions() -> Int {
        defer { retransmissions = 0 }
        return retransmissions
    }

    static func from(_ ssl: OpaquePointer?) -> CallbackContext? {
        guard let ssl, let raw = tandem_ssl_get_app_data(ssl) else { return nil }
        return Unmanaged<CallbackContext>.fromOpaque(raw).takeUnretainedValue()
    }
}

/// DTLS_set_timer_cb: OpenSSL asks for the next timeout; 0 = a new flight's first timer,
/// otherwise the previous one (and a retransmission follows at once).
private func dtlsTimerCallback(_ ssl: OpaquePointer?, _ previous: UInt32) -> UInt32 {
    guard let ctx = CallbackContext.from(ssl) else { return previous == 0 ? 1_000_000 : min(previous, 30_000_000) &* 2 }
    if previous == 0 { return ctx.initialMicros }
    ctx.retransmissions += 1
    return previous >= ctx.maxMicros / 2 ? ctx.maxMicros : previous * 2
}

/// SSL_set_verify callback: the peer's self-signed certificate is trusted by its SDP fingerprint
/// alone (RFC 5763 section 5); chain errors are ignored. Without a fingerprint yet, the check is
/// deferred until after the handshake (keys are held back meanwhile).
private func dtlsVerifyCallback(_ preverifyOK: Int32, _ store: OpaquePointer?) -> Int32 {
    guard let store, X509_STORE_CTX_get_error_depth(store) == 0 else { return 1 }
    guard let rawSSL = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()),
          let ctx = CallbackContext.from(OpaquePointer(rawSSL)) else { return 0 }
    guard let expected = ctx.expected else { return 1 }
    guard let cert = X509_STORE_CTX_get_current_cert(store) else {
        ctx.verifyFailure = .noPeerCertificate
        return 0
    }
    if expected.matches(x509: cert) { return 1 }
    ctx.verifyFailure = .fingerprintMismatch(expected: expected, actual: DTLSFingerprint.of(x509: cert, hash: expected.hashFunction))
    return 0
}
