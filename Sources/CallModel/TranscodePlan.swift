// The contract between codec negotiation (CallModel, issue #4's SDP side) and the data plane's
// transcode handler (MediaIO). Chosen at negotiation time, per socket and direction, never per
// packet: a socket with `SocketForwarding.transcode == nil` relays RTP untouched (the common,
// zero-cost case when both parties share a codec).

/// One negotiated RTP payload format: an `a=rtpmap` (and `a=fmtp`) entry as a party uses it.
public struct PayloadFormat: Hashable, Sendable, CustomStringConvertible {
    public var payloadType: UInt8
    /// Encoding name as in a=rtpmap ("PCMU", "PCMA", "G722", "opus", "telephone-event", "CN").
    public var encoding: String
    /// RTP clock rate as in a=rtpmap (G.722: 8000 per RFC 3551; opus: 48000).
    public var clockRate: UInt32
    /// Channels as in a=rtpmap (opus is always written /2; `stereo=1` in fmtp says what is sent).
    public var channels: Int
    /// The a=fmtp value, if any (e.g. "useinbandfec=1; stereo=0", "0-15").
    public var fmtp: String?
    /// Target bitrate in bit/s when the `transcode` spec or fmtp gives one (opus maxaveragebitrate).
    public var bitrate: Int?

    public init(payloadType: UInt8, encoding: String, clockRate: UInt32, channels: Int = 1,
                fmtp: String? = nil, bitrate: Int? = nil) {
        self.payloadType = payloadType
        self.encoding = encoding
        self.clockRate = clockRate
        self.channels = channels
        self.fmtp = fmtp
        self.bitrate = bitrate
    }

    public var description: String { "\(payloadType) \(encoding)/\(clockRate)/\(channels)" }
}

/// What the data plane does with RTP received on one socket before it leaves from `rtpOut`,
/// when the two parties do not share the codec being sent.
///
/// Per received payload type, in this order: a PT in `passthrough` is relayed (PT rewritten to
/// the mapped value, SSRC/seq/timestamp untouched); a PT in `decode` is decoded, resampled,
/// repacketised to `ptime` and encoded as `encode`, on the output leg's own SSRC, sequence and
/// timestamp line; `telephoneEventIn` events are translated to `telephoneEventOut` (clock rate
/// converted through the same timestamp mapping as the audio) or, with no `telephoneEventOut`,
/// rendered as in-band tones when `generateInbandDTMF`; `comfortNoise` decides CN; anything else
/// is dropped and counted.
public struct TranscodePlan: Hashable, Sendable {
    /// Received PT -> PT sent, for formats both parties share (no codec work).
    public var passthrough: [UInt8: UInt8]
    /// Formats the sender uses that are decoded here (keyed by their received PT).
    public var decode: [PayloadFormat]
    /// The format the receiving party gets (its PT number).
    public var encode: PayloadFormat
    /// Milliseconds of audio per emitted packet (`ptime`, rtpengine's default: the receiving
    /// party's a=ptime, else 20).
    public var ptime: Int
    /// The sender's telephone-event format, if it negotiated one.
    public var telephoneEventIn: PayloadFormat?
    /// The receiving party's telephone-event format, if it negotiated one.
    public var telephoneEventOut: PayloadFormat?
    /// Run a DTMF detector (spandsp) on decoded audio and send RFC 4733 events as
    /// `telephoneEventOut` (the sender has no telephone-event, the receiver has).
    public var detectInbandDTMF: Bool
    /// Render received RFC 4733 events as in-band tones in the encoded audio (the receiver has
    /// no telephone-event).
    public var generateInbandDTMF: Bool
    /// Comfort noise (RFC 3389) received from the sender.
    public var comfortNoise: ComfortNoise
    /// Generate RTCP (SR/RR) for the transcoded output leg from this socket's own counters,
    /// instead of forwarding the sender's RTCP (whose SSRC/counters do not match what we send).
    public var generateRTCP: Bool

    public enum ComfortNoise: Hashable, Sendable {
        /// Drop CN packets (the receiver did not negotiate CN).
        case drop
        /// Relay CN packets with the PT rewritten to the receiver's CN PT.
        case pass(payloadType: UInt8)
    }

    public init(passthrough: [UInt8: UInt8] = [:], decode: [PayloadFormat], encode: PayloadFormat,
                ptime: Int = 20, telephoneEventIn: PayloadFormat? = nil, telephoneEventOut: PayloadFormat? = nil,
                detectInbandDTMF: Bool = false, generateInbandDTMF: Bool = false,
                comfortNoise: ComfortNoise = .drop, generateRTCP: Bool = true) {
        self.passthrough = passthrough
        self.decode = decode
        self.encode = encode
        self.ptime = ptime
        self.telephoneEventIn = telephoneEventIn
        self.telephoneEventOut = telephoneEventOut
        self.detectInbandDTMF = detectInbandDTMF
        self.generateInbandDTMF = generateInbandDTMF
        self.comfortNoise = comfortNoise
        self.generateRTCP = generateRTCP
    }
}
