// Server-Sent Events for lobby displays: a call reaches a subscribed display within a second, and
// a display that reconnects with `Last-Event-ID` receives exactly the events it missed.
import Foundation
import LoketCore
import Testing
import LoketTestKit

@Suite("Live events")
struct LiveEventsTests {
    // 2026-12-01 is a Tuesday; walk-in is open 08:00-12:00.
    static let clock = "2026-12-01T09:00:00+01:00"

    @Test func aDisplayHearsTheCallWithinOneSecond() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let clerk = try live.token(.clerk), kiosk = try live.token(.kiosk)
        let stream = try EventStreamClient(port: live.server.port, path: "/api/v1/locations/hal/events")
        defer { stream.shutdown() }
        #expect(stream.status == 200)
        #expect(stream.headers["content-type"]?.hasPrefix("text/event-stream") == true)
        #expect(try stream.waitUntilOpen(timeout: 5), "the stream never sent its first line")

        _ = try live.mustIssue(kiosk: kiosk)
        _ = try live.counter("c2", "open", clerk: clerk)
        let sent = Date()
        let call = try live.counter("c2", "call-next", clerk: clerk)
        try #require(call.status == 200)
        let number = try #require(try call.object()["number"] as? String)

        var heard: ReceivedEvent?
        while let e = try stream.next(timeout: 3) {
            if e.name == "called" {
                heard = e
                break
            }
        }
        let event = try #require(heard, "no `called` event within 3 s")
        let latency = event.receivedAt.timeIntervalSince(sent)
        #expect(latency < 1, "the call took \(latency) s to reach the display")
        #expect(event.id != nil)
        #expect(event.object["number"] as? String == number)
        #expect(event.object["counter"] as? String == "Loket 2")
        #expect(!event.data.contains("Peeters"))
    }

    /// The stream is public (every lobby display reads it) and a ticket's id is the citizen's link,
    /// so the stream names tickets by their tag only: no event carries an id, and each ticket's own
    /// `eventTag` (from its status answer) finds its `ticket`, `called` and `recalled` events.
    @Test func theStreamNamesTicketsByTagNeverById() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let clerk = try live.token(.clerk), kiosk = try live.token(.kiosk)
        let stream = try EventStreamClient(port: live.server.port, path: "/api/v1/locations/hal/events")
        defer { stream.shutdown() }
        #expect(try stream.waitUntilOpen(timeout: 5))
        let tickets = try (0..<3).map { _ in try live.mustIssue(kiosk: kiosk) }
        _ = try live.counter("c1", "open", clerk: clerk)
        let called = try live.counter("c1", "call-next", clerk: clerk).object()
        let calledID = try #require(called["id"] as? String)
        #expect(try live.ticketAction(calledID, "recall", clerk: clerk).status == 200)

        var heard: [ReceivedEvent] = []
        while let e = try stream.next(timeout: 2) {
            heard.append(e)
            if e.name == "recalled" { break }
        }
        #expect(heard.contains { $0.name == "recalled" }, "no recall heard: \(heard.map(\.name))")
        for t in tickets {
            let id = try #require(t["id"] as? String)
            let tag = try #require(try live.client.get("/api/v1/tickets/\(id)").object()["eventTag"] as? String)
            #expect(tag == TicketTag.of(id) && tag.count == 12 && tag != id)
            #expect(!heard.contains { $0.data.contains(id) }, "an event carries the id \(id)")
            let mine = heard.filter { $0.object["ticket"] as? String == tag }.map(\.name)
            #expect(mine.contains("ticket"), "\(id): \(mine)")
            if id == calledID { #expect(mine.contains("called") && mine.contains("recalled"), "\(mine)") }
        }
    }

    @Test func reconnectingWithLastEventIDReplaysExactlyWhatWasMissed() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let clerk = try live.token(.clerk), kiosk = try live.token(.kiosk)
        let first = try EventStreamClient(port: live.server.port, path: "/api/v1/locations/hal/events")
        defer { first.shutdown() }
        #expect(try first.waitUntilOpen(timeout: 5))

        // Some traffic: tickets, a counter, calls, a recall.
        _ = try live.mustIssue(kiosk: kiosk)
        _ = try live.mustIssue(kiosk: kiosk)
        _ = try live.mustIssue(service: "rijbewijs", kiosk: kiosk)
        _ = try live.counter("c1", "open", clerk: clerk)
        let call = try live.counter("c1", "call-next", clerk: clerk)
        #expect(call.status == 200)
        let t1 = try #require(try call.object()["id"] as? String)
        #expect(try live.ticketAction(t1, "recall", clerk: clerk).status == 200)
        #expect(try live.counter("c1", "call-next", clerk: clerk).status == 200)

        let stored = try live.store.read { try $0.events(topic: "hal", after: 0) }
        #expect(stored.count >= 10)
        // The live stream saw all of them, in order.
        var live1: [ReceivedEvent] = []
        while live1.count < stored.count, let e = try first.next(timeout: 3) { live1.append(e) }
        #expect(live1.compactMap(\.id) == stored.map(\.id))
        #expect(live1.compactMap(\.name) == stored.map(\.name))
        #expect(live1.contains { $0.name == "recalled" })

        // A display that saw up to the middle reconnects.
        let n = stored[stored.count / 2].id
        let expected = stored.filter { $0.id > n }
        let reconnects: [(String, String, [(String, String)])] = [
            ("Last-Event-ID header", "/api/v1/locations/hal/events", [("Last-Event-ID", "\(n)")]),
            ("lastEventId query", "/api/v1/locations/hal/events?lastEventId=\(n)", []),
        ]
        for (label, path, headers) in reconnects {
            let again = try EventStreamClient(port: live.server.port, path: path, headers: headers)
            defer { again.shutdown() }
            var replayed: [ReceivedEvent] = []
            while replayed.count < expected.count, let e = try again.next(timeout: 3) { replayed.append(e) }
            #expect(replayed.compactMap(\.id) == expected.map(\.id), "\(label)")
            #expect(replayed.map(\.data) == expected.map(\.data), "\(label)")
            #expect(try again.next(timeout: 0.3) == nil, "\(label): more than the missed events were sent")
        }

        // After the replay the reconnected stream goes on live, without a gap.
        let reconnected = try EventStreamClient(port: live.server.port, path: "/api/v1/locations/hal/events",
                                                headers: [("Last-Event-ID", "\(stored.last!.id)")])
        defer { reconnected.shutdown() }
        #expect(try reconnected.waitUntilOpen(timeout: 5))
        #expect(try reconnected.next(timeout: 0.3) == nil, "nothing was missed")
        _ = try live.mustIssue(kiosk: kiosk)
        let next = try #require(try reconnected.next(timeout: 3))
        #expect((next.id ?? 0) > stored.last!.id)
    }

    @Test
    func aLastEventIDFromTheFutureDoesNotSilenceTheStream() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let kiosk = try live.token(.kiosk)
        // The display saw event 5000 on the server before it was restored from last night's backup.
        let display = try EventStreamClient(port: live.server.port, path: "/api/v1/locations/hal/events",
                                            headers: [("Last-Event-ID", "5000")])
        defer { display.shutdown() }
        #expect(try display.waitUntilOpen(timeout: 5))
        _ = try live.mustIssue(kiosk: kiosk)
        #expect(try display.next(timeout: 2) != nil, "the display hears nothing")
    }

    @Test func oddLastEventIDsAreHarmless() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let kiosk = try live.token(.kiosk)
        _ = try live.mustIssue(kiosk: kiosk)
        let stored = try live.store.read { try $0.events(topic: "hal", after: 0) }
        // Not a number: no replay, live from now. Negative: everything is replayed.
        let garbage = try EventStreamClient(port: live.server.port, path: "/api/v1/locations/hal/events",
                                            headers: [("Last-Event-ID", "abc")])
        defer { garbage.shutdown() }
        #expect(garbage.status == 200)
        #expect(try garbage.waitUntilOpen(timeout: 5))
        #expect(try garbage.next(timeout: 0.3) == nil)
        let negative = try EventStreamClient(port: live.server.port, path: "/api/v1/locations/hal/events",
                                             headers: [("Last-Event-ID", "-7")])
        defer { negative.shutdown() }
        var replayed: [Int64] = []
        while replayed.count < stored.count, let e = try negative.next(timeout: 3) { replayed.append(e.id ?? -1) }
        #expect(replayed == stored.map(\.id))
        _ = try live.mustIssue(kiosk: kiosk)
        #expect(try garbage.next(timeout: 3) != nil)
    }

    @Test func eventsOfAnotherLocationDoNotLeakAndUnknownLocationsAre404() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let kiosk = try live.token(.kiosk)
        let annex = try EventStreamClient(port: live.server.port, path: "/api/v1/locations/annex/events")
        defer { annex.shutdown() }
        #expect(try annex.waitUntilOpen(timeout: 5))
        _ = try live.mustIssue(kiosk: kiosk)
        #expect(try annex.next(timeout: 0.5) == nil, "an event of hal reached annex's display")
        _ = try live.mustIssue(location: "annex", kiosk: kiosk)
        #expect(try annex.next(timeout: 3) != nil)
        #expect(try live.client.get("/api/v1/locations/atlantis/events").status == 404)
    }
}
