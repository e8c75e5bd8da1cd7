import CTandemSys
import CallModel
import MediaIO
import NGProtocol
import TandemBase

/// The packet loops and the calls on them. A call lives on the loop its call-id hashes to; its
/// commands run on that loop's thread, so call state and the data plane share a thread and need
/// no locks. `list` and `statistics` ask every loop.
public final class MediaEngine: Sendable {
    public struct Settings: Sendable {
        public var registry: CallRegistry.Settings
        public var portRange: ClosedRange<UInt16>
        public var loops: Int
        /// How often each loop checks its calls' timeouts.
        public var tickInterval: Duration = .seconds(1)

        public init(registry: CallRegistry.Settings, portRange: ClosedRange<UInt16>, loops: Int) {
            self.registry = registry
            self.portRange = portRange
            self.loops = loops
        }
    }

    public let loops: [PacketLoop]
    let settings: Settings
    let startedAt: MonotonicTime
    let log: Log

    public init(settings: Settings, log: Log) throws(EngineError) {
        let count = max(1, settings.loops)
        guard let slices = PortAllocator.slices(of: settings.portRange, parts: count) else {
            throw .portRangeTooSmall(settings.portRange, loops: count)
        }
        self.settings = settings
        self.log = log
        self.startedAt = MonotonicTime(nanoseconds: tandem_monotonic_ns(0))
        self.loops = slices.enumerated().map { PacketLoop(index: $0.offset, portSlice: $0.element) }
        for loop in loops { attach(loop) }
    }

    /// Starts every loop and creates its call registry on its own thread.
    private func attach(_ loop: PacketLoop) {
        loop.start()
        let registrySettings = settings.registry
        let log = self.log
        _ = loop.sync { context in
            let registry = CallRegistry(settings: registrySettings, plane: context.plane)
            context.userState = LoopState(registry: registry)
            // STUN connectivity checks on media sockets go to the leg's ICE-lite agent.
            context.plane.setControlHandler { [weak registry] packet in
                registry?.handleControl(packet, now: MonotonicTime(nanoseconds: tandem_monotonic_ns(0)))
            }
        }
        loop.setTickHandler(interval: settings.tickInterval) { context in
            guard let state = context.userState as? LoopState else { return }
            for (callID, reason) in state.registry.expire(now: context.now) {
                log.info("call \(callID) removed: \(reason)")
            }
        }
    }

    /// Runs `request` and calls `completion` with the response (on a loop thread, or inline).
    public func execute(_ request: NGRequest, completion: @escaping @Sendable (NGResponse) -> Void) {
        switch request.command {
        case .ping:
            completion(.pong)
        case .list:
            completion(list(limit: request.limit))
        case .statistics:
            completion(.ok(["statistics": .dictionary(statistics())]))
        case .offer, .answer, .delete, .query:
            let loop = owner(of: request.callID ?? "")
            let accepted = loop.execute { context in completion(Self.run(request, in: context)) }
            if !accepted { completion(.error("Shutting down")) }
        default:
            completion(.error("Unsupported command"))
        }
    }

    /// Runs a call command (offer, answer, delete, query) on the thread of `context`, which must
    /// be the loop owning the call-id (`owner(of:)`).
    static func run(_ request: NGRequest, in context: LoopContext) -> NGResponse {
        guard let state = context.userState as? LoopState else { return .error("Shutting down") }
        return state.registry.execute(request, now: context.now, wallClock: tandem_wallclock())
    }

    /// Whether `command` runs on the loop owning its call-id (else: inline or fanned out).
    static func runsOnOwner(_ command: NGCommand) -> Bool {
        switch command {
        case .offer, .answer, .delete, .query: return true
        default: return false
        }
    }

    /// The loop owning `callID`: FNV-1a over its bytes, stable across runs.
    func owner(of callID: String) -> PacketLoop {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in callID.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return loops[Int(hash % UInt64(loops.count))]
    }

    /// Calls and counters of every loop, gathered on each loop's thread.
    func snapshots() -> [LoopSnapshot] {
        loops.compactMap { loop in
            loop.sync { context -> LoopSnapshot in
                let state = context.userState as? LoopState
                return LoopSnapshot(
                    callIDs: state.map { Array($0.registry.calls.keys) } ?? [],
                    registry: state?.registry.counters ?? RegistryCounters(),
                    media: context.counters,
                    portsInUse: context.udpPlane.portsInUse,
                    portCapacity: context.udpPlane.portCapacity)
            }
        }
    }

    /// At most `limit` call-ids, 32 when not given (rtpengine 10.5's default).
    private func list(limit: Int?) -> NGResponse {
        var ids = snapshots().flatMap(\.callIDs).sorted()
        ids = Array(ids.prefix(max(0, limit ?? 32)))
        return .ok(["calls": .list(ids.map { .text($0) })])
    }

    /// Deletes every call and stops every loop (sockets closed, threads joined).
    public func shutdown() {
        for loop in loops {
            _ = loop.sync { context in
                (context.userState as? LoopState)?.registry.destroyAll()
                context.userState = nil
            }
            loop.stop()
        }
    }
}

/// What one loop keeps besides its sockets: its calls.
final class LoopState {
    let registry: CallRegistry
    init(registry: CallRegistry) { self.registry = registry }
}

struct LoopSnapshot: Sendable {
    var callIDs: [String]
    var registry: RegistryCounters
    var media: LoopCounters
    var portsInUse: Int
    var portCapacity: Int
}

public enum EngineError: Error, CustomStringConvertible {
    case portRangeTooSmall(ClosedRange<UInt16>, loops: Int)
    case listen(String)
    case dtlsCertificate(String)

    public var description: String {
        switch self {
        case .portRangeTooSmall(let range, let loops):
            return "port range \(range.lowerBound)-\(range.upperBound) is too small for \(loops) packet loops"
        case .listen(let why):
            return "cannot listen for ng commands: \(why)"
        case .dtlsCertificate(let why):
            return "cannot load the DTLS certificate: \(why)"
        }
    }
}
