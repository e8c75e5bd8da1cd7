import Bencode
@testable import NGProtocol

func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }
func text(_ b: [UInt8]) -> String { String(decoding: b, as: UTF8.self) }

/// Parses a bencoded request dictionary given as text.
func request(_ bencode: String) throws -> NGRequest {
    let value = try BencodeValue.decode(bytes(bencode))
    return try NGRequest.parse(value.dictionaryValue ?? BencodeDictionary())
}

/// Parses a request built from a value literal.
func request(_ value: BencodeValue) throws -> NGRequest {
    try NGRequest.parse(value.dictionaryValue ?? BencodeDictionary())
}

/// The request an offer with these flags produces.
func offer(flags: [String]) throws -> NGRequest {
    try request(["command": "offer", "call-id": "c", "from-tag": "f", "sdp": "v=0",
                 "flags": .list(flags.map { .text($0) })])
}

let sampleSDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0 8\r\n"
