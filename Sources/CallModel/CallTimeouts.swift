import TandemBase

/// rtpengine's call expiry rules, evaluated by the owning loop's periodic tick:
/// - `delete-delay`: a deleted call lingers until its `deleteAt`, then goes.
/// - `final-timeout`: a hard limit since creation, whatever happens (0 = off).
/// - `offer-timeout`: an offer never answered is dropped after this long since the last signal.
/// - `timeout`: no media received on any socket of the call for this long.
/// - `silent-timeout`: the same, for calls whose every stream is on hold (sendonly/inactive/0.0.0.0).
extension CallRegistry {
    /// Removes expired calls and returns them with the reason, for logging and statistics.
    @discardableResult
    public func expire(now: MonotonicTime) -> [(callID: String, reason: RemovalReason)] {
        tickDTLS(now: now)
        var removed: [(String, RemovalReason)] = []
        for call in Array(calls.values) {
            guard let reason = expiry(of: call, now: now) else { continue }
            destroy(call, reason: reason)
            removed.append((call.callID, reason))
        }
        return removed
    }

    func expiry(of call: Call, now: MonotonicTime) -> RemovalReason? {
        if let deleteAt = call.deleteAt, now >= deleteAt { return .deleted }
        if settings.finalTimeout > 0, now.seconds(since: call.createdAt) >= settings.finalTimeout {
            return .finalTimeout
        }
        if !call.answered {
            return now.seconds(since: call.lastSignal) >= settings.offerTimeout ? .offerTimeout : nil
        }
        let idle = now.seconds(since: lastActivity(of: call))
        if isOnHold(call) {
            return idle >= settings.silentTimeout ? .silentTimeout : nil
        }
        return idle >= settings.timeout ? .timeout : nil
    }

    /// The later of the last signalling and the last packet received on any socket of the call.
    func lastActivity(of call: Call) -> MonotonicTime {
        call.sockets.reduce(call.lastSignal) { latest, socket in
            max(latest, plane.stats(socket).lastPacket ?? latest)
        }
    }

    /// Every live stream of the call is parked on 0.0.0.0 (no party wants media right now).
    func isOnHold(_ call: Call) -> Bool {
        let legs = call.monologues.flatMap(\.medias).filter { !$0.rejected }
        return !legs.isEmpty && legs.allSatisfy { $0.zeroAddress || $0.onHold }
    }
}
