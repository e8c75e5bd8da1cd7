import Testing
@testable import Bencode

private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
private func json(_ s: String) throws -> BencodeValue { try BencodeValue.decodeJSON(Array(s.utf8)) }

@Suite struct JSONBridgeTests {
    static let parseCases: [(String, BencodeValue)] = [
        ("{\"command\":\"ping\"}", ["command": "ping"]),
        (" { \"a\" : [ 1 , -2 , \"s\" ] } ", ["a": [1, -2, "s"]]),
        ("{\"t\":true,\"f\":false}", ["t": 1, "f": 0]),
        ("{\"n\":1e3,\"m\":2.0,\"k\":-0}", ["n": 1000, "m": 2, "k": 0]),
        ("{\"e\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}", ["e": .string([0x22, 0x5c, 0x2f, 8, 12, 10, 13, 9])]),
        ("{\"u\":\"\\u00e9\\ud83d\\ude00\"}", ["u": "é😀"]),
        ("[]", .list([])),
        ("{}", .dictionary(BencodeDictionary())),
    ]

    @Test(arguments: parseCases)
    func parses(input: String, expected: BencodeValue) throws {
        #expect(try json(input) == expected)
    }

    @Test func keepsMemberOrder() throws {
        #expect(try json("{\"z\":1,\"a\":2}").dictionaryValue?.keys.map { text($0) } == ["z", "a"])
    }

    static let rejectCases: [(String, JSONBridgeError.Kind)] = [
        ("{\"command\":\"ping\"", .syntax),
        ("{\"a\":1} junk", .syntax),
        ("{\"a\" 1}", .syntax),
        ("{\"a\":1,}", .syntax),
        ("[1 2]", .syntax),
        ("{a:1}", .syntax),
        ("\"\\x\"", .syntax),
        ("\"\\ud800\"", .syntax),
        ("\"\\udc00\"", .syntax),
        ("\"\\u12\"", .syntax),
        ("\"raw\ncontrol\"", .syntax),
        ("01", .syntax),
        ("1.", .syntax),
        ("-", .syntax),
        ("tru", .syntax),
        ("", .syntax),
        ("null", .unrepresentable),
        ("1.5", .unrepresentable),
        ("1e400", .unrepresentable),
        ("9223372036854775808", .unrepresentable),
        (String(repeating: "[", count: 100), .nestingTooDeep),
    ]

    @Test(arguments: rejectCases)
    func rejects(input: String, kind: JSONBridgeError.Kind) {
        #expect { try json(input) } throws: { ($0 as? JSONBridgeError)?.kind == kind }
    }

    @Test func encodesCompactlyInOrder() {
        let value: BencodeValue = ["sdp": "v=0\r\n", "n": -3, "l": ["a", 1], "result": "ok"]
        #expect(text(value.jsonEncoded) == "{\"sdp\":\"v=0\\r\\n\",\"n\":-3,\"l\":[\"a\",1],\"result\":\"ok\"}")
    }

    @Test func escapesQuotesBackslashAndControls() {
        let value = BencodeValue.string([0x22, 0x5c, 0x01, 0x7f, 0x41])
        #expect(text(value.jsonEncoded) == "\"\\\"\\\\\\u0001\\u007fA\"")
    }

    @Test func invalidUTF8BytesBecomeLatin1Escapes() throws {
        let value = BencodeValue.string([0x61, 0xff, 0xc3, 0xa9, 0xc3, 0x28, 0xed, 0xa0, 0x80])
        let encoded = text(value.jsonEncoded)
        #expect(encoded == "\"a\\u00ffé\\u00c3(\\u00ed\\u00a0\\u0080\"")
        // And the output is valid JSON that parses back.
        #expect(try BencodeValue.decodeJSON(value.jsonEncoded).stringValue == "a\u{ff}é\u{c3}(\u{ed}\u{a0}\u{80}")
    }

    @Test func validUTF8RoundTrips() throws {
        let value: BencodeValue = ["k": "héllo wörld — ✓ 😀", "l": [1, ["x": "y"]]]
        #expect(try BencodeValue.decodeJSON(value.jsonEncoded) == value)
    }
}
