/// Counters of one packet loop since it started (for `statistics` and the bench).
public struct LoopCounters: Hashable, Sendable {
    /// Datagrams and bytes read from media sockets.
    public var packetsReceived: UInt64 = 0
    public var bytesReceived: UInt64 = 0
    /// Datagrams and bytes handed to the kernel by sendmmsg.
    public var packetsRelayed: UInt64 = 0
    public var bytesRelayed: UInt64 = 0
    /// Not RTP/RTCP version 2, bad header lengths, truncated, or an unknown address family.
    public var dropsMalformed: UInt64 = 0
    /// STUN and DTLS datagrams handed to the control handler (not relayed).
    public var controlPackets: UInt64 = 0
    /// Dropped by strict source: not from the expected remote.
    public var dropsStrictSource: UInt64 = 0
    /// Valid packets with nowhere to go: no out socket, or its remote is not known yet.
    public var dropsNoDestination: UInt64 = 0
    /// SRTP/SRTCP packets that failed unprotect (authentication, replay, too short, unknown MKI),
    /// or arrived on a socket whose SRTP parameters are unusable.
    public var dropsSRTP: UInt64 = 0
    /// Packets that could not be protected for the out socket (no room for the trailer, or its
    /// SRTP parameters are unusable).
    public var dropsSRTPProtect: UInt64 = 0
    /// Packets sendmmsg did not take (full socket buffer, unreachable destination).
    public var dropsSendFailed: UInt64 = 0
    /// Packets the kernel dropped on full receive buffers (SO_RXQ_OVFL), as seen so far.
    public var kernelOverflows: UInt64 = 0
    /// recvmmsg calls that failed with something other than EAGAIN.
    public var receiveErrors: UInt64 = 0
    /// epoll wake-ups, recvmmsg calls that returned packets, sendmmsg calls.
    public var wakeups: UInt64 = 0
    public var receiveCalls: UInt64 = 0
    public var sendCalls: UInt64 = 0
    /// Transcoding: packets produced by transcoders; packets a transcoder dropped (payload type
    /// not in the socket's plan, a payload that does not decode); sender RTCP consumed on a
    /// transcoded leg instead of relayed; RTCP reports generated for transcoded legs.
    public var transcodedPackets: UInt64 = 0
    public var dropsTranscode: UInt64 = 0
    public var rtcpConsumed: UInt64 = 0
    public var rtcpGenerated: UInt64 = 0
    /// Media sockets open on this loop now.
    public var socketsOpen: Int = 0

    public init() {}

    /// All packets dropped by the loop itself (kernel overflows excluded).
    public var drops: UInt64 { dropsMalformed + dropsStrictSource + dropsNoDestination + dropsSendFailed + dropsSRTP + dropsSRTPProtect + dropsTranscode }

    /// Adds another loop's counters (for a daemon-wide `statistics`).
    public static func + (a: Self, b: Self) -> Self {
        var s = a
        s.packetsReceived += b.packetsReceived
        s.bytesReceived += b.bytesReceived
        s.packetsRelayed += b.packetsRelayed
        s.bytesRelayed += b.bytesRelayed
        s.dropsMalformed += b.dropsMalformed
        s.controlPackets += b.controlPackets
        s.dropsStrictSource += b.dropsStrictSource
        s.dropsNoDestination += b.dropsNoDestination
        s.dropsSendFailed += b.dropsSendFailed
        s.dropsSRTP += b.dropsSRTP
        s.dropsSRTPProtect += b.dropsSRTPProtect
        s.kernelOverflows += b.kernelOverflows
        s.receiveErrors += b.receiveErrors
        s.wakeups += b.wakeups
        s.receiveCalls += b.receiveCalls
        s.sendCalls += b.sendCalls
        s.transcodedPackets += b.transcodedPackets
        s.dropsTranscode += b.dropsTranscode
        s.rtcpConsumed += b.rtcpConsumed
        s.rtcpGenerated += b.rtcpGenerated
        s.socketsOpen += b.socketsOpen
        return s
    }
}
