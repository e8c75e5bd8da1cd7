/// A boolean flag from the `flags` list. The raw value is the canonical spelling; `aliases`
/// lists the other names rtpengine accepts (already canonicalised: lower case, '-' for ' '/'_').
/// Flags that carry a value or set another field (`trust address`, `replace-origin`,
/// `direction=...`, `SDES-...`) are routed to their typed fields instead; see NGFlagsParser.
public enum NGFlag: String, CaseIterable, Hashable, Sendable {
    case all
    case allowAsymmetricCodecs = "allow-asymmetric-codecs"
    case allowNoCodecMedia = "allow-no-codec-media"
    case allowTranscoding = "allow-transcoding"
    case asymmetric
    case audioPlayer = "audio-player"
    case blockDTMF = "block-dtmf"
    case blockEgress = "block-egress"
    case blockShort = "block-short"
    case debug
    case detectDTMF = "detect-dtmf"
    case directional
    case discardRecording = "discard-recording"
    case earlyMedia = "early-media"
    case egress
    case excludeRecording = "exclude-recording"
    case fatal
    case fragment
    case fullRTCPAttribute = "full-rtcp-attribute"
    case generateMid = "generate-mid"
    case generateRTCP = "generate-rtcp"
    case inactive
    case injectDTMF = "inject-dtmf"
    case loopProtect = "loop-protect"
    case mediaHandover = "media-handover"
    case natWait = "nat-wait"
    case newBranch = "new-branch"
    case noAudioPlayer = "no-audio-player"
    case noJitterBuffer = "no-jitter-buffer"
    case noPassthrough = "no-passthrough"
    case noPortLatching = "no-port-latching"
    case noRedisUpdate = "no-redis-update"
    case noRTCPAttribute = "no-rtcp-attribute"
    case originalSendrecv = "original-sendrecv"
    case padCrypto = "pad-crypto"
    case passthrough
    case pierceNAT = "pierce-nat"
    case portLatching = "port-latching"
    case provisional
    case recordCall = "record-call"
    case rejectICE = "reject-ice"
    case reset
    case reuseCodecs = "reuse-codecs"
    case rtcpMirror = "rtcp-mirror"
    case singleCodec = "single-codec"
    case siprec
    case staticCodecs = "static-codecs"
    case strictSource = "strict-source"
    case stripExtmap = "strip-extmap"
    case symmetric
    /// In `delete`: only tear down the monologue of this to-tag.
    case toTag = "to-tag"
    case trickleICE = "trickle-ice"
    case unidirectional
    case webRTC = "webrtc"

    /// Other accepted spellings, canonicalised.
    static let aliases: [String: NGFlag] = [
        "allow-asymmetric-codec": .allowAsymmetricCodecs,
        "allow-no-codec-medias": .allowNoCodecMedia,
        "allow-empty-codec-media": .allowNoCodecMedia,
        "allow-empty-codec-medias": .allowNoCodecMedia,
        "player": .audioPlayer,
        "block-shorts": .blockShort,
        "block-short-packets": .blockShort,
        "debugging": .debug,
        "no-player": .noAudioPlayer,
        "ice-reject": .rejectICE,
        "mirror-rtcp": .rtcpMirror,
        "no-codec-renegotiation": .reuseCodecs,
        "static-codec": .staticCodecs,
    ]

    /// The flag named by a canonical spelling, if it is a plain boolean flag.
    static func lookup(canonical name: String) -> NGFlag? {
        NGFlag(rawValue: name) ?? aliases[name]
    }
}
