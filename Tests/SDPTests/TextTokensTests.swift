import Testing
@testable import SDP

// `Text.tokens` / `firstToken` scan the bytes once; they must give what splitting the UTF-8
// view on spaces gives.
@Test func tokensAreTheSpaceSeparatedPieces() {
    let inputs = ["", " ", "a", "a b", "  a  b  ", "IN IP4 192.0.2.1", "x\u{301} y", " \u{301}z", "é  ü ", "a\tb c"]
    for s in inputs {
        let reference = s.utf8.split(separator: UInt8(ascii: " ")).map { String(decoding: $0, as: UTF8.self) }
        #expect(Text.tokens(s) == reference, "\(s)")
        #expect(Text.firstToken(s) == reference.first, "\(s)")
    }
}
