import CallModel
import Crypto

// The control-path side of SRTP on the relay: the contexts of one socket and the parameters they
// were built from. A context is rebuilt only when its parameters change, so a re-offer with the
// same key keeps the rollover counters and replay windows.

struct SocketCrypto {
    /// Unprotects what is received on the socket.
    var decryptParameters: SRTPParameters?
    var decrypt: SRTPContext?
    /// Protects what is sent out of the socket.
    var encryptParameters: SRTPParameters?
    var encrypt: SRTPContext?

    var isEmpty: Bool { decryptParameters == nil && encryptParameters == nil }

    /// A context for `p`; nil when the parameters are unusable (unknown suite, bad lengths).
    static func context(_ p: SRTPParameters) -> SRTPContext? {
        guard let suite = SRTPSuite(sdesName: p.suite) else { return nil }
        do {
            let mki = try p.mki.map { bytes throws(SRTPError) in try SRTPMKI(bytes: bytes) }
            let options = SRTPOptions(encryptRTP: !p.unencryptedSRTP, encryptRTCP: !p.unencryptedSRTCP)
            return try SRTPContext(suite: suite, masterKey: p.masterKey, masterSalt: p.masterSalt, mki: mki, options: options)
        } catch {
            return nil
        }
    }
}

extension UDPMediaPlane {
    /// Builds or keeps the socket's SRTP contexts and points its endpoint at them (unretained;
    /// `core.crypto` keeps them alive).
    func configureCrypto(_ socket: SocketHandle, _ ep: UnsafeMutablePointer<Endpoint>, _ forwarding: SocketForwarding) {
        var c = core.crypto[socket.id] ?? SocketCrypto()
        if c.decryptParameters != forwarding.decrypt {
            c.decryptParameters = forwarding.decrypt
            c.decrypt = forwarding.decrypt.flatMap(SocketCrypto.context)
        }
        if c.encryptParameters != forwarding.encrypt {
            c.encryptParameters = forwarding.encrypt
            c.encrypt = forwarding.encrypt.flatMap(SocketCrypto.context)
        }
        // Endpoint first, then the side table: a replaced context is released only after no
        // endpoint points at it (all on this thread, between batches).
        ep.pointee.srtpIn = c.decrypt.map { Unmanaged.passUnretained($0) }
        ep.pointee.srtpOut = c.encrypt.map { Unmanaged.passUnretained($0) }
        ep.pointee.srtpInUnusable = c.decryptParameters != nil && c.decrypt == nil
        ep.pointee.srtpOutUnusable = c.encryptParameters != nil && c.encrypt == nil
        core.crypto[socket.id] = c.isEmpty ? nil : c
    }
}
