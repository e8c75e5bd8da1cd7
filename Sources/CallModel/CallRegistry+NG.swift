import Bencode
import NGProtocol
import TandemBase

/// The per-call ng commands, executed on the loop that owns the call. `ping`, `list` and
/// `statistics` span loops and are answered by the control plane.
extension CallRegistry {
    public func execute(_ request: NGRequest, now: MonotonicTime, wallClock: Double) -> NGResponse {
        let callID = request.callID ?? ""
        do throws(CallError) {
            switch request.command {
            case .offer, .answer:
                return try offerOrAnswer(request, callID: callID, now: now, wallClock: wallClock)
            case .delete:
                return deleteCommand(request, callID: callID, now: now, wallClock: wallClock)
            case .query:
                guard let call = calls[callID] else { throw .unknownCallID }
                return .ok(report(call, now: now, wallClock: wallClock))
            default:
                return .error("Unsupported command")
            }
        } catch {
            return .error(NGErrorReason(rawValue: error.reason))
        }
    }

    private func offerOrAnswer(_ request: NGRequest, callID: String, now: MonotonicTime,
                               wallClock: Double) throws(CallError) -> NGResponse {
        guard let bytes = request.sdp else { throw .noSDP }
        let sdp = String(decoding: bytes, as: UTF8.self)
        let options = OfferAnswerOptions(request: request)
        let output = request.command == .offer
            ? try offer(callID: callID, sdp: sdp, options: options, now: now, wallClock: wallClock)
            : try answer(callID: callID, sdp: sdp, options: options, now: now, wallClock: wallClock)
        return .sdp(Array(output.utf8))
    }

    /// rtpengine answers a delete of an unknown call with `ok` and a warning, unless `fatal`.
    private func deleteCommand(_ request: NGRequest, callID: String, now: MonotonicTime,
                               wallClock: Double) -> NGResponse {
        let notFound: NGErrorReason = "Call-ID not found or tags didn't match"
        guard let call = calls[callID],
              request.fromTag.map({ $0.isEmpty || call.monologue(tag: $0) != nil }) ?? true else {
            return request.isFatal ? .error(notFound) : .ok(warning: notFound)
        }
        let final = report(call, now: now, wallClock: wallClock)
        let delay = request.deleteDelay.map(Double.init)
        _ = try? delete(callID: callID, fromTag: request.fromTag, toTag: request.toTag,
                        viaBranch: request.viaBranch, delay: delay, now: now)
        return .ok(final)
    }

    /// The `query` dictionary of a call.
    public func report(_ call: Call, now: MonotonicTime, wallClock: Double) -> BencodeDictionary {
        let offset = wallClock - now.seconds
        return CallReport(call: call, plane: plane) { $0.seconds + offset }.dictionary()
    }
}
