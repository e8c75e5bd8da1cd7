import CSpanDSP

/// G.711 lookup tables, built once per process from spandsp's G.711 routines.
///
/// * `alawToUlaw` / `ulawToAlaw`: the DIRECT 256-entry code-to-code tables of G.711 (Table 3
///   style), exactly what spandsp's `alaw_to_ulaw` / `ulaw_to_alaw` compute. These are not the
///   naive compositions A->linear->mu (which differ in 32 of 256 entries).
/// * `alawToLinear` / `ulawToLinear`: 256-entry decode tables.
/// * `linearToAlaw` / `linearToUlaw`: 65536-entry encode tables indexed by the sample's bit
///   pattern (`Int(UInt16(bitPattern: s))`).
///
/// The storage is allocated once and never freed (process lifetime), so the raw pointers are
/// safe to share between loop threads: they are only read after construction.
public struct G711Tables: @unchecked Sendable {
    public let alawToUlaw: UnsafePointer<UInt8>
    public let ulawToAlaw: UnsafePointer<UInt8>
    public let alawToLinear: UnsafePointer<Int16>
    public let ulawToLinear: UnsafePointer<Int16>
    public let linearToAlaw: UnsafePointer<UInt8>
    public let linearToUlaw: UnsafePointer<UInt8>
    /// code -> same code (lets same-law repacketisation share the table path).
    public let identity: UnsafePointer<UInt8>

    fileprivate init() {
        let a2u = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        let u2a = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        let a2l = UnsafeMutablePointer<Int16>.allocate(capacity: 256)
        let u2l = UnsafeMutablePointer<Int16>.allocate(capacity: 256)
        let l2a = UnsafeMutablePointer<UInt8>.allocate(capacity: 65536)
        let l2u = UnsafeMutablePointer<UInt8>.allocate(capacity: 65536)
        let id = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        for code in 0..<256 {
            let c = UInt8(code)
            id[code] = c
            // spandsp's per-sample calls are slow (a real call each): used only here, to build.
            a2u[code] = alaw_to_ulaw(c)
            u2a[code] = ulaw_to_alaw(c)
            a2l[code] = alaw_to_linear(c)
            u2l[code] = ulaw_to_linear(c)
        }
        for bits in 0..<65536 {
            let s = Int32(Int16(bitPattern: UInt16(bits)))
            l2a[bits] = linear_to_alaw(s)
            l2u[bits] = linear_to_ulaw(s)
        }
        alawToUlaw = UnsafePointer(a2u)
        ulawToAlaw = UnsafePointer(u2a)
        alawToLinear = UnsafePointer(a2l)
        ulawToLinear = UnsafePointer(u2l)
        linearToAlaw = UnsafePointer(l2a)
        linearToUlaw = UnsafePointer(l2u)
        identity = UnsafePointer(id)
    }
}

/// G.711 A-law (PCMA, static payload type 8) and mu-law (PCMU, 0): 8000 Hz, one byte per
/// sample, 160 bytes per 20 ms; RTP clock 8000.
public enum G711 {
    public enum Law: Sendable, Equatable {
        case alaw, ulaw
    }

    /// Built on first use (one `swift_once`); read-only afterwards.
    public static let tables = G711Tables()

    public static let sampleRate = 8000
    public static let rtpClockRate = 8000
    /// Bytes (= samples) in a 20 ms frame.
    public static let bytesPer20ms = 160

    // MARK: direct PCMA <-> PCMU (the relay's cheapest transcode: one table load per byte)

    /// PCMA -> PCMU, buffer to buffer (`src` and `dst` may be the same buffer).
    public static func alawToUlaw(_ src: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<UInt8>, count: Int) {
        map(src, dst, count, tables.alawToUlaw)
    }

    /// PCMU -> PCMA, buffer to buffer (`src` and `dst` may be the same buffer).
    public static func ulawToAlaw(_ src: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<UInt8>, count: Int) {
        map(src, dst, count, tables.ulawToAlaw)
    }

    /// PCMA -> PCMU in place (e.g. directly in the received packet's payload).
    public static func alawToUlawInPlace(_ buffer: UnsafeMutablePointer<UInt8>, count: Int) {
        map(UnsafePointer(buffer), buffer, count, tables.alawToUlaw)
    }

    /// PCMU -> PCMA in place.
    public static func ulawToAlawInPlace(_ buffer: UnsafeMutablePointer<UInt8>, count: Int) {
        map(UnsafePointer(buffer), buffer, count, tables.ulawToAlaw)
    }

    /// Applies a 256-entry code table; 8 bytes per iteration (one 64-bit load and store).
    @inline(__always)
    static func map(_ src: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<UInt8>, _ count: Int, _ t: UnsafePointer<UInt8>) {
        var i = 0
        let raw = UnsafeRawPointer(src), out = UnsafeMutableRawPointer(dst)
        while i + 8 <= count {
            let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            var r: UInt64 = 0
            r |= UInt64(t[Int(truncatingIfNeeded: w & 0xFF)])
            r |= UInt64(t[Int(truncatingIfNeeded: (w >> 8) & 0xFF)]) << 8
            r |= UInt64(t[Int(truncatingIfNeeded: (w >> 16) & 0xFF)]) << 16
            r |= UInt64(t[Int(truncatingIfNeeded: (w >> 24) & 0xFF)]) << 24
            r |= UInt64(t[Int(truncatingIfNeeded: (w >> 32) & 0xFF)]) << 32
            r |= UInt64(t[Int(truncatingIfNeeded: (w >> 40) & 0xFF)]) << 40
            r |= UInt64(t[Int(truncatingIfNeeded: (w >> 48) & 0xFF)]) << 48
            r |= UInt64(t[Int(truncatingIfNeeded: w >> 56)]) << 56
            out.storeBytes(of: r, toByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < count {
            dst[i] = t[Int(src[i])]
            i += 1
        }
    }

    // MARK: companding

    public static func decode(_ law: Law, _ src: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<Int16>, count: Int) {
        let t = law == .alaw ? tables.alawToLinear : tables.ulawToLinear
        for i in 0..<count { dst[i] = t[Int(src[i])] }
    }

    public static func encode(_ law: Law, _ src: UnsafePointer<Int16>, _ dst: UnsafeMutablePointer<UInt8>, count: Int) {
        let t = law == .alaw ? tables.linearToAlaw : tables.linearToUlaw
        for i in 0..<count { dst[i] = t[Int(UInt16(bitPattern: src[i]))] }
    }

    @inline(__always) public static func alawToLinear(_ code: UInt8) -> Int16 { tables.alawToLinear[Int(code)] }
    @inline(__always) public static func ulawToLinear(_ code: UInt8) -> Int16 { tables.ulawToLinear[Int(code)] }
    @inline(__always) public static func linearToAlaw(_ s: Int16) -> UInt8 { tables.linearToAlaw[Int(UInt16(bitPattern: s))] }
    @inline(__always) public static func linearToUlaw(_ s: Int16) -> UInt8 { tables.linearToUlaw[Int(UInt16(bitPattern: s))] }
}

/// A G.711 stream codec (stateless apart from the law): mono, 8000 Hz, RTP clock 8000.
public final class G711Codec: FrameDecoder, FrameEncoder {
    public let law: G711.Law
    private let decodeTable: UnsafePointer<Int16>
    private let encodeTable: UnsafePointer<UInt8>

    public init(_ law: G711.Law) {
        self.law = law
        let t = G711.tables
        decodeTable = law == .alaw ? t.alawToLinear : t.ulawToLinear
        encodeTable = law == .alaw ? t.linearToAlaw : t.linearToUlaw
    }

    public var sampleRate: Int { 8000 }
    public var channels: Int { 1 }
    public var rtpClockRate: Int { 8000 }

    public func decode(_ payload: UnsafePointer<UInt8>, count: Int, into pcm: UnsafeMutablePointer<Int16>, capacity: Int) -> Int {
        guard count <= capacity else { return -1 }
        let t = decodeTable
        for i in 0..<count { pcm[i] = t[Int(payload[i])] }
        return count
    }

    public func conceal(samples: Int, into pcm: UnsafeMutablePointer<Int16>) -> Int {
        pcm.update(repeating: 0, count: samples)
        return samples
    }

    public func encode(_ pcm: UnsafePointer<Int16>, samples: Int, into payload: UnsafeMutablePointer<UInt8>, capacity: Int) -> Int {
        guard samples <= capacity else { return -1 }
        let t = encodeTable
        for i in 0..<samples { payload[i] = t[Int(UInt16(bitPattern: pcm[i]))] }
        return samples
    }
}
