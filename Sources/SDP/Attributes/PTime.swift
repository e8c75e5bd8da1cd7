/// `a=ptime:<packet time>` (RFC 8866 §6.4), milliseconds of media per packet.
public struct PTime: SDPAttributeValue {
    public static let attributeName = "ptime"

    /// Whole milliseconds; a fractional value (`22.5`) is accepted and truncated, as
    /// rtpengine reads it with an integer conversion.
    public var milliseconds: Int

    public init(milliseconds: Int) { self.milliseconds = milliseconds }

    public init?(value: String) {
        guard let ms = PacketTimeText.parse(value) else { return nil }
        milliseconds = ms
    }

    public var value: String { String(milliseconds) }
}

/// `a=maxptime:<maximum packet time>` (RFC 8866 §6.5).
public struct MaxPTime: SDPAttributeValue {
    public static let attributeName = "maxptime"

    public var milliseconds: Int

    public init(milliseconds: Int) { self.milliseconds = milliseconds }

    public init?(value: String) {
        guard let ms = PacketTimeText.parse(value) else { return nil }
        milliseconds = ms
    }

    public var value: String { String(milliseconds) }
}

enum PacketTimeText {
    /// `<digits>[.<digits>]`, the integer part, at most one hour.
    static func parse(_ value: String) -> Int? {
        let (whole, fraction) = Text.splitFirst(Text.trimSpaces(value), at: UInt8(ascii: "."))
        if let fraction, !Text.isDigits(fraction) { return nil }
        return Text.decimal(whole, max: 3_600_000)
    }
}
