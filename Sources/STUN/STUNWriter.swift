// Writes a STUN message into a caller-owned buffer, attribute by attribute, keeping the header's
// length field current. MESSAGE-INTEGRITY and FINGERPRINT are computed over what is already
// written, so they must come last (integrity, then FINGERPRINT); the writer enforces that order.

import TandemBase

/// Builds one message in place. No allocation.
public struct STUNWriter {
    public let buffer: UnsafeMutableRawBufferPointer
    /// Bytes written so far (header included): the datagram to send is `buffer[0..<count]`.
    public private(set) var count: Int
    public let transactionID: STUNTransactionID
    /// The value written into padding bytes (RFC 8489 allows any; 0 by default, RFC 5769's
    /// vectors use 0x20).
    public var paddingByte: UInt8

    private var sealedByIntegrity = false
    private var sealedByFingerprint = false

    /// Starts a message: writes the 20-byte header with length 0.
    public init(into buffer: UnsafeMutableRawBufferPointer, type: STUNMessageType,
                transactionID: STUNTransactionID, paddingByte: UInt8 = 0) throws(STUNError) {
        guard buffer.count >= stunHeaderSize, buffer.baseAddress != nil else { throw .bufferTooSmall }
        self.buffer = buffer
        self.count = stunHeaderSize
        self.transactionID = transactionID
        self.paddingByte = paddingByte
        put16(0, type.rawValue & 0x3fff)
        put16(2, 0)
        put32(4, stunMagicCookie)
        put32(8, transactionID.high)
        put64(12, transactionID.low)
    }

    /// The bytes written so far.
    public var message: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: buffer[0..<count]) }

    // MARK: generic

    /// Appends a TLV with `length` value bytes filled in by `fill` (which gets exactly that many).
    public mutating func append(_ type: STUNAttributeType, length: Int,
                                _ fill: (UnsafeMutableRawBufferPointer) -> Void) throws(STUNError) {
        if sealedByFingerprint || (sealedByIntegrity && type != .fingerprint && type != .messageIntegritySHA256) {
            throw .attributeOrder
        }
        guard length <= 0xffff else { throw .valueTooLong }
        let padded = (length + 3) & ~3
        guard count + 4 + padded <= buffer.count else { throw .bufferTooSmall }
        guard count + 4 + padded - stunHeaderSize <= 0xffff else { throw .valueTooLong }
        put16(count, type.rawValue)
        put16(count + 2, UInt16(length))
        fill(UnsafeMutableRawBufferPointer(rebasing: buffer[(count + 4)..<(count + 4 + length)]))
        for i in (count + 4 + length)..<(count + 4 + padded) { buffer[i] = paddingByte }
        count += 4 + padded
        put16(2, UInt16(count - stunHeaderSize))
    }

    /// Appends a TLV with the given value bytes.
    public mutating func append(_ type: STUNAttributeType, bytes: UnsafeRawBufferPointer) throws(STUNError) {
        try append(type, length: bytes.count) { $0.copyMemory(from: bytes) }
    }

    /// Appends a TLV whose value is UTF-8 text.
    public mutating func append(_ type: STUNAttributeType, text: String) throws(STUNError) {
        var t = text
        let result: Result<Void, STUNError> = t.withUTF8 { u in
            do throws(STUNError) {
                try append(type, bytes: UnsafeRawBufferPointer(u))
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }

    // MARK: typed attributes

    public mutating func appendUsername(_ username: String) throws(STUNError) {
        try append(.username, text: username)
    }

    public mutating func appendSoftware(_ software: String) throws(STUNError) {
        try append(.software, text: software)
    }

    public mutating func appendPriority(_ priority: UInt32) throws(STUNError) {
        try append(.priority, length: 4) { Self.put32($0, 0, priority) }
    }

    public mutating func appendUseCandidate() throws(STUNError) {
        try append(.useCandidate, length: 0) { _ in }
    }

    public mutating func appendICEControlled(tieBreaker: UInt64) throws(STUNError) {
        try append(.iceControlled, length: 8) { Self.put64($0, 0, tieBreaker) }
    }

    public mutating func appendICEControlling(tieBreaker: UInt64) throws(STUNError) {
        try append(.iceControlling, length: 8) { Self.put64($0, 0, tieBreaker) }
    }

    public mutating func appendMappedAddress(_ address: TransportAddress) throws(STUNError) {
        try appendAddress(.mappedAddress, address, xor: false)
    }

    public mutating func appendXORMappedAddress(_ address: TransportAddress) throws(STUNError) {
        try appendAddress(.xorMappedAddress, address, xor: true)
    }

    private mutating func appendAddress(_ type: STUNAttributeType, _ address: TransportAddress, xor: Bool) throws(STUNError) {
        let tid = transactionID
        switch address.ip {
        case .v4(var a):
            if xor { a ^= stunMagicCookie }
            let port = xor ? address.port ^ UInt16(stunMagicCookie >> 16) : address.port
            try append(type, length: 8) { v in
                v[0] = 0; v[1] = 0x01
                Self.put16(v, 2, port)
                Self.put32(v, 4, a)
            }
        case .v6(var h, var l):
            if xor {
                h ^= UInt64(stunMagicCookie) << 32 | UInt64(tid.high)
                l ^= tid.low
            }
            let port = xor ? address.port ^ UInt16(stunMagicCookie >> 16) : address.port
            try append(type, length: 20) { v in
                v[0] = 0; v[1] = 0x02
                Self.put16(v, 2, port)
                Self.put64(v, 4, h)
                Self.put64(v, 12, l)
            }
        }
    }

    /// ERROR-CODE (code 300...699) with a reason phrase.
    public mutating func appendErrorCode(_ code: Int, reason: String) throws(STUNError) {
        guard (300...699).contains(code) else { throw .badErrorCode }
        var r = reason
        let utf8Count = r.utf8.count
        guard utf8Count <= 763 else { throw .valueTooLong }
        try append(.errorCode, length: 4 + utf8Count) { v in
            v[0] = 0; v[1] = 0
            v[2] = UInt8(code / 100)
            v[3] = UInt8(code % 100)
            r.withUTF8 { u in UnsafeMutableRawBufferPointer(rebasing: v[4...]).copyMemory(from: UnsafeRawBufferPointer(u)) }
        }
    }

    /// UNKNOWN-ATTRIBUTES listing `types`.
    public mutating func appendUnknownAttributes(_ types: [STUNAttributeType]) throws(STUNError) {
        try append(.unknownAttributes, length: 2 * types.count) { v in
            for (i, t) in types.enumerated() { Self.put16(v, 2 * i, t.rawValue) }
        }
    }

    // MARK: integrity and fingerprint

    /// MESSAGE-INTEGRITY: HMAC-SHA1 under `key` over everything written so far, with the length
    /// field already counting this attribute.
    public mutating func appendMessageIntegrity(key: UnsafeRawBufferPointer) throws(STUNError) {
        guard !sealedByIntegrity else { throw .attributeOrder }
        try appendMAC(.messageIntegrity, size: 20, key: key)
    }

    /// MESSAGE-INTEGRITY-SHA256 (full 32 bytes), after MESSAGE-INTEGRITY if both are used.
    public mutating func appendMessageIntegritySHA256(key: UnsafeRawBufferPointer) throws(STUNError) {
        try appendMAC(.messageIntegritySHA256, size: 32, key: key)
    }

    public mutating func appendMessageIntegrity(password: String) throws(STUNError) {
        try withKey(password) { (w: inout STUNWriter, k) throws(STUNError) in try w.appendMessageIntegrity(key: k) }
    }

    public mutating func appendMessageIntegritySHA256(password: String) throws(STUNError) {
        try withKey(password) { (w: inout STUNWriter, k) throws(STUNError) in try w.appendMessageIntegritySHA256(key: k) }
    }

    private mutating func withKey(_ password: String,
                                  _ body: (inout STUNWriter, UnsafeRawBufferPointer) throws(STUNError) -> Void) throws(STUNError) {
        var p = password
        var me = self
        let result: Result<Void, STUNError> = p.withUTF8 { u in
            do throws(STUNError) {
                try body(&me, UnsafeRawBufferPointer(u))
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        self = me
        try result.get()
    }

    private mutating func appendMAC(_ type: STUNAttributeType, size: Int, key: UnsafeRawBufferPointer) throws(STUNError) {
        let start = count
        try append(type, length: size) { _ in }
        let covered = UnsafeRawBufferPointer(rebasing: buffer[0..<start])
        let out = UnsafeMutableRawBufferPointer(rebasing: buffer[(start + 4)..<(start + 4 + size)])
        if size == 20 {
            STUNHMAC.sha1(key: key, data: covered, out: out)
        } else {
            STUNHMAC.sha256(key: key, data: covered, out: out)
        }
        sealedByIntegrity = true
    }

    /// FINGERPRINT over everything written so far; nothing may follow.
    public mutating func appendFingerprint() throws(STUNError) {
        let start = count
        try append(.fingerprint, length: 4) { _ in }
        let crc = stunFingerprint(UnsafeRawBufferPointer(rebasing: buffer[0..<start]))
        put32(start + 4, crc)
        sealedByFingerprint = true
    }

    // MARK: big-endian stores

    private func put16(_ offset: Int, _ v: UInt16) { Self.put16(buffer, offset, v) }
    private func put32(_ offset: Int, _ v: UInt32) { Self.put32(buffer, offset, v) }
    private func put64(_ offset: Int, _ v: UInt64) { Self.put64(buffer, offset, v) }

    static func put16(_ b: UnsafeMutableRawBufferPointer, _ offset: Int, _ v: UInt16) {
        b.storeBytes(of: v.bigEndian, toByteOffset: offset, as: UInt16.self)
    }

    static func put32(_ b: UnsafeMutableRawBufferPointer, _ offset: Int, _ v: UInt32) {
        b.storeBytes(of: v.bigEndian, toByteOffset: offset, as: UInt32.self)
    }

    static func put64(_ b: UnsafeMutableRawBufferPointer, _ offset: Int, _ v: UInt64) {
        b.storeBytes(of: v.bigEndian, toByteOffset: offset, as: UInt64.self)
    }
}
