// libFuzzer entry for the bencode decoder and the JSON bridge. Compiled by run.sh in one
// module with Sources/Bencode/*.swift (hence no `import Bencode`).
//
// Besides "never crash", it checks properties that catch silent mis-parses:
//   - whatever decodes re-encodes to exactly the input (the decoder only accepts canonical
//     integers and lengths, and dictionaries keep their order);
//   - prefix decoding agrees with full decoding;
//   - the JSON rendering of any decoded value is valid JSON for our own parser;
//   - whatever the JSON parser accepts survives a JSON round trip when its strings are UTF-8.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBencode(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    checkBencode(input)
    checkJSON(input)
    return 0
}

private func checkBencode(_ input: [UInt8]) {
    let decoder = BencodeDecoder()
    let prefix = try? decoder.decodePrefix(input)
    guard let value = try? decoder.decode(input) else {
        if let prefix, prefix.consumed == input.count { fatalError("prefix decode accepted what full decode rejected") }
        return
    }
    guard let prefix, prefix.consumed == input.count, prefix.value == value else {
        fatalError("prefix decode disagrees with full decode")
    }
    guard value.encoded == input else { fatalError("re-encoding differs from the accepted input") }
    do {
        _ = try BencodeValue.decodeJSON(value.jsonEncoded)
    } catch {
        fatalError("JSON rendering of a decoded value does not parse: \(error)")
    }
}

private func checkJSON(_ input: [UInt8]) {
    guard let value = try? BencodeValue.decodeJSON(input) else { return }
    let again: BencodeValue
    do {
        again = try BencodeValue.decodeJSON(value.jsonEncoded)
    } catch {
        fatalError("JSON output of parsed JSON does not parse: \(error)")
    }
    if allStringsAreUTF8(value), again != value { fatalError("JSON round trip changed the value") }
    if (try? BencodeValue.decode(value.encoded)) != value { fatalError("bencode round trip of parsed JSON failed") }
}

private func allStringsAreUTF8(_ value: BencodeValue) -> Bool {
    switch value {
    case .integer: return true
    case .string(let bytes): return isUTF8(bytes)
    case .list(let items): return items.allSatisfy(allStringsAreUTF8)
    case .dictionary(let dict): return dict.entries.allSatisfy { isUTF8($0.key) && allStringsAreUTF8($0.value) }
    }
}

private func isUTF8(_ bytes: [UInt8]) -> Bool {
    var index = 0
    while index < bytes.count {
        if bytes[index] < 0x80 { index += 1; continue }
        guard let length = validUTF8SequenceLength(bytes, at: index) else { return false }
        index += length
    }
    return true
}
