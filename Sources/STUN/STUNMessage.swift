// A zero-copy view of a STUN message (RFC 8489 section 5 and 14) over bytes the caller owns.
// Construction validates the header and walks the attributes once, checking every TLV against
// the message bounds and the lengths of the attributes this target understands, and records
// where the interesting ones are; accessors then never read past the end. The view lives only
// as long as the buffer it points into.

import TandemBase

/// One attribute as it appears on the wire.
public struct STUNAttribute {
    public let type: STUNAttributeType
    /// The value, without padding.
    public let value: UnsafeRawBufferPointer
    /// Offset of the attribute's 4-byte header from the start of the message.
    public let offset: Int
}

/// A validated STUN message over borrowed bytes. No allocation, no copy.
public struct STUNMessage {
    /// The whole message (header included); exactly the datagram.
    public let bytes: UnsafeRawBufferPointer
    public let type: STUNMessageType
    public let transactionID: STUNTransactionID

    /// Header offsets of the first occurrence of each understood attribute, -1 when absent.
    /// Attributes after MESSAGE-INTEGRITY (other than MESSAGE-INTEGRITY-SHA256 and FINGERPRINT)
    /// are ignored as RFC 8489 section 14.5 requires, so they are never recorded here.
    struct Offsets {
        var mappedAddress = -1, xorMappedAddress = -1, username = -1, errorCode = -1
        var unknownAttributes = -1, software = -1, priority = -1, useCandidate = -1
        var iceControlled = -1, iceControlling = -1
        var messageIntegrity = -1, messageIntegritySHA256 = -1, fingerprint = -1
    }

    let offsets: Offsets
    /// How many comprehension-required attributes (before integrity) this code does not know.
    public let unknownComprehensionRequiredCount: Int

    public var messageClass: STUNMessageClass { type.messageClass }
    public var method: UInt16 { type.method }

    /// Validates and indexes `bytes`; a typed error for anything that is not a well-formed
    /// STUN message (RFC 3489 messages without the magic cookie included).
    public init(_ bytes: UnsafeRawBufferPointer) throws(STUNError) {
        guard bytes.count >= stunHeaderSize, let base = bytes.baseAddress else { throw .tooShort }
        guard bytes[0] & 0xC0 == 0 else { throw .notSTUN }
        guard base.be32(4) == stunMagicCookie else { throw .badMagicCookie }
        let length = Int(base.be16(2))
        guard length & 3 == 0 else { throw .lengthNotMultipleOf4 }
        guard length + stunHeaderSize == bytes.count else {
            throw .lengthMismatch(header: length + stunHeaderSize, datagram: bytes.count)
        }
        self.bytes = bytes
        self.type = STUNMessageType(rawValue: base.be16(0))
        self.transactionID = STUNTransactionID(high: base.be32(8), low: base.be64(12))

        var o = Offsets()
        var unknown = 0
        var offset = stunHeaderSize
        while offset < bytes.count {
            guard o.fingerprint < 0 else { throw .attributeAfterFingerprint }
            guard offset + 4 <= bytes.count else { throw .truncatedAttribute(offset: offset) }
            let type = STUNAttributeType(base.be16(offset))
            let valueLength = Int(base.be16(offset + 2))
            let padded = (valueLength + 3) & ~3
            guard offset + 4 + padded <= bytes.count else { throw .truncatedAttribute(offset: offset) }
            let value = UnsafeRawBufferPointer(rebasing: bytes[(offset + 4)..<(offset + 4 + valueLength)])

            let afterIntegrity = o.messageIntegrity >= 0 || o.messageIntegritySHA256 >= 0
            switch type {
            case .fingerprint:
                guard valueLength == 4 else { throw .badAttributeLength(type, valueLength) }
                o.fingerprint = offset
            case .messageIntegritySHA256 where o.messageIntegritySHA256 < 0:
                guard valueLength >= 16, valueLength <= 32, valueLength & 3 == 0 else {
                    throw .badAttributeLength(type, valueLength)
                }
                o.messageIntegritySHA256 = offset
            case _ where afterIntegrity:
                break  // ignored (RFC 8489 section 14.5/14.6)
            case .messageIntegrity:
                guard valueLength == 20 else { throw .badAttributeLength(type, valueLength) }
                o.messageIntegrity = offset
            case .mappedAddress, .xorMappedAddress:
                try Self.validateAddress(type, value)
                if type == .mappedAddress { Self.first(&o.mappedAddress, offset) } else { Self.first(&o.xorMappedAddress, offset) }
            case .username:
                guard valueLength <= 513 else { throw .badAttributeLength(type, valueLength) }
                Self.first(&o.username, offset)
            case .software:
                guard valueLength <= 763 else { throw .badAttributeLength(type, valueLength) }
                Self.first(&o.software, offset)
            case .errorCode:
                guard valueLength >= 4, valueLength <= 4 + 763 else { throw .badAttributeLength(type, valueLength) }
                guard (3...6).contains(value[2] & 0x07), value[3] < 100 else { throw .badErrorCode }
                Self.first(&o.errorCode, offset)
            case .unknownAttributes:
                guard valueLength & 1 == 0 else { throw .badAttributeLength(type, valueLength) }
                Self.first(&o.unknownAttributes, offset)
            case .priority:
                guard valueLength == 4 else { throw .badAttributeLength(type, valueLength) }
                Self.first(&o.priority, offset)
            case .useCandidate:
                guard valueLength == 0 else { throw .badAttributeLength(type, valueLength) }
                Self.first(&o.useCandidate, offset)
            case .iceControlled, .iceControlling:
                guard valueLength == 8 else { throw .badAttributeLength(type, valueLength) }
                if type == .iceControlled { Self.first(&o.iceControlled, offset) } else { Self.first(&o.iceControlling, offset) }
            case .realm, .nonce:
                break  // long-term credentials: understood enough to be ignored by a short-term agent
            default:
                if type.isComprehensionRequired { unknown += 1 }
            }
            offset += 4 + padded
        }
        self.offsets = o
        self.unknownComprehensionRequiredCount = unknown
    }

    private static func first(_ slot: inout Int, _ offset: Int) {
        if slot < 0 { slot = offset }
    }

    private static func validateAddress(_ type: STUNAttributeType, _ value: UnsafeRawBufferPointer) throws(STUNError) {
        guard value.count >= 4 else { throw .badAttributeLength(type, value.count) }
        switch value[1] {
        case 0x01: guard value.count == 8 else { throw .badAttributeLength(type, value.count) }
        case 0x02: guard value.count == 20 else { throw .badAttributeLength(type, value.count) }
        default: throw .badAddressFamily(value[1])
        }
    }

    // MARK: attribute access

    /// The value of the attribute whose header is at `offset` (-1: nil).
    @inline(__always)
    private func value(at offset: Int) -> UnsafeRawBufferPointer? {
        guard offset >= 0 else { return nil }
        let length = Int(bytes.baseAddress!.be16(offset + 2))
        return UnsafeRawBufferPointer(rebasing: bytes[(offset + 4)..<(offset + 4 + length)])
    }

    /// Every attribute in wire order, including those after MESSAGE-INTEGRITY that are ignored.
    public var attributes: STUNAttributeSequence { STUNAttributeSequence(bytes: bytes) }

    /// The value of the first attribute of `type` (anywhere in the message).
    public func attribute(_ type: STUNAttributeType) -> UnsafeRawBufferPointer? {
        attributes.first { $0.type == type }?.value
    }

    public var usernameBytes: UnsafeRawBufferPointer? { value(at: offsets.username) }
    /// USERNAME as UTF-8 text (invalid sequences repaired).
    public var username: String? { usernameBytes.map { String(decoding: $0, as: UTF8.self) } }
    public var software: String? { value(at: offsets.software).map { String(decoding: $0, as: UTF8.self) } }
    public var priority: UInt32? { value(at: offsets.priority).map { $0.baseAddress!.be32(0) } }
    public var useCandidate: Bool { offsets.useCandidate >= 0 }
    /// The ICE-CONTROLLED tie-breaker.
    public var iceControlled: UInt64? { value(at: offsets.iceControlled).map { $0.baseAddress!.be64(0) } }
    /// The ICE-CONTROLLING tie-breaker.
    public var iceControlling: UInt64? { value(at: offsets.iceControlling).map { $0.baseAddress!.be64(0) } }
    public var hasMessageIntegrity: Bool { offsets.messageIntegrity >= 0 }
    public var hasMessageIntegritySHA256: Bool { offsets.messageIntegritySHA256 >= 0 }
    public var hasFingerprint: Bool { offsets.fingerprint >= 0 }

    /// MAPPED-ADDRESS (RFC 8489 section 14.1).
    public var mappedAddress: TransportAddress? {
        value(at: offsets.mappedAddress).map { Self.address($0, xor: nil) }
    }

    /// XOR-MAPPED-ADDRESS decoded (port XOR the cookie's high half; address XOR the cookie, and
    /// for IPv6 the cookie followed by the transaction id).
    public var xorMappedAddress: TransportAddress? {
        value(at: offsets.xorMappedAddress).map { Self.address($0, xor: transactionID) }
    }

    /// ERROR-CODE: class x 100 + number, and the reason phrase.
    public var errorCode: (code: Int, reason: String)? {
        value(at: offsets.errorCode).map { v in
            (Int(v[2] & 0x07) * 100 + Int(v[3]),
             String(decoding: UnsafeRawBufferPointer(rebasing: v[4...]), as: UTF8.self))
        }
    }

    /// The types listed in UNKNOWN-ATTRIBUTES (what the peer did not understand).
    public var unknownAttributes: [STUNAttributeType] {
        guard let v = value(at: offsets.unknownAttributes) else { return [] }
        return stride(from: 0, to: v.count, by: 2).map { STUNAttributeType(v.baseAddress!.be16($0)) }
    }

    /// Comprehension-required attribute types this code does not understand (for a 420 reply).
    public var unknownComprehensionRequired: [STUNAttributeType] {
        guard unknownComprehensionRequiredCount > 0 else { return [] }
        var seen: [STUNAttributeType] = []
        for a in attributes {
            if integrityOffset.map({ a.offset >= $0 }) ?? false { break }
            if a.type.isComprehensionRequired, !Self.understood.contains(a.type.rawValue), !seen.contains(a.type) {
                seen.append(a.type)
            }
        }
        return seen
    }

    private static let understood: Set<UInt16> = [0x0001, 0x0006, 0x0008, 0x0009, 0x000A, 0x0014, 0x0015,
                                                  0x001C, 0x0020, 0x0024, 0x0025]

    private var integrityOffset: Int? {
        let candidates = [offsets.messageIntegrity, offsets.messageIntegritySHA256].filter { $0 >= 0 }
        return candidates.min()
    }

    static func address(_ v: UnsafeRawBufferPointer, xor tid: STUNTransactionID?) -> TransportAddress {
        let p = v.baseAddress!
        var port = p.be16(2)
        if tid != nil { port ^= UInt16(stunMagicCookie >> 16) }
        if v[1] == 0x01 {
            var a = p.be32(4)
            if tid != nil { a ^= stunMagicCookie }
            return TransportAddress(ip: .v4(a), port: port)
        }
        var h = p.be64(4)
        var l = p.be64(12)
        if let tid {
            h ^= UInt64(stunMagicCookie) << 32 | UInt64(tid.high)
            l ^= tid.low
        }
        return TransportAddress(ip: .v6(h, l), port: port)
    }

    // MARK: integrity and fingerprint

    /// FINGERPRINT check: nil when the attribute is absent.
    public var fingerprintMatches: Bool? {
        guard let v = value(at: offsets.fingerprint) else { return nil }
        let covered = UnsafeRawBufferPointer(rebasing: bytes[0..<offsets.fingerprint])
        return stunFingerprint(covered) == v.baseAddress!.be32(0)
    }

    /// MESSAGE-INTEGRITY (HMAC-SHA1) check under `key` (for short-term credentials the password
    /// itself; ICE passwords are plain ice-chars, so OpaqueString preparation changes nothing).
    /// nil when the attribute is absent.
    public func verifyMessageIntegrity(key: UnsafeRawBufferPointer) -> Bool? {
        guard let v = value(at: offsets.messageIntegrity) else { return nil }
        return withUnsafeTemporaryAllocation(byteCount: 20, alignment: 1) { mac in
            computeIntegrity(upTo: offsets.messageIntegrity, valueLength: 20, key: key, into: mac, sha256: false)
            return Self.constantTimeEqual(UnsafeRawBufferPointer(mac), v)
        }
    }

    /// MESSAGE-INTEGRITY-SHA256 check under `key` (a truncated value compares its prefix);
    /// nil when the attribute is absent.
    public func verifyMessageIntegritySHA256(key: UnsafeRawBufferPointer) -> Bool? {
        guard let v = value(at: offsets.messageIntegritySHA256) else { return nil }
        return withUnsafeTemporaryAllocation(byteCount: 32, alignment: 1) { mac in
            computeIntegrity(upTo: offsets.messageIntegritySHA256, valueLength: v.count, key: key, into: mac, sha256: true)
            return Self.constantTimeEqual(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(mac)[0..<v.count]), v)
        }
    }

    public func verifyMessageIntegrity(password: String) -> Bool? {
        var p = password
        return p.withUTF8 { verifyMessageIntegrity(key: UnsafeRawBufferPointer($0)) }
    }

    public func verifyMessageIntegritySHA256(password: String) -> Bool? {
        var p = password
        return p.withUTF8 { verifyMessageIntegritySHA256(key: UnsafeRawBufferPointer($0)) }
    }

    /// HMAC over the message up to the attribute at `offset`, with the header's length field
    /// set as if that attribute (of `valueLength`) were the last one.
    private func computeIntegrity(upTo offset: Int, valueLength: Int, key: UnsafeRawBufferPointer,
                                  into mac: UnsafeMutableRawBufferPointer, sha256: Bool) {
        withUnsafeTemporaryAllocation(byteCount: offset, alignment: 1) { copy in
            copy.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[0..<offset]))
            let adjusted = UInt16(offset - stunHeaderSize + 4 + valueLength)
            copy[2] = UInt8(adjusted >> 8)
            copy[3] = UInt8(adjusted & 0xff)
            if sha256 {
                STUNHMAC.sha256(key: key, data: UnsafeRawBufferPointer(copy), out: mac)
            } else {
                STUNHMAC.sha1(key: key, data: UnsafeRawBufferPointer(copy), out: mac)
            }
        }
    }

    static func constantTimeEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<a.count { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}

/// Walks the attributes of a validated message (`STUNMessage.attributes`).
public struct STUNAttributeSequence: Sequence {
    let bytes: UnsafeRawBufferPointer

    public struct Iterator: IteratorProtocol {
        let bytes: UnsafeRawBufferPointer
        var offset = stunHeaderSize

        public mutating func next() -> STUNAttribute? {
            guard offset + 4 <= bytes.count else { return nil }
            let p = bytes.baseAddress!
            let length = Int(p.be16(offset + 2))
            let padded = (length + 3) & ~3
            guard offset + 4 + padded <= bytes.count else { return nil }
            let a = STUNAttribute(type: STUNAttributeType(p.be16(offset)),
                                  value: UnsafeRawBufferPointer(rebasing: bytes[(offset + 4)..<(offset + 4 + length)]),
                                  offset: offset)
            offset += 4 + padded
            return a
        }
    }

    public func makeIterator() -> Iterator { Iterator(bytes: bytes) }
}

extension UnsafeRawPointer {
    @inline(__always) func be16(_ offset: Int) -> UInt16 {
        UInt16(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inline(__always) func be32(_ offset: Int) -> UInt32 {
        UInt32(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    @inline(__always) func be64(_ offset: Int) -> UInt64 {
        UInt64(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
}
