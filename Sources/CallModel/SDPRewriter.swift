import SDP
import TandemBase

/// Rewrites a party's SDP for the party it is forwarded to, so that media flows through our
/// sockets: addresses and ports become ours, RTCP/rtcp-mux lines are regenerated, static payload
/// types get explicit a=rtpmap lines, and the options' `replace`/`ICE`/`transport-protocol` apply.
/// Everything else is passed through untouched and in order.
struct SDPRewriter {
    let options: OfferAnswerOptions
    let forOffer: Bool

    /// ICE attributes removed by `ICE=remove` (session and media level).
    static let iceAttributes: Set<String> = [
        "ice-ufrag", "ice-pwd", "ice-options", "ice-lite", "candidate", "remote-candidates", "end-of-candidates",
    ]

    /// `legs[i]` holds the sockets advertised to the receiving party for m= line `i`.
    func rewrite(_ input: SessionDescription, legs: [MediaLeg], media: [SenderMedia]) -> String {
        var sdp = input
        let primary = legs.first { $0.rtp != nil }?.interface
        rewriteSession(&sdp, interface: primary, allZero: media.allSatisfy { $0.rtp == nil && !$0.rejected })
        for index in sdp.media.indices where index < legs.count {
            rewriteMedia(&sdp.media[index], leg: legs[index])
        }
        return sdp.serialized()
    }

    private func rewriteSession(_ sdp: inout SessionDescription, interface: LocalInterface?, allZero: Bool) {
        guard let interface else { return }
        let address = interface.advertised
        if options.replace.contains(.origin) || options.replace.contains(.originFull), var origin = sdp.origin {
            origin.addressType = address.family.rawValue
            origin.address = address.description
            sdp.origin = origin
        }
        if options.replace.contains(.sdpVersion), var origin = sdp.origin, let version = UInt64(origin.sessionVersion) {
            origin.sessionVersion = String(version &+ 1)
            sdp.origin = origin
        }
        if var connection = sdp.connection, keepsZero(connection, allZero: allZero) == false {
            connection.addressType = address.family.rawValue
            connection.address = address.description
            sdp.connection = connection
        }
        if options.ice == .remove {
            sdp.removeAttributes { Self.iceAttributes.contains($0) }
        }
    }

    private func rewriteMedia(_ media: inout MediaDescription, leg: MediaLeg) {
        if leg.rejected || leg.rtp == nil {
            media.mediaLine.port = 0
            return
        }
        let address = leg.interface.advertised
        media.mediaLine.port = leg.rtp?.port ?? 0
        media.mediaLine.portCount = nil
        if let proto = options.transportProtocol { media.mediaLine.proto = proto }
        if var connection = media.connection, !keepsZero(connection, allZero: leg.zeroAddress) {
            connection.addressType = address.family.rawValue
            connection.address = address.description
            media.connection = connection
        }
        media.removeAttributes { ["rtcp", "rtcp-mux"].contains($0) }
        if options.ice == .remove {
            media.removeAttributes { Self.iceAttributes.contains($0) }
        }
        addStaticRTPMaps(&media)
        if MediaDirection.allCases.allSatisfy({ !media.hasAttribute($0.rawValue) }) {
            media.appendAttribute(MediaDirection.sendrecv.rawValue, nil)
        }
        appendRTCP(&media, leg: leg)
    }

    /// Old-style hold (c=0.0.0.0) is passed on as such unless `replace zero-address` is given.
    private func keepsZero(_ connection: Connection, allZero: Bool) -> Bool {
        guard let ip = IPAddress(connection.address), ip.isUnspecified else { return false }
        return !options.replace.contains(.zeroAddress)
    }

    /// rtpengine states every payload type explicitly: static ones without a=rtpmap get one.
    private func addStaticRTPMaps(_ media: inout MediaDescription) {
        let mapped = Set(media.attributes("rtpmap").compactMap { RTPMap(value: $0)?.payloadType })
        for format in media.mediaLine.formats {
            guard let pt = Int(format), !mapped.contains(pt), let map = StaticPayloadTypes.rtpmap(for: pt) else { continue }
            media.appendAttribute("rtpmap", map.value)
        }
    }

    private func appendRTCP(_ media: inout MediaDescription, leg: MediaLeg) {
        guard let rtp = leg.rtp else { return }
        let mux = forOffer ? leg.muxOfferedByUs : leg.muxed
        let rtcpPort = (leg.muxed ? rtp.port : leg.rtcp?.port) ?? rtp.port
        media.appendAttribute("rtcp", String(rtcpPort))
        if mux { media.appendAttribute("rtcp-mux", nil) }
    }
}
