import Crypto
import TandemBase

/// The DTLS-SRTP association with one party's leg: a sans-IO DTLSEndpoint on the leg's RTP
/// component (every RTP-component socket, ICE candidates included; its keys serve the RTCP
/// socket too), and where its flights go.
final class DTLSBinding {
    let endpoint: DTLSEndpoint
    weak var monologue: Monologue?
    let index: Int
    /// The socket flights leave from: the leg's RTP socket, or the one the party last used.
    var socket: SocketHandle
    let plan: DTLSPlan
    /// Where flights go: the party's SDP address until a DTLS datagram arrives from it.
    var peer: TransportAddress?
    var started = false

    init(endpoint: DTLSEndpoint, monologue: Monologue, index: Int, socket: SocketHandle, plan: DTLSPlan) {
        self.endpoint = endpoint
        self.monologue = monologue
        self.index = index
        self.socket = socket
        self.plan = plan
    }
}

extension CallRegistry {
    /// A DTLS record on a leg's socket: fed to the leg's endpoint; flights answered from the same
    /// socket; on success the exported keys become the leg's SRTP keys.
    func handleDTLS(_ packet: ControlPacket, now: MonotonicTime) {
        guard let binding = dtlsBindings[packet.socket] else { return }
        binding.socket = packet.socket
        binding.peer = packet.source
        binding.started = true
        process(binding.endpoint.receive(datagram: packet.bytes, now: now), binding, now: now)
    }

    /// A STUN check from the party of a DTLS leg: now we know where it is. As the client we
    /// start the handshake towards it (an ICE party's SDP address may be a placeholder).
    func dtlsPeerSeen(socket: SocketHandle, source: TransportAddress, now: MonotonicTime) {
        guard let binding = dtlsBindings[socket], binding.plan.role == .client, !binding.started else { return }
        binding.socket = socket
        binding.peer = source
        binding.started = true
        process(binding.endpoint.start(now: now), binding, now: now)
    }

    /// Retransmissions (driven from the loop's tick through `expire`).
    func tickDTLS(now: MonotonicTime) {
        var seen = Set<ObjectIdentifier>()
        for binding in dtlsBindings.values where seen.insert(ObjectIdentifier(binding)).inserted {
            guard let due = binding.endpoint.nextTimeout, due <= now else { continue }
            process(binding.endpoint.timerFired(now: now), binding, now: now)
        }
    }

    private func process(_ outputs: [DTLSEndpoint.Output], _ binding: DTLSBinding, now: MonotonicTime) {
        for output in outputs {
            switch output {
            case .send(let bytes):
                if let peer = binding.peer { plane.sendControl(bytes, from: binding.socket, to: peer) }
            case .connected(let keys):
                counters.dtlsHandshakes += 1
                install(keys, binding)
            case .failed:
                counters.dtlsFailures += 1
            case .closed:
                break
            }
        }
    }

    /// The exported keys become the leg's SRTP keys; both directions are re-configured.
    private func install(_ keys: DTLSSRTPKeyMaterial, _ binding: DTLSBinding) {
        guard let monologue = binding.monologue, binding.index < monologue.medias.count else { return }
        var leg = monologue.medias[binding.index]
        leg.security.installDTLSKeys(keys)
        monologue.medias[binding.index] = leg
        let peerLeg = monologue.peer.flatMap { binding.index < $0.medias.count ? $0.medias[binding.index] : nil }
        let window = settings.endpointLearning.window
        Forwarding.configure(leg, towards: peerLeg, learning: window, plane: plane, resetLatches: false)
        if let peerLeg {
            Forwarding.configure(peerLeg, towards: leg, learning: window, plane: plane, resetLatches: false)
        }
    }

    /// After signalling: one endpoint per leg with a DTLS plan, kept while the plan (role and
    /// the party's fingerprint) and the socket stay; a new fingerprint restarts DTLS. As the
    /// client we send the ClientHello at once when the party's address is known (rtpengine does).
    func refreshDTLS(_ call: Call, now: MonotonicTime) {
        var previous: [DTLSBinding] = []
        for socket in dtlsSocketsByCall[call.callID] ?? [] {
            if let old = dtlsBindings.removeValue(forKey: socket), !previous.contains(where: { $0 === old }) { previous.append(old) }
        }
        var sockets: [SocketHandle] = []
        for monologue in call.monologues {
            for leg in monologue.medias {
                guard let plan = leg.security.dtls, let socket = leg.rtp, !leg.rejected else { continue }
                let binding: DTLSBinding
                if let kept = previous.first(where: { $0.monologue === monologue && $0.index == leg.index && $0.plan == plan && leg.rtpSockets.contains($0.socket) }) {
                    binding = kept
                } else if let certificate = DTLSIdentity.current,
                          let endpoint = try? DTLSEndpoint(certificate: certificate, remoteFingerprint: plan.remoteFingerprint,
                                                           configuration: .init(role: plan.role)) {
                    binding = DTLSBinding(endpoint: endpoint, monologue: monologue, index: leg.index, socket: socket, plan: plan)
                } else {
                    continue
                }
                // An ICE party is found through its connectivity checks (dtlsPeerSeen).
                if binding.peer == nil, !leg.remoteHasICE { binding.peer = leg.remoteRTP }
                for rtpSocket in leg.rtpSockets {
                    dtlsBindings[rtpSocket] = binding
                    sockets.append(rtpSocket)
                }
                if plan.role == .client, !binding.started, binding.peer != nil {
                    binding.started = true
                    process(binding.endpoint.start(now: now), binding, now: now)
                }
            }
        }
        dtlsSocketsByCall[call.callID] = sockets.isEmpty ? nil : sockets
    }

    func forgetDTLS(_ callID: String) {
        for socket in dtlsSocketsByCall.removeValue(forKey: callID) ?? [] { dtlsBindings[socket] = nil }
    }
}
