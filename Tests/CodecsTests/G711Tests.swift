import TandemTestSupport
import CSpanDSP
import Codecs
import Testing

@Suite struct G711Tests {
    @Test func directTablesEqualSpandspForAll256Codes() {
        let t = G711.tables
        for code in 0...255 {
            let c = UInt8(code)
            #expect(t.alawToUlaw[code] == alaw_to_ulaw(c), "A->mu code \(code)")
            #expect(t.ulawToAlaw[code] == ulaw_to_alaw(c), "mu->A code \(code)")
        }
    }

    @Test func directTableIsNotTheNaiveComposition() {
        // G.711 Table 3 transcoding differs from A->linear->mu in 32 of 256 codes (lab fact):
        // proves the table is the direct one, not a composition.
        let t = G711.tables
        let differing = (0...255).filter { t.alawToUlaw[$0] != G711.linearToUlaw(G711.alawToLinear(UInt8($0))) }.count
        #expect(differing == 32)
    }

    @Test func decodeTablesEqualSpandspAndKnownValues() {
        for code in 0...255 {
            let c = UInt8(code)
            #expect(G711.alawToLinear(c) == alaw_to_linear(c))
            #expect(G711.ulawToLinear(c) == ulaw_to_linear(c))
        }
        // G.711: A-law codes carry even-bit inversion (0x55); 0xD5/0x55 are the +-smallest steps,
        // 0xAA/0x2A the +-largest; mu-law 0xFF/0x7F are +0/-0, 0x80/0x00 the extremes.
        #expect(G711.alawToLinear(0xD5) == 8)
        #expect(G711.alawToLinear(0x55) == -8)
        #expect(G711.alawToLinear(0xAA) == 32256)
        #expect(G711.alawToLinear(0x2A) == -32256)
        #expect(G711.ulawToLinear(0xFF) == 0)
        #expect(G711.ulawToLinear(0x7F) == 0)
        #expect(G711.ulawToLinear(0x80) == 32124)
        #expect(G711.ulawToLinear(0x00) == -32124)
    }

    @Test func encodeKnownValuesAndSpandsp() {
        #expect(G711.linearToAlaw(0) == 0xD5)
        #expect(G711.linearToUlaw(0) == 0xFF)
        #expect(G711.linearToAlaw(32767) == 0xAA)
        #expect(G711.linearToAlaw(-32768) == 0x2A)
        #expect(G711.linearToUlaw(32767) == 0x80)
        #expect(G711.linearToUlaw(-32768) == 0x00)
        for s in stride(from: -32768, through: 32767, by: 7) {
            #expect(G711.linearToAlaw(Int16(s)) == linear_to_alaw(Int32(s)))
            #expect(G711.linearToUlaw(Int16(s)) == linear_to_ulaw(Int32(s)))
        }
    }

    @Test func roundTrips() {
        for code in 0...255 {
            let c = UInt8(code)
            // Every A-law code decodes to the centre of its interval, which encodes back to it.
            #expect(G711.linearToAlaw(G711.alawToLinear(c)) == c)
            // mu-law too, except -0 (0x7F), which decodes to 0 and re-encodes as +0 (0xFF).
            #expect(G711.linearToUlaw(G711.ulawToLinear(c)) == (c == 0x7F ? 0xFF : c))
        }
        // linear -> code -> linear stays within half a quantisation step (monotone, bounded error).
        for s in stride(from: -32000, through: 32000, by: 13) {
            let a = Int(G711.alawToLinear(G711.linearToAlaw(Int16(s))))
            let u = Int(G711.ulawToLinear(G711.linearToUlaw(Int16(s))))
            #expect(abs(a - s) <= max(8, abs(s) / 32 + 8))
            #expect(abs(u - s) <= max(4, abs(s) / 32 + 8))
        }
    }

    @Test func frameTranscodeInPlaceAndBufferToBuffer() {
        // 163 bytes: exercises the 8-byte loop and the tail.
        var src = [UInt8](repeating: 0, count: 163)
        var rng = SystemRandomNumberGenerator()
        for i in src.indices { src[i] = UInt8.random(in: 0...255, using: &rng) }
        var out = [UInt8](repeating: 0, count: 163)
        var inPlace = src
        src.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in G711.alawToUlaw(s.baseAddress!, o.baseAddress!, count: 163) }
        }
        inPlace.withUnsafeMutableBufferPointer { G711.alawToUlawInPlace($0.baseAddress!, count: 163) }
        #expect(out == src.map { alaw_to_ulaw($0) })
        #expect(inPlace == out)
        var back = out
        back.withUnsafeMutableBufferPointer { G711.ulawToAlawInPlace($0.baseAddress!, count: 163) }
        #expect(back == out.map { ulaw_to_alaw($0) })
    }
}
