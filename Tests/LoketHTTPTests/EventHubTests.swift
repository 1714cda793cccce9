// Server-Sent Events through EventHub on a live server: fan-out, replay, heartbeats, reaping, stop.
import Foundation
import LoketCore
import Testing
@testable import LoketHTTP

/// A live server with an event log wired to its hub.
private func sseServer(heartbeat: Double = 15, maxPendingBytes: Int = 1 << 20, threads: Int = 2,
                       hooks: (EventLog) -> Void = { _ in }) throws -> (LiveServer, EventLog) {
    let hub = EventHub(heartbeatSeconds: heartbeat, maxPendingBytes: maxPendingBytes)
    let log = EventLog(hub: hub)
    hooks(log)
    let live = try LiveServer(router: log.router(), hub: hub) { $0.threads = threads }
    return (live, log)
}

@Suite("Server-Sent Events")
struct EventHubTests {
    @Test("the wire format has id, event and one data line per payload line")
    func wireFormat() {
        let single = String(decoding: ServerEvent(id: 42, name: "called", data: "{\"n\":\"A012\"}").wire, as: UTF8.self)
        #expect(single == "id: 42\nevent: called\ndata: {\"n\":\"A012\"}\n\n")
        let multi = String(decoding: ServerEvent(id: 7, name: "queue", data: "a\nb\n").wire, as: UTF8.self)
        #expect(multi == "id: 7\nevent: queue\ndata: a\ndata: b\ndata: \n\n")
    }

    @Test("300 concurrent clients all receive a published event within 2 s")
    func fanOut() throws {
        let (live, log) = try sseServer()
        defer { live.stop() }
        let clients = try (0..<300).map { _ in try SSEClient(port: live.port, path: "/events/hall") }
        defer { clients.forEach { $0.close() } }
        let opened = SSEClient.pumpAll(clients, timeout: 30) { clients.allSatisfy(\.isOpen) }
        #expect(opened, "\(clients.filter(\.isOpen).count) of 300 streams opened")
        #expect(live.hub.openStreams == 300)
        #expect(clients.allSatisfy { $0.status == 200 })
        #expect(clients.allSatisfy { c in c.headers.contains { $0.0.lowercased() == "content-type" && $0.1 == "text/event-stream" } })

        for round in 1...3 {
            let published = Date()
            let event = log.publish(topic: "hall", data: "{\"number\":\"A00\(round)\",\"counter\":\"3\"}")
            let all = SSEClient.pumpAll(clients, timeout: 10) { clients.allSatisfy { $0.arrivals[event.id] != nil } }
            #expect(all, "\(clients.filter { $0.arrivals[event.id] != nil }.count) of 300 got event \(event.id)")
            let latencies = clients.compactMap { $0.arrivals[event.id]?.timeIntervalSince(published) }
            let worst = latencies.max() ?? .infinity
            print("EventHubTests.fanOut round \(round): max latency \(String(format: "%.1f", worst * 1000)) ms over \(latencies.count) clients")
            #expect(worst < 2)
        }
        for c in clients {
            #expect(c.events.map(\.id) == [1, 2, 3])
            #expect(c.events.map(\.event) == ["called", "called", "called"])
            #expect(c.events.last?.data == ["{\"number\":\"A003\",\"counter\":\"3\"}"])
        }
    }

    @Test("a reconnect with Last-Event-ID gets exactly the missed events, then live ones")
    func replayThenLive() throws {
        let (live, log) = try sseServer()
        defer { live.stop() }
        for _ in 1...10 { log.publish(topic: "hall") }
        log.publish(topic: "other")                      // id 11, another topic: never sent here
        let client = try SSEClient(port: live.port, path: "/events/hall", lastEventID: 4)
        defer { client.close() }
        #expect(client.wait(timeout: 5) { $0.eventIDs.count >= 6 })
        #expect(client.eventIDs == [5, 6, 7, 8, 9, 10])
        log.publish(topic: "hall")                       // 12
        log.publish(topic: "hall", name: "recalled")     // 13
        #expect(client.wait(timeout: 5) { $0.eventIDs.last == 13 })
        #expect(client.eventIDs == [5, 6, 7, 8, 9, 10, 12, 13])
        #expect(client.events.last?.event == "recalled")
        #expect(client.events.first?.data == ["{\"number\":\"A5\",\"counter\":\"3\"}"])

        // Without Last-Event-ID: only live events.
        let fresh = try SSEClient(port: live.port, path: "/events/hall")
        defer { fresh.close() }
        #expect(fresh.wait(timeout: 5) { $0.isOpen })
        log.publish(topic: "hall")                       // 14
        #expect(fresh.wait(timeout: 5) { !$0.eventIDs.isEmpty })
        #expect(fresh.eventIDs == [14])
        // Caught up: a Last-Event-ID at the head replays nothing.
        let current = try SSEClient(port: live.port, path: "/events/hall", lastEventID: 14)
        defer { current.close() }
        #expect(current.wait(timeout: 5) { $0.isOpen })
        log.publish(topic: "hall")                       // 15
        #expect(current.wait(timeout: 5) { !$0.eventIDs.isEmpty })
        #expect(current.eventIDs == [15])
    }

    @Test("events published while the replay is read are sent once, in order")
    func replayRaceDeterministic() throws {
        let (live, log) = try sseServer { log in
            // Live events land both before the missed events are read (they are in the replay and
            // deferred) and after (only deferred).
            log.afterOpen = { log.publish(topic: "hall"); log.publish(topic: "hall") }
            log.beforeFinish = { log.publish(topic: "hall"); log.publish(topic: "hall") }
        }
        defer { live.stop() }
        for _ in 1...5 { log.publish(topic: "other") }
        for _ in 1...5 { log.publish(topic: "hall") }    // 6...10
        let client = try SSEClient(port: live.port, path: "/events/hall", lastEventID: 7)
        defer { client.close() }
        #expect(client.wait(timeout: 5) { $0.eventIDs.last == 14 })
        #expect(client.eventIDs == [8, 9, 10, 11, 12, 13, 14])
        log.afterOpen = nil
        log.beforeFinish = nil
        log.publish(topic: "hall")
        #expect(client.wait(timeout: 5) { $0.eventIDs.last == 15 })
        #expect(client.eventIDs == Array(8...15))
    }

    @Test("reconnects racing a steady publisher miss nothing and duplicate nothing")
    func replayRaceConcurrent() throws {
        let seed = UInt64.random(in: 0..<UInt64.max)
        print("EventHubTests.replayRaceConcurrent seed: \(seed)")
        var generator = SplitMix64(seed: seed)
        let (live, log) = try sseServer()
        defer { live.stop() }
        for _ in 1...50 { log.publish(topic: "hall") }
        let total: Int64 = 1500
        let publisherDone = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            while log.lastID < total {
                log.publish(topic: "hall")
                if log.lastID % 10 == 0 { usleep(500) }
            }
            publisherDone.signal()
        }
        var clients: [(SSEClient, Int64)] = []
        defer { clients.forEach { $0.0.close() } }
        for _ in 0..<40 {
            let head = log.lastID
            let last = max(0, head - Int64.random(in: 0...40, using: &generator))
            clients.append((try SSEClient(port: live.port, path: "/events/hall", lastEventID: last), last))
            usleep(UInt32.random(in: 0...3000, using: &generator))
        }
        #expect(publisherDone.wait(timeout: .now() + 30) == .success)
        let all = clients.map(\.0)
        let done = SSEClient.pumpAll(all, timeout: 20) { all.allSatisfy { $0.eventIDs.last == total } }
        #expect(done)
        for (client, last) in clients {
            #expect(client.eventIDs == Array((last + 1)...total), "client from \(last): \(client.eventIDs.count) events (seed \(seed))")
        }
    }

    @Test("topics are isolated")
    func topics() throws {
        let (live, log) = try sseServer()
        defer { live.stop() }
        let a = try SSEClient(port: live.port, path: "/events/town-hall")
        let b = try SSEClient(port: live.port, path: "/events/district")
        defer { a.close(); b.close() }
        #expect(SSEClient.pumpAll([a, b], timeout: 5) { a.isOpen && b.isOpen })
        log.publish(topic: "town-hall")
        log.publish(topic: "district")
        log.publish(topic: "town-hall")
        #expect(SSEClient.pumpAll([a, b], timeout: 5) { a.eventIDs.count == 2 && b.eventIDs.count == 1 })
        #expect(a.eventIDs == [1, 3])
        #expect(b.eventIDs == [2])
    }

    @Test("heartbeat comments arrive on an idle stream")
    func heartbeat() throws {
        let (live, _) = try sseServer(heartbeat: 0.2)
        defer { live.stop() }
        let client = try SSEClient(port: live.port, path: "/events/hall")
        defer { client.close() }
        #expect(client.wait(timeout: 5) { $0.heartbeats >= 3 })
        #expect(client.eventIDs.isEmpty)
        #expect(!client.ended)
    }

    @Test("an HTTP/1.0 client gets the stream without chunking, and its end as a close")
    func http10() throws {
        let (live, log) = try sseServer()
        defer { live.stop() }
        let client = try SSEClient(port: live.port, path: "/events/hall", http10: true)
        defer { client.close() }
        #expect(client.wait(timeout: 5) { $0.isOpen })
        log.publish(topic: "hall")
        #expect(client.wait(timeout: 5) { $0.eventIDs == [1] })
        // Larger than the response's own buffer, which HTTP/1.0 streams are sent through: it goes out in pieces.
        let big = "{\"pad\":\"\(String(repeating: "y", count: 4 * EventStream.http10BlockBytes))\"}"
        log.publish(topic: "hall", data: big)
        #expect(client.wait(timeout: 5) { $0.eventIDs == [1, 2] })
        #expect(client.events.last?.data == [big])
        live.hub.closeAll()
        #expect(client.wait(timeout: 5) { $0.ended })
        #expect(LiveServer.wait(timeout: 5) { live.hub.openStreams == 0 })
    }

    @Test("closeAll ends every stream and the server keeps serving", arguments: [false, true])
    func closeAll(http10: Bool) throws {
        let (live, _) = try sseServer()
        defer { live.stop() }
        let clients = try (0..<10).map { _ in try SSEClient(port: live.port, path: "/events/hall", http10: http10) }
        defer { clients.forEach { $0.close() } }
        #expect(SSEClient.pumpAll(clients, timeout: 5) { clients.allSatisfy(\.isOpen) })
        live.hub.closeAll()
        #expect(SSEClient.pumpAll(clients, timeout: 5) { clients.allSatisfy(\.ended) })
        #expect(LiveServer.wait(timeout: 5) { live.hub.openStreams == 0 })
        #expect(try get(port: live.port, "/hello").text == "hello")
    }

    @Test("a client that disconnects is reaped after a heartbeat", arguments: ["close", "reset"])
    func reaping(how: String) throws {
        let (live, _) = try sseServer(heartbeat: 0.2)
        defer { live.stop() }
        let clients = try (0..<5).map { _ in try SSEClient(port: live.port, path: "/events/hall") }
        #expect(SSEClient.pumpAll(clients, timeout: 5) { clients.allSatisfy(\.isOpen) })
        #expect(live.hub.openStreams == 5)
        for c in clients.prefix(3) {
            if how == "reset" { c.connection.abort() } else { c.close() }
        }
        let started = Date()
        let reaped = LiveServer.wait(timeout: 10) { live.hub.openStreams == 2 }
        print("EventHubTests.reaping(\(how)): \(live.hub.openStreams) streams left after \(String(format: "%.2f", Date().timeIntervalSince(started))) s")
        #expect(reaped)
        // The others still get events.
        #expect(SSEClient.pumpAll(Array(clients.suffix(2)), timeout: 5) { clients.suffix(2).allSatisfy { $0.heartbeats >= 2 } })
        clients.forEach { $0.close() }
        #expect(LiveServer.wait(timeout: 10) { live.hub.openStreams == 0 })
    }

    @Test("HEAD on an event route answers headers and leaves no stream behind")
    func headOnStream() throws {
        let (live, _) = try sseServer()
        defer { live.stop() }
        let reply = try exchange(port: live.port, "HEAD /events/hall HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", isHead: true)
        #expect(reply.status == 200)
        #expect(reply.header("Content-Type") == "text/event-stream")
        #expect(LiveServer.wait(timeout: 5) { live.hub.openStreams == 0 })
    }

    @Test("a client that does not read is cut off once too much is pending, and memory stays bounded")
    func slowClient() throws {
        let (live, log) = try sseServer(maxPendingBytes: 64 * 1024)
        defer { live.stop() }
        let slow = try SSEClient(port: live.port, path: "/events/hall", receiveBuffer: 4096)
        defer { slow.close() }
        #expect(slow.wait(timeout: 5) { $0.isOpen })
        let payload = "{\"pad\":\"\(String(repeating: "x", count: 1000))\"}"
        for _ in 0..<20_000 { log.publish(topic: "hall", data: payload) }   // about 20 MB
        // Now read everything: a consecutive prefix of the events, then the end.
        #expect(slow.wait(timeout: 30) { $0.ended })
        let ids = slow.eventIDs
        print("EventHubTests.slowClient: got \(ids.count) of 20000 events before the cut")
        #expect(ids.count < 20_000)
        #expect(!ids.isEmpty)
        #expect(ids == (0..<ids.count).map { Int64($0 + 1) }, "a consecutive prefix, no gaps")
        #expect(LiveServer.wait(timeout: 5) { live.hub.openStreams == 0 })
    }

    @Test("a stream that does not read neither holds up nor corrupts the others: they get the same bytes")
    func slowAmongReaders() throws {
        let (live, log) = try sseServer(maxPendingBytes: 64 * 1024)
        defer { live.stop() }
        let slow = try SSEClient(port: live.port, path: "/events/hall", receiveBuffer: 4096)
        let readers = try (0..<20).map { _ in try SSEClient(port: live.port, path: "/events/hall") }
        defer { slow.close(); readers.forEach { $0.close() } }
        #expect(SSEClient.pumpAll(readers + [slow], timeout: 10) { (readers + [slow]).allSatisfy(\.isOpen) })
        var expected = StreamBuffer.opening
        for i in 1...400 {
            // Different sizes and contents, so a misplaced or repeated piece cannot go unnoticed.
            let e = log.publish(topic: "hall", data: "{\"n\":\(i),\"pad\":\"\(String(repeating: Array("abcdefg")[i % 7], count: 300 + i * 7))\"}")
            expected += e.wire
            if i % 10 == 0 { _ = SSEClient.pumpAll(readers, timeout: 0.02) { false } }
        }
        let all = SSEClient.pumpAll(readers, timeout: 20) { readers.allSatisfy { $0.received.count >= expected.count } }
        #expect(all, "\(readers.filter { $0.received.count >= expected.count }.count) of 20 readers got everything")
        // A slow run (a sanitizer) may add heartbeats (":\n\n") after the last event: nothing else may follow.
        let heartbeat = Array(":\n\n".utf8)
        func onlyHeartbeats(_ tail: ArraySlice<UInt8>) -> Bool {
            let bytes = Array(tail)
            return bytes.count % heartbeat.count == 0
                && stride(from: 0, to: bytes.count, by: heartbeat.count).allSatisfy { Array(bytes[$0..<$0 + heartbeat.count]) == heartbeat }
        }
        for (i, reader) in readers.enumerated() {
            #expect(Array(reader.received.prefix(expected.count)) == expected && onlyHeartbeats(reader.received.dropFirst(expected.count)),
                    "reader \(i): \(reader.received.count) of \(expected.count) bytes")
            #expect(!reader.ended)
        }
        // The slow client now reads: a prefix of the same bytes, whole events, and if it was cut off
        // (its kernel buffers may have taken it all), the end after a consecutive run of ids.
        #expect(slow.wait(timeout: 20) { $0.ended || $0.received.count >= expected.count })
        #expect(expected.starts(with: slow.received.prefix(expected.count)) && onlyHeartbeats(slow.received.dropFirst(expected.count)))
        if slow.ended {
            print("EventHubTests.slowAmongReaders: the slow stream was cut after \(slow.eventIDs.count) of 400 events")
            #expect(slow.eventIDs == Array(1...Int64(slow.eventIDs.count)))
        }
    }

    @Test("stop() with open streams returns promptly and does not crash")
    func stopWithOpenStreams() throws {
        let (live, log) = try sseServer(heartbeat: 0.2)
        defer { live.stop() }
        let idle = try (0..<20).map { _ in try SSEClient(port: live.port, path: "/events/hall") }
        let replayed = try (0..<5).map { _ in try SSEClient(port: live.port, path: "/events/hall", lastEventID: 0) }
        let all = idle + replayed
        defer { all.forEach { $0.close() } }
        #expect(SSEClient.pumpAll(all, timeout: 5) { all.allSatisfy(\.isOpen) })
        log.publish(topic: "hall")
        #expect(SSEClient.pumpAll(all, timeout: 5) { all.allSatisfy { $0.eventIDs == [1] } })
        let started = Date()
        let stopped = finishes(within: 10) { live.stop() }
        let elapsed = Date().timeIntervalSince(started)
        print("EventHubTests.stopWithOpenStreams: stop() took \(String(format: "%.3f", elapsed)) s")
        #expect(stopped)
        #expect(elapsed < 3, "stop() should not need its 3 s fallback")
        #expect(live.hub.openStreams == 0)
        #expect(SSEClient.pumpAll(all, timeout: 5) { all.allSatisfy(\.ended) })
        // Publishing after stop is harmless.
        log.publish(topic: "hall")
    }

    @Test("stop() while publishing to many streams does not crash")
    func stopWhilePublishing() throws {
        let (live, log) = try sseServer(heartbeat: 0.05)
        defer { live.stop() }
        let clients = try (0..<30).map { _ in try SSEClient(port: live.port, path: "/events/hall") }
        defer { clients.forEach { $0.close() } }
        #expect(SSEClient.pumpAll(clients, timeout: 5) { clients.allSatisfy(\.isOpen) })
        let keepPublishing = LockedBox(true)
        let publisherDone = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            while keepPublishing.withLock({ $0 }) { log.publish(topic: "hall") }
            publisherDone.signal()
        }
        // Read for a while, then stop mid-stream.
        _ = SSEClient.pumpAll(clients, timeout: 0.3) { false }
        #expect(finishes(within: 10) { live.stop() })
        keepPublishing.withLock { $0 = false }
        #expect(publisherDone.wait(timeout: .now() + 5) == .success)
        #expect(live.hub.openStreams == 0)
    }
}
