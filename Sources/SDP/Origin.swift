/// The `o=` line: `o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>`.
public struct Origin: Hashable, Sendable {
    public var username: String
    public var sessionID: String
    /// Kept as text: it may exceed UInt64, and rtpengine increments it textually.
    public var sessionVersion: String
    public var netType: String
    public var addressType: String
    public var address: String

    public init(username: String, sessionID: String, sessionVersion: String,
                netType: String = "IN", addressType: String, address: String) {
        self.username = username
        self.sessionID = sessionID
        self.sessionVersion = sessionVersion
        self.netType = netType
        self.addressType = addressType
        self.address = address
    }

    /// Parses the value of an `o=` line. Liberal like rtpengine: a username containing spaces
    /// (seen from broken user agents) is accepted by taking the last five tokens as the fields.
    public init?(value: String) {
        let tokens = Text.tokens(value)
        guard tokens.count >= 6 else { return nil }
        let n = tokens.count
        username = tokens[0..<(n - 5)].joined(separator: " ")
        sessionID = tokens[n - 5]
        sessionVersion = tokens[n - 4]
        netType = tokens[n - 3]
        addressType = tokens[n - 2]
        address = tokens[n - 1]
    }

    public var value: String {
        "\(username) \(sessionID) \(sessionVersion) \(netType) \(addressType) \(address)"
    }

    /// Adds one to `sessionVersion` as a decimal number of any length (RFC 8866 §5.2: the
    /// version must increase when the description changes). A non-numeric version is left as is.
    public mutating func incrementVersion() {
        guard Text.isDigits(sessionVersion) else { return }
        var digits = Array(sessionVersion.utf8)
        var i = digits.count - 1
        while i >= 0 {
            if digits[i] == UInt8(ascii: "9") {
                digits[i] = UInt8(ascii: "0")
                i -= 1
            } else {
                digits[i] += 1
                break
            }
        }
        if i < 0 { digits.insert(UInt8(ascii: "1"), at: 0) }
        sessionVersion = String(decoding: digits, as: UTF8.self)
    }
}
