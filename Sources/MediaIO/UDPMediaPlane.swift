import CTandemSys
import CallModel
import Glibc
import TandemBase

// The MediaPlane contract over real UDP sockets, for one packet loop. Control path only: every
// method runs on the loop's thread (from a mailbox job or the tick handler), between batches, so
// it may allocate and never races the packet path.

public final class UDPMediaPlane: MediaPlane {
    let core: LoopCore

    init(core: LoopCore) { self.core = core }

    /// Binds `count` consecutive ports, the first even, from this loop's slice. Ports that fail
    /// to bind (taken by another program) are skipped; an error that is not about the port
    /// (EMFILE, address not local) ends the attempt. Nil when nothing could be bound: then
    /// nothing stays bound or reserved.
    public func openPorts(on interface: LocalInterface, count: Int) -> [SocketHandle]? {
        guard count > 0, core.allocator != nil else { return nil }
        var opened: [SocketHandle] = []
        var fatal = false
        let first = core.allocator!.allocate(count: count) { start in
            if fatal { return 0 }
            for k in 0..<count {
                let port = start + UInt16(k)
                let fd = bind(interface.address, port)
                if fd >= 0 {
                    opened.append(SocketHandle(id: fd, port: port))
                    continue
                }
                if -fd != EADDRINUSE && -fd != EACCES { fatal = true }
                for h in opened { Glibc.close(h.id) }
                opened.removeAll()
                return k
            }
            return nil
        }
        guard let first else { return nil }
        let family = SocketAddress.family(of: interface.address)
        for (k, h) in opened.enumerated() where !core.register(fd: h.id, port: h.port, family: family) {
            for r in opened[..<k] { core.unregister(fd: r.id) }
            for r in opened[k...] { Glibc.close(r.id) }
            core.allocator!.release(first: first, count: count)
            return nil
        }
        return opened
    }

    private func bind(_ ip: IPAddress, _ port: UInt16) -> Int32 {
        var storage = sockaddr_storage()
        let length = TransportAddress(ip: ip, port: port).write(to: &storage)
        return withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                tandem_udp_bind($0, length, Int32(core.options.receiveBufferBytes), Int32(core.options.sendBufferBytes))
            }
        }
    }

    /// The open slot of a handle this plane gave out; nil for unknown or stale handles.
    private func slot(_ socket: SocketHandle) -> UnsafeMutablePointer<Endpoint>? {
        guard let ep = core.table.pointee.slot(socket.id), ep.pointee.port == socket.port else { return nil }
        return ep
    }

    public func close(_ socket: SocketHandle) {
        guard slot(socket) != nil else { return }
        core.unregister(fd: socket.id)
        core.allocator?.release(socket.port)
    }

    /// Closes every socket of this loop (stop).
    func closeAll() {
        let t = core.table.pointee
        for fd in 0..<t.capacity where t.endpoints[fd].isOpen {
            close(SocketHandle(id: Int32(fd), port: t.endpoints[fd].port))
        }
    }

    /// Applies forwarding. The remote is converted to a sockaddr here, once; a remote of the
    /// other address family, an unspecified address or port 0 counts as unknown.
    public func configure(_ socket: SocketHandle, _ forwarding: SocketForwarding) {
        guard let ep = slot(socket) else { return }
        ep.pointee.acceptsRTCP = forwarding.acceptsRTCP
        ep.pointee.clockRate = forwarding.clockRate ?? 0
        ep.pointee.rtpOut = outRef(forwarding.rtpOut)
        ep.pointee.rtcpOut = outRef(forwarding.rtcpOut)
        configureCrypto(socket, ep, forwarding)
        core.configureTranscode(socket, ep, forwarding)
        var remote = forwarding.remote
        if let r = remote, r.ip.isUnspecified || r.port == 0 || SocketAddress.family(of: r.ip) != ep.pointee.family {
            remote = nil
        }
        let learningUntil = forwarding.learningSeconds > 0
            ? tandem_monotonic_ns(0) &+ UInt64(forwarding.learningSeconds * 1e9) : 0
        ep.pointee.latch.configure(remote: remote, policy: forwarding.latching, resetLatch: forwarding.resetLatch,
                                   learningUntil: learningUntil)
        let t = core.table.pointee
        if let current = ep.pointee.latch.remote {
            t.remoteLengths[Int(socket.id)] = current.write(to: t.remotes + Int(socket.id))
        } else {
            t.remoteLengths[Int(socket.id)] = 0
        }
    }

    private func outRef(_ handle: SocketHandle?) -> OutRef {
        guard let handle, let out = slot(handle) else { return OutRef() }
        return OutRef(fd: handle.id, generation: out.pointee.generation)
    }

    public func setControlHandler(_ handler: ((ControlPacket) -> Void)?) {
        core.controlHandler = handler
    }

    /// One sendto from the media socket (control path: STUN responses, DTLS flights).
    public func sendControl(_ bytes: [UInt8], from socket: SocketHandle, to destination: TransportAddress) {
        guard slot(socket) != nil else { return }
        var storage = sockaddr_storage()
        let length = destination.write(to: &storage)
        let sent = bytes.withUnsafeBytes { buffer in
            withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.sendto(socket.id, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT), $0, length)
                }
            }
        }
        if sent < 0 { core.counters.pointee.dropsSendFailed &+= 1 }
    }

    public func stats(_ socket: SocketHandle) -> SocketStats {
        var s = SocketStats()
        guard let ep = slot(socket) else { return s }
        let e = ep.pointee
        s.rtpPackets = e.rtpPackets
        s.rtpBytes = e.rtpBytes
        s.rtcpPackets = e.rtcpPackets
        s.rtcpBytes = e.rtcpBytes
        s.errors = e.errors
        s.lastPacket = e.lastPacket == 0 ? nil : MonotonicTime(nanoseconds: e.lastPacket)
        s.remote = e.latch.remote
        s.latched = e.latch.latched
        s.payloadType = e.payloadTypes.mostFrequent
        if let r = e.receive {
            s.ssrc = r.ssrc
            s.highestSequence = r.extendedHighestSequence
            s.packetsLost = UInt64(max(0, r.lost))
            s.jitter = r.jitter
        }
        return s
    }

    /// Ports of this loop's slice reserved now, and the slice's size.
    public var portsInUse: Int { core.allocator?.reservedCount ?? 0 }
    public var portCapacity: Int { core.allocator?.capacity ?? 0 }
}
