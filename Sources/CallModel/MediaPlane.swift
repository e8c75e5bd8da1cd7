import TandemBase

// The contract between the call model (sans-IO: decides which sockets exist and where media
// goes) and the data plane that owns real sockets (MediaIO's packet loop) or a fake (tests).
//
// Relay shape (rtpengine's): every local socket talks to exactly one remote party. A packet that
// arrives on socket X from X's remote is sent out of X's *peer* socket to the peer's remote.
// For a call A <-> B with one audio stream:
//
//     A  <-->  [sa_rtp  sa_rtcp]  (advertised to A in the answer)
//              [sb_rtp  sb_rtcp]  (advertised to B in the offer)  <-->  B
//
// sa_rtp.rtpOut = sb_rtp, sb_rtp.rtpOut = sa_rtp, and likewise for RTCP. With rtcp-mux on a
// side, RTCP arrives on (and leaves from) that side's RTP socket, so `rtcpOut` names the peer's
// RTP or RTCP socket as the peer side demands.

/// A local interface media sockets are bound on (`--interface=NAME/IP[!ADVERTISED]`).
public struct LocalInterface: Hashable, Sendable {
    public var name: String
    /// The address sockets bind to.
    public var address: IPAddress
    /// The address written into SDP (differs behind 1:1 NAT).
    public var advertised: IPAddress

    public init(name: String, address: IPAddress, advertised: IPAddress? = nil) {
        self.name = name
        self.address = address
        self.advertised = advertised ?? address
    }
}

/// A bound local UDP socket, as the data plane identifies it.
public struct SocketHandle: Hashable, Sendable, CustomStringConvertible {
    /// Opaque to the call model (MediaIO uses the file descriptor).
    public var id: Int32
    /// The local port the socket is bound to.
    public var port: UInt16

    public init(id: Int32, port: UInt16) {
        self.id = id
        self.port = port
    }

    public var description: String { "#\(id):\(port)" }
}

/// How the data plane learns and checks the remote address of a socket (rtpengine flags).
public struct LatchingPolicy: Hashable, Sendable {
    /// `asymmetric`: never learn the remote from received packets; always send to the SDP address.
    public var asymmetric = false
    /// `strict source`: drop packets whose source is not the (SDP or latched) remote.
    public var strictSource = false
    /// `media handover`: keep re-latching to a new source address whenever one appears.
    public var mediaHandover = false
    /// `port latching`: latch once and keep that port even if the SDP later changes it
    /// (re-offers do not reset the latch).
    public var portLatching = false

    public init(asymmetric: Bool = false, strictSource: Bool = false, mediaHandover: Bool = false, portLatching: Bool = false) {
        self.asymmetric = asymmetric
        self.strictSource = strictSource
        self.mediaHandover = mediaHandover
        self.portLatching = portLatching
    }
}

/// Where packets received on one socket go, and whom that socket talks to.
public struct SocketForwarding: Hashable, Sendable {
    /// The remote this socket talks to, from SDP; nil when unknown or on hold (0.0.0.0):
    /// then the remote is learned from the first packet (unless asymmetric).
    public var remote: TransportAddress?
    /// Socket that RTP received here is sent out of (to that socket's remote); nil = drop.
    public var rtpOut: SocketHandle?
    /// Socket that RTCP received here is sent out of; nil = drop.
    public var rtcpOut: SocketHandle?
    /// RTCP may arrive on this socket mixed with RTP (rtcp-mux, or this is the RTCP socket).
    public var acceptsRTCP: Bool
    public var latching: LatchingPolicy
    /// Re-offer with a changed SDP address: forget the latched remote (unless port latching).
    public var resetLatch: Bool
    /// rtpengine's "delayed" endpoint learning: for this many seconds after this configuration
    /// (i.e. after signalling) every new source moves the latch and strict source is not applied;
    /// 0 = "immediate" (latch on the first packet).
    public var learningSeconds: Double = 0
    /// RTP clock rate of the stream received here (from a=rtpmap), for jitter of dynamic payload
    /// types; nil: only static payload types (RFC 3551) get a jitter figure.
    public var clockRate: UInt32?
    /// SRTP keying of packets *received* on this socket (the sending party's key): RTP and RTCP
    /// received here are authenticated and decrypted before they are relayed; packets that fail
    /// (auth, replay, too short, MKI) are dropped. nil = plain RTP/RTCP arrives here.
    public var decrypt: SRTPParameters?
    /// SRTP keying of packets *sent* from this socket to its remote (our key towards that party):
    /// whatever is relayed out of this socket is protected with it. nil = send plain RTP/RTCP.
    public var encrypt: SRTPParameters?
    /// What to do with RTP received here when the parties' codecs differ (issue #4); nil =
    /// relay untouched. Set on RTP-component sockets only.
    public var transcode: TranscodePlan?

    public init(remote: TransportAddress?, rtpOut: SocketHandle?, rtcpOut: SocketHandle?,
                acceptsRTCP: Bool, latching: LatchingPolicy, resetLatch: Bool = false, clockRate: UInt32? = nil,
                decrypt: SRTPParameters? = nil, encrypt: SRTPParameters? = nil) {
        self.decrypt = decrypt
        self.encrypt = encrypt
        self.remote = remote
        self.rtpOut = rtpOut
        self.rtcpOut = rtcpOut
        self.acceptsRTCP = acceptsRTCP
        self.latching = latching
        self.resetLatch = resetLatch
        self.clockRate = clockRate
    }
}

/// Counters the data plane keeps for one socket (all packets *received* on it).
public struct SocketStats: Hashable, Sendable {
    public var rtpPackets: UInt64 = 0
    public var rtpBytes: UInt64 = 0
    public var rtcpPackets: UInt64 = 0
    public var rtcpBytes: UInt64 = 0
    /// Packets dropped: malformed, wrong source under strict source, no destination.
    public var errors: UInt64 = 0
    /// When the last valid packet arrived; nil if none yet.
    public var lastPacket: MonotonicTime?
    /// The address currently latched (or configured) as this socket's remote.
    public var remote: TransportAddress?
    /// Whether `remote` was learned from traffic.
    public var latched = false
    /// The last RTP SSRC seen and its receive statistics.
    public var ssrc: UInt32?
    public var highestSequence: UInt32 = 0
    public var packetsLost: UInt64 = 0
    public var jitter: UInt32 = 0
    /// The RTP payload type received most often (RTP/PayloadTypeTally); nil if no RTP yet.
    public var payloadType: UInt8?

    public init() {}
}

/// A datagram on a media socket that is not RTP/RTCP but one of the protocols the call layer
/// speaks on media ports — STUN (ICE connectivity checks) or DTLS (DTLS-SRTP handshakes) — told
/// apart by RFC 7983's first-byte ranges. Handled off the relay's fast path (it may allocate).
public struct ControlPacket: Sendable {
    public enum Kind: Sendable, Equatable { case stun, dtls }

    public var kind: Kind
    /// The local socket it arrived on.
    public var socket: SocketHandle
    public var source: TransportAddress
    public var bytes: [UInt8]

    public init(kind: Kind, socket: SocketHandle, source: TransportAddress, bytes: [UInt8]) {
        self.kind = kind
        self.socket = socket
        self.source = source
        self.bytes = bytes
    }
}

/// The data plane as the call model sees it. Methods are called on the owning loop's thread only.
public protocol MediaPlane: AnyObject {
    /// Binds `count` consecutive UDP ports (the first one even) on `interface`, skipping ports that
    /// fail to bind. Returns nil when the range is exhausted; then nothing stays bound.
    func openPorts(on interface: LocalInterface, count: Int) -> [SocketHandle]?
    /// Closes a socket opened by `openPorts`; unknown handles are ignored.
    func close(_ socket: SocketHandle)
    /// Sets (or replaces) what happens to packets received on `socket`.
    func configure(_ socket: SocketHandle, _ forwarding: SocketForwarding)
    /// A snapshot of the socket's counters.
    func stats(_ socket: SocketHandle) -> SocketStats
    /// Where STUN and DTLS datagrams go (nil: they are counted as malformed and dropped).
    func setControlHandler(_ handler: ((ControlPacket) -> Void)?)
    /// Sends a datagram the call layer produced (a STUN response, a DTLS flight) from `socket`.
    func sendControl(_ bytes: [UInt8], from socket: SocketHandle, to destination: TransportAddress)
}
