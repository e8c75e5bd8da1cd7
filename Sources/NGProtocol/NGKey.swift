/// The dictionary keys we type, by canonical name (lower case, '-' for ' ' and '_').
/// Other keys stay in `NGRequest.message` and produce a warning, as in rtpengine.
enum NGKey: String, CaseIterable {
    case command
    case callID = "call-id"
    case fromTag = "from-tag"
    case toTag = "to-tag"
    case viaBranch = "via-branch"
    case sdp
    case flags
    case rtppFlags = "rtpp-flags"
    case replace
    case direction
    case fromInterface = "from-interface"
    case toInterface = "to-interface"
    case interface
    case receivedFrom = "received-from"
    case mediaAddress = "media-address"
    case addressFamily = "address-family"
    case ice
    case iceLite = "ice-lite"
    case rtcpMux = "rtcp-mux"
    case transportProtocol = "transport-protocol"
    case dtls
    case dtlsReverse = "dtls-reverse"
    case dtlsFingerprint = "dtls-fingerprint"
    case sdes
    case osrtp
    case codec
    case t38
    case label
    case setLabel = "set-label"
    case toLabel = "to-label"
    case ptime
    case ptimeReverse = "ptime-reverse"
    case tos
    case deleteDelay = "delete-delay"
    case limit
    case recordCall = "record-call"
    case metadata
    case endpointLearning = "endpoint-learning"
    case fromTags = "from-tags"
    case supports
    case all

    /// Spellings that canonicalisation alone does not unify.
    static let aliases: [String: NGKey] = [
        "callid": .callID,
        "fromtag": .fromTag,
        "totag": .toTag,
        "viabranch": .viaBranch,
        "rtppflags": .rtppFlags,
        "from-label": .label,
        "reverse-ptime": .ptimeReverse,
        "t.38": .t38,
        "receivedfrom": .receivedFrom,
        "mediaaddress": .mediaAddress,
        "addressfamily": .addressFamily,
    ]

    static func lookup(canonical name: String) -> NGKey? {
        NGKey(rawValue: name) ?? aliases[name]
    }
}
