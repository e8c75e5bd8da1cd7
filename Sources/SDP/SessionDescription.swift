/// A parsed session description (RFC 8866), lossless: `serialized()` of a freshly parsed
/// description is byte-identical to the input. It is a plain value; the call model edits
/// copies of it and serializes the result.
public struct SessionDescription: Hashable, Sendable, SDPLineContainer {
    /// Session-level lines before the first `m=`, in order (`v= o= s= c= t= a= ...`).
    public var lines: [SDPLine]
    public var media: [MediaDescription]
    /// "\r\n" or "\n": the ending of the first line of the input (default "\r\n"). Lines
    /// whose ending differed in a mixed input keep their own ending; new lines get this one.
    public var lineEnding: String
    /// Whether the last line is followed by a line ending. False only when the input's last
    /// line had none; it applies to whatever line is last after edits.
    public var endsWithLineEnding: Bool
    /// Blank lines (only CR/LF) that followed the last line of the input, kept verbatim.
    public var trailer: String

    public static var lineOrder: LineOrder { .session }

    public init(lines: [SDPLine], media: [MediaDescription] = [], lineEnding: String = "\r\n") {
        self.lines = lines
        self.media = media
        self.lineEnding = lineEnding
        self.endsWithLineEnding = true
        self.trailer = ""
    }

    // MARK: Session-level typed lines

    /// The `o=` line. Setting replaces it in place (or inserts it after `v=`); nil removes it.
    public var origin: Origin? {
        get { firstLine("o", Origin.init(value:)) }
        set { setFirstLine("o", newValue?.value) }
    }

    /// The session-level `c=` line. Setting replaces it in place (or inserts it before `b=`/`t=`).
    public var connection: Connection? {
        get { firstLine("c", Connection.init(value:)) }
        set { setFirstLine("c", newValue?.value) }
    }

    /// The `s=` value.
    public var sessionName: String? {
        get { firstLine("s") { $0 } }
        set { setFirstLine("s", newValue) }
    }

    // MARK: Effective values (media level overrides session level)

    /// The media's own `c=`, else the session's.
    public func connection(for media: MediaDescription) -> Connection? {
        media.connection ?? connection
    }

    /// The media's direction attribute, else the session's, else sendrecv (RFC 3264 §5.1).
    public func direction(for media: MediaDescription) -> MediaDirection {
        media.direction ?? direction ?? .sendrecv
    }
}
