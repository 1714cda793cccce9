// Connection handling: keep-alive, pipelining, stalled clients and the idle timeout.
import Foundation
import Logging
import Testing
@testable import LoketHTTP

@Suite("Connections")
struct ConnectionTests {
    @Test("two requests on one keep-alive connection are both answered")
    func keepAlive() throws {
        let live = try LiveServer(router: demoRouter())
        defer { live.stop() }
        let c = try RawConnection(port: live.port)
        defer { c.close() }
        try c.send("GET /items/1 HTTP/1.1\r\nHost: t\r\n\r\n")
        let first = try c.readResponse()
        #expect(first.status == 200)
        #expect(first.text == "item=1")
        #expect(first.header("Connection")?.lowercased() != "close")
        try c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc")
        let second = try c.readResponse()
        #expect(second.status == 200)
        #expect(second.text == "abc")
        try c.send("GET /items/3 HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try c.readResponse().text == "item=3")
    }

    @Test("pipelined requests are answered in order")
    func pipelined() throws {
        let live = try LiveServer(router: demoRouter())
        defer { live.stop() }
        let c = try RawConnection(port: live.port)
        defer { c.close() }
        try c.send((1...5).map { "GET /items/\($0) HTTP/1.1\r\nHost: t\r\n\r\n" }.joined())
        for i in 1...5 {
            #expect(try c.readResponse().text == "item=\(i)")
        }
    }

    @Test("stalled clients do not block others (threads = 2)")
    func stalledClients() throws {
        let live = try LiveServer(router: demoRouter()) { $0.threads = 2; $0.connectionTimeoutSeconds = 30 }
        defer { live.stop() }
        // Two clients send half a request each and then stop: one in the headers, one in the body.
        let stalledHeaders = try RawConnection(port: live.port)
        defer { stalledHeaders.close() }
        try stalledHeaders.send("GET /hello HTTP/1.1\r\nHost: t\r\nX-Half: ")
        let stalledBody = try RawConnection(port: live.port)
        defer { stalledBody.close() }
        try stalledBody.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nonly a part")
        Thread.sleep(forTimeInterval: 0.1)

        let started = Date()
        let ok = LockedBox(0)
        DispatchQueue.concurrentPerform(iterations: 50) { i in
            if let reply = try? get(port: live.port, "/items/\(i)", timeout: 5), reply.text == "item=\(i)" {
                ok.withLock { $0 += 1 }
            }
        }
        let elapsed = Date().timeIntervalSince(started)
        print("ConnectionTests.stalledClients: 50 requests beside 2 stalled clients in \(String(format: "%.3f", elapsed)) s")
        #expect(ok.withLock { $0 } == 50)
        #expect(elapsed < 10)
        // The stalled ones are still waiting, not answered and not closed.
        #expect(!stalledHeaders.fill(until: Date().addingTimeInterval(0.05)))
        #expect(!stalledBody.peerClosed)
    }

    @Test("a stalled connection is closed after connectionTimeoutSeconds")
    func idleTimeout() throws {
        let live = try LiveServer(router: demoRouter()) { $0.connectionTimeoutSeconds = 2 }
        defer { live.stop() }
        let c = try RawConnection(port: live.port)
        defer { c.close() }
        try c.send("GET /hello HTTP/1.1\r\nHost: t\r\n")
        let started = Date()
        let closed = c.waitForClose(timeout: 8)
        let elapsed = Date().timeIntervalSince(started)
        print("ConnectionTests.idleTimeout: closed after \(String(format: "%.2f", elapsed)) s")
        #expect(closed)
        #expect(elapsed >= 1)
        // An idle keep-alive connection is closed as well.
        let idle = try RawConnection(port: live.port)
        defer { idle.close() }
        try idle.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try idle.readResponse().text == "hello")
        #expect(idle.waitForClose(timeout: 8))
    }

    @Test("many short connections in parallel are all answered")
    func parallelConnections() throws {
        let live = try LiveServer(router: demoRouter())
        defer { live.stop() }
        let ok = LockedBox(0)
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for i in 0..<40 {
                if let reply = try? get(port: live.port, "/items/\(worker)-\(i)"), reply.text == "item=\(worker)-\(i)" {
                    ok.withLock { $0 += 1 }
                }
            }
        }
        #expect(ok.withLock { $0 } == 320)
    }

    @Test("stop() on an idle server returns and frees the port for reuse")
    func stopAndRestart() throws {
        let live = try LiveServer(router: demoRouter())
        let port = live.port
        #expect(port != 0)
        #expect(try get(port: port, "/hello").status == 200)
        live.stop()
        live.stop() // twice is harmless
        #expect(throws: (any Error).self) { try get(port: port, "/hello", timeout: 1) }
    }

    @Test("a host that is not an IP address is refused at start")
    func badHost() throws {
        let server = HTTPServer(configuration: HTTPServerConfiguration(host: "not-an-ip", port: 0), hub: EventHub(),
                                logger: .init(label: "t")) { _ in .noContent }
        #expect(throws: HTTPServerError.self) { try server.start() }
    }
}
