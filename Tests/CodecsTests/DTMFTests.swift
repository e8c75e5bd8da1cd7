import TandemTestSupport
import Codecs
import Testing

@Suite struct DTMFTests {
    /// Generates `digits` at 8 kHz, optionally through a codec, and returns the detector's events.
    private func detect(_ digits: String, through transform: ((inout [Int16]) -> Void)? = nil) throws -> [DTMFDetector.Event] {
        let gen = try DTMFGenerator(level: -10, onMilliseconds: 100, offMilliseconds: 100)
        #expect(gen.queue(digits))
        var pcm = [Int16](repeating: 0, count: 1600 * (digits.count + 1))  // 200 ms tone+gap per digit, then silence
        var toneSamples = 0
        pcm.withUnsafeMutableBufferPointer { b in
            var i = 0
            while i < b.count {  // frame by frame, as a stream would
                toneSamples += gen.generate(into: b.baseAddress! + i, count: 160)
                i += 160
            }
        }
        #expect(toneSamples >= digits.count * 1600 - 800)
        transform?(&pcm)
        let det = try DTMFDetector()
        var events: [DTMFDetector.Event] = []
        pcm.withUnsafeBufferPointer { b in
            var i = 0
            while i < b.count {
                det.process(b.baseAddress! + i, count: 160)
                while let e = det.nextEvent() { events.append(e) }
                i += 160
            }
        }
        return events
    }

    private func check(_ events: [DTMFDetector.Event], _ digits: String) {
        let ended = events.compactMap { e -> (UInt8, Int64, Int64)? in
            if case .ended(let d, let s, let e) = e { return (d, s, e) }
            return nil
        }
        #expect(String(decoding: ended.map(\.0), as: UTF8.self) == digits)
        #expect(events.count == 2 * digits.count)
        for (k, (_, start, end)) in ended.enumerated() {
            // Digit k sounds at [1600k, 1600k+800) samples; detection lags by 1-2 blocks of 102.
            let onset = Int64(1600 * k)
            #expect(start >= onset && start <= onset + 3 * 102, "digit \(k) start \(start)")
            #expect(end >= onset + 800 && end <= onset + 800 + 3 * 102, "digit \(k) end \(end)")
        }
    }

    @Test func inBand123Hash() throws {
        check(try detect("123#"), "123#")
    }

    @Test func inBandThroughPCMA() throws {
        // Tones through G.711 A-law (what a PSTN leg delivers) are still detected.
        let events = try detect("123#") { pcm in
            for i in pcm.indices { pcm[i] = G711.alawToLinear(G711.linearToAlaw(pcm[i])) }
        }
        check(events, "123#")
    }

    @Test func allSixteenDigits() throws {
        let all = "0123456789*#ABCD"
        let ended = try detect(all).filter { if case .ended = $0 { return true } else { return false } }.map(\.digit)
        #expect(String(decoding: ended, as: UTF8.self) == all)
    }

    @Test func eventCodes() {
        let all = Array("0123456789*#ABCD".utf8)
        for (code, digit) in all.enumerated() {
            #expect(TelephoneEvent.code(forDigit: digit) == UInt8(code))
            #expect(TelephoneEvent.digit(forCode: UInt8(code)) == digit)
        }
        #expect(TelephoneEvent.code(forDigit: UInt8(ascii: "x")) == nil)
        #expect(TelephoneEvent.digit(forCode: 16) == nil)
    }
}

@Suite struct TelephoneEventTests {
    @Test func parseAndBuild() throws {
        let bytes: [UInt8] = [0x05, 0x8A, 0x03, 0x20]  // event 5, E, volume 10, duration 800
        let e = try bytes.withUnsafeBufferPointer { try TelephoneEvent(parsing: $0.baseAddress!, count: 4) }
        #expect(e == TelephoneEvent(event: 5, end: true, volume: 10, duration: 800))
        var out = [UInt8](repeating: 0xEE, count: 4)
        out.withUnsafeMutableBufferPointer { e.write(to: $0.baseAddress!) }
        #expect(out == bytes)
        // The R bit is ignored on receive and zero on send.
        let r = try [UInt8]([0x0B, 0x4F, 0x00, 0xA0]).withUnsafeBufferPointer { try TelephoneEvent(parsing: $0.baseAddress!, count: 4) }
        #expect(r == TelephoneEvent(event: 11, end: false, volume: 15, duration: 160))
        #expect(throws: TelephoneEvent.ParseError.badLength(3)) {
            try [UInt8]([1, 2, 3]).withUnsafeBufferPointer { try TelephoneEvent(parsing: $0.baseAddress!, count: 3) }
        }
    }

    /// Runs (timestamp, event) packets through a translator.
    private func translate(_ t: inout TelephoneEventTranslator, _ packets: [(UInt32, TelephoneEvent)]) throws -> [(UInt32, TelephoneEvent)] {
        var result: [(UInt32, TelephoneEvent)] = []
        var inb = [UInt8](repeating: 0, count: 4), outb = [UInt8](repeating: 0, count: 4)
        for (ts, e) in packets {
            inb.withUnsafeMutableBufferPointer { e.write(to: $0.baseAddress!) }
            let r = try inb.withUnsafeBufferPointer { i in
                try outb.withUnsafeMutableBufferPointer { o in
                    try t.translate(timestamp: ts, payload: i.baseAddress!, count: 4, into: o.baseAddress!, capacity: 4)
                }
            }
            #expect(r.count == 4)
            let out = try outb.withUnsafeBufferPointer { try TelephoneEvent(parsing: $0.baseAddress!, count: 4) }
            result.append((r.timestamp, out))
        }
        return result
    }

    /// An 8 kHz digit '5' (100 ms in 20 ms updates, end sent 3 times), then '#' 200 ms later.
    private func digitsAt8k(start: UInt32) -> [(UInt32, TelephoneEvent)] {
        var p: [(UInt32, TelephoneEvent)] = []
        for d in stride(from: 160, through: 640, by: 160) { p.append((start, TelephoneEvent(event: 5, duration: UInt16(d)))) }
        for _ in 0..<3 { p.append((start, TelephoneEvent(event: 5, end: true, duration: 800))) }
        let next = start &+ 1600
        p.append((next, TelephoneEvent(event: 11, duration: 160)))
        for _ in 0..<3 { p.append((next, TelephoneEvent(event: 11, end: true, duration: 320))) }
        return p
    }

    @Test func scale8000To48000AndBack() throws {
        let start: UInt32 = 0xFFFF_FE00  // wraps during the second event
        let src = digitsAt8k(start: start)
        var up = TelephoneEventTranslator(sourceClockRate: 8000, targetClockRate: 48000, sourceBase: start, targetBase: 1_000_000)
        let out = try translate(&up, src)
        #expect(out.count == src.count)
        for ((ts, e), (ots, oe)) in zip(src, out) {
            #expect(ots == 1_000_000 &+ UInt32(truncatingIfNeeded: Int64(Int32(bitPattern: ts &- start)) * 6))
            #expect(oe.event == e.event && oe.end == e.end && oe.volume == e.volume)
            #expect(Int(oe.duration) == Int(e.duration) * 6)
        }
        // The three end packets of each event stay three identical packets.
        let ends = out.filter { $0.1.end }
        #expect(ends.count == 6)
        #expect(ends[0].0 == ends[2].0 && ends[0].1 == ends[2].1 && ends[0].1.duration == 4800)
        #expect(ends[3].0 == 1_000_000 + 9600 && ends[3].1.duration == 1920)

        // 48000 -> 8000 restores the original timestamps and durations exactly.
        var down = TelephoneEventTranslator(sourceClockRate: 48000, targetClockRate: 8000, sourceBase: 1_000_000, targetBase: start)
        let back = try translate(&down, out)
        for ((ts, e), (bts, be)) in zip(src, back) {
            #expect(ts == bts)
            #expect(e == be)
        }
    }

    @Test func longEventIsSegmentedAt48k() throws {
        // 1.5 s at 8 kHz = 12000 ticks -> 72000 at 48 kHz > 0xFFFF: RFC 4733 2.5.1.3 segments.
        var t = TelephoneEventTranslator(sourceClockRate: 8000, targetClockRate: 48000, sourceBase: 0, targetBase: 0)
        let out = try translate(&t, [(0, TelephoneEvent(event: 1, duration: 10000)),
                                     (0, TelephoneEvent(event: 1, duration: 10922)),
                                     (0, TelephoneEvent(event: 1, duration: 10923)),
                                     (0, TelephoneEvent(event: 1, end: true, duration: 12000))])
        #expect(out[0].0 == 0 && out[0].1.duration == 60000)
        #expect(out[1].0 == 0 && out[1].1.duration == 65532)
        #expect(out[2].0 == 0xFFFF && Int(out[2].1.duration) == 65538 - 0xFFFF)
        #expect(out[3].0 == 0xFFFF && Int(out[3].1.duration) == 72000 - 0xFFFF && out[3].1.end)
    }

    @Test func mapperIsPureAcrossWrapAndRebase() {
        var m = RTPTimestampMapper(sourceClockRate: 48000, targetClockRate: 8000, sourceBase: 100, targetBase: 7)
        #expect(m.map(100 + 960) == 7 + 160)
        // Walk 3 days of 48 kHz timestamps in 20 ms steps of 1 hour: wraps and rebases.
        var ts: UInt32 = 100, expected: UInt32 = 7
        for _ in 0..<72 {
            ts &+= 48000 * 3600
            expected &+= 8000 * 3600
            #expect(m.map(ts) == expected)
        }
        // Earlier timestamps (reordering) still map consistently.
        #expect(m.map(ts &- 960) == expected &- 160)
    }
}
