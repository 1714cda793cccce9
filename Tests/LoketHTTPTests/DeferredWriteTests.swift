// Writes answered by the write pool (HTTPServer+Deferred): many at once beyond MHD's threads, reads
// still inline, answers in order on a kept-alive connection, spared by the deadline reaper, and all
// answered before stop() lets the daemon go.
import Foundation
import Logging
import Testing
@testable import LoketHTTP

/// A gate that holds handlers until `open()`, counting how many wait at once.
private final class Gate: @unchecked Sendable {
    // @unchecked: every var is only touched under `condition`.
    private let condition = NSCondition()
    private var isOpen = false
    private var waiting = 0
    private(set) var most = 0

    /// Waits until the gate opens, up to 10 s.
    func pass() {
        condition.lock()
        defer { condition.unlock() }
        waiting += 1
        most = max(most, waiting)
        let deadline = Date().addingTimeInterval(10)
        while !isOpen && condition.wait(until: deadline) {}
        waiting -= 1
    }

    func open() { condition.withLock { isOpen = true; condition.broadcast() } }
    var inside: Int { condition.withLock { waiting } }
    var mostTogether: Int { condition.withLock { most } }
}

private func gatedRouter(_ gate: Gate) -> Router<Void> {
    var table = RouteTable<Void>()
    table.add(.POST, "/write/{n}") { _, r in
        gate.pass()
        return Response(contentType: "text/plain", text: "wrote=\(r.parameter("n"))")
    }
    table.add(.GET, "/read") { _, _ in Response(contentType: "text/plain", text: "read") }
    return Router(table)
}

private func post(port: UInt16, _ target: String, timeout: Double = 15) throws -> HTTPReply {
    try exchange(port: port, "POST \(target) HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", timeout: timeout)
}

@Suite("Deferred writes")
struct DeferredWriteTests {
    @Test("16 writes wait together on 2 MHD threads, and a read is answered meanwhile")
    func manyWritesInFlight() throws {
        let gate = Gate()
        let live = try LiveServer(router: gatedRouter(gate)) { $0.threads = 2; $0.writeWorkers = 16 }
        defer { live.stop() }
        let ok = LockedBox(0)
        let done = DispatchGroup()
        for i in 0..<16 {
            done.enter()
            Thread.detachNewThread {
                if let reply = try? post(port: live.port, "/write/\(i)"), reply.status == 200, reply.text == "wrote=\(i)" {
                    ok.withLock { $0 += 1 }
                }
                done.leave()
            }
        }
        #expect(LiveServer.wait(timeout: 10) { gate.inside == 16 }, "all 16 writes are in their handlers at once")
        // While writes hold pool threads, MHD's own threads still answer reads.
        #expect(try get(port: live.port, "/read").text == "read")
        gate.open()
        #expect(done.wait(timeout: .now() + 20) == .success)
        #expect(ok.withLock { $0 } == 16)
    }

    @Test("with writeWorkers 0 writes run on MHD's threads: at most 2 at once (the limit the pool lifts)")
    func inlineWhenNoPool() throws {
        let gate = Gate()
        let live = try LiveServer(router: gatedRouter(gate)) { $0.threads = 2; $0.writeWorkers = 0 }
        defer { live.stop() }
        let done = DispatchGroup()
        for i in 0..<4 {
            done.enter()
            Thread.detachNewThread {
                _ = try? post(port: live.port, "/write/\(i)")
                done.leave()
            }
        }
        _ = LiveServer.wait(timeout: 2) { gate.inside >= 2 }
        Thread.sleep(forTimeInterval: 0.2)
        // One or two, as MHD's threads took the connections; never more than its threads.
        #expect((1...2).contains(gate.mostTogether))
        gate.open()
        #expect(done.wait(timeout: .now() + 20) == .success)
    }

    @Test("pipelined writes and reads on one kept-alive connection are answered in order")
    func pipelinedInOrder() throws {
        let live = try LiveServer(router: demoRouter()) { $0.writeWorkers = 4 }
        defer { live.stop() }
        let c = try RawConnection(port: live.port)
        defer { c.close() }
        try c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\none"
                   + "GET /items/2 HTTP/1.1\r\nHost: t\r\n\r\n"
                   + "POST /items/3/recall HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n"
                   + "DELETE /items/4 HTTP/1.1\r\nHost: t\r\n\r\n"
                   + "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nfive")
        #expect(try c.readResponse().text == "one")
        #expect(try c.readResponse().text == "item=2")
        #expect(try c.readResponse().text == "recalled=3")
        #expect(try c.readResponse().status == 204)
        #expect(try c.readResponse().text == "five")
    }

    @Test("the request deadline does not cut a connection whose write is waiting")
    func deadlineSparesWaitingWrite() throws {
        let gate = Gate()
        let clock = LockedBox<UInt64>(1_000_000_000)
        let live = try LiveServer(router: gatedRouter(gate), configure: { $0.requestDeadlineSeconds = 2; $0.writeWorkers = 2 },
                                  uptime: { clock.withLock { $0 } })
        defer { live.stop() }
        let c = try RawConnection(port: live.port)
        defer { c.close() }
        try c.send("POST /write/1 HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
        #expect(LiveServer.wait(timeout: 5) { gate.inside == 1 })
        clock.withLock { $0 += 60_000_000_000 }
        #expect(live.server.guardian.reap() == 0)
        gate.open()
        let reply = try c.readResponse()
        #expect(reply.status == 200)
        #expect(reply.text == "wrote=1")
    }

    @Test("stop() answers every write still waiting before the daemon stops")
    func stopAnswersDeferred() throws {
        let gate = Gate()
        let live = try LiveServer(router: gatedRouter(gate)) { $0.writeWorkers = 8 }
        let ok = LockedBox(0)
        let done = DispatchGroup()
        for i in 0..<8 {
            done.enter()
            Thread.detachNewThread {
                if let reply = try? post(port: live.port, "/write/\(i)"), reply.status == 200 { ok.withLock { $0 += 1 } }
                done.leave()
            }
        }
        #expect(LiveServer.wait(timeout: 10) { gate.inside == 8 })
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { gate.open() }
        #expect(finishes(within: 20) { live.stop() })
        #expect(done.wait(timeout: .now() + 20) == .success)
        #expect(ok.withLock { $0 } == 8)
    }
}
