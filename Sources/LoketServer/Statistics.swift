// A day's figures per location, for `loket stats` and the stats API. No personal data.
import Foundation
import LoketCore
import LoketStore

public struct DayStatistics: Encodable, Sendable {
    public var location: String
    public var day: String
    public var tickets: Int
    public var served: Int
    public var noShows: Int
    public var averageWaitMinutes: Double?
    public var averageServiceMinutes: Double?
    public var appointments: Int
    public var cancelled: Int
    /// Of the served visits, those recorded at a counter without a ticket (also in `tickets` and `served`).
    public var servedWithoutTicket: Int
    /// Finished visits per outcome id (those finished without an outcome are not counted here).
    public var outcomes: [String: Int]

    /// Computes the figures from the store for one location and civil day; averages rounded to 0.1 minute.
    public static func compute(db: Connection, location: Location, day: CivilDate) throws -> DayStatistics {
        let civil = CivilClock(timeZone: location.timeZone)
        let t = try db.ticketFigures(location: location.id, day: day)
        let a = try db.appointmentFigures(location: location.id, from: civil.startOfDay(day),
                                          to: civil.startOfDay(day.adding(days: 1)))
        let o = try db.outcomeFigures(location: location.id, day: day)
        func rounded(_ minutes: Double?) -> Double? { minutes.map { ($0 * 10).rounded() / 10 } }
        return DayStatistics(location: location.id, day: day.description, tickets: t.tickets, served: t.served,
                             noShows: t.noShows, averageWaitMinutes: rounded(t.averageWaitMinutes),
                             averageServiceMinutes: rounded(t.averageServiceMinutes),
                             appointments: a.total, cancelled: a.cancelled, servedWithoutTicket: o.withoutTicket,
                             outcomes: o.byOutcome)
    }

    /// One line for people.
    public func text(locationName: String) -> String {
        let wait = averageWaitMinutes.map { String(format: "%.1f", $0) } ?? "-"
        let service = averageServiceMinutes.map { String(format: "%.1f", $0) } ?? "-"
        return "\(day)  \(locationName): \(tickets) tickets, \(served) served, \(noShows) no-shows, wait \(wait) min, service \(service) min; \(appointments) appointments (\(cancelled) cancelled)"
    }
}
