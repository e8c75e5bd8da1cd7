/// Caps that keep a hostile or broken body from costing unbounded memory or time. A large
/// WebRTC offer (simulcast, many candidates) is around 10-20 KB and a few hundred lines.
public struct SDPParseLimits: Hashable, Sendable {
    public var maxBytes: Int
    public var maxLines: Int

    public init(maxBytes: Int = 65_536, maxLines: Int = 4_096) {
        self.maxBytes = maxBytes
        self.maxLines = maxLines
    }

    public static let `default` = SDPParseLimits()
}
