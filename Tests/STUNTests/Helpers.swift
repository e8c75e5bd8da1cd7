import STUN
import TandemBase

/// Hex as printed in RFCs (spaces, line breaks) to bytes.
func hex(_ s: String) -> [UInt8] {
    let digits = s.unicodeScalars.filter { ("0"..."9").contains($0) || ("a"..."f").contains($0) || ("A"..."F").contains($0) }
    let chars = Array(String(String.UnicodeScalarView(digits)).utf8)
    return stride(from: 0, to: chars.count, by: 2).map { UInt8(String(decoding: chars[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
}

/// Parses `bytes` and runs `body` on the view (the view must not escape the closure).
func withMessage<R>(_ bytes: [UInt8], _ body: (STUNMessage) throws -> R) throws -> R {
    try bytes.withUnsafeBytes { raw in try body(try STUNMessage(raw)) }
}

/// The parse error for `bytes`, or nil when they parse.
func parseError(_ bytes: [UInt8]) -> STUNError? {
    bytes.withUnsafeBytes { raw in
        do throws(STUNError) {
            _ = try STUNMessage(raw)
            return nil
        } catch {
            return error
        }
    }
}

/// Builds a message into a fresh array.
func build(_ type: STUNMessageType, _ tid: STUNTransactionID, padding: UInt8 = 0,
           _ body: (inout STUNWriter) throws -> Void) throws -> [UInt8] {
    var buffer = [UInt8](repeating: 0xEE, count: 2048)
    let count = try buffer.withUnsafeMutableBytes { raw -> Int in
        var w = try STUNWriter(into: raw, type: type, transactionID: tid, paddingByte: padding)
        try body(&w)
        return w.count
    }
    return Array(buffer[0..<count])
}

func addr(_ s: String) -> TransportAddress { TransportAddress(s)! }
