import SDP
import STUN
import TandemBase

/// Rewrites a party's SDP for the party it is forwarded to, so that media flows through our
/// sockets, producing what rtpengine 10.5 produces (Tests/CallModelTests/Golden/REFERENCE-NOTES.md):
/// - session: c= rewritten in place (never added); direction, BUNDLE and ICE attributes removed;
///   o= untouched unless `replace` asks; everything else copied in place.
/// - each media section is regrouped as `m=`, `c=`/`b=`, unmanaged attributes in input order,
///   `a=mid`, the codec block per payload type in m= order (rtpmap, fmtp, rtcp-fb), direction,
///   `a=rtcp`, `a=rtcp-mux`, SDES/DTLS attributes, `a=ptime`, then ICE.
struct SDPRewriter {
    let options: OfferAnswerOptions
    let forOffer: Bool

    static let iceAttributes: Set<String> = [
        "ice-ufrag", "ice-pwd", "ice-options", "ice-lite", "ice-mismatch", "candidate",
        "remote-candidates", "end-of-candidates",
    ]
    static let directions = Set(MediaDirection.allCases.map(\.rawValue))

    /// `legs[i]` holds the sockets advertised to the receiving party for m= line `i`.
    func rewrite(_ input: SessionDescription, text: String, legs: [MediaLeg], media: [SenderMedia],
                 sender: Monologue) -> String {
        var sdp = input
        let sessionDirection = input.lines.lazy.compactMap { $0.attributeName.flatMap(MediaDirection.init) }.first
        let primary = legs.first { $0.rtp != nil }?.interface
        rewriteSession(&sdp, interface: primary, text: text, sender: sender)
        for index in sdp.media.indices where index < legs.count {
            let live = !legs[index].rejected && legs[index].rtp != nil
            sdp.media[index] = live
                ? rewriteLiveMedia(sdp.media[index], index: index, leg: legs[index], sender: media[index],
                                   sessionDirection: sessionDirection)
                : rewriteRejectedMedia(sdp.media[index], index: index, leg: legs[index])
        }
        return sdp.serialized()
    }

    // MARK: - Session

    private func rewriteSession(_ sdp: inout SessionDescription, interface: LocalInterface?,
                                text: String, sender: Monologue) {
        if let interface { rewriteAddresses(&sdp, interface: interface) }
        rememberAndReplaceOriginFields(&sdp, sender: sender)
        replaceVersion(&sdp, text: text, sender: sender)
        sdp.lines.removeAll { line in
            guard let name = line.attributeName else { return false }
            return Self.directions.contains(name) || Self.iceAttributes.contains(name)
                || (name == "group" && line.value.hasPrefix("group:BUNDLE"))
        }
    }

    private func rewriteAddresses(_ sdp: inout SessionDescription, interface: LocalInterface) {
        let address = options.mediaAddress ?? interface.advertised
        if options.replace.contains(.origin) || options.replace.contains(.originFull), var origin = sdp.origin {
            origin.addressType = interface.advertised.family.rawValue
            origin.address = interface.advertised.description
            sdp.origin = origin
        }
        if let connection = sdp.connection {
            sdp.connection = rewritten(connection, to: address)
        }
    }

    /// `replace username` / `session-name`: later SDPs of a party repeat its first SDP's values.
    private func rememberAndReplaceOriginFields(_ sdp: inout SessionDescription, sender: Monologue) {
        if sender.firstOriginUsername == nil { sender.firstOriginUsername = sdp.origin?.username }
        if sender.firstSessionName == nil { sender.firstSessionName = sdp.sessionName }
        if options.replace.contains(.username), var origin = sdp.origin, let first = sender.firstOriginUsername {
            origin.username = first
            sdp.origin = origin
        }
        if options.replace.contains(.sessionName), let first = sender.firstSessionName,
           let index = sdp.lines.firstIndex(where: { $0.type == "s" }) {
            sdp.lines[index].value = first
        }
    }

    /// `replace SDP-version`: an unchanged SDP keeps the version we sent last time; a changed one
    /// gets that version plus one (so the recipient notices the change even if the sender did not
    /// bump its own version).
    private func replaceVersion(_ sdp: inout SessionDescription, text: String, sender: Monologue) {
        defer { sender.lastSDP = text }
        guard options.replace.contains(.sdpVersion), var origin = sdp.origin else { return }
        if let previous = sender.lastSDP, let sent = sender.lastSentVersion {
            origin.sessionVersion = previous == text ? sent : Self.increment(sent)
            sdp.origin = origin
        }
        sender.lastSentVersion = origin.sessionVersion
    }

    private static func increment(_ version: String) -> String {
        UInt64(version).map { String($0 &+ 1) } ?? version
    }

    // MARK: - Media

    private func rewriteLiveMedia(_ input: MediaDescription, index: Int, leg: MediaLeg, sender: SenderMedia,
                                  sessionDirection: MediaDirection?) -> MediaDescription {
        var media = input
        let address = options.mediaAddress ?? leg.interface.advertised
        media.mediaLine.port = leg.rtp?.port ?? 0
        media.mediaLine.portCount = nil
        if forOffer {
            if let proto = options.transportProtocol { media.mediaLine.proto = proto }
        } else {
            // The offerer hears back its own protocol, and only payload types it offered.
            media.mediaLine.proto = options.transportProtocol ?? leg.proto
            let offered = media.mediaLine.formats.filter(leg.formats.contains)
            if !offered.isEmpty { media.mediaLine.formats = offered }
        }
        var groups = AttributeGroups(input, formats: media.mediaLine.formats)
        groups.addStaticRTPMaps()
        var codecLines = groups.codecLines
        if let block = CodecNegotiation.sdpBlock(for: leg) {  // the negotiated codec list (Codecs/)
            media.mediaLine.formats = block.formats
            codecLines = block.lines
        }
        groups.mid = midLines(groups.mid, index: index, leg: leg)
        var lines = rewrittenPlain(groups.plain, to: address)
        lines += groups.other + groups.mid + codecLines
        let direction = sender.zeroAddress ? .sendonly : (groups.direction ?? sessionDirection ?? .sendrecv)
        lines.append(.attribute(direction.rawValue))
        lines += rtcpLines(leg: leg, address: address)
        if groups.ptime.isEmpty, !forOffer, let ptime = leg.ptime {
            groups.ptime = [.attribute("ptime", ptime)]  // an answer without ptime keeps the offer's
        }
        if let forced = CodecNegotiation.ptimeLines(for: leg) { groups.ptime = forced }
        // We terminate SRTP; rtpengine writes a=ptime after a=crypto/setup/fingerprint (golden 171).
        lines += leg.security.sdpLines + groups.ptime + iceLines(leg: leg)
        media.lines = lines
        return media
    }

    /// a=mid as rtpengine 10.5 writes it (golden 062, 170-179): an offer keeps the sender's mid,
    /// or gets `N` (the 1-based m= index) with `generate-mid`; an answer carries the offerer's own
    /// mid, whatever the answerer wrote (none if the offerer had none).
    private func midLines(_ input: [SDPLine], index: Int, leg: MediaLeg) -> [SDPLine] {
        if !forOffer { return leg.mid.map { [.attribute("mid", $0)] } ?? [] }
        if input.isEmpty, options.generateMid { return [.attribute("mid", String(index + 1))] }
        return input
    }

    /// A rejected stream (port 0) keeps its payload list, its c=/b= (c= rewritten as for a live
    /// stream), unmanaged attributes and a=mid (golden 173, 175).
    private func rewriteRejectedMedia(_ input: MediaDescription, index: Int, leg: MediaLeg) -> MediaDescription {
        var media = input
        media.mediaLine.port = 0
        let groups = AttributeGroups(input, formats: input.mediaLine.formats)
        let address = options.mediaAddress ?? leg.interface.advertised
        media.lines = rewrittenPlain(groups.plain, to: address) + groups.other
            + midLines(groups.mid, index: index, leg: leg)
        return media
    }

    /// Non-attribute lines with any c= pointed at `address`.
    private func rewrittenPlain(_ plain: [SDPLine], to address: IPAddress) -> [SDPLine] {
        plain.map { line -> SDPLine in
            guard line.type == "c", let connection = Connection(value: line.value) else { return line }
            var copy = line
            copy.value = rewritten(connection, to: address).value
            return copy
        }
    }

    private func rtcpLines(leg: MediaLeg, address: IPAddress) -> [SDPLine] {
        guard let rtp = leg.rtp else { return [] }
        let mux = forOffer ? leg.muxOfferedByUs : leg.muxed
        let rtcpPort = (leg.muxed ? rtp.port : leg.rtcp?.port) ?? rtp.port
        var lines: [SDPLine] = []
        switch options.rtcpAttribute {
        case .omit: break
        case .port: lines.append(.attribute("rtcp", String(rtcpPort)))
        case .full: lines.append(.attribute("rtcp", "\(rtcpPort) IN \(address.family.rawValue) \(address)"))
        }
        if mux { lines.append(.attribute("rtcp-mux")) }
        return lines
    }

    /// One random foundation seed per process: rtpengine draws its foundations per local address
    /// at start-up.
    static let foundationSeed = UInt64.random(in: .min ... .max)

    /// Our ICE towards the leg's party: ufrag, pwd, ice-options (as that party's SDP had them),
    /// host candidates (component 1 on every address, IPv4 first, then component 2 unless
    /// muxed), and a=end-of-candidates with trickle.
    private func iceLines(leg: MediaLeg) -> [SDPLine] {
        let trickle = leg.iceOptionsOut?.split(separator: " ").contains("trickle") ?? false
        let options: [SDPLine] = leg.iceOptionsOut.map { [.attribute("ice-options", $0)] } ?? []
        guard leg.iceAdvertised, let credentials = leg.localICE, let rtp = leg.rtp else {
            return options + (trickle ? [.attribute("end-of-candidates")] : [])
        }
        var lines: [SDPLine] = [.attribute("ice-ufrag", credentials.ufrag), .attribute("ice-pwd", credentials.pwd)]
        lines += options
        var hosts = [(leg.interface.advertised, rtp.port, leg.rtcp?.port ?? rtp.port)]
        hosts += leg.iceExtra.map { ($0.interface.advertised, $0.rtp.port, $0.rtcp.port) }
        let ordered = hosts.enumerated().sorted { a, b in
            let (fa, fb) = (a.element.0.family == .ipv4 ? 0 : 1, b.element.0.family == .ipv4 ? 0 : 1)
            return fa != fb ? fa < fb : a.offset < b.offset
        }.map(\.element)
        for component in leg.muxed ? [1] : [1, 2] {
            for (index, host) in ordered.enumerated() {
                let priority = ICECandidates.priority(localPreference: UInt32(65535 - index), component: component)
                let foundation = ICECandidates.foundation(for: host.0, seed: Self.foundationSeed)
                let port = component == 1 ? host.1 : host.2
                lines.append(.attribute("candidate", "\(foundation) \(component) UDP \(priority) \(host.0) \(port) typ host"))
            }
        }
        if trickle { lines.append(.attribute("end-of-candidates")) }
        return lines
    }

    /// Old-style hold (c=0.0.0.0) is passed on as such unless `replace zero-address` is given.
    private func rewritten(_ connection: Connection, to address: IPAddress) -> Connection {
        if let ip = IPAddress(connection.address), ip.isUnspecified, !options.replace.contains(.zeroAddress) {
            return connection
        }
        var copy = connection
        copy.addressType = address.family.rawValue
        copy.address = address.description
        return copy
    }
}
