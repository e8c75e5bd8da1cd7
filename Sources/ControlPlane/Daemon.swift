import CallModel
import Glibc
import TandemBase
import TandemConfig

/// tandemd assembled from its configuration: packet loops with their calls, and the ng listener.
public final class Daemon: Sendable {
    public let engine: MediaEngine
    public let server: NGLoopServer
    public let log: Log

    public init(config: DaemonConfig) throws(EngineError) {
        log = Log(level: config.logLevel, name: "tandemd")
        for warning in config.warnings { log.warning(warning) }
        let interfaces = InterfaceSet(config.interfaces.map {
            LocalInterface(name: $0.name, address: $0.address, advertised: $0.advertised)
        })
        var registry = CallRegistry.Settings(interfaces: interfaces)
        registry.timeout = Double(config.timeout)
        registry.silentTimeout = Double(config.silentTimeout)
        registry.offerTimeout = Double(config.offerTimeout)
        registry.finalTimeout = Double(max(0, config.finalTimeout))
        registry.deleteDelay = Double(config.deleteDelay)
        registry.maxSessions = config.maxSessions
        registry.endpointLearning = OfferAnswerOptions.EndpointLearning(rawValue: config.endpointLearning.rawValue) ?? .delayed
        registry.dtlsPassive = config.dtlsPassive
        _ = DTLSIdentity.current  // one certificate per start, made now rather than on a first call
        if let certificate = config.dtlsCertificate,
           let why = DTLSIdentity.load(certificateFile: certificate, keyFile: config.dtlsKey) {
            throw .dtlsCertificate("\(certificate): \(why)")
        }
        let settings = MediaEngine.Settings(
            registry: registry, portRange: config.portMin...config.portMax, loops: config.numThreads)
        engine = try MediaEngine(settings: settings, log: log)
        do {
            server = try NGLoopServer(listen: config.listenNG, engine: engine, log: log)
        } catch {
            engine.shutdown()
            throw error
        }
        log.info("listening for ng on \(config.listenNG), \(engine.loops.count) packet loops, "
            + "ports \(config.portMin)-\(config.portMax), interfaces \(config.interfaces.map(\.description))")
    }

    /// Stops taking commands, deletes every call, closes every socket and joins every thread.
    public func shutdown() {
        server.close()
        engine.shutdown()
        log.info("shut down")
    }
}
