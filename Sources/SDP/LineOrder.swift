/// The order of line types fixed by RFC 8866 §5, used to place a line that the call model adds
/// (for example a media-level `c=` that must precede `b=` and `a=`).
public struct LineOrder: Sendable {
    let types: [Character]

    /// `v o s i u e p c b t r z k a` — the session-level order.
    public static let session = LineOrder(types: ["v", "o", "s", "i", "u", "e", "p", "c", "b", "t", "r", "z", "k", "a"])
    /// `i c b k a` — the media-level order (after `m=`).
    public static let media = LineOrder(types: ["i", "c", "b", "k", "a"])

    func rank(_ type: Character) -> Int? { types.firstIndex(of: type) }

    /// Before the first line whose known rank is greater than `type`'s; at the end otherwise.
    /// Lines of unknown types never decide the position. An unknown `type` goes at the end.
    func insertionIndex(for type: Character, in lines: [SDPLine]) -> Int {
        guard let newRank = rank(type) else { return lines.count }
        return lines.firstIndex { line in rank(line.type).map { $0 > newRank } ?? false } ?? lines.count
    }
}
