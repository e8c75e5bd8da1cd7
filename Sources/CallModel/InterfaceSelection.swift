import TandemBase

/// The configured local interfaces (`--interface`), in configuration order. Several entries may
/// share a name (one IPv4 and one IPv6 address of the same logical interface); the first entry's
/// name is the default interface.
public struct InterfaceSet: Sendable, Equatable {
    public let all: [LocalInterface]

    public init(_ interfaces: [LocalInterface]) {
        precondition(!interfaces.isEmpty, "at least one interface is required")
        self.all = interfaces
    }

    public var defaultName: String { all[0].name }

    /// The interface called `name` (default when nil) with `family` if it has one; otherwise that
    /// interface's first address, unless the family was asked for explicitly.
    public func select(name: String?, family: IPAddress.Family?, strictFamily: Bool) throws(CallError) -> LocalInterface {
        let wanted = name ?? defaultName
        let named = all.filter { $0.name == wanted }
        guard let first = named.first else { throw .unknownInterface(wanted) }
        guard let family else { return first }
        if let match = named.first(where: { $0.address.family == family }) { return match }
        if strictFamily { throw .noInterfaceForFamily(family.rawValue) }
        return first
    }
}
