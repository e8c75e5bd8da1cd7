import Testing
@testable import Bencode

private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

@Suite struct BencodeDecodeTests {
    static let cases: [(String, BencodeValue)] = [
        ("i0e", .integer(0)),
        ("i42e", .integer(42)),
        ("i-7e", .integer(-7)),
        ("i9223372036854775807e", .integer(.max)),
        ("i-9223372036854775808e", .integer(.min)),
        ("0:", .string([])),
        ("4:spam", "spam"),
        ("le", .list([])),
        ("l4:spami3ee", ["spam", 3]),
        ("de", .dictionary(BencodeDictionary())),
        ("d3:cow3:moo4:spam4:eggse", ["cow": "moo", "spam": "eggs"]),
        ("d1:ai1e1:bl1:xee", ["a": 1, "b": ["x"]]),
    ]

    @Test(arguments: cases)
    func decodesValidItems(input: String, expected: BencodeValue) throws {
        #expect(try BencodeValue.decode(bytes(input)) == expected)
    }

    @Test func dictionaryKeepsDecodedOrderEvenWhenUnsorted() throws {
        let value = try BencodeValue.decode(bytes("d1:z1:11:a1:2e"))
        #expect(value.dictionaryValue?.keys == [bytes("z"), bytes("a")])
    }

    @Test func duplicateKeyLookupReturnsFirstLikeRtpengine() throws {
        let value = try BencodeValue.decode(bytes("d7:command4:ping7:command5:offere"))
        #expect(value["command"]?.stringValue == "ping")
        #expect(value.dictionaryValue?.count == 2)
    }

    @Test func binaryStringsSurviveWithNulAndHighBytes() throws {
        let payload: [UInt8] = [0, 0xff, 0x80, 0x0a, 0x3a, 0x65]
        let encoded = bytes("6:") + payload
        #expect(try BencodeValue.decode(encoded) == .string(payload))
    }

    @Test func decodesFromSliceAndRawBuffer() throws {
        let whole = bytes("xxi5eyy")
        #expect(try BencodeDecoder().decode(whole[2..<5]) == .integer(5))
        let value = try whole.withUnsafeBytes { raw in
            try BencodeDecoder().decode(UnsafeRawBufferPointer(rebasing: raw[2..<5]))
        }
        #expect(value == .integer(5))
    }

    @Test func prefixDecodingReportsConsumedBytes() throws {
        let (value, consumed) = try BencodeDecoder().decodePrefix(bytes("d1:ai1ee trailing"))
        #expect(value == ["a": 1])
        #expect(consumed == 8)
    }

    @Test func accessorsReturnNilForOtherKinds() {
        let value: BencodeValue = ["n": 1, "s": "x", "l": [1, 2]]
        #expect(value["n"]?.intValue == 1)
        #expect(value["n"]?.stringValue == nil)
        #expect(value["s"]?.intValue == nil)
        #expect(value["l"]?.listValue?.count == 2)
        #expect(value["l"]?[1] == 2)
        #expect(value["l"]?[2] == nil)
        #expect(value["missing"] == nil)
        #expect(BencodeValue.integer(1)["x"] == nil)
    }

    @Test func depthLimitIsConfigurable() throws {
        let nested = bytes(String(repeating: "l", count: 3) + String(repeating: "e", count: 3))
        #expect(try BencodeDecoder(limits: .init(maxDepth: 3)).decode(nested) == .list([.list([.list([])])]))
        #expect(throws: BencodeError.self) { try BencodeDecoder(limits: .init(maxDepth: 2)).decode(nested) }
    }

    @Test func hugeNestingFailsWithoutStackOverflow() {
        let deep = bytes(String(repeating: "l", count: 100_000))
        #expect { try BencodeValue.decode(deep) } throws: { ($0 as? BencodeError)?.kind == .nestingTooDeep }
    }

    @Test func stringLengthLimitIsEnforcedBeforeReading() {
        let decoder = BencodeDecoder(limits: .init(maxStringLength: 3))
        #expect { try decoder.decode(bytes("4:spam")) } throws: { ($0 as? BencodeError)?.kind == .stringTooLong }
    }
}

@Suite struct BencodeMalformedTests {
    static let cases: [(String, BencodeError.Kind, Int)] = [
        ("", .truncated, 0),
        ("i", .truncated, 1),
        ("i12", .truncated, 3),
        ("ie", .invalidInteger, 0),
        ("i-e", .invalidInteger, 0),
        ("i-0e", .invalidInteger, 0),
        ("i03e", .invalidInteger, 0),
        ("i-03e", .invalidInteger, 0),
        ("i1x2e", .invalidInteger, 2),
        ("i+1e", .invalidInteger, 1),
        ("i9223372036854775808e", .integerOverflow, 0),
        ("i-9223372036854775809e", .integerOverflow, 0),
        ("i99999999999999999999999e", .integerOverflow, 0),
        ("5:abc", .truncated, 0),
        ("3", .truncated, 1),
        ("03:abc", .invalidStringLength, 0),
        ("3x:abc", .invalidStringLength, 1),
        ("99999999999999999999999:x", .stringTooLong, 0),
        ("l", .truncated, 1),
        ("l4:spam", .truncated, 7),
        ("d", .truncated, 1),
        ("d3:cow", .truncated, 6),
        ("di1e3:mooe", .nonStringKey, 1),
        ("dl1:ae1:be", .nonStringKey, 1),
        ("i1ei2e", .trailingData, 3),
        ("4:spamX", .trailingData, 6),
        ("x", .unexpectedByte, 0),
        ("e", .unexpectedByte, 0),
        ("l-e", .unexpectedByte, 1),
    ]

    @Test(arguments: cases)
    func rejectsWithKindAndOffset(input: String, kind: BencodeError.Kind, offset: Int) {
        do {
            let value = try BencodeValue.decode(bytes(input))
            Issue.record("decoded \(value) from \(input)")
        } catch {
            #expect(error.kind == kind, "\(input): \(error)")
            #expect(error.offset == offset, "\(input): \(error)")
            #expect(!error.message.isEmpty)
        }
    }

    @Test func errorDescriptionNamesOffset() {
        let error = BencodeError(.truncated, at: 7, "input ends")
        #expect(error.description == "bencode error at byte 7: input ends")
    }
}
