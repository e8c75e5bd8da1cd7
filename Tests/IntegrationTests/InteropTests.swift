import Foundation
import Testing

extension Integration {
    @Suite struct Interop {
        static let client = "/usr/bin/rtpengine-ng-client"

        /// 13. Debian's Perl ng client (rtpengine-utils) drives tandemd through ping, offer,
        /// answer, query, delete, query, in bencode and JSON: tools/tests/ng_client_interop.sh.
        @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: client), "rtpengine-ng-client not installed"))
        func rtpengineNGClient() throws {
            let daemon = try Tandemd(slot: 15)
            var root = URL(fileURLWithPath: #filePath)
            for _ in 0..<3 { root.deleteLastPathComponent() }
            let script = root.appendingPathComponent("tools/tests/ng_client_interop.sh").path
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = [script, String(daemon.ngPort), "127.0.0.1"]
            let outPath = NSTemporaryDirectory() + "ng-interop-\(getpid()).out"
            _ = FileManager.default.createFile(atPath: outPath, contents: nil)
            defer { try? FileManager.default.removeItem(atPath: outPath) }
            let out = FileHandle(forWritingAtPath: outPath)
            process.standardOutput = out
            process.standardError = out
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let deadline = Date().addingTimeInterval(30)
            while process.isRunning, Date() < deadline { usleep(20_000) }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                Issue.record("ng_client_interop.sh still running after 30 s")
            }
            process.waitUntilExit()
            let output = String(decoding: FileManager.default.contents(atPath: outPath) ?? Data(), as: UTF8.self)
            #expect(process.terminationStatus == 0, "ng_client_interop.sh failed:\n\(output)\n--- tandemd stderr ---\n\(daemon.log)")
            #expect(output.contains("30/30 checks passed"), "\(output)")
            #expect(daemon.isRunning)
        }
    }
}
