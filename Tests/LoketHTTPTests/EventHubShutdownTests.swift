// Streams opened around shutdown, and streams whose replay fails before they are answered.
import Foundation
import Testing
@testable import LoketHTTP

@Suite("Server-Sent Events: shutdown races and abandoned streams")
struct EventHubShutdownTests {
    @Test("stop() while a handler is still opening its stream does not abort the process")
    func stopDuringSlowHandler() throws {
        let hub = EventHub(heartbeatSeconds: 15)
        let log = EventLog(hub: hub)
        let entered = DispatchSemaphore(value: 0)
        // The handler reads its replay slowly (as a busy database would) before answering with a stream.
        log.afterOpen = { entered.signal() }
        log.beforeFinish = { Thread.sleep(forTimeInterval: 0.5) }
        let live = try LiveServer(router: log.router(), hub: hub)
        defer { live.stop() }
        let client = try SSEClient(port: live.port, path: "/events/hall", lastEventID: 0)
        defer { client.close() }
        #expect(entered.wait(timeout: .now() + 5) == .success)
        #expect(finishes(within: 10) { live.stop() })
        #expect(client.wait(timeout: 5) { $0.ended })
    }

    // Before the fix this aborted the whole process ("MHD_stop_daemon() called while we have suspended connections").
    @Test("stop() while another request opens a stream on a kept-alive connection does not abort")
    func stopWhileNewStreamOnKeptAliveConnection() throws {
        let hub = EventHub(heartbeatSeconds: 15)
        let log = EventLog(hub: hub)
        let live = try LiveServer(router: log.router(), hub: hub)
        defer { live.stop() }
        // A client that does not read keeps one stream (and stop's wait loop) busy.
        let slow = try SSEClient(port: live.port, path: "/events/hall", receiveBuffer: 4096)
        defer { slow.close() }
        // An accepted keep-alive connection, idle between requests.
        let keptAlive = try RawConnection(port: live.port)
        defer { keptAlive.close() }
        try keptAlive.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try keptAlive.readResponse().text == "hello")
        #expect(LiveServer.wait(timeout: 5) { hub.openStreams == 1 })
        let payload = String(repeating: "x", count: 1000)
        for _ in 0..<5000 { log.publish(topic: "hall", data: payload) }
        let stopped = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            live.stop()
            stopped.signal()
        }
        Thread.sleep(forTimeInterval: 0.2)
        // stop() has quiesced and called closeAll; now a new stream opens on the kept-alive connection.
        try? keptAlive.send("GET /events/hall HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(stopped.wait(timeout: .now() + 10) == .success)
    }

    @Test("a stream whose replay throws is not left open")
    func abandonedStream() throws {
        let hub = EventHub(heartbeatSeconds: 15)
        var table = RouteTable<Void>()
        table.add(.GET, "/events/{topic}") { _, r in
            Response(status: 200, headers: [("Content-Type", "text/event-stream")],
                     body: .events(EventStreamRequest(topic: r.parameter("topic"), lastEventID: 0) { _ in
                         throw Problem(status: 503, code: "unavailable", detail: "The replay could not be read.")
                     }))
        }
        let live = try LiveServer(router: Router(table), hub: hub)
        defer { live.stop() }
        #expect(try get(port: live.port, "/events/hall").status == 503)
        let leftOpen = hub.openStreams
        let started = Date()
        live.stop()
        let elapsed = Date().timeIntervalSince(started)
        print("EventHubShutdownTests.abandonedStream: \(leftOpen) stream(s) left open; stop() took \(String(format: "%.2f", elapsed)) s")
        #expect(leftOpen == 0)
        #expect(elapsed < 2, "stop() waits out its 3 s fallback for the abandoned stream")
    }
}
