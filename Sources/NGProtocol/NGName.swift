/// rtpengine accepts keys and flags spelled with spaces, hyphens or underscores, in several
/// capitalisations ("trust address", "trust-address", "SIP-source-address", "call id").
/// We fold them all into one canonical form: ASCII lower case, with ' ' and '_' as '-'.
///
/// The mapping is byte-for-byte, so a canonical string has the same length as its source and a
/// prefix found in the canonical form can be cut from the raw bytes at the same offset; that
/// keeps case and underscores in values such as crypto suite names (`SDES-no-AES_CM_128_HMAC_SHA1_32`).
enum NGName {
    static func canonicalBytes(_ raw: some Collection<UInt8>) -> [UInt8] {
        raw.map { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): return byte | 0x20
            case UInt8(ascii: " "), UInt8(ascii: "_"): return UInt8(ascii: "-")
            default: return byte
            }
        }
    }

    static func canonical(_ raw: some Collection<UInt8>) -> String {
        String(decoding: canonicalBytes(raw), as: UTF8.self)
    }

    static func canonical(_ text: String) -> String { canonical(Array(text.utf8)) }

    /// rtpengine's escapes inside flag values, where '=' and ' ' cannot be written:
    /// "--" stands for '=' and ".." for ' ' (e.g. `codec-transcode-iLBC/8000/1///mode--30`).
    static func unescapeFlagValue(_ raw: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var index = 0
        while index < raw.count {
            if index + 1 < raw.count, raw[index] == raw[index + 1],
               raw[index] == UInt8(ascii: "-") || raw[index] == UInt8(ascii: ".") {
                out.append(raw[index] == UInt8(ascii: "-") ? UInt8(ascii: "=") : UInt8(ascii: " "))
                index += 2
            } else {
                out.append(raw[index])
                index += 1
            }
        }
        return out
    }
}
