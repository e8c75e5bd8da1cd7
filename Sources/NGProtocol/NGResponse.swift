import Bencode

/// How a request body was encoded; the reply uses the same.
public enum NGEncoding: Hashable, Sendable {
    case bencode
    case json

    public func encode(_ value: BencodeValue, into out: inout [UInt8]) {
        switch self {
        case .bencode: value.encode(into: &out)
        case .json: value.encodeJSON(into: &out)
        }
    }
}

/// A reply dictionary, built the way rtpengine builds it so the bytes match:
///   - ok / pong: the command's own keys first, then `warning`, then `result` last
///     (`d3:sdp...6:result2:oke`, `d7:warning...6:result2:oke`);
///   - error: `result` then `error-reason`, nothing else;
///   - load limit: `result: "load limit"` then `message` (for proxies that sent `supports: ["load limit"]`).
public struct NGResponse: Hashable, Sendable {
    public enum Result: String, Hashable, Sendable {
        case ok, pong, error
        case loadLimit = "load limit"
    }

    public var result: Result
    /// Command-specific keys (`sdp`, `calls`, `tags`, statistics), in output order.
    public var fields: BencodeDictionary
    public var warning: NGErrorReason?
    /// For `.error` the error-reason, for `.loadLimit` the message.
    public var reason: NGErrorReason?

    public init(result: Result, fields: BencodeDictionary = BencodeDictionary(),
                warning: NGErrorReason? = nil, reason: NGErrorReason? = nil) {
        self.result = result
        self.fields = fields
        self.warning = warning
        self.reason = reason
    }

    public static let pong = NGResponse(result: .pong)

    public static func ok(_ fields: BencodeDictionary = BencodeDictionary(), warning: NGErrorReason? = nil) -> NGResponse {
        NGResponse(result: .ok, fields: fields, warning: warning)
    }

    /// The usual offer/answer reply: the rewritten SDP.
    public static func sdp(_ body: [UInt8]) -> NGResponse {
        var fields = BencodeDictionary()
        fields["sdp"] = .string(body)
        return .ok(fields)
    }

    public static func error(_ reason: NGErrorReason) -> NGResponse {
        NGResponse(result: .error, reason: reason)
    }

    public static func loadLimit(_ message: NGErrorReason) -> NGResponse {
        NGResponse(result: .loadLimit, reason: message)
    }

    /// The reply dictionary in wire order.
    public var dictionary: BencodeDictionary {
        switch result {
        case .error, .loadLimit:
            var dict = BencodeDictionary()
            dict["result"] = .text(result.rawValue)
            dict[result == .error ? "error-reason" : "message"] = .text(reason?.rawValue ?? "")
            return dict
        case .ok, .pong:
            var dict = fields
            dict["result"] = nil
            if let warning { dict["warning"] = .text(warning.rawValue) }
            dict["result"] = .text(result.rawValue)
            return dict
        }
    }

    /// The reply body (without cookie).
    public func encoded(as encoding: NGEncoding) -> [UInt8] {
        var out: [UInt8] = []
        encoding.encode(.dictionary(dictionary), into: &out)
        return out
    }
}
