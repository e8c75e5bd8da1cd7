/// Why a JSON body could not become a BencodeValue. The two kinds map to rtpengine's two
/// error replies: bad syntax is "Failed to parse JSON document"; valid JSON that bencode
/// cannot represent (null, fractional numbers) is "Could not decode bencode dictionary".
public struct JSONBridgeError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable { case syntax, unrepresentable, nestingTooDeep }

    public var kind: Kind
    public var offset: Int
    public var message: String

    public init(_ kind: Kind, at offset: Int, _ message: String) {
        self.kind = kind
        self.offset = offset
        self.message = message
    }

    public var description: String { "JSON error at byte \(offset): \(message)" }
}

extension BencodeValue {
    /// Parses a JSON document into bencode terms: objects keep member order, strings become
    /// their UTF-8 bytes, integral numbers become integers, true/false become 1/0.
    /// null and non-integral numbers are rejected (bencode has no such values).
    public static func decodeJSON(_ bytes: some Collection<UInt8>, maxDepth: Int = 64) throws(JSONBridgeError) -> BencodeValue {
        let array = Array(bytes)
        let result: Result<BencodeValue, JSONBridgeError> = array.withUnsafeBytes { raw in
            var parser = JSONParser(bytes: raw, maxDepth: maxDepth)
            do throws(JSONBridgeError) { return .success(try parser.parseDocument()) } catch { return .failure(error) }
        }
        return try result.get()
    }
}
