// Figures over a range of days, per location, service and day (or ISO week), for the stats range
// API and the CSV export. Counts and percentiles only, never a name, contact or reference.
//
// Each ticket belongs to its `day` column (the civil date in the location's zone, set when it was
// issued); each appointment to the civil date of its start in the location's zone, found against
// the day boundaries computed once per range, so a 23- or 25-hour day (DST) and a day that starts
// at 23:00 UTC count right. Wait = called_at - waiting_since (kept across transfers), service =
// finished_at - started_at, in minutes; percentiles are nearest-rank (`Percentile.nearestRank`) over
// the period's raw values, so a week's p90 is not an average of daily p90s.
import Foundation
import LoketCore

/// How figures are grouped in time.
public enum StatsPeriod: String, Sendable, CaseIterable {
    /// One civil day.
    case day
    /// An ISO week, Monday to Sunday, named by its Monday.
    case week

    /// The first day of the period holding `date`.
    public func start(of date: CivilDate) -> CivilDate {
        switch self {
        case .day: return date
        case .week: return date.adding(days: -(date.weekday.rawValue - 1))
        }
    }
}

/// One period's figures at a location, for one service or (service nil) for all of them.
public struct PeriodFigures: Sendable, Hashable {
    /// Location id.
    public var location: String
    /// The day, or the Monday of the week.
    public var period: CivilDate
    /// Service id; nil for the location's total over all services.
    public var service: String?
    /// Tickets issued, in any status.
    public var tickets: Int
    /// Appointments booked to start in the period and not cancelled. In a total, an appointment for
    /// two services counts once; in the per-service rows, once under each.
    public var appointments: Int
    /// Tickets served to the end (`done`).
    public var served: Int
    /// Tickets called whose holder did not come (`no-show`).
    public var noShows: Int
    /// Nearest-rank median of the minutes from the start of the wait to the call; nil when none was called.
    public var waitMinutesP50: Double?
    /// Nearest-rank 90th percentile of the same.
    public var waitMinutesP90: Double?
    /// Nearest-rank median of the minutes from the start of service to its end; nil when none finished.
    public var serviceMinutesP50: Double?

    /// True when every count is zero (then the percentiles are nil too).
    public var isEmpty: Bool { tickets == 0 && appointments == 0 && served == 0 && noShows == 0 }
}

/// The figures of one location over a range.
public struct RangeFigures: Sendable, Hashable {
    /// Per service and period, only where something happened; by period, then service id.
    public var rows: [PeriodFigures]
    /// Over all services, one per period of the range (zeros included, for charts); by period.
    public var totals: [PeriodFigures]
}

/// Collects one group's raw values.
private struct Tally {
    var tickets = 0, appointments = 0, served = 0, noShows = 0
    var waits: [Double] = []
    var services: [Double] = []

    func figures(location: String, period: CivilDate, service: String?) -> PeriodFigures {
        let w = waits.sorted()
        return PeriodFigures(location: location, period: period, service: service, tickets: tickets, appointments: appointments,
                             served: served, noShows: noShows, waitMinutesP50: Percentile.nearestRank(sorted: w, 0.5),
                             waitMinutesP90: Percentile.nearestRank(sorted: w, 0.9),
                             serviceMinutesP50: Percentile.nearestRank(services, 0.5))
    }
}

private struct GroupKey: Hashable {
    var period: Int  // day number of the period's first day
    var service: String
}

extension Connection {
    /// The figures of `location` (whose civil days are in `timeZone`) for the days `from` ... `to`
    /// (both included), grouped by day or ISO week; a week at an edge of the range holds only its days
    /// inside the range.
    ///
    /// ```swift
    /// let f = try db.rangeFigures(location: "stadhuis", timeZone: .brussels,
    ///                             from: CivilDate("2026-03-23")!, to: CivilDate("2026-03-29")!, by: .week)
    /// f.totals.first?.period  // 2026-03-23, a Monday
    /// ```
    public func rangeFigures(location: String, timeZone: TimeZone, from: CivilDate, to: CivilDate,
                             by period: StatsPeriod) throws -> RangeFigures {
        guard from <= to else { return RangeFigures(rows: [], totals: []) }
        var groups: [GroupKey: Tally] = [:]
        var totals: [Int: Tally] = [:]

        // Tickets: the UNIQUE (location, day, number) index serves the day range. SQLite turns the
        // day into a day number (days since 1970-01-01, as `CivilDate.dayNumber`), which is cheaper
        // than parsing the text once per row.
        try forEach("""
            SELECT CAST(julianday(day) - 2440587.5 AS INTEGER), service, status, called_at - waiting_since, finished_at - started_at
            FROM tickets WHERE location = ? AND day >= ? AND day <= ?
            """, [.text(location), .text(from.description), .text(to.description)], table: "tickets") { r in
            let p = period.start(of: CivilDate(dayNumber: try r.int(0))).dayNumber
            let status = try r.text(2)
            let wait = try r.optionalDouble(3).map { max(0, $0) / 60 }
            let service = try r.optionalDouble(4).map { max(0, $0) / 60 }
            func add(_ t: inout Tally) {
                t.tickets += 1
                if status == TicketStatus.done.rawValue { t.served += 1 }
                if status == TicketStatus.noShow.rawValue { t.noShows += 1 }
                if let wait { t.waits.append(wait) }
                if let service { t.services.append(service) }
            }
            add(&groups[GroupKey(period: p, service: try r.text(1)), default: Tally()])
            add(&totals[p, default: Tally()])
        }

        // Appointments: one row per (appointment, service in it); the (location, start) index serves the time range.
        let civil = CivilClock(timeZone: timeZone)
        let starts = (0...(to.dayNumber - from.dayNumber + 1)).map { civil.startOfDay(from.adding(days: $0)) }
        // json_each yields an appointment's services one after another, so remembering the current
        // appointment's services is enough to count each (appointment, service) once.
        var current = ""
        var currentServices: Set<String> = []
        try forEach("""
            SELECT a.reference, a.start, json_extract(j.value, '$.service')
            FROM appointments a, json_each(a.items) j
            WHERE a.location = ? AND a.start >= ? AND a.start < ? AND a.status != 'cancelled'
            """, [.text(location), .time(starts[0]), .time(starts[starts.count - 1])], table: "appointments") { r in
            let reference = try r.text(0), start = try r.time(1)
            // The last day boundary at or before the start: its index is the day's offset from `from`.
            var lo = 0, hi = starts.count - 1
            while hi - lo > 1 {
                let mid = (lo + hi) / 2
                if starts[mid] <= start { lo = mid } else { hi = mid }
            }
            let p = period.start(of: from.adding(days: lo)).dayNumber
            guard let service = try r.optionalText(2) else { return }
            if reference != current {
                (current, currentServices) = (reference, [])
                totals[p, default: Tally()].appointments += 1
            }
            if currentServices.insert(service).inserted {
                groups[GroupKey(period: p, service: service), default: Tally()].appointments += 1
            }
        }

        let rows = groups.sorted { ($0.key.period, $0.key.service) < ($1.key.period, $1.key.service) }
            .map { $0.value.figures(location: location, period: CivilDate(dayNumber: $0.key.period), service: $0.key.service) }
        var periods: [CivilDate] = []
        var d = period.start(of: from)
        while d <= to {
            periods.append(d)
            d = d.adding(days: period == .day ? 1 : 7)
        }
        let sums = periods.map { (totals[$0.dayNumber] ?? Tally()).figures(location: location, period: $0, service: nil) }
        return RangeFigures(rows: rows, totals: sums)
    }
}
