// Who is DTLS client and who is server: SDP `a=setup` (RFC 4145, RFC 5763 section 5, RFC 8842).

/// The DTLS role of one endpoint.
public enum DTLSRole: Sendable, Equatable {
    /// Sends the ClientHello: `a=setup:active`.
    case client
    /// Waits for the ClientHello: `a=setup:passive`.
    case server
}

/// The value of `a=setup`.
public enum DTLSSetup: String, Sendable, Equatable {
    case active, passive, actpass, holdconn

    public init?(sdpValue: some StringProtocol) { self.init(rawValue: sdpValue.lowercased()) }

    /// Our role when answering an offer carrying `self`. rtpengine takes the active (client) role
    /// when it can, unless told `DTLS=passive` (or `--dtls-passive`); so does Tandem.
    /// nil for `holdconn` (no DTLS connection).
    public func answererRole(preferPassive: Bool = false) -> DTLSRole? {
        switch self {
        case .actpass: return preferPassive ? .server : .client
        case .active: return .server
        case .passive: return .client
        case .holdconn: return nil
        }
    }

    /// Our role as offerer when the answer carries `self`. An answer must not say actpass
    /// (RFC 5763); if one does, we take the server role, as the offerer that said actpass was
    /// ready to accept a ClientHello.
    public func offererRole() -> DTLSRole? {
        switch self {
        case .active, .actpass: return .server
        case .passive: return .client
        case .holdconn: return nil
        }
    }

    /// The `a=setup` value that announces `role` in an answer.
    public init(answering role: DTLSRole) { self = role == .client ? .active : .passive }
}
