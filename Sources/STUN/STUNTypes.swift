// STUN vocabulary (RFC 8489, formerly RFC 5389): message types, attribute types, transaction ids
// and the typed errors every parse and build step returns. See DESIGN.md: wire formats are
// sans-IO, nothing here reads a clock or a socket, and nothing on the wire can crash it.

/// The fixed 32-bit value at bytes 4..<8 of every RFC 5389/8489 message.
public let stunMagicCookie: UInt32 = 0x2112_A442

/// The 20-byte header: type, length, magic cookie, transaction id.
public let stunHeaderSize = 20

/// The four message classes (the C1/C0 bits of the message type).
public enum STUNMessageClass: UInt8, Sendable, CaseIterable {
    case request = 0b00
    case indication = 0b01
    case successResponse = 0b10
    case errorResponse = 0b11
}

/// A 14-bit message type with the class bits interleaved (RFC 8489 section 5):
/// `M11..M7 C1 M6..M4 C0 M3..M0`.
public struct STUNMessageType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16

    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public init(method: UInt16, class messageClass: STUNMessageClass) {
        let m = method & 0x0fff
        let c = UInt16(messageClass.rawValue)
        rawValue = (m & 0x000f) | (m & 0x0070) << 1 | (m & 0x0f80) << 2 | (c & 1) << 4 | (c & 2) << 7
    }

    /// The 12-bit method (0x001 = Binding).
    public var method: UInt16 {
        (rawValue & 0x000f) | (rawValue & 0x00e0) >> 1 | (rawValue & 0x3e00) >> 2
    }

    public var messageClass: STUNMessageClass {
        STUNMessageClass(rawValue: UInt8((rawValue >> 4) & 1 | (rawValue >> 7) & 2))!
    }

    public static let bindingMethod: UInt16 = 0x001
    public static let bindingRequest = STUNMessageType(method: bindingMethod, class: .request)
    public static let bindingIndication = STUNMessageType(method: bindingMethod, class: .indication)
    public static let bindingSuccess = STUNMessageType(method: bindingMethod, class: .successResponse)
    public static let bindingError = STUNMessageType(method: bindingMethod, class: .errorResponse)

    public var description: String {
        let m = method == Self.bindingMethod ? "Binding" : "method 0x\(String(method, radix: 16))"
        return "\(m) \(messageClass)"
    }
}

/// An attribute type. 0x0000-0x7FFF are comprehension-required, 0x8000-0xFFFF optional.
public struct STUNAttributeType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    public static let mappedAddress = Self(0x0001)
    public static let username = Self(0x0006)
    public static let messageIntegrity = Self(0x0008)
    public static let errorCode = Self(0x0009)
    public static let unknownAttributes = Self(0x000A)
    public static let realm = Self(0x0014)
    public static let nonce = Self(0x0015)
    public static let messageIntegritySHA256 = Self(0x001C)
    public static let xorMappedAddress = Self(0x0020)
    /// RFC 8445 section 16.1.
    public static let priority = Self(0x0024)
    public static let useCandidate = Self(0x0025)
    public static let software = Self(0x8022)
    public static let fingerprint = Self(0x8028)
    public static let iceControlled = Self(0x8029)
    public static let iceControlling = Self(0x802A)

    /// Types below 0x8000 must be understood by the receiver (RFC 8489 section 14).
    public var isComprehensionRequired: Bool { rawValue < 0x8000 }

    public var description: String { "0x" + String(rawValue, radix: 16, uppercase: true) }
}

/// The 96-bit transaction id, stored by value.
public struct STUNTransactionID: Hashable, Sendable, CustomStringConvertible {
    /// Bytes 0..<4 of the id (message bytes 8..<12), big-endian.
    public var high: UInt32
    /// Bytes 4..<12 of the id (message bytes 12..<20), big-endian.
    public var low: UInt64

    public init(high: UInt32, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// From exactly 12 bytes; nil otherwise.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 12 else { return nil }
        var h: UInt32 = 0
        var l: UInt64 = 0
        for (i, b) in bytes.enumerated() {
            if i < 4 { h = h << 8 | UInt32(b) } else { l = l << 8 | UInt64(b) }
        }
        self.init(high: h, low: l)
    }

    /// A fresh id from `generator` (the system generator is a CSPRNG, as RFC 8489 asks).
    public static func random(using generator: inout some RandomNumberGenerator) -> Self {
        Self(high: generator.next(), low: generator.next())
    }

    public static func random() -> Self {
        var g = SystemRandomNumberGenerator()
        return random(using: &g)
    }

    /// The twelve bytes in wire order.
    public var bytes: [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: high >> (24 - 8 * UInt32($0))) }
            + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * UInt64($0))) }
    }

    public var description: String { bytes.map { String($0, radix: 16) }.map { $0.count == 1 ? "0" + $0 : $0 }.joined() }
}

/// Why bytes are not an acceptable STUN message, or why one could not be written.
public enum STUNError: Error, Hashable, Sendable {
    /// Fewer than 20 bytes.
    case tooShort
    /// One of the two most significant bits is set: not STUN (RFC 7983 would say RTP, DTLS, ...).
    case notSTUN
    /// The magic cookie is not 0x2112A442 (RFC 3489 messages are not accepted).
    case badMagicCookie
    /// The length field is not a multiple of 4.
    case lengthNotMultipleOf4
    /// 20 + the length field differs from the datagram size.
    case lengthMismatch(header: Int, datagram: Int)
    /// An attribute's header or value (with its padding) runs past the message.
    case truncatedAttribute(offset: Int)
    /// A known attribute has a length its definition does not allow.
    case badAttributeLength(STUNAttributeType, Int)
    /// An address attribute with a family other than 0x01 (IPv4) or 0x02 (IPv6).
    case badAddressFamily(UInt8)
    /// ERROR-CODE with a class outside 3...6 or a number above 99.
    case badErrorCode
    /// Something follows FINGERPRINT, which must be last.
    case attributeAfterFingerprint
    /// The caller's buffer cannot hold what was asked to be written.
    case bufferTooSmall
    /// The message would exceed 65535 bytes of attributes, or a value exceeds 65535 bytes.
    case valueTooLong
    /// An attribute was appended after FINGERPRINT (or a non-FINGERPRINT after integrity).
    case attributeOrder
}
