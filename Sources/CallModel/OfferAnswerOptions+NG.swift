import NGProtocol
import TandemBase

extension OfferAnswerOptions {
    /// The call model's reading of a parsed ng offer/answer. The from-tag must be present
    /// (NGRequest.parse has already enforced the required keys).
    public init(request: NGRequest) {
        self.init(fromTag: request.fromTag ?? "", toTag: request.toTag)
        viaBranch = request.viaBranch
        label = request.label ?? request.setLabel
        if request.trustAddress == false {
            addressSource = .sipSource
        }
        receivedFrom = request.receivedFrom?.ipAddress
        mediaAddress = request.mediaAddress
        direction = request.direction
        addressFamily = request.addressFamily
        replace = Set(request.replace.compactMap(Replacement.init))
        ice = request.ice.map(ICEMode.init) ?? .default
        rtcpMux = Set(request.rtcpMux.compactMap { RTCPMuxFlag(rawValue: $0.rawValue) })
        security = SecurityOptions(request: request)
        transportProtocol = request.transportProtocol.flatMap { $0 == "accept" ? nil : $0 }
        if request.flags.contains(.noRTCPAttribute) { rtcpAttribute = .omit }
        if request.flags.contains(.fullRTCPAttribute) { rtcpAttribute = .full }
        generateMid = request.flags.contains(.generateMid)
        // `WebRTC` is unknown to rtpengine 10.5 (logged, no effect, golden 172/176/178): parsed, ignored.
        latching = LatchingPolicy(
            asymmetric: request.flags.contains(.asymmetric),
            strictSource: request.flags.contains(.strictSource),
            mediaHandover: request.flags.contains(.mediaHandover),
            portLatching: request.flags.contains(.portLatching))
        endpointLearning = request.endpointLearning.flatMap { EndpointLearning(rawValue: $0.lowercased()) }
        codecs = CodecOptions(request: request)
    }
}

extension OfferAnswerOptions.Replacement {
    init?(_ option: NGReplaceOption) {
        switch option {
        case .origin: self = .origin
        case .originFull: self = .originFull
        case .sessionConnection: self = .sessionConnection
        case .sessionName: self = .sessionName
        case .sdpVersion, .forceIncrementSDPVersion: self = .sdpVersion
        case .username: self = .username
        case .zeroAddress: self = .zeroAddress
        }
    }
}

extension OfferAnswerOptions.ICEMode {
    init(_ option: NGICEOption) {
        switch option {
        case .remove: self = .remove
        case .force: self = .force
        case .default: self = .default
        case .optional: self = .optional
        case .forceRelay: self = .forceRelay
        }
    }
}
