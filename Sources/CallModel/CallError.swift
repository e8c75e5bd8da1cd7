/// Why an ng command could not be served. `reason` is the `error-reason` sent back, worded as
/// rtpengine words it where it has a wording, so proxies that match on it keep working.
public enum CallError: Error, Equatable, Sendable {
    case unknownCallID
    case unknownTag(String)
    case noSDP
    case sdpParse(String)
    case outOfPorts
    case unknownInterface(String)
    case noInterfaceForFamily(String)
    case invalidOption(String)
    case tooManyCalls

    public var reason: String {
        switch self {
        case .unknownCallID: return "Unknown call-id"
        case .unknownTag(let tag): return "Unknown call-id or tag (\(tag))"
        case .noSDP: return "No SDP body in message"
        case .sdpParse: return "Failed to parse SDP"
        case .outOfPorts: return "Ran out of ports"
        case .unknownInterface(let name): return "Unknown interface '\(name)'"
        case .noInterfaceForFamily(let family): return "No interface for address family \(family)"
        case .invalidOption(let what): return what
        case .tooManyCalls: return "Parallel session limit reached"
        }
    }
}
