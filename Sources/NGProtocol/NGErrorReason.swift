/// The `error-reason` (or `warning`) text of a reply. The constants are rtpengine 10.5's exact
/// wording (checked against the daemon), so proxies that match on them keep working.
public struct NGErrorReason: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    // Framing and decoding (control_ng.c).
    public static let noPayload: Self = "Invalid data (no payload)"
    public static let invalidDataFormat: Self = "Invalid NG data format"
    public static let bencodeDecodeFailed: Self = "Could not decode bencode dictionary"
    public static let jsonParseFailed: Self = "Failed to parse JSON document"
    public static let noCommand: Self = "Dictionary contains no key \"command\""
    public static let unrecognizedCommand: Self = "Unrecognized command"
    /// Tandem's own: a command rtpengine knows but Tandem does not implement (yet).
    public static let unsupportedCommand: Self = "Unsupported command"

    // Required keys (call_interfaces.c).
    public static let noSDPBody: Self = "No SDP body in message"
    public static let noCallID: Self = "No call-id in message"
    public static let noFromTag: Self = "No from-tag in message"
    public static let noToTag: Self = "No to-tag in message"

    // Call lookup. rtpengine spells the second with "ID" (block/unblock, play, ...).
    public static let unknownCallID: Self = "Unknown call-id"
    public static let unknownCallIDUpper: Self = "Unknown call-ID"
    /// delete of an unknown call: a warning with result "ok", or the error with the "fatal" flag.
    public static let callIDNotFoundOrTagsMismatch: Self = "Call-ID not found or tags didn't match"
    public static let toTagNotFound: Self = "To-tag not found"
    public static let fromTagNotFound: Self = "From-tag given, but no such tag exists"
    public static let invalidDialogue: Self = "Invalid dialogue association"

    // Offer/answer processing.
    public static let failedToParseSDP: Self = "Failed to parse SDP"
    public static let incompleteSDP: Self = "Incomplete SDP specification"
    public static let failedToRewriteSDP: Self = "Failed to rewrite SDP"
    public static let unknownMediaProtocol: Self = "Unknown media protocol"
    public static let ranOutOfPorts: Self = "Ran out of ports"

    // Load limits (sent as result "load limit" + "message" when the proxy supports it).
    public static let sessionLimitReached: Self = "Parallel session limit reached"
    public static let cpuLimitExceeded: Self = "CPU usage limit exceeded"
    public static let loadLimitExceeded: Self = "Load limit exceeded"
    public static let bandwidthLimitExceeded: Self = "Bandwidth limit exceeded"
}
