import Crypto
import Glibc
import RTP

// Per-socket state of a packet loop, kept in an fd-indexed table in unsafe memory (not a
// Dictionary: an index is ~1 ns, a Dictionary lookup ~15-20 ns and SipHash).
//
// Invariants:
// - Every stored type is a plain value with no references (Latch, ReceiveStatistics and
//   TransportAddress are enums/structs of integers), so slots are initialized and overwritten
//   without ARC, and the table is freed without deinitializing. The SRTP contexts are held as
//   `Unmanaged` (an unowned(unsafe) pointer: trivial, no ARC); the strong references live in the
//   loop's side table (`LoopCore.crypto`), which is changed only on the control path and always
//   together with these fields, and emptied for an fd when its slot is cleared.
// - A slot's `generation` is non-zero while its socket is open and changes every time the fd
//   number is reused; an OutRef stores the generation it was configured with, so a packet is
//   never forwarded through a socket that was closed and replaced by another under the same fd.
// - The table only grows, and only on the control path (openPorts): pointers into it taken while
//   serving a batch stay valid for that batch.

/// A reference to the socket packets are forwarded out of.
struct OutRef {
    var fd: Int32 = -1
    var generation: UInt32 = 0
}

struct Endpoint {
    /// Zero when the slot is free.
    var generation: UInt32 = 0
    var port: UInt16 = 0
    var family: Int32 = 0
    var acceptsRTCP = false
    var rtpOut = OutRef()
    var rtcpOut = OutRef()
    /// Clock rate for jitter when the payload type is dynamic; 0 = RFC 3551 static rates only.
    var clockRate: UInt32 = 0
    var latch = Latch()
    /// Last SO_RXQ_OVFL value seen on this socket (the kernel's count since creation).
    var kernelDrops: UInt32 = 0
    var rtpPackets: UInt64 = 0
    var rtpBytes: UInt64 = 0
    var rtcpPackets: UInt64 = 0
    var rtcpBytes: UInt64 = 0
    var errors: UInt64 = 0
    /// Monotonic nanoseconds of the last valid packet; 0 = none yet.
    var lastPacket: UInt64 = 0
    var receive: ReceiveStatistics?
    /// SRTP context unprotecting what is received here (nil: plain RTP/RTCP arrives).
    var srtpIn: Unmanaged<SRTPContext>?
    /// SRTP context protecting what is sent out of this socket (nil: send plain).
    var srtpOut: Unmanaged<SRTPContext>?
    /// SRTP was configured but its parameters were unusable (unknown suite, bad key length):
    /// drop rather than relay ciphertext as plain or plain as ciphertext.
    var srtpInUnusable = false
    var srtpOutUnusable = false

    var isOpen: Bool { generation != 0 }
}

/// The fd-indexed tables: endpoint state plus, in a parallel array, the remote as a ready-to-use
/// sockaddr (sendmmsg points msg_name straight at it).
struct EndpointTable {
    private(set) var endpoints: UnsafeMutablePointer<Endpoint>
    private(set) var remotes: UnsafeMutablePointer<sockaddr_storage>
    /// sockaddr length of each remote; 0 = no remote known.
    private(set) var remoteLengths: UnsafeMutablePointer<socklen_t>
    private(set) var capacity: Int

    init(capacity: Int = 256) {
        self.capacity = capacity
        endpoints = .allocate(capacity: capacity)
        endpoints.initialize(repeating: Endpoint(), count: capacity)
        remotes = .allocate(capacity: capacity)
        remotes.initialize(repeating: sockaddr_storage(), count: capacity)
        remoteLengths = .allocate(capacity: capacity)
        remoteLengths.initialize(repeating: 0, count: capacity)
    }

    /// The open slot for `fd`, or nil (out of range or closed: e.g. a stale epoll event).
    @inline(__always)
    func slot(_ fd: Int32) -> UnsafeMutablePointer<Endpoint>? {
        guard fd >= 0, Int(fd) < capacity, endpoints[Int(fd)].isOpen else { return nil }
        return endpoints + Int(fd)
    }

    /// The out socket's slot if `ref` still names the socket it was configured with.
    @inline(__always)
    func resolve(_ ref: OutRef) -> UnsafeMutablePointer<Endpoint>? {
        guard let out = slot(ref.fd), out.pointee.generation == ref.generation else { return nil }
        return out
    }

    /// Grows the tables so `fd` fits. Control path only (see the invariants above).
    mutating func ensure(_ fd: Int32) {
        guard Int(fd) >= capacity else { return }
        var newCapacity = capacity
        while newCapacity <= Int(fd) { newCapacity *= 2 }
        endpoints = Self.grow(endpoints, from: capacity, to: newCapacity, filler: Endpoint())
        remotes = Self.grow(remotes, from: capacity, to: newCapacity, filler: sockaddr_storage())
        remoteLengths = Self.grow(remoteLengths, from: capacity, to: newCapacity, filler: 0)
        capacity = newCapacity
    }

    private static func grow<T>(_ old: UnsafeMutablePointer<T>, from: Int, to: Int, filler: T) -> UnsafeMutablePointer<T> {
        let new = UnsafeMutablePointer<T>.allocate(capacity: to)
        new.moveInitialize(from: old, count: from)
        (new + from).initialize(repeating: filler, count: to - from)
        old.deallocate()
        return new
    }

    func deallocate() {
        endpoints.deallocate()
        remotes.deallocate()
        remoteLengths.deallocate()
    }
}
