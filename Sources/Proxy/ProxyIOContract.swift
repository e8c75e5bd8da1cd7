import TandemBase

// The contract between the sans-IO proxy core and its I/O (ProxyIO on SwiftNIO, or a test
// harness): datagrams/stream bytes in, send actions out, and a clock tick. The core never opens
// a socket or reads a clock.

/// How a SIP message travels.
public enum SIPTransport: String, Sendable, Hashable {
    case udp, tcp
}

/// Where a SIP message came from or goes to.
public struct SIPPeer: Hashable, Sendable, CustomStringConvertible {
    public var address: TransportAddress
    public var transport: SIPTransport

    public init(_ address: TransportAddress, _ transport: SIPTransport = .udp) {
        self.address = address
        self.transport = transport
    }

    public var description: String { "\(transport)://\(address)" }
}

/// What the core asks its I/O to do.
public enum ProxyOutput: Equatable, Sendable {
    /// Send a SIP message (serialized) to a peer; for TCP, over the connection to that peer
    /// (opened if needed).
    case sendSIP([UInt8], to: SIPPeer)
    /// Send an ng datagram to a media daemon.
    case sendNG([UInt8], to: TransportAddress)
}
