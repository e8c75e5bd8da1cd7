import Glibc
import TandemBase

// sockaddr conversions live in TandemBase (TransportAddress(sockaddr:), write(to:)); this keeps
// what only the packet loop needs.

enum SocketAddress {
    /// The address family of an IP address, as socket() wants it.
    static func family(of ip: IPAddress) -> Int32 {
        switch ip {
        case .v4: return AF_INET
        case .v6: return AF_INET6
        }
    }
}
