import CTandemSys
import Glibc
import RTP

// The transcode step of the packet path: an admitted RTP packet on a socket with a transcoder
// goes through it; each packet it produces is copied into the pool slot of the next RTP send
// queue entry, protected when the out socket encrypts, and queued for the out socket's remote.
// A full queue is flushed on the spot (a 40 ms -> 20 ms or 120 ms opus input yields several
// packets per input), so the queue never overflows whatever the ratio.
// No allocation, no ARC: the transcoder is reached through Unmanaged, the emit closure is
// non-escaping, every buffer is preallocated.

extension LoopCore {
    /// Returns true when the received packet itself is to be relayed (passthrough PT, rewritten
    /// in place), false when it was consumed or dropped (and counted).
    @inline(__always)
    func transcode(_ transcoder: Unmanaged<SocketTranscoder>, slot i: Int, ep: UnsafeMutablePointer<Endpoint>,
                   out: UnsafeMutablePointer<Endpoint>, outFD: Int32, nameLength: socklen_t,
                   queued: inout Int, now: UInt64) -> Bool {
        let b = buffers
        let c = counters
        let pool = transcoding.pool
        let name = table.pointee.remotes + Int(outFD)
        let data = b.data + i * b.slotSize
        let length = Int(b.rxMsgs[i].msg_len)
        let disposition = transcoder._withUnsafeGuaranteedRef { t in
            t.handle(data, length: length, now: now) { packet, count in
                if queued == b.batch {
                    flush(fd: outFD, first: 0, count: queued)
                    queued = 0
                }
                let slot = pool + queued * b.slotSize
                guard count <= b.slotSize - 64 else {  // 64: room for the SRTP trailer
                    c.pointee.dropsTranscode &+= 1
                    return
                }
                slot.copyMemory(from: packet, byteCount: count)
                var sendLength = count
                if out.pointee.srtpOut != nil || out.pointee.srtpOutUnusable {
                    guard protectPooled(out, slot, length: &sendLength) else {
                        c.pointee.dropsSRTPProtect &+= 1
                        return
                    }
                }
                b.queue(buffer: slot, length: sendLength, entry: queued, name: name, nameLength: nameLength)
                queued += 1
                c.pointee.transcodedPackets &+= 1
            }
        }
        switch disposition {
        case .relayInPlace:
            return true
        case .consumed:
            return false
        case .dropped:
            c.pointee.dropsTranscode &+= 1
            ep.pointee.errors &+= 1
            return false
        }
    }

    /// SRTP protect of a transcoded packet in its pool slot (slots are `slotSize` bytes).
    @inline(__always)
    private func protectPooled(_ out: UnsafeMutablePointer<Endpoint>, _ slot: UnsafeMutableRawPointer, length: inout Int) -> Bool {
        guard let context = out.pointee.srtpOut else { return false }
        let packet = UnsafeMutableRawBufferPointer(start: slot, count: buffers.slotSize)
        return context._withUnsafeGuaranteedRef { srtp in
            do {
                try srtp.protect(packet: packet, length: &length)
                return true
            } catch {
                return false
            }
        }
    }
}

extension PacketBuffers {
    /// Puts a packet held outside the receive slots (a transcoded one) into send queue `entry`.
    @inline(__always)
    func queue(buffer: UnsafeMutableRawPointer, length: Int, entry: Int, name: UnsafeMutablePointer<sockaddr_storage>, nameLength: socklen_t) {
        txIov[entry].iov_base = buffer
        txIov[entry].iov_len = length
        txMsgs[entry].msg_hdr.msg_name = UnsafeMutableRawPointer(name)
        txMsgs[entry].msg_hdr.msg_namelen = nameLength
    }
}
