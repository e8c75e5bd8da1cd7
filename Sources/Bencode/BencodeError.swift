/// Why a byte sequence is not valid bencode, and where (offset of the offending byte from the
/// start of the decoded buffer).
public struct BencodeError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        /// Input ended in the middle of an item.
        case truncated
        /// A byte that cannot start or continue an item here.
        case unexpectedByte
        /// Integer syntax: empty, leading zero, "-0", or non-digits.
        case invalidInteger
        /// Integer outside Int64.
        case integerOverflow
        /// String length prefix with bad syntax (leading zero, sign, no colon).
        case invalidStringLength
        /// String length beyond the configured maximum or beyond Int.
        case stringTooLong
        /// A dictionary key that is not a string.
        case nonStringKey
        /// Bytes after a complete top-level item.
        case trailingData
        /// Lists/dictionaries nested deeper than the limit.
        case nestingTooDeep
    }

    public var kind: Kind
    public var offset: Int
    public var message: String

    public init(_ kind: Kind, at offset: Int, _ message: String) {
        self.kind = kind
        self.offset = offset
        self.message = message
    }

    public var description: String { "bencode error at byte \(offset): \(message)" }
}
