/// ICE attribute names (RFC 8839 §5) and the session/media accessors for them. ICE
/// credentials may sit at session or media level; media level wins (see `ICECredentials`).
public enum ICE {
    public static let ufrag = "ice-ufrag"
    public static let pwd = "ice-pwd"
    public static let lite = "ice-lite"
    public static let options = "ice-options"
    public static let mismatch = "ice-mismatch"
    public static let endOfCandidates = "end-of-candidates"
    public static let remoteCandidates = "remote-candidates"
}

/// The `a=ice-ufrag` / `a=ice-pwd` pair.
public struct ICECredentials: Hashable, Sendable {
    public var ufrag: String
    public var pwd: String

    public init(ufrag: String, pwd: String) {
        self.ufrag = ufrag
        self.pwd = pwd
    }

    /// The credentials of a media section, each falling back to the session level.
    public init?(media: MediaDescription, session: SessionDescription) {
        guard let ufrag = media.iceUfrag ?? session.iceUfrag,
              let pwd = media.icePwd ?? session.icePwd else { return nil }
        self.init(ufrag: ufrag, pwd: pwd)
    }
}

extension SDPLineContainer {
    /// `a=ice-ufrag:`; setting replaces in place or appends, nil removes.
    public var iceUfrag: String? {
        get { attribute(ICE.ufrag) }
        set { setOrRemoveAttribute(ICE.ufrag, newValue) }
    }

    /// `a=ice-pwd:`; setting replaces in place or appends, nil removes.
    public var icePwd: String? {
        get { attribute(ICE.pwd) }
        set { setOrRemoveAttribute(ICE.pwd, newValue) }
    }

    /// Both credentials at this level only, if both are present.
    public var iceCredentials: ICECredentials? {
        get {
            guard let ufrag = iceUfrag, let pwd = icePwd else { return nil }
            return ICECredentials(ufrag: ufrag, pwd: pwd)
        }
        set {
            iceUfrag = newValue?.ufrag
            icePwd = newValue?.pwd
        }
    }

    /// `a=ice-lite` (session level per RFC 8839).
    public var iceLite: Bool {
        get { hasAttribute(ICE.lite) }
        set {
            if newValue {
                if !iceLite { appendAttribute(ICE.lite) }
            } else {
                removeAttributes(ICE.lite)
            }
        }
    }

    /// Tokens of every `a=ice-options:` line (`trickle`, `renomination`, ...); setting an
    /// empty list removes the attribute, otherwise writes one line.
    public var iceOptions: [String] {
        get { attributes(ICE.options).flatMap(Text.tokens) }
        set {
            if newValue.isEmpty {
                removeAttributes(ICE.options)
            } else {
                setAttribute(ICE.options, newValue.joined(separator: " "))
            }
        }
    }

    /// Sets the first `a=name:value` in place (or appends), or removes all when nil.
    public mutating func setOrRemoveAttribute(_ name: String, _ value: String?) {
        if let value { setAttribute(name, value) } else { removeAttributes(name) }
    }
}
