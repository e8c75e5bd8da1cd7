/// THE command table: every command rtpengine's ng protocol defines, its wire name, whether
/// Tandem serves it, and which keys it requires (checked in this order, which is rtpengine's,
/// so a message missing several keys gets the same error as from rtpengine).
///
/// Wire names are matched exactly (case-sensitive), as rtpengine does: "Ping" is unrecognized.
public enum NGCommand: String, CaseIterable, Hashable, Sendable {
    case ping
    case offer
    case answer
    case delete
    case query
    case list
    case statistics
    case startRecording = "start recording"
    case stopRecording = "stop recording"
    case pauseRecording = "pause recording"
    case blockDTMF = "block DTMF"
    case unblockDTMF = "unblock DTMF"
    case blockMedia = "block media"
    case unblockMedia = "unblock media"
    case silenceMedia = "silence media"
    case unsilenceMedia = "unsilence media"
    case startForwarding = "start forwarding"
    case stopForwarding = "stop forwarding"
    case playMedia = "play media"
    case stopMedia = "stop media"
    case playDTMF = "play DTMF"
    case publish
    case subscribeRequest = "subscribe request"
    case subscribeAnswer = "subscribe answer"
    case unsubscribe
    case connect

    /// A key that must be present (as a string) before the command runs.
    public enum RequiredKey: Hashable, Sendable {
        case sdp, callID, fromTag, toTag

        public var missingReason: NGErrorReason {
            switch self {
            case .sdp: return .noSDPBody
            case .callID: return .noCallID
            case .fromTag: return .noFromTag
            case .toTag: return .noToTag
            }
        }
    }

    public struct Spec: Sendable {
        public var supported: Bool
        public var required: [RequiredKey]
    }

    public var spec: Spec {
        switch self {
        case .ping, .list, .statistics: return Spec(supported: true, required: [])
        case .offer: return Spec(supported: true, required: [.sdp, .callID, .fromTag])
        case .answer: return Spec(supported: true, required: [.sdp, .callID, .fromTag, .toTag])
        case .delete, .query: return Spec(supported: true, required: [.callID])
        default: return Spec(supported: false, required: [])
        }
    }

    public var isSupported: Bool { spec.supported }

    /// The command named by a message's "command" value, or nil when rtpengine would not
    /// recognise it either.
    public init?(wireName: [UInt8]) {
        self.init(rawValue: String(decoding: wireName, as: UTF8.self))
    }

    public var wireName: String { rawValue }
}
