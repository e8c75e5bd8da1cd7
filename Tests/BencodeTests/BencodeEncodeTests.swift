import Testing
@testable import Bencode

private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

@Suite struct BencodeEncodeTests {
    static let cases: [(BencodeValue, String)] = [
        (.integer(0), "i0e"),
        (.integer(-42), "i-42e"),
        (.integer(.min), "i-9223372036854775808e"),
        (.integer(.max), "i9223372036854775807e"),
        (.string([]), "0:"),
        ("pong", "4:pong"),
        (.list([]), "le"),
        (["result": "pong"], "d6:result4:ponge"),
        (["z": 1, "a": ["x", 2]], "d1:zi1e1:al1:xi2eee"),
    ]

    @Test(arguments: cases)
    func encodesCanonically(value: BencodeValue, expected: String) {
        #expect(text(value.encoded) == expected)
    }

    @Test func encodeAppendsToExistingBuffer() {
        var out = Array("cookie ".utf8)
        BencodeValue.integer(1).encode(into: &out)
        #expect(text(out) == "cookie i1e")
    }

    @Test(arguments: [
        "d7:command5:offer7:call-id3:abc8:from-tag1:f5:flagsl13:trust-addressee",
        "li1eli2eli3eeee",
        "d0:d0:d0:leeee",
        "d1:b1:x1:a1:ye",
    ])
    func roundTripsBytesExactly(input: String) throws {
        let bytes = Array(input.utf8)
        #expect(try BencodeValue.decode(bytes).encoded == bytes)
    }

    @Test func roundTripsEveryByteValue() throws {
        let all = (0...255).map { UInt8($0) }
        let value: BencodeValue = .dictionary(BencodeDictionary(entries: [.init(key: all, value: .string(all.reversed()))]))
        #expect(try BencodeValue.decode(value.encoded) == value)
    }

    @Test func dictionarySetReplacesInPlaceAndNilRemoves() {
        var dict = BencodeDictionary()
        dict["a"] = 1
        dict["b"] = 2
        dict["a"] = 3
        #expect(text(BencodeValue.dictionary(dict).encoded) == "d1:ai3e1:bi2ee")
        dict["a"] = nil
        #expect(text(BencodeValue.dictionary(dict).encoded) == "d1:bi2ee")
    }
}
