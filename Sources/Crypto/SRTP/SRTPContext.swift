import COpenSSL

// SRTP/SRTCP transforms (RFC 3711, RFC 6188, RFC 7714) in place over caller buffers, on
// OpenSSL EVP: AES-CTR with one EVP_CIPHER_CTX per key that is only re-IV'd per packet,
// HMAC-SHA1 from precomputed inner/outer SHA-1 states, AES-GCM via EVP. After `init` no
// operation allocates, takes a lock or retains anything: all state lives behind pointers
// allocated here and freed in `deinit`.
//
// Packet layouts (MKI present only when configured):
//   SRTP  AES-CM/NULL: header | payload (encrypted)       | MKI | tag
//   SRTP  AES-GCM:     header | payload (encrypted) | tag | MKI
//   SRTCP AES-CM/NULL: header(8) | payload (encrypted)       | E+index | MKI | tag
//   SRTCP AES-GCM:     header(8) | payload (encrypted) | tag | E+index | MKI

/// Settings of an `SRTPContext` fixed at creation.
public struct SRTPOptions: Sendable, Hashable {
    /// Replay window in packets, for SRTP and SRTCP alike (RFC 3711 §3.3.2: at least 64).
    public var replayWindow: Int
    /// SSRCs tracked at once (ROC, replay windows, SRTCP index). Least recently used is
    /// replaced when a new SSRC arrives and the table is full.
    public var maxStreams: Int
    /// Encrypt SRTP payloads (SDES `UNENCRYPTED_SRTP` clears it). Ignored by AEAD suites.
    public var encryptRTP: Bool
    /// Encrypt SRTCP payloads (SDES `UNENCRYPTED_SRTCP` clears it; sets E=0).
    public var encryptRTCP: Bool

    public init(replayWindow: Int = 64, maxStreams: Int = 8, encryptRTP: Bool = true, encryptRTCP: Bool = true) {
        self.replayWindow = replayWindow
        self.maxStreams = maxStreams
        self.encryptRTP = encryptRTP
        self.encryptRTCP = encryptRTCP
    }
}

/// One SRTP crypto context: one master key, one direction (use one context to protect and
/// another to unprotect), any number of SSRCs up to `options.maxStreams`.
///
/// Not thread-safe: a context belongs to the packet loop that owns its call.
public final class SRTPContext {
    public let suite: SRTPSuite
    public let mki: SRTPMKI?
    public let options: SRTPOptions
    /// Bytes `protect` appends to an RTP packet (MKI + tag).
    public let srtpOverhead: Int
    /// Bytes `protectRTCP` appends to an RTCP packet (E+index + MKI + tag).
    public let srtcpOverhead: Int

    private let aead: Bool
    private let encRTP: Bool
    private let encRTCP: Bool
    private let srtpTag: Int
    private let srtcpTag: Int
    private let mkiLength: Int
    /// MKI bytes (mkiLength), then scratch: IV at 16, tag at 32, ROC at 56, junk at 64.
    private let scratch: UnsafeMutableRawPointer
    private let mkiBytes: UnsafeMutableRawPointer
    /// Session salts pre-split into big-endian words: AES-CM uses (hi, lo) of the 14-byte salt
    /// as a 16-byte block; AES-GCM uses the 12-byte salt as hi (bytes 0-7) and lo (8-11 << 32).
    private let rtpSaltHi: UInt64, rtpSaltLo: UInt64
    private let rtcpSaltHi: UInt64, rtcpSaltLo: UInt64
    /// AES-CTR (or GCM encrypt) contexts; `rtpDec`/`rtcpDec` are the GCM decrypt contexts.
    private let rtpEnc: OpaquePointer?, rtcpEnc: OpaquePointer?
    private let rtpDec: OpaquePointer?, rtcpDec: OpaquePointer?
    private let rtpAuth: UnsafeMutablePointer<tandem_hmac_sha1_key>
    private let rtcpAuth: UnsafeMutablePointer<tandem_hmac_sha1_key>
    private let table: SRTPStreamTable

    /// A context keyed by a master key and salt (SDES `inline:` key||salt, or the DTLS-SRTP
    /// exporter halves); session keys are derived here (RFC 3711 §4.3, kdr = 0).
    public convenience init(suite: SRTPSuite, masterKey: [UInt8], masterSalt: [UInt8],
                            mki: SRTPMKI? = nil, options: SRTPOptions = .init()) throws(SRTPError) {
        let keys = try SRTPSessionKeys(suite: suite, masterKey: masterKey, masterSalt: masterSalt)
        try self.init(suite: suite, sessionKeys: keys, mki: mki, options: options)
    }

    /// A context from already derived session keys.
    public init(suite: SRTPSuite, sessionKeys k: SRTPSessionKeys,
                mki: SRTPMKI? = nil, options: SRTPOptions = .init()) throws(SRTPError) {
        guard k.rtpKey.count == suite.masterKeyLength, k.rtcpKey.count == suite.masterKeyLength else { throw .invalidKey }
        guard k.rtpSalt.count == suite.sessionSaltLength, k.rtcpSalt.count == suite.sessionSaltLength else { throw .invalidSalt }
        guard k.rtpAuthKey.count == suite.authKeyLength, k.rtcpAuthKey.count == suite.authKeyLength else { throw .invalidKey }
        guard (1...32768).contains(options.replayWindow), (1...1024).contains(options.maxStreams) else {
            throw .invalidConfiguration
        }
        self.suite = suite
        self.mki = mki
        self.options = options
        aead = suite.isAEAD
        encRTP = suite.encrypts && (options.encryptRTP || suite.isAEAD)
        encRTCP = suite.encrypts && options.encryptRTCP
        srtpTag = suite.srtpTagLength
        srtcpTag = suite.srtcpTagLength
        mkiLength = mki?.length ?? 0
        srtpOverhead = mkiLength + srtpTag
        srtcpOverhead = 4 + mkiLength + srtcpTag

        mkiBytes = .allocate(byteCount: 16 + 80, alignment: 16)
        mkiBytes.initializeMemory(as: UInt8.self, repeating: 0, count: 16 + 80)
        if let mki { for (i, b) in mki.bytes.enumerated() { mkiBytes.storeBytes(of: b, toByteOffset: i, as: UInt8.self) } }
        scratch = mkiBytes + 16

        func words(_ s: [UInt8]) -> (UInt64, UInt64) {
            var b = [UInt8](repeating: 0, count: 16)
            for i in 0..<s.count { b[i] = s[i] }
            var hi: UInt64 = 0, lo: UInt64 = 0
            for i in 0..<8 { hi = hi << 8 | UInt64(b[i]); lo = lo << 8 | UInt64(b[8 + i]) }
            return (hi, lo)
        }
        (rtpSaltHi, rtpSaltLo) = words(k.rtpSalt)
        (rtcpSaltHi, rtcpSaltLo) = words(k.rtcpSalt)

        rtpAuth = .allocate(capacity: 1)
        rtcpAuth = .allocate(capacity: 1)
        tandem_hmac_sha1_key_init(rtpAuth, k.rtpAuthKey, k.rtpAuthKey.count)
        tandem_hmac_sha1_key_init(rtcpAuth, k.rtcpAuthKey, k.rtcpAuthKey.count)
        table = SRTPStreamTable(capacity: options.maxStreams, window: options.replayWindow)

        func context(_ key: [UInt8], decrypt: Bool) -> OpaquePointer? {
            let cipher = suite.isAEAD ? SRTPSessionKeys.aesGCM(keyLength: key.count) : SRTPSessionKeys.aesCTR(keyLength: key.count)
            guard let cipher, let c = EVP_CIPHER_CTX_new() else { return nil }
            let ok = decrypt ? EVP_DecryptInit_ex(c, cipher, nil, key, nil) : EVP_EncryptInit_ex(c, cipher, nil, key, nil)
            guard ok == 1 else { EVP_CIPHER_CTX_free(c); return nil }
            return c
        }
        if suite.encrypts {
            rtpEnc = context(k.rtpKey, decrypt: false)
            rtcpEnc = context(k.rtcpKey, decrypt: false)
        } else {
            rtpEnc = nil; rtcpEnc = nil
        }
        if suite.isAEAD {
            rtpDec = context(k.rtpKey, decrypt: true)
            rtcpDec = context(k.rtcpKey, decrypt: true)
        } else {
            rtpDec = nil; rtcpDec = nil
        }
        // deinit runs for a fully initialised instance, so a failure here is cleaned up there.
        if suite.encrypts && (rtpEnc == nil || rtcpEnc == nil) || suite.isAEAD && (rtpDec == nil || rtcpDec == nil) {
            throw .cryptoFailure
        }
    }

    deinit {
        EVP_CIPHER_CTX_free(rtpEnc)
        EVP_CIPHER_CTX_free(rtcpEnc)
        EVP_CIPHER_CTX_free(rtpDec)
        EVP_CIPHER_CTX_free(rtcpDec)
        OPENSSL_cleanse(rtpAuth, MemoryLayout<tandem_hmac_sha1_key>.size)
        OPENSSL_cleanse(rtcpAuth, MemoryLayout<tandem_hmac_sha1_key>.size)
        OPENSSL_cleanse(mkiBytes, 16 + 80)
        rtpAuth.deallocate()
        rtcpAuth.deallocate()
        mkiBytes.deallocate()
        table.deallocate()
    }

    // MARK: - State

    /// The ROC to use for `ssrc`'s next first packet (rtpengine carries it across re-keys and
    /// in SDES/Redis). Creates the stream if it is not tracked yet.
    public func setRolloverCounter(_ roc: UInt32, forSSRC ssrc: UInt32) {
        var slot = table.find(ssrc)
        if slot < 0 { slot = table.insert(ssrc) }
        table.states[slot].rtpInitialROC = roc
        table.states[slot].flags &= ~SRTPStreamState.rtpSeen
        table.touch(slot)
    }

    /// The current ROC of `ssrc` (of the highest index seen), nil if not tracked.
    public func rolloverCounter(forSSRC ssrc: UInt32) -> UInt32? {
        let slot = table.find(ssrc)
        guard slot >= 0 else { return nil }
        let s = table.states[slot]
        return s.flags & SRTPStreamState.rtpSeen != 0 ? UInt32(truncatingIfNeeded: s.rtpHighest >> 16) : s.rtpInitialROC
    }

    /// The SRTCP index `protectRTCP` uses next for `ssrc` (31 bits).
    public func setSRTCPIndex(_ index: UInt32, forSSRC ssrc: UInt32) {
        var slot = table.find(ssrc)
        if slot < 0 { slot = table.insert(ssrc) }
        table.states[slot].rtcpNextIndex = index & 0x7FFF_FFFF
        table.touch(slot)
    }

    // MARK: - SRTP

    /// Protects the RTP packet in `packet[0..<length]` in place and appends MKI and tag;
    /// `length` becomes the SRTP length. `packet` must have `srtpOverhead` spare bytes.
    public func protect(packet: UnsafeMutableRawBufferPointer, length: inout Int) throws(SRTPError) {
        guard let p = packet.baseAddress else { throw .tooShort }
        let len = length
        guard len <= packet.count else { throw .tooShort }
        let hlen = try rtpHeaderLength(p, len)
        guard packet.count - len >= srtpOverhead else { throw .bufferTooSmall }
        let seq = be16(p, 2)
        let ssrc = be32(p, 8)

        var slot = table.find(ssrc)
        if slot < 0 { slot = table.insert(ssrc) }
        let st = table.states + slot
        let index: UInt64
        if st.pointee.flags & SRTPStreamState.rtpSeen == 0 {
            index = UInt64(st.pointee.rtpInitialROC) << 16 | UInt64(seq)
            st.pointee.rtpHighest = index
            st.pointee.flags |= SRTPStreamState.rtpSeen
        } else {
            let e = SRTPStreamTable.estimate(highest: st.pointee.rtpHighest, seq: seq)
            index = e < 0 ? UInt64(seq) : UInt64(e) & 0xFFFF_FFFF_FFFF
            if index > st.pointee.rtpHighest { st.pointee.rtpHighest = index }
        }
        table.touch(slot)

        if aead {
            try gcmSeal(rtpEnc, saltHi: rtpSaltHi, saltLo: rtpSaltLo, ssrc: ssrc, index: index,
                        aad: p, aadLength: hlen, aad2: nil, aad2Length: 0,
                        data: p + hlen, dataLength: len - hlen, tag: p + len)
            copyMKI(to: p + len + 16)
        } else {
            if encRTP {
                try ctr(rtpEnc, saltHi: rtpSaltHi, saltLo: rtpSaltLo, ssrc: ssrc, index: index, data: p + hlen, length: len - hlen)
            }
            copyMKI(to: p + len)
            scratch.storeBytes(of: UInt32(truncatingIfNeeded: index >> 16).bigEndian, toByteOffset: 56, as: UInt32.self)
            tandem_hmac_sha1(rtpAuth, p, len, scratch + 56, 4, (scratch + 32).assumingMemoryBound(to: UInt8.self))
            (p + len + mkiLength).copyMemory(from: scratch + 32, byteCount: srtpTag)
        }
        length = len + srtpOverhead
    }

    /// Verifies and decrypts the SRTP packet in `packet[0..<length]` in place; `length` becomes
    /// the RTP length. On any error the context, the buffer and `length` are left as they were
    /// (AES-GCM decrypts before the tag check; a rejected packet is re-encrypted).
    public func unprotect(packet: UnsafeMutableRawBufferPointer, length: inout Int) throws(SRTPError) {
        guard let p = packet.baseAddress else { throw .tooShort }
        let len = min(length, packet.count)
        let hlen = try rtpHeaderLength(p, len)
        guard len - hlen >= srtpOverhead else { throw .tooShort }
        let end = len - srtpOverhead  // end of the (encrypted) payload
        let mkiAt = aead ? end + 16 : end
        if mkiLength > 0, memcmp(p + mkiAt, mkiBytes, mkiLength) != 0 { throw .unknownMKI }
        let seq = be16(p, 2)
        let ssrc = be32(p, 8)

        let slot = table.find(ssrc)
        let seen = slot >= 0 && table.states[slot].flags & SRTPStreamState.rtpSeen != 0
        let index: UInt64
        if seen {
            let e = SRTPStreamTable.estimate(highest: table.states[slot].rtpHighest, seq: seq)
            guard e >= 0 else { throw .tooOld }
            index = UInt64(e)
            if let err = table.check(table.rtpBits(slot), highest: table.states[slot].rtpHighest, index: index) { throw err }
        } else {
            index = UInt64(slot >= 0 ? table.states[slot].rtpInitialROC : 0) << 16 | UInt64(seq)
        }

        if aead {
            try gcmOpen(rtpDec, restoringWith: rtpEnc, saltHi: rtpSaltHi, saltLo: rtpSaltLo, ssrc: ssrc, index: index,
                        aad: p, aadLength: hlen, aad2: nil, aad2Length: 0,
                        data: p + hlen, dataLength: end - hlen, tag: p + end)
        } else {
            scratch.storeBytes(of: UInt32(truncatingIfNeeded: index >> 16).bigEndian, toByteOffset: 56, as: UInt32.self)
            tandem_hmac_sha1(rtpAuth, p, end, scratch + 56, 4, (scratch + 32).assumingMemoryBound(to: UInt8.self))
            guard CRYPTO_memcmp(scratch + 32, p + end + mkiLength, srtpTag) == 0 else { throw .authFailed }
            if encRTP {
                try ctr(rtpEnc, saltHi: rtpSaltHi, saltLo: rtpSaltLo, ssrc: ssrc, index: index, data: p + hlen, length: end - hlen)
            }
        }

        let s = slot >= 0 ? slot : table.insert(ssrc)
        let st = table.states + s
        table.commit(table.rtpBits(s), highest: &st.pointee.rtpHighest, index: index, first: !seen)
        st.pointee.flags |= SRTPStreamState.rtpSeen
        table.touch(s)
        length = end
    }

    // MARK: - SRTCP

    /// Protects the RTCP (compound) packet in `packet[0..<length]` in place with the next SRTCP
    /// index of its sender SSRC and appends E+index, MKI and tag (`srtcpOverhead` bytes).
    public func protectRTCP(packet: UnsafeMutableRawBufferPointer, length: inout Int) throws(SRTPError) {
        guard let p = packet.baseAddress else { throw .tooShort }
        let len = length
        guard len >= 8, len <= packet.count else { throw .tooShort }
        guard packet.count - len >= srtcpOverhead else { throw .bufferTooSmall }
        let ssrc = be32(p, 4)
        var slot = table.find(ssrc)
        if slot < 0 { slot = table.insert(ssrc) }
        let st = table.states + slot
        let index = st.pointee.rtcpNextIndex & 0x7FFF_FFFF
        st.pointee.rtcpNextIndex = (index &+ 1) & 0x7FFF_FFFF
        table.touch(slot)
        let trailer = (encRTCP ? 0x8000_0000 : 0) | index

        if aead {
            let idxAt = len + 16
            p.storeBytes(of: trailer.bigEndian, toByteOffset: idxAt, as: UInt32.self)
            if encRTCP {
                try gcmSeal(rtcpEnc, saltHi: rtcpSaltHi, saltLo: rtcpSaltLo, ssrc: ssrc, index: UInt64(index),
                            aad: p, aadLength: 8, aad2: p + idxAt, aad2Length: 4,
                            data: p + 8, dataLength: len - 8, tag: p + len)
            } else {
                try gcmSeal(rtcpEnc, saltHi: rtcpSaltHi, saltLo: rtcpSaltLo, ssrc: ssrc, index: UInt64(index),
                            aad: p, aadLength: len, aad2: p + idxAt, aad2Length: 4,
                            data: p + len, dataLength: 0, tag: p + len)
            }
            copyMKI(to: p + idxAt + 4)
        } else {
            if encRTCP {
                try ctr(rtcpEnc, saltHi: rtcpSaltHi, saltLo: rtcpSaltLo, ssrc: ssrc, index: UInt64(index), data: p + 8, length: len - 8)
            }
            p.storeBytes(of: trailer.bigEndian, toByteOffset: len, as: UInt32.self)
            copyMKI(to: p + len + 4)
            tandem_hmac_sha1(rtcpAuth, p, len + 4, nil, 0, (scratch + 32).assumingMemoryBound(to: UInt8.self))
            (p + len + 4 + mkiLength).copyMemory(from: scratch + 32, byteCount: srtcpTag)
        }
        length = len + srtcpOverhead
    }

    /// Verifies and decrypts the SRTCP packet in `packet[0..<length]` in place (E=0 packets are
    /// only authenticated); `length` becomes the RTCP length. Errors leave the context as it was.
    public func unprotectRTCP(packet: UnsafeMutableRawBufferPointer, length: inout Int) throws(SRTPError) {
        guard let p = packet.baseAddress else { throw .tooShort }
        let len = min(length, packet.count)
        guard len >= 8 + srtcpOverhead else { throw .tooShort }
        let idxAt = aead ? len - mkiLength - 4 : len - srtcpTag - mkiLength - 4
        let mkiAt = idxAt + 4
        if mkiLength > 0, memcmp(p + mkiAt, mkiBytes, mkiLength) != 0 { throw .unknownMKI }
        let trailer = be32(p, idxAt)
        let encrypted = trailer & 0x8000_0000 != 0
        let index = UInt64(trailer & 0x7FFF_FFFF)
        let ssrc = be32(p, 4)

        let slot = table.find(ssrc)
        let seen = slot >= 0 && table.states[slot].flags & SRTPStreamState.rtcpSeen != 0
        if seen, let err = table.check(table.rtcpBits(slot), highest: table.states[slot].rtcpHighest, index: index) { throw err }

        let end: Int  // end of the RTCP packet proper
        if aead {
            end = idxAt - 16
            guard end >= 8 else { throw .tooShort }
            if encrypted {
                try gcmOpen(rtcpDec, restoringWith: rtcpEnc, saltHi: rtcpSaltHi, saltLo: rtcpSaltLo, ssrc: ssrc, index: index,
                            aad: p, aadLength: 8, aad2: p + idxAt, aad2Length: 4,
                            data: p + 8, dataLength: end - 8, tag: p + end)
            } else {
                try gcmOpen(rtcpDec, restoringWith: rtcpEnc, saltHi: rtcpSaltHi, saltLo: rtcpSaltLo, ssrc: ssrc, index: index,
                            aad: p, aadLength: end, aad2: p + idxAt, aad2Length: 4,
                            data: p + end, dataLength: 0, tag: p + end)
            }
        } else {
            end = idxAt
            tandem_hmac_sha1(rtcpAuth, p, idxAt + 4, nil, 0, (scratch + 32).assumingMemoryBound(to: UInt8.self))
            guard CRYPTO_memcmp(scratch + 32, p + mkiAt + mkiLength, srtcpTag) == 0 else { throw .authFailed }
            if encrypted {
                // (a NULL suite has no cipher: an E=1 packet from such a peer is plaintext anyway)
                if rtcpEnc != nil { try ctr(rtcpEnc, saltHi: rtcpSaltHi, saltLo: rtcpSaltLo, ssrc: ssrc, index: index, data: p + 8, length: end - 8) }
            }
        }

        let s = slot >= 0 ? slot : table.insert(ssrc)
        let st = table.states + s
        table.commit(table.rtcpBits(s), highest: &st.pointee.rtcpHighest, index: index, first: !seen)
        st.pointee.flags |= SRTPStreamState.rtcpSeen
        table.touch(s)
        length = end
    }

    // MARK: - Primitives

    @inline(__always) private func copyMKI(to dst: UnsafeMutableRawPointer) {
        if mkiLength > 0 { dst.copyMemory(from: mkiBytes, byteCount: mkiLength) }
    }

    /// AES-CM (RFC 3711 §4.1.1): IV = salt·2^16 XOR SSRC·2^64 XOR index·2^16.
    @inline(__always) private func ctr(_ c: OpaquePointer?, saltHi: UInt64, saltLo: UInt64, ssrc: UInt32, index: UInt64,
                                       data: UnsafeMutableRawPointer, length: Int) throws(SRTPError) {
        guard length > 0 else { return }
        scratch.storeBytes(of: (saltHi ^ UInt64(ssrc)).bigEndian, toByteOffset: 0, as: UInt64.self)
        scratch.storeBytes(of: (saltLo ^ (index << 16)).bigEndian, toByteOffset: 8, as: UInt64.self)
        var outl: Int32 = 0
        let d = data.assumingMemoryBound(to: UInt8.self)
        guard EVP_EncryptInit_ex(c, nil, nil, nil, scratch.assumingMemoryBound(to: UInt8.self)) == 1,
              EVP_EncryptUpdate(c, d, &outl, d, Int32(length)) == 1 else { throw .cryptoFailure }
    }

    /// The AES-GCM IV (RFC 7714 §8.1, §9.1): (0x0000 || SSRC || 48-bit index) XOR salt.
    @inline(__always) private func gcmIV(saltHi: UInt64, saltLo: UInt64, ssrc: UInt32, index: UInt64) {
        let hi = UInt64(ssrc) << 16 | (index >> 32)
        let lo = (index & 0xFFFF_FFFF) << 32
        scratch.storeBytes(of: (saltHi ^ hi).bigEndian, toByteOffset: 0, as: UInt64.self)
        scratch.storeBytes(of: (saltLo ^ lo).bigEndian, toByteOffset: 8, as: UInt64.self)
    }

    @inline(__always) private func gcmSeal(_ c: OpaquePointer?, saltHi: UInt64, saltLo: UInt64, ssrc: UInt32, index: UInt64,
                                           aad: UnsafeMutableRawPointer, aadLength: Int,
                                           aad2: UnsafeMutableRawPointer?, aad2Length: Int,
                                           data: UnsafeMutableRawPointer, dataLength: Int,
                                           tag: UnsafeMutableRawPointer) throws(SRTPError) {
        gcmIV(saltHi: saltHi, saltLo: saltLo, ssrc: ssrc, index: index)
        var outl: Int32 = 0
        let d = data.assumingMemoryBound(to: UInt8.self)
        guard EVP_EncryptInit_ex(c, nil, nil, nil, scratch.assumingMemoryBound(to: UInt8.self)) == 1,
              EVP_EncryptUpdate(c, nil, &outl, aad.assumingMemoryBound(to: UInt8.self), Int32(aadLength)) == 1,
              aad2Length == 0 || EVP_EncryptUpdate(c, nil, &outl, aad2?.assumingMemoryBound(to: UInt8.self), Int32(aad2Length)) == 1,
              dataLength == 0 || EVP_EncryptUpdate(c, d, &outl, d, Int32(dataLength)) == 1,
              EVP_EncryptFinal_ex(c, (scratch + 64).assumingMemoryBound(to: UInt8.self), &outl) == 1,
              EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1 else { throw .cryptoFailure }
    }

    @inline(__always) private func gcmOpen(_ c: OpaquePointer?, restoringWith enc: OpaquePointer?, saltHi: UInt64, saltLo: UInt64, ssrc: UInt32, index: UInt64,
                                           aad: UnsafeMutableRawPointer, aadLength: Int,
                                           aad2: UnsafeMutableRawPointer?, aad2Length: Int,
                                           data: UnsafeMutableRawPointer, dataLength: Int,
                                           tag: UnsafeMutableRawPointer) throws(SRTPError) {
        gcmIV(saltHi: saltHi, saltLo: saltLo, ssrc: ssrc, index: index)
        var outl: Int32 = 0
        let d = data.assumingMemoryBound(to: UInt8.self)
        guard EVP_DecryptInit_ex(c, nil, nil, nil, scratch.assumingMemoryBound(to: UInt8.self)) == 1,
              EVP_DecryptUpdate(c, nil, &outl, aad.assumingMemoryBound(to: UInt8.self), Int32(aadLength)) == 1,
              aad2Length == 0 || EVP_DecryptUpdate(c, nil, &outl, aad2?.assumingMemoryBound(to: UInt8.self), Int32(aad2Length)) == 1,
              dataLength == 0 || EVP_DecryptUpdate(c, d, &outl, d, Int32(dataLength)) == 1,
              EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, tag) == 1 else { throw .cryptoFailure }
        guard EVP_DecryptFinal_ex(c, (scratch + 64).assumingMemoryBound(to: UInt8.self), &outl) == 1 else {
            // GCM decrypts before it can check the tag: put the ciphertext back (CTR again with
            // the same IV, which `enc` derives identically) so a rejected packet is untouched.
            if dataLength > 0 {
                gcmIV(saltHi: saltHi, saltLo: saltLo, ssrc: ssrc, index: index)
                _ = EVP_EncryptInit_ex(enc, nil, nil, nil, scratch.assumingMemoryBound(to: UInt8.self))
                _ = EVP_EncryptUpdate(enc, d, &outl, d, Int32(dataLength))
            }
            throw .authFailed
        }
    }
}

/// RTP header length (RFC 3550 §5.1, §5.3.1): 12 + 4·CC, plus the extension if X is set.
@inline(__always) private func rtpHeaderLength(_ p: UnsafeMutableRawPointer, _ len: Int) throws(SRTPError) -> Int {
    guard len >= 12 else { throw .tooShort }
    let b0 = p.load(as: UInt8.self)
    var h = 12 + 4 * Int(b0 & 0x0F)
    if b0 & 0x10 != 0 {
        guard len >= h + 4 else { throw .tooShort }
        h += 4 + 4 * Int(be16(p, h + 2))
    }
    guard h <= len else { throw .tooShort }
    return h
}

@inline(__always) private func be16(_ p: UnsafeMutableRawPointer, _ o: Int) -> UInt16 {
    UInt16(bigEndian: p.loadUnaligned(fromByteOffset: o, as: UInt16.self))
}

@inline(__always) private func be32(_ p: UnsafeMutableRawPointer, _ o: Int) -> UInt32 {
    UInt32(bigEndian: p.loadUnaligned(fromByteOffset: o, as: UInt32.self))
}
