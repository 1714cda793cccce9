// Ticket rows, daily numbering, counters, service times and the day rollover.
import Foundation
import LoketCore
import Testing
@testable import LoketStore

private let day1 = CivilDate(year: 2026, month: 12, day: 1)!  // 2026-12-01 is a Tuesday
private let day2 = CivilDate(year: 2026, month: 12, day: 2)!

@Suite("Ticket repository")
struct TicketRepositoryTests {
    @Test("sequence numbers count per (location, day, prefix) and restart on a new day")
    func sequences() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        func next(_ location: String, _ day: CivilDate, _ prefix: String) throws -> Int {
            try store.write { try $0.nextTicketSequence(location: location, day: day, prefix: prefix) }
        }
        #expect(try next("town-hall", day1, "A") == 1)
        #expect(try next("town-hall", day1, "A") == 2)
        #expect(try next("town-hall", day1, "B") == 1)
        #expect(try next("district", day1, "A") == 1)
        #expect(try next("town-hall", day1, "A") == 3)
        #expect(try next("town-hall", day2, "A") == 1, "a new day restarts")
        #expect(try next("town-hall", day2, "A") == 2)
        #expect(try next("town-hall", day1, "A") == 4, "the old day's sequence is its own")
    }

    @Test("a sequence number taken in a rolled-back write is handed out again")
    func sequenceRollback() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        struct Fail: Error {}
        #expect(try store.write { try $0.nextTicketSequence(location: "l", day: day1, prefix: "A") } == 1)
        #expect(throws: Fail.self) {
            try store.write { c in
                _ = try c.nextTicketSequence(location: "l", day: day1, prefix: "A")
                throw Fail()
            }
        }
        #expect(try store.write { try $0.nextTicketSequence(location: "l", day: day1, prefix: "A") } == 2)
    }

    @Test("8 threads x 100 tickets: unique numbers without gaps")
    func sequenceUnderConcurrency() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        let numbers = Locked<[Int]>([])
        let errors = Locked(0)
        let finished = onThreads(8) { thread in
            for i in 0..<100 {
                do {
                    let n = try store.write { c -> Int in
                        let n = try c.nextTicketSequence(location: "town-hall", day: day1, prefix: "A")
                        try c.insertTicket(makeTicket("t-\(thread)-\(i)", number: String(format: "A%03d", n)))
                        return n
                    }
                    numbers.withLock { $0.append(n) }
                } catch {
                    errors.withLock { $0 += 1 }
                }
            }
        }
        #expect(finished)
        #expect(errors.value == 0)
        #expect(numbers.value.sorted() == Array(1...800))
        let stored = try store.read { try $0.tickets(location: "town-hall", statuses: [.waiting]) }
        #expect(Set(stored.map(\.number)).count == 800)
    }

    @Test("a ticket number is unique per location and day")
    func numberUnique() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        try store.write { try $0.insertTicket(makeTicket("t1", number: "A001")) }
        let error = #expect(throws: SQLiteError.self) { try store.write { try $0.insertTicket(makeTicket("t2", number: "A001")) } }
        #expect(error?.isUniqueViolation == true)
        try store.write { try $0.insertTicket(makeTicket("t3", day: day2, number: "A001")) }
        try store.write { try $0.insertTicket(makeTicket("t4", location: "district", number: "A001")) }
    }

    @Test("insertTicket and updateTicket round-trip every field")
    func ticketRoundTrip() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        let plain = makeTicket("tkt-plain")
        try store.write { try $0.insertTicket(plain) }
        #expect(try store.read { try $0.ticket(id: "tkt-plain") } == plain)

        var full = makeTicket("tkt-full", number: "B014", service: "reispas")
        full.origin = .appointment
        full.isPriority = true
        full.appointmentReference = "K7M-3QX"
        full.appointmentStart = at(60)
        try store.write { try $0.insertTicket(full) }
        #expect(try store.read { try $0.ticket(id: "tkt-full") } == full)

        full.status = .serving
        full.calledAt = at(61)
        full.startedAt = at(62)
        full.counter = "loket-3"
        full.targetCounter = "loket-3"
        full.recalls = 2
        full.waitingSince = at(-5)
        try store.write { try $0.updateTicket(full) }
        #expect(try store.read { try $0.ticket(id: "tkt-full") } == full)

        full.status = .closed
        full.finishedAt = at(80)
        full.closeReason = "day ended"
        full.counter = nil
        full.targetCounter = nil
        full.isPriority = false
        try store.write { try $0.updateTicket(full) }
        #expect(try store.read { try $0.ticket(id: "tkt-full") } == full)
        #expect(try store.read { try $0.ticket(id: "tkt-plain") } == plain, "update touches one row")
        #expect(try store.read { try $0.ticket(id: "missing") } == nil)
    }

    @Test("tickets by status, recent calls and stale tickets")
    func ticketQueries() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        var waitingLate = makeTicket("w2", number: "A002"); waitingLate.waitingSince = at(10)
        var waitingEarly = makeTicket("w1", number: "A001"); waitingEarly.waitingSince = at(5)
        var called = makeTicket("c1", number: "A003"); called.status = .called; called.calledAt = at(20); called.counter = "1"
        var called2 = makeTicket("c2", number: "A004"); called2.status = .done; called2.calledAt = at(25); called2.counter = "2"
        let yesterday = makeTicket("y1", day: CivilDate(year: 2026, month: 11, day: 30)!, number: "A001")
        try store.write { c in for t in [waitingLate, waitingEarly, called, called2, yesterday] { try c.insertTicket(t) } }
        #expect(try store.read { try $0.tickets(location: "town-hall", statuses: [.waiting]) }.map(\.id) == ["y1", "w1", "w2"])
        #expect(try store.read { try $0.tickets(location: "town-hall", statuses: [.called, .done]) }.map(\.id).sorted() == ["c1", "c2"])
        #expect(try store.read { try $0.recentCalls(location: "town-hall", since: at(0), limit: 10) }.map(\.id) == ["c2", "c1"])
        #expect(try store.read { try $0.recentCalls(location: "town-hall", since: at(0), limit: 1) }.map(\.id) == ["c2"])
        #expect(try store.read { try $0.staleTickets(location: "town-hall", before: day1) }.map(\.id) == ["y1"])
    }

    @Test("counter states are upserted")
    func counters() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        #expect(try store.read { try $0.counterStates() }.isEmpty)
        try store.write { try $0.setCounter("loket-1", state: .open, current: nil, now: at(0)) }
        try store.write { try $0.setCounter("loket-2", state: .paused, current: nil, now: at(0)) }
        try store.write { try $0.setCounter("loket-1", state: .open, current: "tkt-9", now: at(5)) }
        var states = try store.read { try $0.counterStates() }
        #expect(states.count == 2)
        #expect(states["loket-1"]?.state == .open)
        #expect(states["loket-1"]?.current == "tkt-9")
        #expect(states["loket-2"]?.state == .paused)
        try store.write { try $0.setCounter("loket-1", state: .closed, current: nil, now: at(9)) }
        states = try store.read { try $0.counterStates() }
        #expect(states["loket-1"]?.state == .closed)
        #expect(states["loket-1"]?.current == nil)
    }

    @Test("service times: a plain mean for the first 5 samples, then an exponential average with weight 0.2")
    func serviceTimes() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        var expected = 0.0
        let samples: [Double] = [10, 20, 30, 40, 50, 0, 100, 7.5]
        for (i, m) in samples.enumerated() {
            try store.write { try $0.recordServiceTime(service: "eid", minutes: m) }
            let n = Double(i + 1)
            expected = i == 0 ? m : expected + (m - expected) / min(n, 5)
            let got = try #require(try store.read { try $0.serviceAverages()["eid"] })
            #expect(abs(got - expected) < 1e-9, "after sample \(i + 1): \(got) vs \(expected)")
        }
        #expect(abs(try store.read { try $0.serviceAverages()["eid"] }! - expected) < 1e-9)
        // The first five give the mean 30; the sixth (0) moves it by a fifth: 24.
        try store.write { c in for m in [10.0, 20, 30, 40, 50, 0] { try c.recordServiceTime(service: "pass", minutes: m) } }
        #expect(abs(try store.read { try $0.serviceAverages()["pass"] }! - 24) < 1e-9)
        #expect(try store.read { try $0.serviceAverages() }.count == 2)
    }
}
