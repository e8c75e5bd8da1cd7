// tandemd: the media daemon. Reads rtpengine-compatible options, optionally detaches, writes a
// pidfile, runs until SIGINT/SIGTERM, then deletes every call and exits 0.
import ControlPlane
import Dispatch
import Foundation
import Glibc
import TandemConfig

TerminationSignals.block()

let invocation: DaemonConfig.Invocation
do {
    invocation = try DaemonConfig.parse(
        arguments: Array(CommandLine.arguments.dropFirst()),
        onlineCPUs: ProcessInfo.processInfo.activeProcessorCount,
        networkDevices: NetworkDevices.current(),
        readFile: readConfigFile)
} catch {
    printError("tandemd: \(error)\n")
    exit(2)
}

switch invocation {
case .help(let text):
    print(text)
    exit(0)
case .version:
    print("tandemd \(tandemVersion)")
    exit(0)
case .run(let config):
    // Detach before any thread exists: fork() only copies the calling thread.
    if !config.foreground { detach() }
    let daemon: Daemon
    do {
        daemon = try Daemon(config: config)
    } catch {
        printError("tandemd: \(error)\n")
        exit(1)
    }
    if let pidfile = config.pidfile { writePidfile(pidfile) }
    waitForTermination {
        daemon.shutdown()
        if let pidfile = config.pidfile { unlink(pidfile) }
        exit(0)
    }
}
