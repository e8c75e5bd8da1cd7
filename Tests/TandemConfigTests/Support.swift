import TandemBase
@testable import TandemConfig

let defaultFile = DaemonConfig.defaultConfigFile

/// Parses with an in-memory file system (path -> contents; absent = no such file), 2 CPUs.
func invoke(_ arguments: [String], files: [String: String] = [:],
            devices: [String: [IPAddress]] = [:]) throws(ConfigError) -> DaemonConfig.Invocation {
    try DaemonConfig.parse(arguments: arguments, onlineCPUs: 2, networkDevices: devices) { files[$0] }
}

/// Parses and expects `.run`.
func config(_ arguments: [String], files: [String: String] = [:],
            devices: [String: [IPAddress]] = [:]) throws(ConfigError) -> DaemonConfig {
    switch try invoke(arguments, files: files, devices: devices) {
    case .run(let config): return config
    case let other: fatalError("expected .run, got \(other)")
    }
}

/// Parses with `text` as the default config file.
func config(ini text: String, _ arguments: [String] = []) throws(ConfigError) -> DaemonConfig {
    try config(arguments, files: [defaultFile: text])
}

/// The error `body` throws, nil if it throws none.
func failure(_ body: () throws -> Void) -> ConfigError? {
    do { try body(); return nil } catch { return error as? ConfigError }
}

func ip(_ text: String) -> IPAddress { IPAddress(text)! }

/// The defaults with `change` applied, as the expected result of a parse (2 CPUs).
func defaults(_ change: (inout DaemonConfig) -> Void = { _ in }) -> DaemonConfig {
    var c = DaemonConfig.defaults(onlineCPUs: 2)
    change(&c)
    return c
}

func defaultsFromFile(_ change: (inout DaemonConfig) -> Void = { _ in }) -> DaemonConfig {
    defaults { c in
        c.configFile = defaultFile
        change(&c)
    }
}
