// The RTP packets the SRTP benches protect: shared by `tandem-bench srtp`/`micro` and Bench/micro
// (which compiles this file through a symlink and declares `enum SRTPBench {}` itself).

extension SRTPBench {
    static let packetLength = 172
    static let slot = 256

    /// Fills `count` slots with RTP packets (seq 65000 + i wrapping, so the ROC rolls over).
    static func fill(_ arena: UnsafeMutableRawPointer, _ count: Int) {
        for i in 0..<count {
            let p = arena + i * slot
            let seq = UInt16(truncatingIfNeeded: 65000 + i)
            p.storeBytes(of: 0x80, toByteOffset: 0, as: UInt8.self)
            p.storeBytes(of: 0, toByteOffset: 1, as: UInt8.self)
            p.storeBytes(of: seq.bigEndian, toByteOffset: 2, as: UInt16.self)
            p.storeBytes(of: (UInt32(truncatingIfNeeded: i) &* 160).bigEndian, toByteOffset: 4, as: UInt32.self)
            p.storeBytes(of: UInt32(0x1234_5678).bigEndian, toByteOffset: 8, as: UInt32.self)
            for j in 12..<packetLength { p.storeBytes(of: UInt8(truncatingIfNeeded: i &+ j), toByteOffset: j, as: UInt8.self) }
        }
    }
}
