import NGProtocol

extension CodecOptions {
    /// The typed codec options of a parsed ng offer/answer (NGRequest already folded the
    /// `codec-*` / `transcode-*` / `always-transcode` flag spellings into `codec`).
    public init(request: NGRequest) {
        self.init()
        let codec = request.codec
        strip = codec.strip
        offer = codec.offer
        transcode = codec.transcode
        mask = codec.mask
        accept = codec.accept
        consume = codec.consume
        except = codec.except
        set = codec.set
        singleCodec = request.flags.contains(.singleCodec)
        allowAsymmetric = request.flags.contains(.allowAsymmetricCodecs)
        ptime = request.ptime.flatMap { $0 > 0 ? $0 : nil }
        ptimeReverse = request.ptimeReverse.flatMap { $0 > 0 ? $0 : nil }
    }
}
