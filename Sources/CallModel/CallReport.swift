import Bencode
import SDP
import TandemBase

/// Builds rtpengine's `query` dictionary for a call (also the reply of `delete`):
/// `created`, `created_us`, `last signal`, `SSRC`, `tags{...medias[streams[...]]}`, `totals`.
/// Layout recorded from rtpengine 10.5 in Tests/CallModelTests/Golden/replies/query-with-rtp.json.
struct CallReport {
    let call: Call
    let plane: MediaPlane
    /// Converts a monotonic instant to unix seconds (the report speaks wall-clock time).
    let toWallClock: (MonotonicTime) -> Double

    func dictionary() -> BencodeDictionary {
        var totals = (rtp: Counter(), rtcp: Counter())
        var tags = BencodeDictionary()
        var untagged = 0
        for monologue in call.monologues {
            var key = monologue.tag
            if key.isEmpty {
                untagged += 1
                key = "<untagged \(untagged)>"
            }
            tags[key] = .dictionary(tag(monologue, totals: &totals))
        }
        var d = BencodeDictionary()
        d["created"] = .integer(Int64(call.createdWallClock))
        d["created_us"] = .integer(Int64((call.createdWallClock - call.createdWallClock.rounded(.down)) * 1e6))
        d["last signal"] = .integer(Int64(toWallClock(call.lastSignal)))
        d["SSRC"] = .dictionary(BencodeDictionary())
        d["tags"] = .dictionary(tags)
        d["totals"] = ["RTP": totals.rtp.value, "RTCP": totals.rtcp.value]
        return d
    }

    private func tag(_ m: Monologue, totals: inout (rtp: Counter, rtcp: Counter)) -> BencodeDictionary {
        var d = BencodeDictionary()
        d["tag"] = .text(m.tag)
        if let label = m.label { d["label"] = .text(label) }
        d["created"] = .integer(Int64(m.createdWallClock))
        let peers: BencodeValue = .list(m.peer.map { [["tag": .text($0.tag), "type": "offer/answer"]] } ?? [])
        d["subscriptions"] = peers
        d["subscribers"] = peers
        d["medias"] = .list(m.medias.map { .dictionary(media($0, answerer: m.offerer != nil, totals: &totals)) })
        return d
    }

    private func media(_ leg: MediaLeg, answerer: Bool, totals: inout (rtp: Counter, rtcp: Counter)) -> BencodeDictionary {
        var d = BencodeDictionary()
        d["index"] = .integer(Int64(leg.index + 1))
        d["type"] = .text(leg.type)
        d["protocol"] = .text(leg.proto)
        var streams: [BencodeValue] = []
        if let rtp = leg.rtp {
            let stats = plane.stats(rtp)
            if let codec = Self.codecName(stats.payloadType, leg: leg) { d["codec"] = .text(codec) }
            // rtpengine's totals are sums of the stream stats: muxed RTCP counts on the RTP stream.
            totals.rtp.add(packets: stats.rtpPackets + stats.rtcpPackets,
                           bytes: stats.rtpBytes + stats.rtcpBytes, errors: stats.errors)
            streams.append(.dictionary(stream(rtp, leg: leg, stats: stats, rtcp: false)))
        }
        if let rtcp = leg.rtcp {
            let stats = plane.stats(rtcp)
            totals.rtcp.add(packets: stats.rtcpPackets, bytes: stats.rtcpBytes, errors: stats.errors)
            streams.append(.dictionary(stream(rtcp, leg: leg, stats: stats, rtcp: true)))
        }
        d["streams"] = .list(streams)
        var flags: [BencodeValue] = ["initialized"]
        if !leg.zeroAddress && !leg.rejected { flags += ["send", "recv"] }
        if leg.muxed { flags.append("rtcp-mux") }
        if let plan = leg.security.dtls {
            flags += ["DTLS-SRTP", plan.role == .client ? "DTLS role active" : "DTLS role passive"]
        } else if leg.security.inbound != nil {
            flags.append("SDES")
        }
        if answerer { flags.append("ICE controlling") }
        d["flags"] = .list(flags)
        return d
    }

    private func stream(_ socket: SocketHandle, leg: MediaLeg, stats: SocketStats, rtcp: Bool) -> BencodeDictionary {
        var d = BencodeDictionary()
        d["local port"] = .integer(Int64(socket.port))
        d["local address"] = .text(leg.interface.address.description)
        d["family"] = .text(Self.family(leg.interface.address))
        let configured = rtcp ? (leg.muxed ? leg.remoteRTP : leg.remoteRTCP) : leg.remoteRTP
        d["endpoint"] = .dictionary(Self.endpoint(stats.remote ?? configured))
        d["advertised endpoint"] = .dictionary(Self.endpoint(configured))
        d["last packet"] = .integer(Int64(stats.lastPacket.map(toWallClock) ?? call.createdWallClock))
        var flags: [BencodeValue] = rtcp ? ["RTCP"] : (leg.muxed ? ["RTP", "RTCP"] : ["RTP"])
        if configured != nil || stats.remote != nil { flags.append("filled") }
        if stats.latched { flags.append("confirmed") }
        if leg.latching.strictSource { flags.append("strict source") }
        if leg.latching.asymmetric { flags.append("asymmetric") }
        d["flags"] = .list(flags)
        if let suite = leg.security.suite { d["crypto suite"] = .text(suite) }
        if !rtcp, let ssrc = stats.ssrc { d["SSRC"] = .integer(Int64(ssrc)) }
        let packets = rtcp ? stats.rtcpPackets : stats.rtpPackets + stats.rtcpPackets
        let bytes = rtcp ? stats.rtcpBytes : stats.rtpBytes + stats.rtcpBytes
        d["stats"] = ["packets": .integer(Int64(packets)), "bytes": .integer(Int64(bytes)),
                      "errors": .integer(Int64(stats.errors))]
        return d
    }

    /// rtpengine's per-media `codec`: the payload type received most often on the RTP stream,
    /// as `NAME/CLOCK[/CHANNELS]` from the party's codec list; absent when none arrived or the
    /// payload type is not in the party's list (recorded: replies/query-with-rtp-codecs.json).
    static func codecName(_ payloadType: UInt8?, leg: MediaLeg) -> String? {
        guard let pt = payloadType else { return nil }
        if let format = leg.codec.store?.entry(pt)?.format {
            return format.channels == 1 ? "\(format.encoding)/\(format.clockRate)"
                : "\(format.encoding)/\(format.clockRate)/\(format.channels)"
        }
        guard leg.formats.contains(String(pt)), let map = StaticPayloadTypes.rtpmap(for: Int(pt)) else { return nil }
        return "\(map.encoding)/\(map.clockRate)" + (map.encodingParameters.map { "/\($0)" } ?? "")
    }

    static func family(_ ip: IPAddress) -> String { ip.family == .ipv4 ? "IPv4" : "IPv6" }

    static func endpoint(_ address: TransportAddress?) -> BencodeDictionary {
        guard let address else { return BencodeDictionary() }
        return ["family": .text(family(address.ip)), "address": .text(address.ip.description),
                "port": .integer(Int64(address.port))]
    }

    private struct Counter {
        var packets: UInt64 = 0, bytes: UInt64 = 0, errors: UInt64 = 0
        mutating func add(packets p: UInt64, bytes b: UInt64, errors e: UInt64) {
            packets += p
            bytes += b
            errors += e
        }
        var value: BencodeValue {
            ["packets": .integer(Int64(packets)), "bytes": .integer(Int64(bytes)), "errors": .integer(Int64(errors))]
        }
    }
}
