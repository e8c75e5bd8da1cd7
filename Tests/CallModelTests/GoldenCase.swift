import Foundation

/// One golden file (format in Golden/README.md): ng steps with SDP in and the SDP rtpengine 10.5
/// returned, ports and generated values replaced by placeholders.
struct GoldenCase: CustomStringConvertible {
    struct Step {
        var command: String
        /// The ng dictionary minus command, call-id and sdp, as JSON text.
        var json: String
        var sdp: String?
        var expectedSDP: String?
        var expectedError: String?
    }

    var name: String
    var steps: [Step]
    var description: String { name }

    static func load(_ url: URL) throws -> GoldenCase {
        let text = try String(contentsOf: url, encoding: .utf8)
        var steps: [Step] = []
        var section: WritableKeyPath<Step, String?>?
        var buffer: [String] = []
        func flush() {
            guard let section, !steps.isEmpty else { return }
            while buffer.last?.isEmpty == true { buffer.removeLast() }
            if !buffer.isEmpty { steps[steps.count - 1][keyPath: section] = buffer.joined(separator: "\n") }
        }
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            if line.hasPrefix("=== ") {
                flush()
                let rest = line.dropFirst(4)
                let command = String(rest.prefix { $0 != " " })
                let json = rest.dropFirst(command.count).trimmingCharacters(in: .whitespaces)
                steps.append(Step(command: command, json: json.isEmpty ? "{}" : json))
                section = \.sdp
                buffer = []
            } else if line == "--- expect" {
                flush()
                section = \.expectedSDP
                buffer = []
            } else if line.hasPrefix("--- expect-error ") {
                flush()
                steps[steps.count - 1].expectedError = String(line.dropFirst("--- expect-error ".count))
                section = nil
                buffer = []
            } else if steps.isEmpty {
                continue  // comments before the first step
            } else {
                buffer.append(line)
            }
        }
        flush()
        return GoldenCase(name: url.deletingPathExtension().lastPathComponent, steps: steps)
    }

    static func all() throws -> [GoldenCase] {
        guard let dir = Bundle.module.url(forResource: "Golden", withExtension: nil) else { return [] }
        let files = try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
        return try files.filter { $0.pathExtension == "golden" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
            .map(load)
    }
}

/// Matches actual SDP lines against expected lines containing placeholders (`PORT`, `PORT3`,
/// `ICEUFRAG`, ...). A numbered placeholder must take the same value wherever it appears in a
/// case, and different numbers of the same name must take different values.
struct PlaceholderMatcher {
    static let names = ["PORT", "ICEUFRAG", "ICEPWD", "FOUNDATION", "FINGERPRINT", "SRTPKEY", "SESSID", "SESSVER"]
    private(set) var bindings: [String: String] = [:]

    /// nil when they match; otherwise a description of the first difference.
    mutating func mismatch(expected: String, actual: String) -> String? {
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let a = actual.replacingOccurrences(of: "\r\n", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let actualLines = a.last == "" ? Array(a.dropLast()) : a
        for i in 0..<max(e.count, actualLines.count) {
            let el = i < e.count ? e[i] : "<none>"
            let al = i < actualLines.count ? actualLines[i] : "<none>"
            if !matchLine(el, al) {
                return "line \(i + 1):\n  expected: \(el)\n  actual:   \(al)\n--- full actual ---\n\(actual)"
            }
        }
        return nil
    }

    private mutating func matchLine(_ expected: String, _ actual: String) -> Bool {
        let pattern = Self.regex(for: expected)
        guard let regex = try? NSRegularExpression(pattern: "^" + pattern.regex + "$"),
              let m = regex.firstMatch(in: actual, range: NSRange(actual.startIndex..., in: actual)) else { return false }
        for (index, placeholder) in pattern.placeholders.enumerated() {
            guard let range = Range(m.range(at: index + 1), in: actual) else { return false }
            let value = String(actual[range])
            guard bind(placeholder, value) else { return false }
        }
        return true
    }

    private mutating func bind(_ placeholder: String, _ value: String) -> Bool {
        let name = placeholder.prefix { $0.isLetter }
        guard placeholder.count > name.count else { return true }  // unnumbered: anything
        if let bound = bindings[placeholder] { return bound == value }
        let clash = bindings.contains { $0.key != placeholder && $0.key.hasPrefix(name) && $0.value == value }
        if clash { return false }
        bindings[placeholder] = value
        return true
    }

    private static func regex(for line: String) -> (regex: String, placeholders: [String]) {
        let alternatives = names.joined(separator: "|")
        let finder = try! NSRegularExpression(pattern: "(?:\(alternatives))[0-9]*")
        var regex = ""
        var placeholders: [String] = []
        var cursor = line.startIndex
        for match in finder.matches(in: line, range: NSRange(line.startIndex..., in: line)) {
            guard let range = Range(match.range, in: line) else { continue }
            regex += NSRegularExpression.escapedPattern(for: String(line[cursor..<range.lowerBound]))
            let placeholder = String(line[range])
            regex += placeholder.hasPrefix("PORT") ? "([0-9]+)" : "([^ ]+)"
            placeholders.append(placeholder)
            cursor = range.upperBound
        }
        regex += NSRegularExpression.escapedPattern(for: String(line[cursor...]))
        return (regex, placeholders)
    }
}
