// swift-tools-version:6.1
// Tandem's micro-benchmarks on ordo-one `benchmark` (package-benchmark): a package of its own so
// the root build and CI never compile the benchmark tooling. Run with ./run.sh (see
// Bench/README.md); thresholds are checked in under Thresholds/.
import PackageDescription

let package = Package(
    name: "TandemMicro",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "Tandem", path: "../.."),
        // The trait turns on malloc counting (the interposer; Swift 6.3 needs no jemalloc).
        .package(url: "https://github.com/ordo-one/benchmark.git", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // Sources are the tandem-bench workloads (symlinked) plus TandemMicro.swift.
        .executableTarget(
            name: "TandemMicro",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TandemBenchTargets", package: "Tandem"),
            ],
            path: "Benchmarks/TandemMicro",
            swiftSettings: [.swiftLanguageMode(.v5)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
