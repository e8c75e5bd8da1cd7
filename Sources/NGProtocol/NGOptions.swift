import TandemBase

/// Parts of the SDP that `replace` (or `replace-...` flags) asks us to rewrite.
public enum NGReplaceOption: String, CaseIterable, Hashable, Sendable {
    case origin
    case originFull = "origin-full"
    case sessionConnection = "session-connection"
    case sessionName = "session-name"
    case sdpVersion = "sdp-version"
    case username
    case zeroAddress = "zero-address"
    case forceIncrementSDPVersion = "force-increment-sdp-ver"
}

/// `rtcp-mux` list entries (or `rtcp-mux-...` flags).
public enum NGRTCPMuxOption: String, CaseIterable, Hashable, Sendable {
    case offer, require, demux, accept, reject
}

/// The `ICE` key.
public enum NGICEOption: String, CaseIterable, Hashable, Sendable {
    case remove, force, `default`, optional
    case forceRelay = "force-relay"
}

/// The `ICE-lite` key.
public enum NGICELiteOption: String, CaseIterable, Hashable, Sendable {
    case off, forward, backward, both

    static let aliases: [String: NGICELiteOption] = [
        "none": .off, "no": .off, "offer": .forward, "fwd": .forward, "fw": .forward,
        "backwards": .backward, "reverse": .backward, "answer": .backward, "back": .backward,
        "bkw": .backward, "bk": .backward,
    ]
}

/// The `DTLS` and `DTLS-reverse` keys.
public enum NGDTLSOption: String, CaseIterable, Hashable, Sendable {
    case passive, active, off

    static let aliases: [String: NGDTLSOption] = ["no": .off, "disable": .off, "disabled": .off]
}

/// `received from`: the SIP message's source, used when SDP addresses are not trusted.
/// rtpengine also accepts a bare address string, leaving the family empty.
public struct NGReceivedFrom: Hashable, Sendable {
    public var family: String?
    public var address: String

    public init(family: String?, address: String) {
        self.family = family
        self.address = address
    }

    /// The address parsed, when it is a valid IPv4/IPv6 literal.
    public var ipAddress: IPAddress? { IPAddress(address) }
}

/// The `codec` dictionary (or `codec-...` / `transcode-...` flags). Entries are codec
/// specifications as given (`opus/48000/2`, `PCMU`, `all`), with rtpengine's flag escapes undone.
public struct NGCodecOptions: Hashable, Sendable {
    /// Removed from both parties' lists (`all`: every codec, except those in `except`).
    public var strip: [String] = []
    /// Re-added to the list after stripping, if the offerer had them.
    public var offer: [String] = []
    /// Added to the receiver's list when missing (synthesised, with a new payload type).
    public var transcode: [String] = []
    /// Hidden from the receiver, still usable towards the offerer (transcoded).
    public var mask: [String] = []
    /// Marked as preferred output towards the offerer (`always transcode` = accept all).
    public var accept: [String] = []
    /// Hidden from the receiver and preferred towards the offerer.
    public var consume: [String] = []
    /// Kept by `strip: all`.
    public var except: [String] = []
    /// Parameters (bitrate, options) for existing codecs; the SDP does not change.
    public var set: [String] = []

    public init() {}

    public var isEmpty: Bool { self == NGCodecOptions() }

    /// Appends to the list named by a canonical operation name; false if there is no such list.
    mutating func append(_ item: String, operation: String) -> Bool {
        switch operation {
        case "strip": strip.append(item)
        case "offer": offer.append(item)
        case "transcode": transcode.append(item)
        case "mask": mask.append(item)
        case "accept": accept.append(item)
        case "consume": consume.append(item)
        case "except": except.append(item)
        case "set": set.append(item)
        default: return false
        }
        return true
    }
}
