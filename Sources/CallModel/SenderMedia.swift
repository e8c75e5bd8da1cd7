import SDP
import STUN
import TandemBase

/// What one m= line of a received SDP says about its sender: where it wants media and how.
struct SenderMedia: Equatable {
    var index: Int
    var type: String
    var proto: String
    /// Where the sender receives RTP; nil on hold (0.0.0.0) or when the port is 0.
    var rtp: TransportAddress?
    var rtcp: TransportAddress?
    /// The address family of the sender's c= line (even on hold), used to pick our interface.
    var family: IPAddress.Family
    var rtcpMux: Bool
    var rejected: Bool
    /// a=sendonly or a=inactive: the sender does not want media (hold).
    var holding = false
    /// The m= payload types, and a=ptime if given.
    var formats: [String] = []
    var ptime: String?
    /// The m= section has ICE (a=ice-ufrag or a=candidate); the credentials may come from the
    /// session level. `iceOptions` is a=ice-options (media level, else session level).
    var hasICE = false
    var ice: ICEShortTermCredentials?
    var iceOptions: String?
    /// a=crypto, a=fingerprint, a=setup (Security/SecurityNegotiation.swift).
    var security = SenderSecurity()
    /// a=mid of the m= section.
    var mid: String?

    /// c=0.0.0.0 on a live stream (old-style hold).
    var zeroAddress: Bool { rtp == nil && !rejected }

    /// Reads every m= line of `sdp`. The address comes from media-level c=, else session-level c=,
    /// unless `options` says to use the SIP source (`received-from`).
    static func read(_ sdp: SessionDescription, options: OfferAnswerOptions) throws(CallError) -> [SenderMedia] {
        var result: [SenderMedia] = []
        for (index, media) in sdp.media.enumerated() {
            let connection = media.connection ?? sdp.connection
            guard let connection, let sdpAddress = IPAddress(connection.address) else {
                if media.mediaLine.port == 0 {
                    result.append(rejected(index: index, media: media))
                    continue
                }
                throw .sdpParse("media \(index + 1) has no usable c= address")
            }
            let address = effectiveAddress(sdpAddress, options: options)
            var item = read(media, index: index, address: address)
            let direction = media.direction ?? sdp.direction
            item.holding = direction == .sendonly || direction == .inactive
            item.hasICE = media.hasAttribute("ice-ufrag") || media.hasAttribute("candidate")
            if item.hasICE {
                if let ufrag = media.attribute("ice-ufrag") ?? sdp.attribute("ice-ufrag"),
                   let pwd = media.attribute("ice-pwd") ?? sdp.attribute("ice-pwd") {
                    item.ice = ICEShortTermCredentials(ufrag: ufrag, pwd: pwd)
                }
                item.iceOptions = media.attribute("ice-options") ?? sdp.attribute("ice-options")
            }
            item.security = SecurityNegotiation.read(media, session: sdp)
            item.mid = media.attribute("mid")
            result.append(item)
        }
        return result
    }

    private static func effectiveAddress(_ sdpAddress: IPAddress, options: OfferAnswerOptions) -> IPAddress {
        // Hold (0.0.0.0) stays hold whatever the source address says.
        if options.addressSource == .sipSource, let source = options.receivedFrom, !sdpAddress.isUnspecified {
            return source
        }
        return sdpAddress
    }

    private static func read(_ media: MediaDescription, index: Int, address: IPAddress) -> SenderMedia {
        let line = media.mediaLine
        let port = line.port
        let live = port != 0 && !address.isUnspecified
        var rtcp: TransportAddress?
        if live {
            if let value = media.attribute("rtcp"), let attribute = RTCPAttribute(value: value) {
                let ip = attribute.connection.flatMap { IPAddress($0.address) } ?? address
                rtcp = TransportAddress(ip: ip, port: attribute.port)
            } else if port < UInt16.max {
                rtcp = TransportAddress(ip: address, port: port + 1)
            }
        }
        return SenderMedia(
            index: index, type: line.media, proto: line.proto,
            rtp: live ? TransportAddress(ip: address, port: port) : nil,
            rtcp: rtcp, family: address.family,
            rtcpMux: media.hasAttribute("rtcp-mux"), rejected: port == 0,
            formats: line.formats, ptime: media.attribute("ptime"))
    }

    private static func rejected(index: Int, media: MediaDescription) -> SenderMedia {
        SenderMedia(index: index, type: media.mediaLine.media, proto: media.mediaLine.proto,
                    rtp: nil, rtcp: nil, family: .ipv4, rtcpMux: false, rejected: true)
    }
}
