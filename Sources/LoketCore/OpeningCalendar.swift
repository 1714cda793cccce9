// When a location is open, per civil date: appointment windows (with their desk capacity) and
// walk-in windows.
//
// A day is first worked out in wall-clock minutes after local midnight (`DayPiece`): the matching
// rules and extra openings are swept into non-overlapping pieces whose desks add up, Belgian
// holidays and closures are taken out, and only then are the pieces turned into instants with the
// location's `CivilClock`, so DST days come out right (a 08:30 opening is 08:30 on the wall).

import Foundation

/// An opening window as real instants; `desks` is the appointment capacity during it.
public struct OpeningWindow: Sendable, Hashable {
    /// First instant of the window.
    public var start: Date
    /// End of the window (exclusive).
    public var end: Date
    /// Parallel desks during the window (for walk-in windows: informational).
    public var desks: Int

    /// Makes a window.
    public init(start: Date, end: Date, desks: Int) {
        self.start = start
        self.end = end
        self.desks = desks
    }
}

/// A window of one day in wall-clock minutes `[start, end)` after local midnight.
struct DayPiece: Sendable, Hashable {
    var start: Int
    var end: Int
    var desks: Int
}

/// The opening calendar of one location: which windows are open on which civil date.
public struct OpeningCalendar: Sendable {
    /// The location, as configured.
    public let location: Location
    /// Converts between instants and wall-clock times in the location's time zone.
    public let clock: CivilClock
    /// The day windows already worked out, when this calendar keeps them (see `init`).
    private let known: DayWindowMemo?

    /// Makes the calendar of `location`.
    ///
    /// With `remembering`, the appointment and walk-in windows of a day are worked out once and kept
    /// (`DayWindowMemo`): a kiosk asks for today's windows on every ticket. They are a function of
    /// the configured location, the date and the service group only, so they stay exact for this
    /// value's life; a location carrying runtime `limits` (read per request) is never remembered.
    public init(location: Location, remembering: Bool = false) {
        self.location = location
        self.clock = CivilClock(timeZone: location.timeZone)
        self.known = remembering && location.limits.isEmpty ? DayWindowMemo() : nil
    }

    /// The default anchor for `everyWeeks > 1` rules without `weekAnchor` or `validFrom` (a Monday).
    public static let defaultWeekAnchor = CivilDate(year: 2026, month: 1, day: 5)!

    /// Appointment windows on `date` for `service`, desks added up where rules overlap, sorted by start.
    ///
    /// Rules apply when the weekday, `validFrom`/`validUntil`, the `everyWeeks` cycle (whole weeks from
    /// `weekAnchor ?? validFrom ?? 2026-01-05`) and `serviceGroups` (nil, or containing the service's
    /// group) match; a service whose group has rules of its own follows only those. Extra openings on the date are added; Belgian public holidays close the whole day
    /// (extra openings with `evenOnHoliday` excepted); closures remove the whole day or cut their ranges out.
    public func appointmentWindows(on date: CivilDate, service: Service) -> [OpeningWindow] {
        guard let known else { return windows(date, appointmentPieces(on: date, group: service.group)) }
        return known.windows(DayWindowMemo.Key(date: date, group: service.group, walkIn: false)) {
            windows(date, appointmentPieces(on: date, group: service.group))
        }
    }

    /// Walk-in windows on `date` for `service` (walk-in rules and extra openings with `walkIn`).
    public func walkInWindows(on date: CivilDate, service: Service) -> [OpeningWindow] {
        guard let known else { return windows(date, walkInPieces(on: date, group: service.group)) }
        return known.windows(DayWindowMemo.Key(date: date, group: service.group, walkIn: true)) {
            windows(date, walkInPieces(on: date, group: service.group))
        }
    }

    /// Whether the kiosk may issue a ticket for `service` at `now`.
    ///
    /// True when the service offers `.walkin`, is offered at this location, and `now` is inside a
    /// walk-in window of today.
    public func isWalkInOpen(at now: Date, service: Service) -> Bool {
        guard offersWalkIn(service) else { return false }
        let today = clock.date(of: now)
        return walkInWindows(on: today, service: service).contains { $0.start <= now && now < $0.end }
    }

    /// Start of the next walk-in opening strictly after `now`, looking `days` days ahead; nil if none.
    ///
    /// Windows that touch (one ends where the next starts) count as one opening, so the answer is a
    /// moment at which the kiosk goes from closed to open. Nil also when the service is not offered
    /// for walk-in here.
    public func nextWalkInOpening(after now: Date, service: Service, days: Int = 21) -> Date? {
        guard offersWalkIn(service), days >= 0 else { return nil }
        let today = clock.date(of: now)
        var previousEnd: Date? = nil
        for offset in 0...days {
            let date = today.adding(days: offset)
            for window in walkInWindows(on: date, service: service) {
                defer { previousEnd = window.end }
                if window.start > now, window.start != previousEnd { return window.start }
            }
        }
        return nil
    }

    // MARK: - Wall-clock pieces (shared with SlotEngine)

    /// Appointment pieces of `date` for services of `group`, in wall minutes.
    func appointmentPieces(on date: CivilDate, group: String?) -> [DayPiece] {
        pieces(date, rules: location.appointmentHours, group: group, walkIn: false)
    }

    /// Walk-in pieces of `date` for services of `group`, in wall minutes.
    func walkInPieces(on date: CivilDate, group: String?) -> [DayPiece] {
        pieces(date, rules: location.walkInHours, group: group, walkIn: true)
    }

    private func offersWalkIn(_ service: Service) -> Bool {
        service.channels.contains(.walkin) && service.locations.contains(location.id)
    }

    private func windows(_ date: CivilDate, _ pieces: [DayPiece]) -> [OpeningWindow] {
        pieces.map {
            OpeningWindow(start: clock.instant(date, TimeOfDay(minutes: $0.start)),
                          end: clock.instant(date, TimeOfDay(minutes: $0.end)), desks: $0.desks)
        }
    }

    /// Whether `rule` is in force on `date` for `group`.
    static func applies(_ rule: OpeningRule, on date: CivilDate, group: String?) -> Bool {
        guard rule.weekdays.contains(date.weekday) else { return false }
        if let from = rule.validFrom, date < from { return false }
        if let until = rule.validUntil, date > until { return false }
        if let groups = rule.serviceGroups {
            guard let group, groups.contains(group) else { return false }
        }
        if rule.everyWeeks > 1 {
            let anchor = rule.weekAnchor ?? rule.validFrom ?? defaultWeekAnchor
            let weeks = floorDiv(mondayDayNumber(date) - mondayDayNumber(anchor), 7)
            if floorMod(weeks, rule.everyWeeks) != 0 { return false }
        }
        return true
    }

    /// The day number of the Monday of `date`'s ISO week.
    private static func mondayDayNumber(_ date: CivilDate) -> Int {
        date.dayNumber - (date.weekday.rawValue - 1)
    }

    private func pieces(_ date: CivilDate, rules: [OpeningRule], group: String?, walkIn: Bool) -> [DayPiece] {
        // Closures first: a whole-day closure ends the matter.
        var cuts: [(Int, Int)] = []
        for closure in location.closures where closure.from <= date && date <= closure.until {
            guard let ranges = closure.ranges else { return [] }
            for r in ranges where r.start < r.end { cuts.append((r.start.minutes, r.end.minutes)) }
        }
        let holiday = BelgianHolidays.isHoliday(date)

        // Boundaries: (minute, +/-1 open range, +/-desks).
        var edges: [(minute: Int, open: Int, desks: Int)] = []
        // A group with rules of its own (an Omgeving desk open Tuesday and Thursday) follows only
        // those; the general rules are for services without such a group.
        let dedicated = group.map { g in rules.contains { $0.serviceGroups?.contains(g) == true } } ?? false
        if !holiday {
            for rule in rules where Self.applies(rule, on: date, group: group) && !(dedicated && rule.serviceGroups == nil) {
                for r in rule.ranges where r.start < r.end {
                    edges.append((r.start.minutes, 1, rule.desks))
                    edges.append((r.end.minutes, -1, -rule.desks))
                }
            }
        }
        for extra in location.extraOpenings where extra.date == date && (!walkIn || extra.walkIn) {
            if holiday && !extra.evenOnHoliday { continue }
            for r in extra.ranges where r.start < r.end {
                edges.append((r.start.minutes, 1, extra.desks))
                edges.append((r.end.minutes, -1, -extra.desks))
            }
        }
        if edges.isEmpty { return [] }
        edges.sort { $0.minute < $1.minute }

        // Sweep into non-overlapping pieces; neighbours with equal desks are joined.
        var out: [DayPiece] = []
        var open = 0, desks = 0, i = 0, segmentStart = 0
        while i < edges.count {
            let minute = edges[i].minute
            if open > 0, minute > segmentStart {
                if let last = out.last, last.end == segmentStart, last.desks == desks {
                    out[out.count - 1].end = minute
                } else {
                    out.append(DayPiece(start: segmentStart, end: minute, desks: desks))
                }
            }
            while i < edges.count, edges[i].minute == minute {
                open += edges[i].open
                desks += edges[i].desks
                i += 1
            }
            segmentStart = minute
        }
        let opened = cuts.isEmpty ? out : Self.subtract(cuts, from: out)
        if location.limits.isEmpty { return opened }
        // Runtime limits last: appointment desks are capped, walk-in only closes for a 0-desk limit.
        let caps = limitRanges(on: date, closingOnly: walkIn)
        return caps.isEmpty ? opened : Self.cap(opened, caps)
    }

    /// The location's limits on `date` as wall-minute ranges with their desks (0...1440); a limit
    /// that starts or ends inside a minute covers the whole minute.
    func limitRanges(on date: CivilDate, closingOnly: Bool) -> [(start: Int, end: Int, desks: Int)] {
        let dayStart = clock.startOfDay(date), dayEnd = clock.startOfDay(date.adding(days: 1))
        var ranges: [(start: Int, end: Int, desks: Int)] = []
        for limit in location.limits where limit.from < dayEnd && limit.to > dayStart && (!closingOnly || limit.desks <= 0) {
            let start = limit.from <= dayStart ? 0 : clock.timeOfDay(of: limit.from).minutes
            var end = 1440
            if limit.to < dayEnd {
                end = clock.timeOfDay(of: limit.to).minutes
                if limit.to.timeIntervalSince1970.truncatingRemainder(dividingBy: 60) != 0 { end += 1 }
            }
            if start < end { ranges.append((start, end, max(0, limit.desks))) }
        }
        return ranges
    }

    /// `pieces` with their desks capped to each limit's desks inside its range (0 removes them).
    static func cap(_ pieces: [DayPiece], _ limits: [(start: Int, end: Int, desks: Int)]) -> [DayPiece] {
        var current = pieces
        for limit in limits {
            var next: [DayPiece] = []
            next.reserveCapacity(current.count + 2)
            for p in current {
                if limit.end <= p.start || limit.start >= p.end || p.desks <= limit.desks {
                    next.append(p)
                    continue
                }
                if limit.start > p.start { next.append(DayPiece(start: p.start, end: limit.start, desks: p.desks)) }
                if limit.desks > 0 {
                    next.append(DayPiece(start: max(limit.start, p.start), end: min(limit.end, p.end), desks: limit.desks))
                }
                if limit.end < p.end { next.append(DayPiece(start: limit.end, end: p.end, desks: p.desks)) }
            }
            current = next
        }
        return current
    }

    /// The most desks the location has: the largest of any rule or extra opening, and of any
    /// window between `from` and `to` (where rules overlap, their desks add up).
    public func mostDesks(from: Date, to: Date) -> Int {
        var most = (location.appointmentHours + location.walkInHours).map(\.desks).max() ?? 0
        most = max(most, location.extraOpenings.map(\.desks).max() ?? 0)
        var unlimited = self.location
        unlimited.limits = []
        let calendar = OpeningCalendar(location: unlimited)
        var date = clock.date(of: from)
        let last = clock.date(of: to)
        var days = 0
        while date <= last, days < 400 {
            for group in Set(location.appointmentHours.flatMap { $0.serviceGroups.map(Array.init) ?? [] }).map(Optional.some) + [nil] {
                most = max(most, calendar.appointmentPieces(on: date, group: group).map(\.desks).max() ?? 0)
            }
            date = date.adding(days: 1)
            days += 1
        }
        return most
    }

    /// `pieces` with the ranges `cuts` removed.
    private static func subtract(_ cuts: [(Int, Int)], from pieces: [DayPiece]) -> [DayPiece] {
        var current = pieces
        for (cs, ce) in cuts {
            var next: [DayPiece] = []
            next.reserveCapacity(current.count + 1)
            for p in current {
                if ce <= p.start || cs >= p.end {
                    next.append(p)
                    continue
                }
                if cs > p.start { next.append(DayPiece(start: p.start, end: cs, desks: p.desks)) }
                if ce < p.end { next.append(DayPiece(start: ce, end: p.end, desks: p.desks)) }
            }
            current = next
        }
        return current
    }
}

/// Day windows of one calendar by (date, service group, walk-in or appointments), worked out once.
///
/// Shared by the copies of the calendar that holds it (a class, so `QueueDesk`'s calendars, made
/// once per catalogue, fill it for every request). A config reload makes a new catalogue, hence new
/// calendars and empty memos; a new day is a new key. At most `capacity` entries: when full it
/// starts again empty (the kiosks ask for today's few keys, so it refills at once).
final class DayWindowMemo: @unchecked Sendable {
    // @unchecked: `entries` is only touched under `lock`.
    struct Key: Hashable {
        var date: CivilDate
        var group: String?
        var walkIn: Bool
    }

    static let capacity = 256
    private let lock = NSLock()
    private var entries: [Key: [OpeningWindow]] = [:]

    /// The windows under `key`, from `make` the first time.
    func windows(_ key: Key, _ make: () -> [OpeningWindow]) -> [OpeningWindow] {
        if let found = lock.withLock({ entries[key] }) { return found }
        let made = make()
        lock.withLock {
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = made
        }
        return made
    }
}

/// Integer division rounding towards negative infinity.
@inline(__always) func floorDiv(_ a: Int, _ b: Int) -> Int {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

/// The remainder of `floorDiv`, always in `0..<b` for positive `b`.
@inline(__always) func floorMod(_ a: Int, _ b: Int) -> Int {
    let r = a % b
    return r < 0 ? r + b : r
}
