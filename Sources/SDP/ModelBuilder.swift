/// Distributes parsed lines into the session level and media sections, checking the few
/// structural rules that rtpengine enforces (see `SDPParser`).
struct ModelBuilder {
    private var description: SessionDescription
    /// Whether the current level (session, or the last media section) already has an o=/c=.
    private var sawOrigin = false
    private var sawConnection = false

    init(lineEnding: String) {
        description = SessionDescription(lines: [], lineEnding: lineEnding)
    }

    mutating func add(_ line: SDPLine, number: Int) throws(SDPError) {
        let inMedia = !description.media.isEmpty
        switch line.type {
        case "v" where number > 1:
            throw .misplacedLine(line: number, type: "v", reason: "may only be the first line")
        case "m":
            try startMedia(line, number: number)
            return
        case "o":
            if inMedia { throw .misplacedLine(line: number, type: "o", reason: "is inside a media section") }
            if sawOrigin { throw .misplacedLine(line: number, type: "o", reason: "appears twice") }
            guard Origin(value: line.value) != nil else { throw .malformedOrigin(line: number) }
            sawOrigin = true
        case "s" where inMedia:
            throw .misplacedLine(line: number, type: "s", reason: "is inside a media section")
        case "c":
            if sawConnection { throw .misplacedLine(line: number, type: "c", reason: "appears twice at one level") }
            guard Connection(value: line.value) != nil else { throw .malformedConnection(line: number) }
            sawConnection = true
        default:
            break
        }
        append(line)
    }

    private mutating func startMedia(_ line: SDPLine, number: Int) throws(SDPError) {
        switch MediaLine.parse(line.value) {
        case .failure(let failure):
            throw .malformedMediaLine(line: number, reason: failure.reason)
        case .success(let mediaLine):
            let source = MediaDescription.Source(parsed: mediaLine, text: line.value, endingOverride: line.endingOverride)
            description.media.append(MediaDescription(mediaLine: mediaLine, source: source))
            sawConnection = false
        }
    }

    private mutating func append(_ line: SDPLine) {
        if description.media.isEmpty {
            description.lines.append(line)
        } else {
            description.media[description.media.count - 1].lines.append(line)
        }
    }

    func finish() -> SessionDescription { description }
}
