// A parked stream gives back the pages of its connection's pool it does not need, the page of
// MHD's request-header list among them (see EventStream). Live: after that the stream still
// sends exactly the bytes it should, whether its events fit in the first page or not, and once
// it ends its kept-alive connection reads and answers the next request with fresh headers.
import Foundation
import Testing
@testable import LoketHTTP

@Suite("EventStream pool pages, live")
struct EventStreamPoolTests {
    @Test("a parked stream whose pool pages were released sends exact bytes when resumed, then its connection serves the next request",
          arguments: [3, 120])
    func parkedStreamResumes(fillerHeaders: Int) throws {
        let hub = EventHub(heartbeatSeconds: 15)
        let log = EventLog(hub: hub)
        let live = try LiveServer(router: log.router(), hub: hub)
        defer { live.stop() }
        #expect(live.server.configuration.connectionPoolIsMapped, "the default pool is mapped on its own")

        // With 120 headers MHD's list (64 bytes an entry, from the pool's end) spans two pages.
        let connection = try RawConnection(port: live.port)
        var request = "GET /events/hall HTTP/1.1\r\nHost: t\r\nAccept: text/event-stream\r\nCookie: a=1; b=2\r\n"
        for i in 0..<fillerHeaders { request += "X-Filler-\(i): \(String(repeating: "v", count: 10 + i % 30))\r\n" }
        try connection.send(request + "\r\n")
        let head = try connection.readHead(deadline: Date().addingTimeInterval(5))
        #expect(head.status == 200)

        var decoder = ChunkedDecoder()
        var received: [UInt8] = []
        func read(until done: () -> Bool) -> Bool {
            let deadline = Date().addingTimeInterval(5)
            while !done() {
                if connection.peerClosed || Date() >= deadline { return false }
                connection.fill(until: deadline)
                received += decoder.feed(connection.buffer)
                connection.buffer.removeAll()
            }
            return true
        }

        var expected = StreamBuffer.opening
        #expect(read { received.count >= expected.count })
        for i in 1...6 {
            #expect(LiveServer.wait(timeout: 5) { hub.parkedStreams(topic: "hall") == 1 }, "round \(i): the stream parked")
            // Small events, and events longer than two pages, which write past the reader's first page.
            let pad = String(repeating: Array("abcdef")[i % 6], count: i % 2 == 0 ? 9_000 : 10)
            expected += log.publish(topic: "hall", data: "{\"n\":\(i),\"pad\":\"\(pad)\"}").wire
            #expect(read { received.count >= expected.count })
        }
        #expect(received == expected)

        #expect(LiveServer.wait(timeout: 5) { hub.parkedStreams(topic: "hall") == 1 })
        hub.closeAll()
        #expect(read { decoder.isFinished }, "the stream ended")
        #expect(received == expected)
        try connection.send("GET /echo/x-probe HTTP/1.1\r\nHost: t\r\nX-Probe: still-here\r\n\r\n")
        let reply = try connection.readResponse()
        #expect(reply.status == 200)
        #expect(reply.text == "still-here")
    }
}
