import Glibc
import TandemBase
import TandemTestSupport
import Testing
import MediaIO

// A control descriptor (what tandemd's ng socket is) served on a packet loop's own thread via
// LoopContext.addReadHandler: readiness calls the handler on the loop, removal stops it, and the
// descriptor stays the caller's.

@Suite struct ReadHandlerTests {
    /// What the handler saw; touched only on the loop thread (read back through `sync`).
    final class Seen: @unchecked Sendable {
        var datagrams: [[UInt8]] = []
        var onLoopThread = true
    }

    @Test func handlerRunsOnTheLoopUntilRemoved() throws {
        let loop = PacketLoop(index: 0, portSlice: nil)
        loop.start()
        defer { loop.stop() }
        let server = try #require(UDPSocket("127.0.0.1"))
        let client = try #require(UDPSocket("127.0.0.1"))
        #expect(tandem_set_nonblocking_for_test(server.fd))
        let seen = Seen()
        let fd = server.fd
        let loopThread = loop.sync { _ in pthread_self() }
        let added = loop.sync { context in
            context.addReadHandler(fd: fd) { _ in
                seen.onLoopThread = seen.onLoopThread && pthread_equal(pthread_self(), loopThread!) != 0
                var buffer = [UInt8](repeating: 0, count: 2048)
                while true {
                    let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                    if n < 0 { break }
                    seen.datagrams.append(Array(buffer[0..<n]))
                }
            }
        }
        #expect(added == true)
        // The same descriptor twice is refused.
        #expect(loop.sync { $0.addReadHandler(fd: fd) { _ in } } == false)

        for i in 0..<3 { client.send([UInt8(i), 0xAB], to: server.address) }
        #expect(waitUntil { loop.sync { _ in seen.datagrams.count } == 3 })
        #expect(loop.sync { _ in seen.datagrams } == [[0, 0xAB], [1, 0xAB], [2, 0xAB]])
        #expect(loop.sync { _ in seen.onLoopThread } == true)

        // Removed: the loop no longer reads it; the datagram waits in the (still open) socket.
        _ = loop.sync { $0.removeReadHandler(fd: fd) }
        client.send([9], to: server.address)
        usleep(100_000)
        #expect(loop.sync { _ in seen.datagrams.count } == 3)
        #expect(server.receive(timeout: 1)?.bytes == [9])
    }

    private func waitUntil(_ condition: () -> Bool) -> Bool {
        for _ in 0..<200 {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }
}

/// O_NONBLOCK on a test socket (the handler drains until EAGAIN).
private func tandem_set_nonblocking_for_test(_ fd: Int32) -> Bool {
    let flags = fcntl(fd, F_GETFL)
    return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0
}
