import TandemBase

/// tandem-proxy's settings (parsed from its command line by `ProxyOptions`).
public struct ProxyConfig: Sendable, Equatable {
    /// Where the proxy listens for SIP (`--listen=udp:127.0.0.1:5060`, repeatable; tcp too).
    public var listen: [SIPPeer] = [SIPPeer(TransportAddress(ip: .v4(0x7f00_0001), port: 5060))]
    /// Where new requests go (`--next-hop=HOST:PORT[;transport=tcp]`); nil: by Request-URI.
    public var nextHop: SIPPeer?
    /// Media daemons (`--media-daemon=udp:HOST:PORT[=WEIGHT]`, repeatable).
    public var mediaDaemons: [MediaDaemon] = [MediaDaemon(address: TransportAddress(ip: .v4(0x7f00_0001), port: 2223))]
    /// Kamailio-style rtpengine flag strings for offers and answers.
    public var offerFlags = "replace-origin replace-session-connection"
    public var answerFlags = "replace-origin replace-session-connection"
    /// ng request timeout per attempt and number of retransmissions (Kamailio: rtpengine_tout_ms, rtpengine_retr).
    public var ngTimeout: Double = 1
    public var ngRetransmissions = 2
    /// Seconds between pings to each media daemon.
    public var pingInterval: Double = 5
    /// SIP timer T1 (RFC 3261: 500 ms).
    public var t1: Double = 0.5
    /// The proxy's INVITE timer after a provisional response (RFC 3261: > 3 minutes).
    public var timerC: Double = 180
    /// Log verbosity (syslog levels, 6 = info).
    public var logLevel = 6

    public init() {}

    public struct MediaDaemon: Sendable, Equatable {
        public var address: TransportAddress
        public var weight: Int

        public init(address: TransportAddress, weight: Int = 1) {
            self.address = address
            self.weight = weight
        }
    }
}
