import Bencode
import CTandemSys
import CallModel
import MediaIO
import TandemBase

/// rtpengine's `statistics` reply, with the sections and key names it uses (see
/// Tests/CallModelTests/Golden/replies/statistics.json) for what we measure, plus a `tandem`
/// section for counters rtpengine does not have (per-reason drops, kernel buffer overflows).
extension MediaEngine {
    func statistics() -> BencodeDictionary {
        let snapshots = snapshots()
        let registry = snapshots.map(\.registry).reduce(RegistryCounters(), +)
        let media = snapshots.map(\.media).reduce(LoopCounters(), +)
        let sessions = snapshots.reduce(0) { $0 + $1.callIDs.count }
        let uptime = MonotonicTime(nanoseconds: tandem_monotonic_ns(0)).seconds(since: startedAt)

        let current: BencodeDictionary = [
            "sessionsown": .integer(Int64(sessions)),
            "sessionsforeign": 0,
            "sessionstotal": .integer(Int64(sessions)),
            "transcodedmedia": 0,
        ]
        let total: BencodeDictionary = [
            "uptime": .text(String(Int(uptime))),
            "managedsessions": .integer(Int64(registry.callsCreated)),
            "rejectedsessions": 0,
            "timeoutsessions": .integer(Int64(registry.timeouts + registry.offerTimeouts)),
            "silenttimeoutsessions": .integer(Int64(registry.silentTimeouts)),
            "finaltimeoutsessions": .integer(Int64(registry.finalTimeouts)),
            "offertimeoutsessions": .integer(Int64(registry.offerTimeouts)),
            "regularterminatedsessions": .integer(Int64(registry.deleted)),
            "forcedterminatedsessions": 0,
            "relayedpackets": .integer(Int64(media.packetsRelayed)),
            "relayedpackets_user": .integer(Int64(media.packetsRelayed)),
            "relayedpackets_kernel": 0,
            "relayedpacketerrors": .integer(Int64(media.drops)),
            "relayedpacketerrors_user": .integer(Int64(media.drops)),
            "relayedpacketerrors_kernel": 0,
            "relayedbytes": .integer(Int64(media.bytesRelayed)),
            "relayedbytes_user": .integer(Int64(media.bytesRelayed)),
            "relayedbytes_kernel": 0,
        ]
        let tandem: BencodeDictionary = [
            "packetsreceived": .integer(Int64(media.packetsReceived)),
            "dropsmalformed": .integer(Int64(media.dropsMalformed)),
            "dropsstrictsource": .integer(Int64(media.dropsStrictSource)),
            "dropsnodestination": .integer(Int64(media.dropsNoDestination)),
            "dropssendfailed": .integer(Int64(media.dropsSendFailed)),
            "dropssrtp": .integer(Int64(media.dropsSRTP)),
            "dropssrtpprotect": .integer(Int64(media.dropsSRTPProtect)),
            "dtlshandshakes": .integer(Int64(registry.dtlsHandshakes)),
            "dtlsfailures": .integer(Int64(registry.dtlsFailures)),
            "stunchecks": .integer(Int64(registry.stunChecks)),
            "stunrejected": .integer(Int64(registry.stunRejected)),
            "kerneloverflows": .integer(Int64(media.kernelOverflows)),
            "packetloops": .integer(Int64(loops.count)),
            "transcodedpackets": .integer(Int64(media.transcodedPackets)),
            "dropstranscode": .integer(Int64(media.dropsTranscode)),
            "rtcpconsumed": .integer(Int64(media.rtcpConsumed)),
            "rtcpgenerated": .integer(Int64(media.rtcpGenerated)),
        ]
        return [
            "currentstatistics": .dictionary(current),
            "totalstatistics": .dictionary(total),
            "interfaces": .list(interfaces(snapshots)),
            "tandem": .dictionary(tandem),
        ]
    }

    /// One entry per interface address; ports are shared by every interface of a loop.
    private func interfaces(_ snapshots: [LoopSnapshot]) -> [BencodeValue] {
        let used = snapshots.reduce(0) { $0 + $1.portsInUse }
        let capacity = snapshots.reduce(0) { $0 + $1.portCapacity }
        return settings.registry.interfaces.all.map { interface in
            let ports: BencodeDictionary = [
                "min": .integer(Int64(settings.portRange.lowerBound)),
                "max": .integer(Int64(settings.portRange.upperBound)),
                "used": .integer(Int64(used)),
                "free": .integer(Int64(capacity - used)),
            ]
            return ["name": .text(interface.name), "address": .text(interface.address.description),
                    "ports": .dictionary(ports)]
        }
    }
}
