// swift-tools-version:6.0
// Tandem: an RTP media relay driven by rtpengine's ng protocol. Layout and dependency
// direction are decided in ../shared/DESIGN.md: wire formats -> protocol state machines ->
// call model -> I/O -> executables.
import PackageDescription

let package = Package(
    name: "Tandem",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "tandemd", targets: ["tandemd"]),
        .executable(name: "tandem-ctl", targets: ["tandem-ctl"]),
        .executable(name: "tandem-proxy", targets: ["tandem-proxy"]),
        .executable(name: "tandem-bench", targets: ["tandem-bench"]),
        // For Bench/micro (a separate package, so ordo-one `benchmark` stays out of this build):
        // the libraries its micro-benchmarks drive.
        .library(name: "TandemBenchTargets", targets: [
            "Bencode", "NGProtocol", "SDP", "RTP", "CallModel", "Codecs", "Crypto", "MediaIO", "TandemBase", "CTandemSys",
        ]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        // C: system calls Glibc hides (recvmmsg/sendmmsg, epoll, eventfd).
        .target(name: "CTandemSys"),
        // System libraries (Debian -dev packages; tools/setup.sh installs them).
        .systemLibrary(name: "CSRTP", pkgConfig: "libsrtp2", providers: [.apt(["libsrtp2-dev"])]),
        .systemLibrary(name: "COpus", pkgConfig: "opus", providers: [.apt(["libopus-dev"])]),
        .systemLibrary(name: "CSpanDSP", pkgConfig: "spandsp", providers: [.apt(["libspandsp-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CPcap", pkgConfig: "libpcap", providers: [.apt(["libpcap-dev"])]),
        .systemLibrary(name: "CSpeexDSP", pkgConfig: "speexdsp", providers: [.apt(["libspeexdsp-dev"])]),

        // Shared vocabulary: IP addresses, transport endpoints, monotonic time.
        .target(name: "TandemBase"),
        // Wire formats.
        .target(name: "Bencode"),
        .target(name: "SDP"),
        .target(name: "RTP", dependencies: ["TandemBase"]),
        .target(name: "NGProtocol", dependencies: ["Bencode", "TandemBase"]),
        // Protocol cores for secure media: SRTP/SRTCP and DTLS on OpenSSL; STUN and ICE-lite.
        .target(name: "Crypto", dependencies: ["COpenSSL", "TandemBase"]),
        .target(name: "STUN", dependencies: ["COpenSSL", "TandemBase"]),
        // Codecs: G.711 tables, G.722 and DTMF (spandsp), opus (libopus), resampling (speexdsp).
        .target(name: "Codecs", dependencies: ["COpus", "CSpanDSP", "CSpeexDSP", "TandemBase"]),
        // SIP: message parse/print, typed headers, RFC 3261 transaction state machines — sans-IO.
        .target(name: "SIP", dependencies: ["TandemBase"]),
        // Proxy: routing, dialogs, media-control decisions, ng client + daemon set — sans-IO.
        .target(name: "Proxy", dependencies: ["SIP", "NGProtocol", "Bencode", "TandemBase"]),
        // Call model: offer/answer, ports, timeouts — sans-IO.
        .target(name: "CallModel", dependencies: ["SDP", "NGProtocol", "RTP", "STUN", "Crypto", "TandemBase"]),
        // I/O: per-core epoll packet loops; the ng control listener is served on packet loop 0.
        .target(name: "MediaIO", dependencies: ["CallModel", "Codecs", "Crypto", "RTP", "TandemBase", "CTandemSys"]),
        .target(name: "TandemConfig", dependencies: ["TandemBase"]),
        .target(name: "ControlPlane", dependencies: [
            "MediaIO", "NGProtocol", "Bencode", "CallModel", "TandemConfig", "TandemBase",
        ]),
        // Executables: options, logging, wiring.
        .executableTarget(name: "tandemd", dependencies: ["ControlPlane", "TandemConfig"]),
        .executableTarget(name: "tandem-ctl", dependencies: ["Bencode", "NGProtocol", "TandemBase"]),
        // The SIP proxy's I/O (SIP over UDP/TCP, ng client over UDP) on SwiftNIO, and its executable.
        .target(name: "ProxyIO", dependencies: [
            "Proxy", "SIP", "NGProtocol", "Bencode", "TandemBase",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .executableTarget(name: "tandem-proxy", dependencies: ["ProxyIO", "Proxy", "TandemBase"]),

        // Benchmarks: a malloc-counting interposer and the bench driver.
        .target(name: "CMallocCounter", path: "Bench/CMallocCounter"),
        .executableTarget(name: "tandem-bench", dependencies: [
            "CMallocCounter", "Codecs", "MediaIO", "CallModel", "Bencode", "NGProtocol", "SDP", "RTP", "TandemBase", "CTandemSys", "Crypto", "CSRTP",
        ], path: "Bench/tandem-bench"),

        // Tests: one target per library; only MediaIO and Integration open sockets (loopback).
        .target(name: "TandemTestSupport", dependencies: ["TandemBase"], path: "Tests/TestSupport"),
        .testTarget(name: "SystemLibrariesTests", dependencies: ["CSRTP", "COpus", "CSpanDSP", "COpenSSL", "CPcap", "CSpeexDSP"]),
        .testTarget(name: "TandemBaseTests", dependencies: ["TandemBase"]),
        .testTarget(name: "BencodeTests", dependencies: ["Bencode"]),
        .testTarget(name: "NGProtocolTests", dependencies: ["NGProtocol", "Bencode"]),
        .testTarget(name: "SDPTests", dependencies: ["SDP"]),
        .testTarget(name: "RTPTests", dependencies: ["RTP"]),
        .testTarget(name: "CallModelTests", dependencies: ["CallModel", "SDP", "NGProtocol", "Bencode", "STUN", "Crypto"], resources: [.copy("Golden")]),
        .testTarget(name: "MediaIOTests", dependencies: ["MediaIO", "CallModel", "Codecs", "Crypto", "RTP", "TandemBase", "CTandemSys", "TandemTestSupport"]),
        .testTarget(name: "TandemConfigTests", dependencies: ["TandemConfig"]),
        .testTarget(name: "SIPTests", dependencies: ["SIP", "TandemBase"]),
        .testTarget(name: "CryptoTests", dependencies: ["Crypto", "CSRTP", "COpenSSL", "TandemBase"]),
        .testTarget(name: "STUNTests", dependencies: ["STUN", "TandemBase"]),
        .testTarget(name: "CodecsTests", dependencies: ["Codecs", "CSpanDSP", "COpus", "TandemBase", "TandemTestSupport"]),
        .testTarget(name: "ProxyTests", dependencies: ["Proxy", "SIP", "NGProtocol", "Bencode", "TandemBase"]),
        .testTarget(name: "IntegrationTests", dependencies: ["Bencode", "Codecs", "NGProtocol", "STUN", "Crypto", "TandemBase", "CTandemSys", "TandemTestSupport"]),
    ]
)
