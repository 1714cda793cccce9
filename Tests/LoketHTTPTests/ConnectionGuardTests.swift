// Slow and greedy clients: the per-address cap, the request deadline and the default limits.
// Time is a value here: the deadline reads a clock the test moves, and the reaper is run by hand.
import Foundation
import Testing
@testable import LoketHTTP

/// A clock in nanoseconds that only moves when told.
private final class ManualUptime: @unchecked Sendable {
    private let value = LockedBox<UInt64>(1_000_000_000)
    var now: @Sendable () -> UInt64 { { [value] in value.withLock { $0 } } }
    func advance(seconds: Double) { value.withLock { $0 += UInt64(seconds * 1e9) } }
}

/// Two connected sockets; the guard tracks the first, the test reads the second.
private func socketPair() -> (tracked: Int32, peer: Int32) {
    var fds: [Int32] = [0, 0]
    precondition(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
    return (fds[0], fds[1])
}

/// True when `fd`'s peer has shut it down (a read returns end of file at once).
private func peerShutDown(_ fd: Int32) -> Bool {
    var byte: UInt8 = 0
    return recv(fd, &byte, 1, Int32(MSG_DONTWAIT)) == 0
}

@Suite("Connection guard")
struct ConnectionGuardTests {
    @Test("an address is admitted up to its cap, and again once one of its connections closes")
    func perAddressCap() {
        let guardian = ConnectionGuard(perAddressLimit: 2, uncapped: [], deadlineSeconds: 10)
        #expect(guardian.admits("10.0.0.1"))
        guardian.opened(fd: 100, address: "10.0.0.1")
        guardian.opened(fd: 101, address: "10.0.0.1")
        #expect(!guardian.admits("10.0.0.1"))
        #expect(guardian.admits("10.0.0.2"))
        #expect(guardian.openConnections(from: "10.0.0.1") == 2)
        guardian.closed(fd: 100)
        #expect(guardian.admits("10.0.0.1"))
        #expect(guardian.openConnections == 1)
        #expect(guardian.takeCounts().refused == ["10.0.0.1": 1])
        #expect(guardian.takeCounts().refused.isEmpty)
    }

    @Test("a trusted proxy is never capped, whatever way its address is written; 0 means no cap")
    func uncapped() {
        let guardian = ConnectionGuard(perAddressLimit: 1, uncapped: ["::0:1", "192.0.2.7"], deadlineSeconds: 10)
        for fd in Int32(1)...5 { guardian.opened(fd: fd, address: "::1") }
        #expect(guardian.admits("::1"))
        guardian.opened(fd: 9, address: "192.0.2.8")
        #expect(!guardian.admits("192.0.2.8"))
        let open = ConnectionGuard(perAddressLimit: 0, uncapped: [], deadlineSeconds: 10)
        for fd in Int32(1)...50 { open.opened(fd: fd, address: "10.0.0.1") }
        #expect(open.admits("10.0.0.1"))
    }

    @Test("a connection still waiting for its request past the deadline is shut down, one being answered is not")
    func deadline() {
        let clock = ManualUptime()
        let guardian = ConnectionGuard(perAddressLimit: 0, uncapped: [], deadlineSeconds: 10, now: clock.now)
        let waiting = socketPair(), answering = socketPair(), reused = socketPair()
        defer { for fd in [waiting.tracked, waiting.peer, answering.tracked, answering.peer, reused.tracked, reused.peer] { close(fd) } }
        guardian.opened(fd: waiting.tracked, address: "10.0.0.1")
        let answeringClock = guardian.opened(fd: answering.tracked, address: "10.0.0.1")
        let reusedClock = guardian.opened(fd: reused.tracked, address: "10.0.0.1")
        guardian.answering(answeringClock)

        clock.advance(seconds: 10)
        #expect(guardian.reap() == 0)
        // A kept-alive connection gets a fresh deadline when its previous answer is done.
        guardian.answering(reusedClock)
        guardian.answered(reusedClock)
        clock.advance(seconds: 0.5)
        #expect(guardian.reap() == 1)
        #expect(peerShutDown(waiting.peer))
        #expect(!peerShutDown(answering.peer))
        #expect(!peerShutDown(reused.peer))
        // Cut once only, and the answering one stays for as long as its answer runs.
        clock.advance(seconds: 3600)
        #expect(guardian.reap() == 1)
        #expect(peerShutDown(reused.peer))
        #expect(!peerShutDown(answering.peer))
        #expect(guardian.takeCounts().reaped == 2)
        let none = ConnectionGuard(perAddressLimit: 0, uncapped: [], deadlineSeconds: 0, now: clock.now)
        none.opened(fd: 1, address: "10.0.0.1")
        clock.advance(seconds: 3600)
        #expect(none.reap() == 0)
    }

    @Test("a descriptor closed and opened again starts with a fresh clock, not its last connection's")
    func reusedDescriptor() {
        let clock = ManualUptime()
        let guardian = ConnectionGuard(perAddressLimit: 0, uncapped: [], deadlineSeconds: 10, now: clock.now)
        let pair = socketPair()
        defer { close(pair.tracked); close(pair.peer) }
        // The first connection on the descriptor was being answered when it closed.
        guardian.answering(guardian.opened(fd: pair.tracked, address: "10.0.0.1"))
        guardian.closed(fd: pair.tracked)
        #expect(guardian.openConnections == 0)
        clock.advance(seconds: 30)
        guardian.opened(fd: pair.tracked, address: "10.0.0.2")
        clock.advance(seconds: 9)
        #expect(guardian.reap() == 0)
        clock.advance(seconds: 2)
        #expect(guardian.reap() == 1)
        #expect(peerShutDown(pair.peer))
        #expect(guardian.openConnections(from: "10.0.0.1") == 0)
        #expect(guardian.openConnections(from: "10.0.0.2") == 1)
    }

    @Test("libmicrohttpd's messages are counted for the log, at most 64 different ones")
    func libraryMessages() {
        let guardian = ConnectionGuard(perAddressLimit: 0, uncapped: [], deadlineSeconds: 10)
        for _ in 0..<1000 { guardian.note(libraryMessage: "closed mid-request") }
        for i in 0..<100 { guardian.note(libraryMessage: "socket \(i) failed") }
        let messages = guardian.takeCounts().messages
        #expect(messages["closed mid-request"] == 1000)
        #expect(messages.count == 65)
        #expect(messages["(other messages)"] == 37)
        #expect(guardian.takeCounts().messages.isEmpty)
    }

    @Test("the default limits follow the descriptor limit")
    func defaults() {
        #expect(HTTPServerConfiguration.connectionLimit(descriptorLimit: 20_000) == 19_744)
        #expect(HTTPServerConfiguration.connectionLimit(descriptorLimit: 1_024) == 768)
        #expect(HTTPServerConfiguration.connectionLimit(descriptorLimit: 1 << 20) == 65_536)
        #expect(HTTPServerConfiguration.perAddressLimit(connectionLimit: 19_744) == 2_500)
        #expect(HTTPServerConfiguration.perAddressLimit(connectionLimit: 768) == 384)
        #expect(HTTPServerConfiguration(connectionLimit: 4_000).perAddressConnectionLimit == 2_000)
        #expect(HTTPServerConfiguration(perAddressConnectionLimit: 0).perAddressConnectionLimit == 0)
        #expect(HTTPServerConfiguration.raiseDescriptorLimit() >= 1)
    }

    @Test("on a live server a half-sent request is cut at the deadline while an open event stream stays")
    func liveDeadline() throws {
        let clock = ManualUptime()
        let hub = EventHub()
        let log = EventLog(hub: hub)
        let live = try LiveServer(router: log.router(), hub: hub, configure: { $0.requestDeadlineSeconds = 10 },
                                  uptime: clock.now)
        defer { live.stop() }
        let stream = try SSEClient(port: live.port, path: "/events/hall")
        defer { stream.close() }
        #expect(stream.wait(timeout: 5) { $0.isOpen })
        let slow = try RawConnection(port: live.port)
        defer { slow.close() }
        try slow.send("GET /events/hall HTTP/1.1\r\nHost: t\r\nX-Slow: ")
        #expect(LiveServer.wait(timeout: 5) { live.server.guardian.openConnections == 2 })

        clock.advance(seconds: 9)
        #expect(live.server.guardian.reap() == 0)
        clock.advance(seconds: 2)
        // The server's own once-a-second reaper may get there first: either way it is cut.
        live.server.guardian.reap()
        #expect(slow.waitForClose(timeout: 5))
        #expect(LiveServer.wait(timeout: 5) { live.server.guardian.openConnections == 1 })
        stream.pump()
        #expect(!stream.ended)
    }

    @Test("on a live server each answer on a kept-alive connection restarts its deadline")
    func liveKeptAlive() throws {
        let clock = ManualUptime()
        let hub = EventHub()
        let log = EventLog(hub: hub)
        let live = try LiveServer(router: log.router(), hub: hub, configure: { $0.requestDeadlineSeconds = 10 },
                                  uptime: clock.now)
        defer { live.stop() }
        let kept = try RawConnection(port: live.port)
        defer { kept.close() }
        // Each answer is found through the connection's socket context: were it missed, the deadline
        // would still count from the connection's start and the second reap would cut it.
        for _ in 0..<2 {
            clock.advance(seconds: 9)
            #expect(live.server.guardian.reap() == 0)
            try kept.send("GET /nothing-here HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try kept.readResponse().status == 404)
            // The completion callback may run just after the client has the answer: the clock moves on
            // only once it has (else it would stamp the moved time).
            #expect(LiveServer.wait(timeout: 5) { live.server.guardian.answeringConnections == 0 })
        }
        clock.advance(seconds: 9)
        #expect(live.server.guardian.reap() == 0)
        #expect(!kept.waitForClose(timeout: 0.2))
        clock.advance(seconds: 2)
        live.server.guardian.reap()
        #expect(kept.waitForClose(timeout: 5))
    }
}
