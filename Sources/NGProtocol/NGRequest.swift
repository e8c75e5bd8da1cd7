import Bencode
import TandemBase

/// A typed ng request: what the call model needs from an offer/answer/delete/query/...
///
/// Keys are matched after canonicalisation (case, ' ', '_' and '-' are not significant), so
/// `call-id`, `call id`, `Call_ID` and `callid` are the same key. Values of the wrong type
/// are ignored, as rtpengine does (an integer `call-id` counts as missing). Identifiers are
/// decoded as UTF-8 (SIP makes them ASCII tokens); `sdp` stays bytes for the SDP parser.
/// Anything not modelled here is still available in `message`, the decoded dictionary.
public struct NGRequest: Hashable, Sendable {
    public var command: NGCommand
    /// The whole decoded request, in wire order.
    public var message: BencodeDictionary

    public var callID: String?
    public var fromTag: String?
    public var toTag: String?
    public var viaBranch: String?
    public var sdp: [UInt8]?

    /// Boolean flags from `flags` (and `rtpp-flags`).
    public var flags: Set<NGFlag> = []
    /// Flags we did not recognise, canonicalised; rtpengine logs and ignores them.
    public var unknownFlags: [String] = []
    /// `trust address` (true) or `SIP source address` (false); nil = daemon default.
    public var trustAddress: Bool?
    public var replace: Set<NGReplaceOption> = []
    /// Logical interface names: [from, to]; at most two.
    public var direction: [String] = []
    public var interface: String?
    public var receivedFrom: NGReceivedFrom?
    public var mediaAddress: IPAddress?
    public var addressFamily: IPAddress.Family?
    public var ice: NGICEOption?
    public var iceLite: NGICELiteOption?
    public var rtcpMux: Set<NGRTCPMuxOption> = []
    /// `RTP/AVP`, `RTP/SAVPF`, `UDP/TLS/RTP/SAVPF`, ... or `accept` (answers).
    public var transportProtocol: String?
    public var dtls: NGDTLSOption?
    public var dtlsReverse: NGDTLSOption?
    public var dtlsFingerprint: String?
    /// SDES options as given, without the `SDES-` prefix (`off`, `no-AES_CM_128_HMAC_SHA1_32`, `pad`).
    public var sdes: [String] = []
    public var osrtp: [String] = []
    public var codec = NGCodecOptions()
    public var t38: [String] = []
    public var label: String?
    public var setLabel: String?
    public var toLabel: String?
    public var ptime: Int?
    public var ptimeReverse: Int?
    public var tos: Int?
    /// Seconds; `delete delay`.
    public var deleteDelay: Int?
    /// `list`: maximum number of call-ids.
    public var limit: Int?
    public var recordCall: String?
    public var metadata: String?
    public var endpointLearning: String?
    public var fromTags: [String] = []
    public var supports: [String] = []
    /// The `all` key (`all`, `none`, `offer-answer`, ...) or the `all` flag.
    public var all: String?
    /// Things we ignored and why (unknown keys, unparsable values); for the log.
    public var warnings: [String] = []

    public init(command: NGCommand, message: BencodeDictionary = BencodeDictionary()) {
        self.command = command
        self.message = message
    }

    /// The `fatal` flag: delete errors become errors instead of warnings.
    public var isFatal: Bool { flags.contains(.fatal) }

    /// The proxy accepts `result: "load limit"` instead of an error when limits are hit.
    public var supportsLoadLimit: Bool { supports.contains("load limit") }

    func has(_ key: NGCommand.RequiredKey) -> Bool {
        switch key {
        case .sdp: return sdp != nil
        case .callID: return callID != nil
        case .fromTag: return fromTag != nil
        case .toTag: return toTag != nil
        }
    }
}

extension NGRequest {
    /// Types a decoded message. Throws the error reason to reply with: no/non-string command,
    /// unrecognized or unsupported command, or a missing required key (in rtpengine's order).
    public static func parse(_ message: BencodeDictionary) throws(NGErrorReason) -> NGRequest {
        guard let name = message["command"]?.bytesValue else { throw .noCommand }
        guard let command = NGCommand(wireName: name) else { throw .unrecognizedCommand }
        guard command.isSupported else { throw .unsupportedCommand }
        var request = NGRequest(command: command, message: message)
        for entry in message.entries {
            request.apply(rawKey: entry.key, value: entry.value)
        }
        for key in command.spec.required where !request.has(key) {
            throw key.missingReason
        }
        return request
    }
}

extension NGErrorReason: Error {}
