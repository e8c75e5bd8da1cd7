import Bencode

/// One ng datagram: `COOKIE SP BODY`. The cookie is everything before the first space.
public struct NGDatagram: Hashable, Sendable {
    public var cookie: [UInt8]
    public var body: [UInt8]

    public init(cookie: [UInt8], body: [UInt8]) {
        self.cookie = cookie
        self.body = body
    }

    /// Splits a received datagram; nil when there is no space or the cookie is empty. rtpengine
    /// drops such datagrams without a reply (there is no cookie to answer with), and so must we.
    public init?(parsing bytes: some Collection<UInt8>) {
        let array = Array(bytes)
        guard let space = array.firstIndex(of: UInt8(ascii: " ")), space > 0 else { return nil }
        cookie = Array(array[..<space])
        body = Array(array[(space + 1)...])
    }

    /// `COOKIE SP BODY` as bytes to send.
    public var framed: [UInt8] {
        var out = cookie
        out.reserveCapacity(cookie.count + 1 + body.count)
        out.append(UInt8(ascii: " "))
        out += body
        return out
    }

    /// The framed reply to this datagram.
    public func reply(_ response: NGResponse, encoding: NGEncoding) -> [UInt8] {
        NGDatagram(cookie: cookie, body: response.encoded(as: encoding)).framed
    }
}

/// A body that could not be turned into a request dictionary: the reason, and the encoding to
/// answer in (rtpengine answers undecodable bodies in bencode unless they looked like JSON).
public struct NGBodyError: Error, Hashable, Sendable {
    public var reason: NGErrorReason
    public var encoding: NGEncoding
}

extension NGDatagram {
    /// Decodes the body as rtpengine does: `d...` is bencode (bytes after the dictionary are
    /// ignored, as rtpengine ignores them), `{...` is JSON (must be a complete document), an
    /// empty body is "Invalid data (no payload)", anything else "Invalid NG data format". Like
    /// rtpengine, a bencode body that ends where a key or list item could start is complete.
    public func decodeBody() -> Result<(message: BencodeDictionary, encoding: NGEncoding), NGBodyError> {
        guard let first = body.first else { return .failure(NGBodyError(reason: .noPayload, encoding: .bencode)) }
        switch first {
        case UInt8(ascii: "d"):
            guard let (value, _) = try? Self.bencodeDecoder.decodePrefix(body), let dict = value.dictionaryValue else {
                return .failure(NGBodyError(reason: .bencodeDecodeFailed, encoding: .bencode))
            }
            return .success((dict, .bencode))
        case UInt8(ascii: "{"):
            return Self.decodeJSON(body)
        default:
            return .failure(NGBodyError(reason: .invalidDataFormat, encoding: .bencode))
        }
    }

    /// rtpengine accepts a body whose containers are cut off where an item or key would start.
    private static let bencodeDecoder = BencodeDecoder(limits: .init(closesContainersAtEnd: true))

    private static func decodeJSON(_ body: [UInt8]) -> Result<(message: BencodeDictionary, encoding: NGEncoding), NGBodyError> {
        do {
            let value = try BencodeValue.decodeJSON(body)
            guard let dict = value.dictionaryValue else {
                return .failure(NGBodyError(reason: .bencodeDecodeFailed, encoding: .json))
            }
            return .success((dict, .json))
        } catch {
            let reason: NGErrorReason = error.kind == .syntax ? .jsonParseFailed : .bencodeDecodeFailed
            return .failure(NGBodyError(reason: reason, encoding: .json))
        }
    }
}
