import STUN
import TandemBase

/// The ICE-lite agent of one leg (the sockets we advertised to one ICE party), shared by all
/// of the leg's sockets.
final class ICEBinding {
    var agent: ICELiteAgent
    weak var monologue: Monologue?
    let index: Int
    /// Our transport address of each socket (the `to` of the party's checks).
    var local: [SocketHandle: TransportAddress] = [:]

    init(agent: ICELiteAgent, monologue: Monologue, index: Int) {
        self.agent = agent
        self.monologue = monologue
        self.index = index
    }
}

extension CallRegistry {
    /// Answers STUN connectivity checks arriving on a leg's sockets with that leg's ICE-lite agent
    /// and, when the party nominates a pair, sends its media from that socket to that address.
    /// Install with `plane.setControlHandler { registry.handleControl($0, now: clock()) }`.
    public func handleControl(_ packet: ControlPacket, now: MonotonicTime) {
        if packet.kind == .dtls { return handleDTLS(packet, now: now) }
        guard packet.kind == .stun, let binding = iceBindings[packet.socket],
              let to = binding.local[packet.socket] else { return }
        let (outcome, response) = binding.agent.handle(packet.bytes, from: packet.source, to: to, now: now)
        // A check that did not earn a success response (bad MESSAGE-INTEGRITY, wrong username,
        // malformed) is counted: it changed nothing, and the call goes on.
        if case .success = outcome { counters.stunChecks += 1 } else { counters.stunRejected += 1 }
        if !response.isEmpty { plane.sendControl(response, from: packet.socket, to: packet.source) }
        for event in binding.agent.drainEvents() {
            if case .nominated(let from, _) = event { nominate(binding, socket: packet.socket, remote: from) }
            // An authenticated check tells a DTLS client leg where its party is.
            if case .validCheck(let from, _) = event { dtlsPeerSeen(socket: packet.socket, source: from, now: now) }
            if case .nominated(let from, _) = event { dtlsPeerSeen(socket: packet.socket, source: from, now: now) }
        }
    }

    /// Latches the nominated pair: the socket's remote becomes `remote`, and the peer's media
    /// towards this party leaves from `socket`.
    private func nominate(_ binding: ICEBinding, socket: SocketHandle, remote: TransportAddress) {
        guard let monologue = binding.monologue, binding.index < monologue.medias.count else { return }
        var leg = monologue.medias[binding.index]
        let selection = ICESelection(socket: socket, remote: remote)
        if leg.rtpSockets.contains(socket) {
            guard leg.iceSelectedRTP != selection else { return }
            leg.iceSelectedRTP = selection
        } else if leg.rtcpSockets.contains(socket) {
            guard leg.iceSelectedRTCP != selection else { return }
            leg.iceSelectedRTCP = selection
        } else {
            return
        }
        Forwarding.update(leg, of: monologue, index: binding.index,
                          learning: settings.endpointLearning.window, plane: plane)
    }

    /// After signalling: one agent per leg that advertises our ICE (kept while its credentials
    /// stay the same; the party's credentials updated), indexed by every socket of the leg.
    func refreshICE(_ call: Call) {
        let previous = (iceSocketsByCall[call.callID] ?? []).compactMap { iceBindings.removeValue(forKey: $0) }
        var sockets: [SocketHandle] = []
        for monologue in call.monologues {
            for leg in monologue.medias where leg.iceAdvertised {
                guard let local = leg.localICE else { continue }
                let binding: ICEBinding
                if let kept = previous.first(where: { $0.monologue === monologue && $0.index == leg.index && $0.agent.local == local }) {
                    if kept.agent.remote != leg.remoteICE { kept.agent.setRemote(leg.remoteICE) }
                    binding = kept
                } else {
                    binding = ICEBinding(agent: ICELiteAgent(local: local, remote: leg.remoteICE),
                                         monologue: monologue, index: leg.index)
                }
                binding.local = [:]
                var pairs: [(LocalInterface, SocketHandle?)] = [(leg.interface, leg.rtp), (leg.interface, leg.rtcp)]
                pairs += leg.iceExtra.flatMap { [($0.interface, Optional($0.rtp)), ($0.interface, Optional($0.rtcp))] }
                for case let (interface, socket?) in pairs {
                    binding.local[socket] = TransportAddress(ip: interface.address, port: socket.port)
                    iceBindings[socket] = binding
                    sockets.append(socket)
                }
            }
        }
        iceSocketsByCall[call.callID] = sockets.isEmpty ? nil : sockets
    }

    func forgetICE(_ callID: String) {
        for socket in iceSocketsByCall.removeValue(forKey: callID) ?? [] { iceBindings[socket] = nil }
    }
}
