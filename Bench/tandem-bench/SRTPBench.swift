import CMallocCounter
import CSRTP
import CTandemSys
import Crypto
import Glibc

// `tandem-bench srtp`: ns per protect / unprotect of a 172-byte RTP packet (12-byte header +
// 160-byte payload) for every suite, ours (Crypto/SRTP on OpenSSL) against Debian's libsrtp2 in
// the same run, and heap allocations per packet (ours must be 0). Each round protects N fresh
// packets in place in a preallocated arena, then unprotects them with a receiving context.

nonisolated(unsafe) private var srtpCounterProbe: [Int] = []

enum SRTPBench {
    struct Result { var protectNs: [Double] = [], unprotectNs: [Double] = [], protectMallocs = 0.0, unprotectMallocs = 0.0 }

    static func run(_ arguments: ArraySlice<String>) -> Int32 {
        // --suite NAME is taken out here (BenchArguments reads numbers only).
        var rest = Array(arguments)
        var only: String?
        if let i = rest.firstIndex(of: "--suite"), i + 1 < rest.count {
            only = rest[i + 1]
            rest.removeSubrange(i...(i + 1))
        }
        var args = BenchArguments(rest[...])
        let n = args.int("packets", 100_000, in: 1_000...2_000_000)
        let rounds = args.int("rounds", 3, in: 1...20)
        let libsrtpPackets = args.int("libsrtp-packets", 20_000, in: 1_000...2_000_000)
        let withLibsrtp = args.int("libsrtp", 1, in: 0...1) == 1
        let suites = SRTPSuite.allCases.filter { only == nil || $0.sdesName == only }
        guard args.allErrors.isEmpty, !suites.isEmpty else {
            for e in args.allErrors { print("srtp: \(e)") }
            print("usage: tandem-bench srtp [--packets N] [--libsrtp-packets N] [--rounds R] [--suite SDES_NAME] [--libsrtp 0|1]")
            return 2
        }
        guard srtp_init() == srtp_err_status_ok else { print("srtp: srtp_init failed"); return 1 }
        guard counterWorks() else { print("srtp: FAIL: the malloc counter does not see allocations"); return 1 }

        let arena = UnsafeMutableRawPointer.allocate(byteCount: max(n, libsrtpPackets) * slot, alignment: 64)
        let lengths = UnsafeMutablePointer<Int>.allocate(capacity: max(n, libsrtpPackets))
        defer { arena.deallocate(); lengths.deallocate() }

        print("suite                     ours protect  unprotect  mallocs/pkt | libsrtp2 protect  unprotect  mallocs/pkt | ratio protect unprotect")
        var failed = false
        var json: [String] = []
        for suite in suites {
            let key = (0..<suite.masterKeyLength).map { UInt8($0 &* 7 &+ 1) }
            let salt = (0..<suite.masterSaltLength).map { UInt8($0 &* 13 &+ 5) }
            var ours = Result(), theirs = Result()
            for _ in 0..<rounds {
                guard let r = runOurs(suite, key, salt, n, arena, lengths) else { print("srtp: FAIL: \(suite.sdesName) (ours) did not round-trip"); return 1 }
                ours.protectNs.append(r.protectNs[0]); ours.unprotectNs.append(r.unprotectNs[0])
                ours.protectMallocs += r.protectMallocs * Double(n)  // totals over all rounds
                ours.unprotectMallocs += r.unprotectMallocs * Double(n)
                guard withLibsrtp else { theirs.protectNs.append(.nan); theirs.unprotectNs.append(.nan); continue }
                guard let l = runLibsrtp(suite, key, salt, libsrtpPackets, arena, lengths) else { print("srtp: FAIL: \(suite.sdesName) (libsrtp2)"); return 1 }
                theirs.protectNs.append(l.protectNs[0]); theirs.unprotectNs.append(l.unprotectNs[0])
                theirs.protectMallocs = max(theirs.protectMallocs, l.protectMallocs)
                theirs.unprotectMallocs = max(theirs.unprotectMallocs, l.unprotectMallocs)
            }
            let op = median(ours.protectNs), ou = median(ours.unprotectNs)
            let tp = median(theirs.protectNs), tu = median(theirs.unprotectNs)
            let oursMallocs = Int((ours.protectMallocs + ours.unprotectMallocs).rounded())
            let om = Double(oursMallocs) / Double(2 * n * rounds)
            let tm = (theirs.protectMallocs + theirs.unprotectMallocs) / 2
            print(pad(suite.sdesName, 25) + pad(fmt(op), 14, right: true) + pad(fmt(ou), 11, right: true) + pad(fmt(om, 3), 13, right: true)
                  + " |" + pad(fmt(tp), 17, right: true) + pad(fmt(tu), 11, right: true) + pad(fmt(tm, 1), 13, right: true)
                  + " |" + pad(fmt(tp / op, 1) + "x", 14, right: true) + pad(fmt(tu / ou, 1) + "x", 10, right: true))
            json.append("""
            {"suite": "\(suite.sdesName)", "ours_protect_ns": \(fmt(op)), "ours_unprotect_ns": \(fmt(ou)), \
            "ours_mallocs_per_packet": \(om), "ours_mallocs_total": \(oursMallocs), "libsrtp_protect_ns": \(fmt(tp)), "libsrtp_unprotect_ns": \(fmt(tu)), \
            "libsrtp_mallocs_per_packet": \(fmt(tm, 2)), "packets": \(n), "libsrtp_packets": \(libsrtpPackets), "rounds": \(rounds)}
            """)
            if oursMallocs > 0 { failed = true }
        }
        print("(ns per 172-byte packet, median of \(rounds) rounds; ours over \(n) packets, libsrtp2 over \(libsrtpPackets))")
        for j in json { print(j) }
        if failed { print("srtp: FAIL: our SRTP allocated on the packet path") }
        return failed ? 1 : 0
    }


    static func checkPlain(_ arena: UnsafeMutableRawPointer, _ lengths: UnsafeMutablePointer<Int>, _ count: Int) -> Bool {
        for i in [0, count / 2, count - 1] {
            guard lengths[i] == packetLength else { return false }
            let p = arena + i * slot
            for j in 12..<packetLength where p.load(fromByteOffset: j, as: UInt8.self) != UInt8(truncatingIfNeeded: i &+ j) { return false }
        }
        return true
    }

    static func runOurs(_ suite: SRTPSuite, _ key: [UInt8], _ salt: [UInt8], _ n: Int,
                        _ arena: UnsafeMutableRawPointer, _ lengths: UnsafeMutablePointer<Int>) -> Result? {
        guard let tx = try? SRTPContext(suite: suite, masterKey: key, masterSalt: salt),
              let rx = try? SRTPContext(suite: suite, masterKey: key, masterSalt: salt) else { return nil }
        fill(arena, n)
        // Warm-up: first-packet paths and lazy runtime set-up outside the measured window.
        do {
            let warm = UnsafeMutableRawPointer.allocate(byteCount: slot, alignment: 16)
            defer { warm.deallocate() }
            warm.copyMemory(from: arena, byteCount: packetLength)
            warm.storeBytes(of: UInt32(0x0BAD_F00D).bigEndian, toByteOffset: 8, as: UInt32.self)
            var l = packetLength
            try? tx.protect(packet: UnsafeMutableRawBufferPointer(start: warm, count: slot), length: &l)
            try? rx.unprotect(packet: UnsafeMutableRawBufferPointer(start: warm, count: slot), length: &l)
        }
        var ok = true
        tandem_malloc_count_enable(1)
        let m0 = tandem_malloc_count()
        let t0 = tandem_monotonic_ns(0)
        for i in 0..<n {
            var l = packetLength
            do throws(SRTPError) {
                try tx.protect(packet: UnsafeMutableRawBufferPointer(start: arena + i * slot, count: slot), length: &l)
            } catch { ok = false }
            lengths[i] = l
        }
        let t1 = tandem_monotonic_ns(0)
        let m1 = tandem_malloc_count()
        for i in 0..<n {
            var l = lengths[i]
            do throws(SRTPError) {
                try rx.unprotect(packet: UnsafeMutableRawBufferPointer(start: arena + i * slot, count: slot), length: &l)
            } catch { ok = false }
            lengths[i] = l
        }
        let t2 = tandem_monotonic_ns(0)
        let m2 = tandem_malloc_count()
        tandem_malloc_count_enable(0)
        guard ok, checkPlain(arena, lengths, n) else { return nil }
        return Result(protectNs: [Double(t1 - t0) / Double(n)], unprotectNs: [Double(t2 - t1) / Double(n)],
                      protectMallocs: Double(m1 - m0) / Double(n), unprotectMallocs: Double(m2 - m1) / Double(n))
    }

    static func runLibsrtp(_ suite: SRTPSuite, _ key: [UInt8], _ salt: [UInt8], _ n: Int,
                           _ arena: UnsafeMutableRawPointer, _ lengths: UnsafeMutablePointer<Int>) -> Result? {
        // libsrtp2 2.5 derives AES-192 keys differently from RFC 6188; for timing that is irrelevant.
        guard let tx = libsrtpSession(suite, key + salt, inbound: false),
              let rx = libsrtpSession(suite, key + salt, inbound: true) else { return nil }
        defer { srtp_dealloc(tx); srtp_dealloc(rx) }
        fill(arena, n)
        var ok = true
        tandem_malloc_count_enable(1)
        let m0 = tandem_malloc_count()
        let t0 = tandem_monotonic_ns(0)
        for i in 0..<n {
            var l = Int32(packetLength)
            if srtp_protect(tx, arena + i * slot, &l) != srtp_err_status_ok { ok = false }
            lengths[i] = Int(l)
        }
        let t1 = tandem_monotonic_ns(0)
        let m1 = tandem_malloc_count()
        for i in 0..<n {
            var l = Int32(lengths[i])
            if srtp_unprotect(rx, arena + i * slot, &l) != srtp_err_status_ok { ok = false }
            lengths[i] = Int(l)
        }
        let t2 = tandem_monotonic_ns(0)
        let m2 = tandem_malloc_count()
        tandem_malloc_count_enable(0)
        guard ok, checkPlain(arena, lengths, n) else { return nil }
        return Result(protectNs: [Double(t1 - t0) / Double(n)], unprotectNs: [Double(t2 - t1) / Double(n)],
                      protectMallocs: Double(m1 - m0) / Double(n), unprotectMallocs: Double(m2 - m1) / Double(n))
    }

    static func libsrtpSession(_ suite: SRTPSuite, _ material: [UInt8], inbound: Bool) -> srtp_t? {
        var policy = srtp_policy_t()
        switch suite {
        case .aesCM128HmacSHA1_80: srtp_crypto_policy_set_rtp_default(&policy.rtp)
        case .aesCM128HmacSHA1_32: srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&policy.rtp)
        case .aes192CMHmacSHA1_80: srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80(&policy.rtp)
        case .aes192CMHmacSHA1_32: srtp_crypto_policy_set_aes_cm_192_hmac_sha1_32(&policy.rtp)
        case .aes256CMHmacSHA1_80: srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&policy.rtp)
        case .aes256CMHmacSHA1_32: srtp_crypto_policy_set_aes_cm_256_hmac_sha1_32(&policy.rtp)
        case .aeadAES128GCM: srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp)
        case .aeadAES256GCM: srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtp)
        case .nullHmacSHA1_80: srtp_crypto_policy_set_null_cipher_hmac_sha1_80(&policy.rtp)
        case .nullHmacSHA1_32: srtp_crypto_policy_set_null_cipher_hmac_sha1_80(&policy.rtp); policy.rtp.auth_tag_len = 4
        }
        policy.rtcp = policy.rtp
        policy.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound
        var key = material + [UInt8](repeating: 0, count: 16)
        var s: srtp_t?
        let st = key.withUnsafeMutableBufferPointer { k in
            policy.key = k.baseAddress
            return srtp_create(&s, &policy)
        }
        return st == srtp_err_status_ok ? s : nil
    }

    static func median(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }

    static func fmt(_ v: Double, _ decimals: Int = 0) -> String {
        guard v.isFinite else { return "null" }
        if decimals == 0 { return String(Int(v.rounded())) }
        var m = 1.0
        for _ in 0..<decimals { m *= 10 }
        let r = (v * m).rounded() / m
        return String(r)
    }

    static func pad(_ s: String, _ w: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, w - s.count))
        return right ? fill + s : s + fill
    }

    /// The interposer must count a known allocation, or a 0 would prove nothing.
    private static func counterWorks() -> Bool {
        tandem_malloc_count_enable(1)
        let before = tandem_malloc_count()
        srtpCounterProbe = [Int](repeating: 1, count: 100)  // escapes to a global: cannot be elided
        let after = tandem_malloc_count()
        tandem_malloc_count_enable(0)
        srtpCounterProbe = []
        return after > before
    }
}
