// Figures over a range, checked against days computed by hand: a DST day, an appointment whose
// civil day starts the evening before in UTC, a cancelled appointment, no-shows, nearest-rank percentiles.
import Foundation
import LoketCore
import Testing
@testable import LoketStore

@Suite("Statistics over a range")
struct StatisticsRangeTests {
    static let d27 = CivilDate(year: 2026, month: 3, day: 27)!  // a Friday
    static let d29 = CivilDate(year: 2026, month: 3, day: 29)!  // a Sunday: Brussels goes CET -> CEST, a 23-hour day
    static let d30 = CivilDate(year: 2026, month: 3, day: 30)!  // a Monday

    static func utc(_ text: String) -> Date { parseInstant(text)! }

    /// A ticket issued at `issued` (UTC), called `wait` minutes later, served for `service` minutes.
    static func ticket(_ id: String, day: CivilDate, service: String = "eid", location: String = "town-hall",
                       issued: String, wait: Double?, serve: Double?, status: TicketStatus) -> Ticket {
        let t0 = utc(issued)
        let called = wait.map { t0.addingTimeInterval($0 * 60) }
        let started = serve == nil ? nil : called
        let finished = serve.flatMap { s in started.map { $0.addingTimeInterval(s * 60) } }
        return Ticket(id: id, location: location, day: day, number: id.uppercased(), service: service, origin: .walkin,
                      status: status, issuedAt: t0, waitingSince: t0, calledAt: called, startedAt: started, finishedAt: finished)
    }

    static func appointment(_ reference: String, start: String, services: [String] = ["eid"],
                            status: AppointmentStatus = .booked) -> Appointment {
        let s = utc(start)
        return Appointment(reference: reference, location: "town-hall", items: services.map { .init(service: $0, persons: 1) },
                           start: s, end: s.addingTimeInterval(900), status: status, name: "Jan Peeters",
                           email: "jan@example.be", phone: nil, language: .nl, channel: .online, createdAt: s.addingTimeInterval(-86400))
    }

    /// The hand-computed fixture (minutes in the comments).
    static func seeded() throws -> (TempDatabase, Store) {
        let db = TempDatabase()
        let store = try db.open()
        try store.write { c in
            // 2026-03-29, eid: waits 4, 2, 10 (no-show), one still waiting; services 10, 6.
            try c.insertTicket(ticket("a1", day: d29, issued: "2026-03-29T08:00:00Z", wait: 4, serve: 10, status: .done))
            try c.insertTicket(ticket("a2", day: d29, issued: "2026-03-29T08:01:00Z", wait: 2, serve: 6, status: .done))
            try c.insertTicket(ticket("a3", day: d29, issued: "2026-03-29T08:02:00Z", wait: 10, serve: nil, status: .noShow))
            try c.insertTicket(ticket("a4", day: d29, issued: "2026-03-29T08:03:00Z", wait: nil, serve: nil, status: .waiting))
            // 2026-03-29, passport: wait 1, service 3.
            try c.insertTicket(ticket("p1", day: d29, service: "passport", issued: "2026-03-29T09:00:00Z", wait: 1, serve: 3, status: .done))
            // 2026-03-30, eid: wait 20, service 5.
            try c.insertTicket(ticket("b1", day: d30, issued: "2026-03-30T07:00:00Z", wait: 20, serve: 5, status: .done))
            // 2026-03-27, eid: wait 30, service 8 (only in the week view).
            try c.insertTicket(ticket("c1", day: d27, issued: "2026-03-27T09:00:00Z", wait: 30, serve: 8, status: .done))
            // Another location's ticket the same day: never counted for town-hall.
            try c.insertTicket(ticket("x1", day: d29, location: "district", issued: "2026-03-29T08:00:00Z", wait: 99, serve: 99, status: .done))

            // 00:30 CET on the 29th, still the 28th in UTC.
            try c.insertAppointment(appointment("APP-1", start: "2026-03-28T23:30:00Z"), tokenHash: [1], group: nil, contactKey: nil)
            // Two services in one visit: once in the day's total, once under each service.
            try c.insertAppointment(appointment("APP-2", start: "2026-03-29T09:00:00Z", services: ["eid", "passport"], status: .done),
                                    tokenHash: [2], group: nil, contactKey: nil)
            try c.insertAppointment(appointment("APP-3", start: "2026-03-29T10:00:00Z", status: .cancelled), tokenHash: [3], group: nil, contactKey: nil)
            // 00:30 CEST on the 30th = 22:30 UTC on the 29th; a fixed UTC+1 would call it the 29th.
            try c.insertAppointment(appointment("APP-4", start: "2026-03-29T22:30:00Z"), tokenHash: [4], group: nil, contactKey: nil)
            // 23:30 CET on the 28th: before the range.
            try c.insertAppointment(appointment("APP-5", start: "2026-03-28T22:30:00Z"), tokenHash: [5], group: nil, contactKey: nil)
        }
        return (db, store)
    }

    static func figures(_ period: CivilDate, _ service: String?, _ tickets: Int, _ appointments: Int, _ served: Int, _ noShows: Int,
                        _ p50: Double?, _ p90: Double?, _ s50: Double?) -> PeriodFigures {
        PeriodFigures(location: "town-hall", period: period, service: service, tickets: tickets, appointments: appointments,
                      served: served, noShows: noShows, waitMinutesP50: p50, waitMinutesP90: p90, serviceMinutesP50: s50)
    }

    @Test("nearest rank: of n sorted values, the value at rank ceil(p n)")
    func nearestRank() {
        let table: [([Double], Double, Double?)] = [
            ([], 0.5, nil), ([7], 0.5, 7), ([7], 0.9, 7),
            ([4, 1, 3, 2], 0.5, 2), ([4, 1, 3, 2], 0.9, 4),
            (Array(1...10).map(Double.init), 0.9, 9), (Array(1...30).map(Double.init), 0.9, 27), (Array(1...10).map(Double.init), 0.5, 5),
        ]
        for (values, p, want) in table {
            #expect(Percentile.nearestRank(values, p) == want, "\(values) p\(p)")
        }
    }

    @Test("per day: counts, appointments by their civil day across DST and UTC midnight, percentiles by hand")
    func perDay() throws {
        let (db, store) = try Self.seeded()
        defer { db.remove() }
        let f = try store.read { try $0.rangeFigures(location: "town-hall", timeZone: .brussels, from: Self.d29, to: Self.d30, by: .day) }
        #expect(f.rows == [
            // eid waits {2, 4, 10}: p50 rank 2 = 4, p90 rank 3 = 10; services {6, 10}: p50 rank 1 = 6. APP-1 and APP-2.
            Self.figures(Self.d29, "eid", 4, 2, 2, 1, 4, 10, 6),
            Self.figures(Self.d29, "passport", 1, 1, 1, 0, 1, 1, 3),
            Self.figures(Self.d30, "eid", 1, 1, 1, 0, 20, 20, 5),
        ])
        #expect(f.totals == [
            // waits {1, 2, 4, 10}: p50 rank 2 = 2, p90 rank 4 = 10; services {3, 6, 10}: p50 rank 2 = 6; APP-2 counted once.
            Self.figures(Self.d29, nil, 5, 2, 3, 1, 2, 10, 6),
            Self.figures(Self.d30, nil, 1, 1, 1, 0, 20, 20, 5),
        ])
    }

    @Test("per ISO week: named by the Monday, percentiles over the week's raw values, empty weeks in the totals")
    func perWeek() throws {
        let (db, store) = try Self.seeded()
        defer { db.remove() }
        let monday23 = CivilDate(year: 2026, month: 3, day: 23)!
        let f = try store.read {
            try $0.rangeFigures(location: "town-hall", timeZone: .brussels, from: Self.d27, to: CivilDate(year: 2026, month: 4, day: 7)!, by: .week)
        }
        // Week of 23 March, eid: waits {2, 4, 10, 30} -> p50 4, p90 30 (the mean of the daily p50s would be 17);
        // services {6, 8, 10} -> p50 8.
        #expect(f.rows.first == Self.figures(monday23, "eid", 5, 3, 3, 1, 4, 30, 8))  // APP-5 (the 28th) is in this range
        #expect(f.totals.map(\.period.description) == ["2026-03-23", "2026-03-30", "2026-04-06"])
        #expect(f.totals[1] == Self.figures(Self.d30, nil, 1, 1, 1, 0, 20, 20, 5))
        #expect(f.totals[2] == Self.figures(CivilDate(year: 2026, month: 4, day: 6)!, nil, 0, 0, 0, 0, nil, nil, nil))
        #expect(f.totals[2].isEmpty)
    }

    @Test("a range starting on the 29th leaves out the 28th's appointment and the 27th's ticket")
    func edges() throws {
        let (db, store) = try Self.seeded()
        defer { db.remove() }
        let f = try store.read { try $0.rangeFigures(location: "town-hall", timeZone: .brussels, from: Self.d29, to: Self.d29, by: .day) }
        #expect(f.totals == [Self.figures(Self.d29, nil, 5, 2, 3, 1, 2, 10, 6)])
        let other = try store.read { try $0.rangeFigures(location: "district", timeZone: .brussels, from: Self.d29, to: Self.d29, by: .day) }
        #expect(other.rows.map(\.tickets) == [1])
        #expect(other.rows.first?.appointments == 0)
    }
}
