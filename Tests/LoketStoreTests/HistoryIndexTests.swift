// Flat with history: migration 008's indexes, and the bounded capacity read, which must still find
// every visit overlapping the asked range: across midnight, on the day the clocks go back, and on
// the next day after a rollover.
import Foundation
import LoketCore
import Testing
@testable import LoketStore

@Suite("History indexes and bounded reads")
struct HistoryIndexTests {
    /// The names of the indexes in the file.
    private func indexes(_ c: Connection) throws -> Set<String> {
        Set(try c.query("SELECT name FROM sqlite_master WHERE type = 'index'", table: "sqlite_master").map { try $0.text(0) })
    }

    /// SQLite's plan for `sql`, one line per step.
    private func plan(_ c: Connection, _ sql: String, _ arguments: [SQLValue]) throws -> String {
        try c.query("EXPLAIN QUERY PLAN " + sql, arguments, table: "plan").map { try $0.text(3) }.joined(separator: "\n")
    }

    @Test("a database at step 007 gets 008's indexes and 011's visit spans, keeps its rows, and the capacity read uses the bounded range")
    func upgradeFromStep7() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let before = Migrations.steps.firstIndex { $0.name == "008-history-indexes" }!
        do {
            // The file as the loket before this step left it: steps 001-007, recorded by name.
            let c = try Connection(path: db.path)
            try Store.configure(c)
            try c.exec("PRAGMA journal_mode=WAL")
            try c.exec(Migrations.bookkeeping)
            for (i, step) in Migrations.steps.prefix(before).enumerated() {
                // Line breaks: a step may end in a comment.
                try c.exec("BEGIN IMMEDIATE;\n\(step.sql)\n;INSERT INTO loket_migrations VALUES (\(i + 1), '\(step.name)', 0);\n"
                           + "PRAGMA user_version = \(i + 1); COMMIT")
            }
            #expect(try indexes(c).contains("appointments_by_time"))
            try c.insertAppointment(makeAppointment("OLD-001", start: 60), tokenHash: [1], group: nil, contactKey: nil)
            // Three hours from 01:00 before midnight: found from midnight on only if step 011 measured it.
            try c.insertAppointment(makeAppointment("OLD-LONG", start: -120, minutes: 180), tokenHash: [1], group: nil, contactKey: nil)
            var called = makeTicket("t-old", number: "A001")
            (called.status, called.calledAt, called.counter) = (.called, at(30), "c1")
            try c.insertTicket(called)
        }
        let store = try db.open()
        let names = try store.read { try indexes($0) }
        #expect(names.isSuperset(of: ["appointments_by_span", "tickets_by_call", "appointments_unpurged", "outbox_unpurged"]))
        #expect(!names.contains("appointments_by_time"), "replaced by appointments_by_span")
        #expect(try store.read { try $0.userVersion() } == Migrations.latest)
        #expect(db.files.contains { $0.hasSuffix(".bak") }, "a file with data is backed up before the step")
        #expect(try store.read { try $0.bookedIntervals(location: "town-hall", from: at(0), to: at(24 * 60)) }.count == 2)
        #expect(try store.read { try $0.one("SELECT CAST(longest AS INTEGER) FROM visit_spans WHERE location = 'town-hall'", table: "visit_spans").int(0) }
                == 180 * 60)
        #expect(try store.read { try $0.recentCalls(location: "town-hall", since: at(0), limit: 8) }.map(\.id) == ["t-old"])

        // The capacity read scans the asked range and the day before it, by index, not every past visit.
        let capacity = try store.read { c in
            try plan(c, """
                SELECT start, end, grp, channel FROM appointments
                WHERE location = ? AND start > \(Connection.overlapStart) AND start < ? AND end > ? AND status != 'cancelled'
                    AND reference != ?
                """, ["town-hall", 0, "town-hall", 1, 0, ""])
        }
        #expect(capacity.contains("appointments_by_span (location=? AND start>? AND start<?)"), "\(capacity)")
        let calls = try store.read { c in
            try plan(c, """
                SELECT id FROM tickets WHERE location = ? AND called_at >= ? AND counter IS NOT NULL
                ORDER BY called_at DESC, rowid DESC LIMIT ?
                """, ["town-hall", 0, 8])
        }
        #expect(calls.contains("tickets_by_call (location=? AND called_at>?)"), "\(calls)")
        // The retention purge looks at what it has not erased yet, not at every appointment or message.
        let purge = try store.read { c in
            try plan(c, "SELECT reference FROM appointments WHERE end < ? AND purged_at IS NULL", [0])
        }
        #expect(purge.contains("appointments_unpurged"), "\(purge)")
        let mail = try store.read { c in
            try plan(c, """
                SELECT id FROM outbox WHERE purged_at IS NULL
                AND EXISTS (SELECT 1 FROM appointments a WHERE a.reference = outbox.reference AND a.end < ?)
                """, [0])
        }
        #expect(mail.contains("outbox_unpurged") && !mail.contains("SCAN a"), "\(mail)")
    }

    @Test("the rollover finds the tickets earlier days left open, by status, across midnight")
    func staleTicketsAcrossMidnight() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open(readers: 1)
        let today = CivilDate(year: 2026, month: 12, day: 1)!, yesterday = today.adding(days: -1)
        try store.write { c in
            for d in 2...40 { // a long, closed past
                var t = makeTicket("past-\(d)", day: today.adding(days: -d), number: "A001")
                t.status = .done
                try c.insertTicket(t)
            }
            try c.insertTicket(makeTicket("y-waiting", day: yesterday, number: "A001"))
            var parked = makeTicket("y-parked", day: yesterday, number: "A002")
            parked.status = .parked
            try c.insertTicket(parked)
            var done = makeTicket("y-done", day: yesterday, number: "A003")
            done.status = .done
            try c.insertTicket(done)
            try c.insertTicket(makeTicket("t-waiting", day: today, number: "A001"))
        }
        #expect(try store.read { try $0.staleTickets(location: "town-hall", before: today) }.map(\.id).sorted() == ["y-parked", "y-waiting"])
        // The next day: today's open ticket is stale in its turn.
        #expect(try store.read { try $0.staleTickets(location: "town-hall", before: today.adding(days: 1)) }.map(\.id).sorted()
                == ["t-waiting", "y-parked", "y-waiting"])
        #expect(try store.read { try $0.staleTickets(location: "elsewhere", before: today) }.isEmpty)
    }

    @Test("the capacity read finds every visit overlapping the day, across midnight and the day the clocks go back")
    func boundedCapacityRead() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open(readers: 1)
        let day = 24 * 60
        // A long past, to be skipped; yesterday's last visit ending at midnight (not overlapping);
        // one running over midnight; one of 25 hours (the day the clocks go back) ending just after;
        // the day itself; tomorrow's first visit at midnight (not overlapping).
        try store.write { c in
            for d in 1...60 {
                try c.insertAppointment(makeAppointment("PAST-\(d)", start: -d * day + 600, status: .done), tokenHash: [1], group: nil, contactKey: nil)
            }
            try c.insertAppointment(makeAppointment("EVE", start: -15, minutes: 15), tokenHash: [1], group: nil, contactKey: nil)
            try c.insertAppointment(makeAppointment("OVER", start: -10, minutes: 20), tokenHash: [1], group: nil, contactKey: nil)
            try c.insertAppointment(makeAppointment("LONG", start: -25 * 60 + 1, minutes: 25 * 60), tokenHash: [1], group: nil, contactKey: nil)
            try c.insertAppointment(makeAppointment("DAY", start: 600), tokenHash: [1], group: nil, contactKey: nil)
            try c.insertAppointment(makeAppointment("GONE", start: 700, status: .cancelled), tokenHash: [1], group: nil, contactKey: nil)
            try c.insertAppointment(makeAppointment("LAST", start: day - 15, minutes: 15), tokenHash: [1], group: nil, contactKey: nil)
            try c.insertAppointment(makeAppointment("NEXT", start: day, minutes: 15), tokenHash: [1], group: nil, contactKey: nil)
        }
        func starts(_ from: Int, _ to: Int) throws -> [Int] {
            try store.read { try $0.bookedIntervals(location: "town-hall", from: at(from), to: at(to)) }
                .map { Int($0.start.timeIntervalSince(baseTime) / 60) }.sorted()
        }
        #expect(try starts(0, day) == [-25 * 60 + 1, -10, 600, day - 15])
        // The next day, after the rollover: yesterday's visits are gone from the answer, the new day's are in.
        #expect(try starts(day, 2 * day) == [day])
        // Yesterday, for completeness: its past visit, and what ends at midnight; what starts at midnight is not there.
        #expect(try starts(-day, 0) == [-25 * 60 + 1, -day + 600, -15, -10])
        // Exactly as the unbounded read answers.
        let unbounded = try store.read { c in
            try c.query("""
                SELECT start FROM appointments WHERE location = 'town-hall' AND start < ? AND end > ? AND status != 'cancelled'
                """, [.time(at(day)), .time(at(0))], table: "appointments").map { Int(try $0.time(0).timeIntervalSince(baseTime) / 60) }.sorted()
        }
        #expect(try starts(0, day) == unbounded)
    }

    /// The capacity reads look back by the longest visit each location stored (`visit_spans`, kept by
    /// triggers). Random visits of 5 minutes to 25 hours at two locations, some moved (longer, shorter,
    /// elsewhere in time) and some cancelled, with random asked ranges: both bounded reads must answer
    /// exactly what a scan of every appointment answers.
    @Test("the capacity reads, bounded by the longest stored visit, answer what a full scan answers")
    func boundedByTheLongestVisit() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("HistoryIndexTests.boundedByTheLongestVisit seed \(seed)")
        var g = SplitMix64(seed: seed)
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open(readers: 1)
        let locations = ["town-hall", "annex"]
        var references: [String] = []
        for round in 0..<6 {
            try store.write { c in
                for i in 0..<40 {
                    let reference = "R\(round)-\(i)"
                    // Mostly short visits; now and then a long one, which must widen the look-back.
                    let minutes = Int.random(in: 0..<10, using: &g) == 0 ? Int.random(in: 60...1500, using: &g) : Int.random(in: 5...30, using: &g)
                    let a = makeAppointment(reference, location: locations[Int.random(in: 0...1, using: &g)],
                                            start: Int.random(in: -3000...3000, using: &g), minutes: minutes,
                                            status: Int.random(in: 0..<8, using: &g) == 0 ? .cancelled : .booked)
                    try c.insertAppointment(a, tokenHash: [1], group: Int.random(in: 0...1, using: &g) == 0 ? nil : "g",
                                            contactKey: nil)
                    references.append(reference)
                }
                for _ in 0..<10 {
                    let start = Int.random(in: -3000...3000, using: &g)
                    try c.moveAppointment(reference: references[Int.random(in: 0..<references.count, using: &g)], start: at(start),
                                          end: at(start + Int.random(in: 5...1500, using: &g)), now: at(0))
                }
            }
            for _ in 0..<40 {
                let location = locations[Int.random(in: 0...1, using: &g)]
                let from = Int.random(in: -3500...3500, using: &g), to = from + Int.random(in: 1...1500, using: &g)
                let full = try store.read { c in
                    try c.query("""
                        SELECT start, end, grp FROM appointments WHERE location = ? AND start < ? AND end > ? AND status != 'cancelled'
                        """, [.text(location), .time(at(to)), .time(at(from))], table: "appointments").map {
                        "\(try $0.time(0).timeIntervalSince1970) \(try $0.time(1).timeIntervalSince1970) \(try $0.optionalText(2) ?? "-")"
                    }.sorted()
                }
                let bounded = try store.read { try $0.bookedIntervals(location: location, from: at(from), to: at(to)) }
                    .map { "\($0.start.timeIntervalSince1970) \($0.end.timeIntervalSince1970) \($0.group ?? "-")" }.sorted()
                #expect(bounded == full, "seed \(seed), \(location) [\(from), \(to))")
                let engine = try store.read { c in
                    try ["g", nil].flatMap { group in
                        try c.availabilityIntervals(location: location, group: group, from: at(from), to: at(to), now: at(0)).booked
                            .map { "\($0.start.timeIntervalSince1970) \($0.end.timeIntervalSince1970) \(group ?? "-")" }
                    }.sorted()
                }
                #expect(engine == full, "seed \(seed), \(location) [\(from), \(to))")
            }
        }
    }

    @Test("visits held by a closure are found across midnight with the bound too")
    func boundedHeldAppointments() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open(readers: 1)
        try store.write { c in
            try c.insertAppointment(makeAppointment("OLD", start: -3 * 24 * 60), tokenHash: [1], group: nil, contactKey: nil)
            try c.insertAppointment(makeAppointment("OVER", start: -10, minutes: 20), tokenHash: [1], group: nil, contactKey: nil)
            try c.insertAppointment(makeAppointment("IN", start: 30), tokenHash: [1], group: nil, contactKey: nil)
        }
        let held = try store.read { try $0.heldAppointments(location: "town-hall", from: at(0), to: at(60)) }
        #expect(held.map(\.reference) == ["OVER", "IN"])
    }

    @Test("the display's recent calls are today's, newest first, across midnight")
    func recentCallsAcrossMidnight() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open(readers: 1)
        try store.write { c in
            for (i, minute) in [-1, 0, 5, 3].enumerated() {
                var t = makeTicket("t\(i)", number: "A00\(i)")
                (t.status, t.calledAt, t.counter) = (.called, baseTime.addingTimeInterval(Double(minute) * 60), "c1")
                try c.insertTicket(t)
            }
            var waiting = makeTicket("w", number: "A010")
            waiting.calledAt = at(1) // never at a counter: not a call
            try c.insertTicket(waiting)
        }
        let calls = try store.read { try $0.recentCalls(location: "town-hall", since: baseTime, limit: 8) }
        #expect(calls.map(\.id) == ["t2", "t3", "t1"])
        #expect(try store.read { try $0.recentCalls(location: "town-hall", since: baseTime, limit: 2) }.map(\.id) == ["t2", "t3"])
    }
}
