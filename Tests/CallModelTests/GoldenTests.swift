import Bencode
import Foundation
import NGProtocol
import Testing
import TandemBase
@testable import CallModel

/// Runs every golden case (recorded from rtpengine 10.5, see Golden/README.md) through the real
/// request path: JSON -> bencode dictionary -> NGRequest.parse -> CallRegistry.execute, against
/// the in-memory plane configured with the reference interfaces.
///
/// Cases listed in tools/tests/known-differences.txt (each explained in the README) are the
/// deliberate or not-yet-implemented differences; the differential test against rtpengine reads
/// the same list.
let deferredGoldenCases: [String: String] = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    let file = root.appendingPathComponent("tools/tests/known-differences.txt")
    guard let text = try? String(contentsOf: file, encoding: .utf8) else { return [:] }
    var known: [String: String] = [:]
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
        let parts = line.split(separator: " ", maxSplits: 1)
        if let name = parts.first { known[String(name)] = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : "" }
    }
    return known
}()

/// The reference configuration's interfaces (Golden/README.md).
let referenceInterfaces = InterfaceSet([
    LocalInterface(name: "internal", address: IPAddress("127.0.0.1")!),
    LocalInterface(name: "internal", address: IPAddress("::1")!),
    LocalInterface(name: "external", address: IPAddress("127.0.0.2")!),
    LocalInterface(name: "pub", address: IPAddress("127.0.0.3")!, advertised: IPAddress("203.0.113.3")!),
])

@Test func thereAreEnoughGoldenCases() throws {
    let cases = try GoldenCase.all()
    #expect(deferredGoldenCases.count >= 1, "known-differences.txt was read")
    #expect(cases.count - deferredGoldenCases.count >= 30)
}

@Test(arguments: try GoldenCase.all().filter { deferredGoldenCases[$0.name] == nil })
func golden(_ golden: GoldenCase) throws {
    var settings = CallRegistry.Settings(interfaces: referenceInterfaces)
    settings.deleteDelay = 0
    let plane = FakeMediaPlane(range: 20000...20999)
    let registry = CallRegistry(settings: settings, plane: plane)
    var matcher = PlaceholderMatcher()
    for (number, step) in golden.steps.enumerated() {
        let response = try execute(step, callID: "golden-\(golden.name)", registry: registry)
        let where_ = "\(golden.name) step \(number + 1) (\(step.command))"
        if let reason = step.expectedError {
            #expect(response.result == .error, "\(where_): expected error \(reason)")
            #expect(response.reason?.rawValue == reason, "\(where_)")
            continue
        }
        #expect(response.result != .error, "\(where_): \(response.reason?.rawValue ?? "")")
        guard let expected = step.expectedSDP else { continue }
        let sdp = response.fields["sdp"]?.stringValue ?? ""
        let mismatch = matcher.mismatch(expected: expected, actual: sdp)
        #expect(mismatch == nil, "\(where_): \(mismatch ?? "")")
    }
    registry.destroyAll()
    #expect(plane.open.isEmpty, "every socket closed after the call")
}

private func execute(_ step: GoldenCase.Step, callID: String, registry: CallRegistry) throws -> NGResponse {
    guard case .dictionary(var message) = try BencodeValue.decodeJSON(Array(step.json.utf8)) else {
        throw GoldenError.badJSON(step.json)
    }
    message["command"] = .text(step.command)
    message["call-id"] = .text(callID)
    if let sdp = step.sdp {
        message["sdp"] = .text(sdp.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0 + "\r\n" }.joined())
    }
    let request: NGRequest
    do {
        request = try NGRequest.parse(message)
    } catch {
        return .error(error)
    }
    return registry.execute(request, now: MonotonicTime(seconds: 100), wallClock: 1.7e9)
}

enum GoldenError: Error { case badJSON(String) }
