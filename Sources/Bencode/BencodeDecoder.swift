/// Decodes bencode. Every malformed input yields a `BencodeError`; nothing traps.
///
/// Recursion depth is bounded by `Limits.maxDepth`, so hostile nesting cannot exhaust the stack.
/// Work is linear in the input size.
public struct BencodeDecoder: Sendable {
    public struct Limits: Sendable {
        /// Maximum nesting of lists and dictionaries (the top-level container counts as 1).
        public var maxDepth: Int
        /// Maximum length of a single string; a datagram is at most 64 KiB anyway.
        public var maxStringLength: Int
        /// rtpengine's leniency: input that ends where a list item or a dictionary key (or the
        /// closing `e`) is expected closes every open container (`d7:command4:ping` is a complete
        /// dictionary). Input ending inside a string, an integer, or after a key is still an error.
        public var closesContainersAtEnd: Bool

        public init(maxDepth: Int = 64, maxStringLength: Int = 16 << 20, closesContainersAtEnd: Bool = false) {
            self.maxDepth = maxDepth
            self.maxStringLength = maxStringLength
            self.closesContainersAtEnd = closesContainersAtEnd
        }
    }

    public var limits: Limits

    public init(limits: Limits = Limits()) { self.limits = limits }

    /// Decodes exactly one item that must span the whole buffer.
    public func decode(_ bytes: UnsafeRawBufferPointer) throws(BencodeError) -> BencodeValue {
        let (value, consumed) = try decodePrefix(bytes)
        guard consumed == bytes.count else {
            throw BencodeError(.trailingData, at: consumed, "\(bytes.count - consumed) bytes after the end of the item")
        }
        return value
    }

    /// Decodes one item from the start of the buffer and reports how many bytes it used;
    /// whatever follows is left to the caller (rtpengine ignores bytes after the dictionary).
    public func decodePrefix(_ bytes: UnsafeRawBufferPointer) throws(BencodeError) -> (value: BencodeValue, consumed: Int) {
        var cursor = BencodeCursor(bytes: bytes, limits: limits)
        let value = try cursor.parseValue(depth: 0)
        return (value, cursor.position)
    }

    /// Decodes one complete item from any byte collection ([UInt8], ArraySlice, Data views...).
    public func decode(_ bytes: some Collection<UInt8>) throws(BencodeError) -> BencodeValue {
        try Self.withRawBytes(bytes) { raw throws(BencodeError) in try decode(raw) }
    }

    public func decodePrefix(_ bytes: some Collection<UInt8>) throws(BencodeError) -> (value: BencodeValue, consumed: Int) {
        try Self.withRawBytes(bytes) { raw throws(BencodeError) in try decodePrefix(raw) }
    }

    /// Runs `body` over the bytes without copying when they are contiguous. Also bridges typed
    /// throws across `withContiguousStorageIfAvailable`, whose rethrows loses the error type.
    private static func withRawBytes<R>(
        _ bytes: some Collection<UInt8>, _ body: (UnsafeRawBufferPointer) throws(BencodeError) -> R
    ) throws(BencodeError) -> R {
        func run(_ buffer: UnsafeBufferPointer<UInt8>) -> Result<R, BencodeError> {
            do throws(BencodeError) { return .success(try body(UnsafeRawBufferPointer(buffer))) } catch { return .failure(error) }
        }
        if let result = bytes.withContiguousStorageIfAvailable(run) { return try result.get() }
        return try Array(bytes).withUnsafeBufferPointer(run).get()
    }
}

extension BencodeValue {
    /// Decodes a complete bencode item with default limits.
    public static func decode(_ bytes: some Collection<UInt8>) throws(BencodeError) -> BencodeValue {
        try BencodeDecoder().decode(bytes)
    }
}
