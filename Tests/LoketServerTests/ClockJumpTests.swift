// A clock that jumps an hour back or forward while the server runs (an NTP correction, a badly set
// host clock, a virtual machine resumed), and the two DST changes of Brussels: no negative waits in
// any answer, ticket numbers unique per location and day, each reminder written and sent once.
// The clock is a ManualClock moved by the test; nothing sleeps.
import Foundation
import LoketCore
import LoketMail
import LoketServer
import LoketStore
import Testing
import LoketTestKit

@Suite("Clock jumps")
struct ClockJumpTests {
    /// Every negative number in a JSON document, with its path.
    func negatives(_ value: Any, at path: String = "$") -> [String] {
        switch value {
        case let o as [String: Any]: return o.flatMap { negatives($1, at: "\(path).\($0)") }
        case let a as [Any]: return a.enumerated().flatMap { negatives($1, at: "\(path)[\($0)]") }
        case let n as NSNumber where n.doubleValue < 0: return ["\(path) = \(n)"]  // true and false read as 1 and 0
        default: return []
        }
    }

    func json(_ r: HTTPResponse, sourceLocation: SourceLocation = #_sourceLocation) throws -> Any {
        try #require(r.status == 200, "\(r.status): \(r.text)", sourceLocation: sourceLocation)
        return try JSONSerialization.jsonObject(with: Data(r.text.utf8))
    }

    /// A catalogue whose walk-in hours span the whole day, every day (for midnight and the DST nights).
    static func allDay() -> Catalogue {
        Fixture.catalogue(walkIn: ["00:00-23:59"], walkInDays: Set(Weekday.allCases))
    }

    @Test("a clock set back an hour while tickets wait gives no negative wait anywhere")
    func backwardJumpNoNegativeWaits() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: "2026-12-01T10:00:00+01:00")
        defer { live.stop() }
        let kiosk = try live.token(.kiosk), clerk = try live.token(.clerk), admin = try live.token(.admin)
        let first = try live.mustIssue(kiosk: kiosk)
        #expect(try live.counter("c1", "open", clerk: clerk).status == 200)

        // Called "an hour before" it was issued, then served for minus ten minutes.
        live.clock.advance(by: -3600)
        let called = try live.counter("c1", "call-next", clerk: clerk)
        #expect(called.status == 200)
        #expect(try called.object()["id"] as? String == first["id"] as? String, "\(called.text)")
        #expect(try live.ticketAction(try #require(first["id"] as? String), "start", clerk: clerk).status == 200)
        live.clock.advance(by: -600)
        #expect(try live.ticketAction(try #require(first["id"] as? String), "finish", clerk: clerk).status == 200)
        // Waiting behind it at the earlier time, with an estimate.
        let second = try live.mustIssue(kiosk: kiosk)
        let third = try live.mustIssue(kiosk: kiosk)

        for t in [first, second, third] {
            let status = try live.ticket(try #require(t["id"] as? String))
            #expect(negatives(status).isEmpty, "\(negatives(status))")
        }
        let display = try json(try live.client.get("/api/v1/locations/hal/display"))
        #expect(negatives(display).isEmpty, "\(negatives(display))")
        let queue = try json(try live.client.get("/api/v1/locations/hal/queue", token: clerk))
        #expect(negatives(queue).isEmpty, "\(negatives(queue))")
        let stats = try json(try live.client.get("/api/v1/stats/day?date=2026-12-01", token: admin))
        #expect(negatives(stats).isEmpty, "\(negatives(stats))")
        let day = try #require((stats as? [[String: Any]])?.first { $0["location"] as? String == "hal" })
        #expect(day["averageWaitMinutes"] as? Double == 0, "the only wait was negative by the clock: it counts as 0 (\(day))")
        let metrics = try live.client.get("/metrics").text
        let waitLines = metrics.split(separator: "\n").filter { $0.hasPrefix("loket_ticket_wait") }
        #expect(!waitLines.isEmpty)
        #expect(!waitLines.contains { $0.split(separator: " ").last?.hasPrefix("-") == true }, "\(waitLines)")
    }

    @Test("tickets issued after the clock went back an hour do not pass those issued before")
    func backwardJumpKeepsTheLine() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: "2026-12-01T10:00:00+01:00")
        defer { live.stop() }
        let kiosk = try live.token(.kiosk), clerk = try live.token(.clerk)
        let a = try live.mustIssue(kiosk: kiosk)
        live.clock.advance(by: 5 * 60)
        let b = try live.mustIssue(kiosk: kiosk)
        live.clock.advance(by: -3600)
        let c = try live.mustIssue(kiosk: kiosk)
        live.clock.advance(by: 30 * 60)   // 09:35 by the clock: c has "waited" half an hour, a and b not at all
        #expect(try live.counter("c1", "open", clerk: clerk).status == 200)
        var called: [String] = []
        for _ in 0..<3 {
            let r = try live.counter("c1", "call-next", clerk: clerk)
            try #require(r.status == 200, "\(r.text)")
            called.append(try #require(try r.object()["number"] as? String))
        }
        #expect(called == [a, b, c].compactMap { $0["number"] as? String }, "called in the order issued")
    }

    @Test("a backward jump across midnight keeps ticket numbers unique per location and day")
    func backwardAcrossMidnight() throws {
        let live = try LiveServer(catalogue: Self.allDay(), clock: "2026-12-01T23:50:00+01:00")
        defer { live.stop() }
        let kiosk = try live.token(.kiosk)
        var issued: [(day: String, number: String)] = []
        func issue() throws {
            let t = try live.mustIssue(kiosk: kiosk)
            let day = CivilClock(timeZone: .brussels).date(of: live.clock.now()).description
            issued.append((day, try #require(t["number"] as? String)))
        }
        try issue()                          // Tuesday 23:50
        live.clock.advance(by: 20 * 60)
        try issue()                          // Wednesday 00:10
        live.clock.advance(by: -3600)
        try issue()                          // Tuesday 23:10 again
        try issue()
        live.clock.advance(by: 3600)
        try issue()                          // Wednesday 00:10 again
        #expect(issued.map(\.number) == ["A001", "A001", "A002", "A003", "A002"], "\(issued)")

        let stored = try live.store.read { db in
            try db.tickets(location: "hal", statuses: TicketStatus.allCases).map { "\($0.day) \($0.number)" }
        }
        #expect(stored.count == 5 && Set(stored).count == 5, "\(stored)")
        #expect(Set(stored) == Set(issued.map { "\($0.day) \($0.number)" }), "each ticket belongs to the day its clock read")
        // Back on Wednesday, Tuesday's tickets (also those issued after the jump) were closed by the
        // rollover that the last ticket's write ran.
        let open = try live.store.read { try $0.tickets(location: "hal", statuses: [.waiting]) }
        #expect(open.allSatisfy { $0.day.description == "2026-12-02" } && open.count == 2, "\(open.map(\.number))")
    }

    @Test("the DST nights: numbering goes on through the repeated and the skipped hour",
          arguments: [("2026-10-25T02:50:00+02:00", "2026-10-25"), ("2027-03-28T01:50:00+01:00", "2027-03-28")])
    func dstNights(start: String, day: String) throws {
        let live = try LiveServer(catalogue: Self.allDay(), clock: start)
        defer { live.stop() }
        let kiosk = try live.token(.kiosk)
        var numbers: [String] = []
        for _ in 0..<4 {
            numbers.append(try #require(try live.mustIssue(kiosk: kiosk)["number"] as? String))
            live.clock.advance(by: 15 * 60)
        }
        #expect(numbers == ["A001", "A002", "A003", "A004"])
        let days = try live.store.read { try $0.tickets(location: "hal", statuses: [.waiting]).map(\.day.description) }
        #expect(days == Array(repeating: day, count: 4))
        let waits = try live.store.read { try $0.tickets(location: "hal", statuses: [.waiting]) }
        for t in waits {
            #expect(negatives(try live.ticket(t.id)).isEmpty)
        }
    }

    @Test("a forward jump over a reminder's moment writes it once; a jump back does not write it again",
          arguments: [
              // An ordinary week, and the week of each DST change (the visit the day after the change).
              ("2026-12-01T09:00:00+01:00", "2026-12-03T10:00:00+01:00", "2026-12-02T09:30:00+01:00"),
              ("2026-10-23T09:00:00+02:00", "2026-10-26T10:00:00+01:00", "2026-10-25T09:30:00+01:00"),
              // (Monday 2027-03-29 is Easter Monday, a holiday: the visit is on the Tuesday.)
              ("2027-03-26T09:00:00+01:00", "2027-03-30T10:00:00+02:00", "2027-03-29T09:30:00+02:00"),
          ])
    func reminders(clock: String, visit: String, beforeMoment: String) throws {
        let transport = ScriptedTransport()
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: clock, mail: transport)
        defer { live.stop() }
        let b = try live.mustBook(start: visit)
        #expect(live.app.mailer.runRound().sent == 1, "the confirmation")
        live.clock.set(try instant(beforeMoment))
        #expect(live.app.mailer.runRound().reminders == 0, "half an hour before the 24-hour moment")

        live.clock.advance(by: 3600)   // jumps over the moment
        let round = live.app.mailer.runRound()
        #expect(round.reminders == 1 && round.sent == 1, "\(round)")
        live.clock.advance(by: -3600)  // and back
        #expect(live.app.mailer.runRound() == MailRound())
        live.clock.advance(by: 3600)
        #expect(live.app.mailer.runRound() == MailRound())
        let rows = try live.store.read { try $0.outbox(reference: b.reference) }
        #expect(rows.map(\.kind) == ["booked", "reminder"] && rows.allSatisfy { $0.status == .sent }, "\(rows)")
        #expect(transport.deliveredIDs == rows.map(\.messageID), "each message delivered once")
    }

    @Test("a message in backoff when the clock jumps back is not held back by the lost hour")
    func backoffAfterBackwardJump() throws {
        let transport = ScriptedTransport()
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: "2026-12-01T09:00:00+01:00", mail: transport)
        defer { live.stop() }
        _ = try live.mustBook(start: "2026-12-03T10:00:00+01:00")
        transport.fail(with: [.temporary("421 try later")])
        #expect(live.app.mailer.runRound().retried == 1)
        live.clock.advance(by: -3600)
        // Its next attempt is now further off than any pause the mailer gives: only a clock set back does that.
        #expect(live.app.mailer.runRound().sent == 1, "not held back by the hour the clock lost")
        #expect(transport.deliveredIDs.count == 1)
    }
}
