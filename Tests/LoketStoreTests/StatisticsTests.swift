// A day's figures and the total waiting count, read through named store functions.
import Foundation
import LoketCore
import Testing
@testable import LoketStore

@Suite("Statistics")
struct StatisticsTests {
    static let day = CivilDate(year: 2026, month: 12, day: 1)!  // a Tuesday

    @Test("an empty day has zero counts and no averages")
    func emptyDay() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        let t = try store.read { try $0.ticketFigures(location: "town-hall", day: Self.day) }
        #expect(t == TicketDayFigures(tickets: 0, served: 0, noShows: 0, averageWaitMinutes: nil, averageServiceMinutes: nil))
        let a = try store.read { try $0.appointmentFigures(location: "town-hall", from: at(0), to: at(1440)) }
        #expect(a == AppointmentFigures(total: 0, cancelled: 0))
        #expect(try store.read { try $0.waitingTicketCount() } == 0)
    }

    @Test("counts per status, mean wait and service minutes, only for the location and day asked")
    func figures() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        try store.write { c in
            var done = makeTicket("t1", number: "A001")
            (done.status, done.calledAt, done.startedAt, done.finishedAt) = (.done, at(10), at(11), at(21))
            var noShow = makeTicket("t2", number: "A002")
            (noShow.status, noShow.calledAt) = (.noShow, at(20))
            try c.insertTicket(done)
            try c.insertTicket(noShow)
            try c.insertTicket(makeTicket("t3", number: "A003"))
            try c.insertTicket(makeTicket("t4", location: "district", number: "A001"))
            try c.insertTicket(makeTicket("t5", day: Self.day.adding(days: 1), number: "A001"))
            try c.insertAppointment(makeAppointment("APP-1", start: 60), tokenHash: [1], group: nil, contactKey: nil)
            try c.insertAppointment(makeAppointment("APP-2", start: 90, status: .cancelled), tokenHash: [2], group: nil, contactKey: nil)
            try c.insertAppointment(makeAppointment("APP-3", start: 2000), tokenHash: [3], group: nil, contactKey: nil)
        }
        let t = try store.read { try $0.ticketFigures(location: "town-hall", day: Self.day) }
        #expect(t == TicketDayFigures(tickets: 3, served: 1, noShows: 1, averageWaitMinutes: 15, averageServiceMinutes: 10))
        let a = try store.read { try $0.appointmentFigures(location: "town-hall", from: at(0), to: at(1440)) }
        #expect(a == AppointmentFigures(total: 2, cancelled: 1))
        // t3, t4 and t5 wait (every location and day).
        #expect(try store.read { try $0.waitingTicketCount() } == 3)
    }
}
