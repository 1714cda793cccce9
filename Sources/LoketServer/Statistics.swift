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

    /// Computes the figures from the store for one location and civil day.
    public static func compute(db: Connection, location: Location, day: CivilDate) throws -> DayStatistics {
        let t = try db.first("""
            SELECT count(*), sum(status = 'done'), sum(status = 'no-show'),
                   avg(CASE WHEN called_at IS NOT NULL THEN (called_at - waiting_since) / 60.0 END),
                   avg(CASE WHEN finished_at IS NOT NULL AND started_at IS NOT NULL THEN (finished_at - started_at) / 60.0 END)
            FROM tickets WHERE location = ? AND day = ?
            """, [.text(location.id), .text(day.description)])
        let civil = CivilClock(timeZone: location.timeZone)
        let a = try db.first("SELECT count(*), sum(status = 'cancelled') FROM appointments WHERE location = ? AND start >= ? AND start < ?",
                             [.text(location.id), .time(civil.startOfDay(day)), .time(civil.startOfDay(day.adding(days: 1)))])
        func avg(_ r: Row?, _ i: Int) -> Double? {
            guard let r, case .real(let v) = r.values[i] else { return nil }
            return (v * 10).rounded() / 10
        }
        return DayStatistics(location: location.id, day: day.description, tickets: t?.int(0) ?? 0, served: t?.int(1) ?? 0,
                             noShows: t?.int(2) ?? 0, averageWaitMinutes: avg(t, 3), averageServiceMinutes: avg(t, 4),
                             appointments: a?.int(0) ?? 0, cancelled: a?.int(1) ?? 0)
    }

    /// One line for people.
    public func text(locationName: String) -> String {
        let wait = averageWaitMinutes.map { String(format: "%.1f", $0) } ?? "-"
        let service = averageServiceMinutes.map { String(format: "%.1f", $0) } ?? "-"
        return "\(day)  \(locationName): \(tickets) tickets, \(served) served, \(noShows) no-shows, wait \(wait) min, service \(service) min; \(appointments) appointments (\(cancelled) cancelled)"
    }
}
