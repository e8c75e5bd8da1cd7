import Crypto
import TandemBase

/// One DTLS-SRTP association with one party's leg: a sans-IO DTLSEndpoint on one component
/// (every socket of it, ICE candidates included; the RTP component's keys also serve RTCP when
/// muxed), and where its flights go.
final class DTLSBinding {
    private(set) var endpoint: DTLSEndpoint
    weak var monologue: Monologue?
    let index: Int
    /// The socket flights leave from: the leg's RTP socket, or the one the party last used.
    var socket: SocketHandle
    let plan: DTLSPlan
    /// The association of the RTCP component (no rtcp-mux), keying the RTCP socket only.
    let rtcp: Bool
    /// Where flights go: the party's SDP address until a DTLS datagram arrives from it.
    var peer: TransportAddress?
    var started = false

    /// As the server, a new ClientHello after a failed handshake (say, a forged one that got
    /// there first) starts a fresh association, so a forger cannot lock the party out until
    /// the next signalling. Record type 22 (handshake), epoch 0, message type 1 (ClientHello).
    func restartIfFailedAndHello(_ datagram: [UInt8]) {
        guard plan.role == .server, endpoint.isFinished, !endpoint.isConnected, datagram.count > 13,
              datagram[0] == 22, datagram[3] == 0, datagram[4] == 0, datagram[13] == 1,
              let certificate = DTLSIdentity.current,
              let fresh = try? DTLSEndpoint(certificate: certificate, remoteFingerprint: plan.remoteFingerprint,
                                            configuration: .init(role: .server)) else { return }
        endpoint = fresh
    }

    init(endpoint: DTLSEndpoint, monologue: Monologue, index: Int, socket: SocketHandle, plan: DTLSPlan, rtcp: Bool) {
        self.rtcp = rtcp
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
        binding.restartIfFailedAndHello(packet.bytes)
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
        leg.security.installDTLSKeys(keys, rtcpComponent: binding.rtcp)
        Forwarding.update(leg, of: monologue, index: binding.index,
                          learning: settings.endpointLearning.window, plane: plane)
    }

    /// After signalling: one endpoint per leg with a DTLS plan (and one more on its RTCP port
    /// when not muxed), kept while the plan (role and the party's fingerprint) and the socket
    /// stay; a new fingerprint restarts DTLS. As the client we send the ClientHello at once when
    /// the party's address is known (rtpengine does); an ICE party's address comes from its checks.
    func refreshDTLS(_ call: Call, now: MonotonicTime) {
        var previous: [DTLSBinding] = []
        for socket in dtlsSocketsByCall[call.callID] ?? [] {
            if let old = dtlsBindings.removeValue(forKey: socket), !previous.contains(where: { $0 === old }) { previous.append(old) }
        }
        var sockets: [SocketHandle] = []
        for monologue in call.monologues {
            for leg in monologue.medias where !leg.rejected {
                guard let plan = leg.security.dtls else { continue }
                if let rtp = leg.rtp {
                    sockets += bind(leg, monologue, plan, main: rtp, all: leg.rtpSockets, remote: leg.remoteRTP,
                                    rtcp: false, previous: previous, now: now)
                }
                if !leg.muxed, let rtcp = leg.rtcp {
                    sockets += bind(leg, monologue, plan, main: rtcp, all: leg.rtcpSockets, remote: leg.remoteRTCP,
                                    rtcp: true, previous: previous, now: now)
                }
            }
        }
        dtlsSocketsByCall[call.callID] = sockets.isEmpty ? nil : sockets
    }

    /// The binding of one component (kept or new) on `all` its sockets; returns them.
    private func bind(_ leg: MediaLeg, _ monologue: Monologue, _ plan: DTLSPlan, main: SocketHandle, all: [SocketHandle],
                      remote: TransportAddress?, rtcp: Bool, previous: [DTLSBinding], now: MonotonicTime) -> [SocketHandle] {
        let binding: DTLSBinding
        // A failed or closed association is retried on the next signalling.
        if let kept = previous.first(where: {
            $0.monologue === monologue && $0.index == leg.index && $0.plan == plan && $0.rtcp == rtcp
                && all.contains($0.socket) && !$0.endpoint.isFinished
        }) {
            binding = kept
        } else if let certificate = DTLSIdentity.current,
                  let endpoint = try? DTLSEndpoint(certificate: certificate, remoteFingerprint: plan.remoteFingerprint,
                                                   configuration: .init(role: plan.role)) {
            binding = DTLSBinding(endpoint: endpoint, monologue: monologue, index: leg.index, socket: main, plan: plan, rtcp: rtcp)
        } else {
            return []
        }
        if binding.peer == nil, !leg.remoteHasICE { binding.peer = remote }
        for socket in all { dtlsBindings[socket] = binding }
        if plan.role == .client, !binding.started, binding.peer != nil {
            binding.started = true
            process(binding.endpoint.start(now: now), binding, now: now)
        }
        return all
    }

    func forgetDTLS(_ callID: String) {
        for socket in dtlsSocketsByCall.removeValue(forKey: callID) ?? [] { dtlsBindings[socket] = nil }
    }
}
