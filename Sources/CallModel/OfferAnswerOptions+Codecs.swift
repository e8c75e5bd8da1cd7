import NGProtocol

extension CodecOptions {
    /// The typed codec options of a parsed ng offer/answer (NGRequest already folded the
    /// `codec-*` / `transcode-*` / `always-transcode` flag spellings into `codec`).
    public init(request: NGRequest) {
        self.init()
        lists = request.codec
        singleCodec = request.flags.contains(.singleCodec)
        allowAsymmetric = request.flags.contains(.allowAsymmetricCodecs)
        ptime = request.ptime.flatMap { $0 > 0 ? $0 : nil }
        ptimeReverse = request.ptimeReverse.flatMap { $0 > 0 ? $0 : nil }
    }
}
