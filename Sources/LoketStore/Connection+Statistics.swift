// A day's figures for `loket stats` and the stats API: counts and averages, never personal data.
import Foundation
import LoketCore

/// How one civil day's tickets went at one location.
public struct TicketDayFigures: Sendable, Hashable {
    /// Tickets of the day, in any status.
    public var tickets: Int
    /// Tickets served to the end (`done`).
    public var served: Int
    /// Tickets called whose holder did not come (`no-show`).
    public var noShows: Int
    /// Mean minutes from the start of the wait to the call, over called tickets; nil when none was called.
    public var averageWaitMinutes: Double?
    /// Mean minutes from the start of service to its end; nil when none was finished.
    public var averageServiceMinutes: Double?
}

/// How many appointments a location had in a time range.
public struct AppointmentFigures: Sendable, Hashable {
    /// Appointments starting in the range, in any status (cancelled ones included).
    public var total: Int
    /// Of those, the cancelled ones.
    public var cancelled: Int
}

extension Connection {
    /// Counts and mean wait and service times of the tickets of `day` at `location`.
    public func ticketFigures(location: String, day: CivilDate) throws -> TicketDayFigures {
        // sum() of no rows is NULL; avg() is NULL when no row has a value. A clock set back while a
        // ticket waited or was served makes its span negative: it counts as 0, as in `rangeFigures`.
        let r = try one("""
            SELECT count(*), coalesce(sum(status = 'done'), 0), coalesce(sum(status = 'no-show'), 0),
                   avg(CASE WHEN called_at IS NOT NULL THEN max(0, called_at - waiting_since) / 60.0 END),
                   avg(CASE WHEN finished_at IS NOT NULL AND started_at IS NOT NULL THEN max(0, finished_at - started_at) / 60.0 END)
            FROM tickets WHERE location = ? AND day = ?
            """, [.text(location), .text(day.description)], table: "tickets")
        return TicketDayFigures(tickets: try r.int(0), served: try r.int(1), noShows: try r.int(2),
                                averageWaitMinutes: try r.optionalDouble(3), averageServiceMinutes: try r.optionalDouble(4))
    }

    /// Finished visits of `day` at `location` per outcome (the service's outcome ids; visits finished
    /// without one are left out), and how many of the day's visits were served without a ticket.
    public func outcomeFigures(location: String, day: CivilDate) throws -> (byOutcome: [String: Int], withoutTicket: Int) {
        var byOutcome: [String: Int] = [:]
        try forEach("""
            SELECT outcome, count(*) FROM tickets WHERE location = ? AND day = ? AND status = 'done' AND outcome IS NOT NULL
            GROUP BY outcome
            """, [.text(location), .text(day.description)], table: "tickets") { byOutcome[try $0.text(0)] = try $0.int(1) }
        let without = try one("SELECT count(*) FROM tickets WHERE location = ? AND day = ? AND origin = 'counter'",
                              [.text(location), .text(day.description)], table: "tickets").int(0)
        return (byOutcome, without)
    }

    /// Appointments at `location` starting in [from, to), and how many of them were cancelled.
    public func appointmentFigures(location: String, from: Date, to: Date) throws -> AppointmentFigures {
        let r = try one("""
            SELECT count(*), coalesce(sum(status = 'cancelled'), 0) FROM appointments
            WHERE location = ? AND start >= ? AND start < ?
            """, [.text(location), .time(from), .time(to)], table: "appointments")
        return AppointmentFigures(total: try r.int(0), cancelled: try r.int(1))
    }
}
