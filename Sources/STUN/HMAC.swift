// HMAC-SHA1 (MESSAGE-INTEGRITY) and HMAC-SHA256 (MESSAGE-INTEGRITY-SHA256) on OpenSSL's
// one-shot HMAC(), the only file of this target that imports COpenSSL.
import COpenSSL

enum STUNHMAC {
    /// HMAC-SHA1 of `data` under `key`, written to `out` (20 bytes).
    static func sha1(key: UnsafeRawBufferPointer, data: UnsafeRawBufferPointer, out: UnsafeMutableRawBufferPointer) {
        mac(EVP_sha1(), key: key, data: data, out: out, size: 20)
    }

    /// HMAC-SHA256 of `data` under `key`, written to `out` (32 bytes).
    static func sha256(key: UnsafeRawBufferPointer, data: UnsafeRawBufferPointer, out: UnsafeMutableRawBufferPointer) {
        mac(EVP_sha256(), key: key, data: data, out: out, size: 32)
    }

    private static func mac(_ md: OpaquePointer?, key: UnsafeRawBufferPointer, data: UnsafeRawBufferPointer,
                            out: UnsafeMutableRawBufferPointer, size: Int) {
        precondition(out.count >= size)
        var length: UInt32 = 0
        // HMAC() needs non-null pointers even for empty inputs.
        var zero: UInt8 = 0
        withUnsafeMutableBytes(of: &zero) { z in
            let k = key.count > 0 ? key.baseAddress! : UnsafeRawPointer(z.baseAddress!)
            let d = data.count > 0 ? data.baseAddress! : UnsafeRawPointer(z.baseAddress!)
            let result = HMAC(md, k, Int32(key.count), d.assumingMemoryBound(to: UInt8.self), data.count,
                              out.baseAddress!.assumingMemoryBound(to: UInt8.self), &length)
            precondition(result != nil && Int(length) == size, "OpenSSL HMAC failed")
        }
    }
}
