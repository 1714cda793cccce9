// Appointment rows: insert, read, status changes, capacity intervals and the privacy purge.
import Foundation
import LoketCore

extension Connection {
    private static let appointmentColumns =
        "reference, location, items, start, end, status, name, email, phone, lang, channel, created_at, ticket_id, revision, meeting_room"

    /// The appointment columns, for queries elsewhere in the store.
    static var appointmentColumnList: String { appointmentColumns }

    /// An appointment from a row of `appointmentColumnList`.
    func appointment(fromRow row: Row) throws -> Appointment { try appointment(from: row) }

    private func appointment(from row: Row) throws -> Appointment {
        // The name is NULL once `purgePersonalData` erased it; the record then reads with an empty name.
        Appointment(reference: try row.text(0), location: try row.text(1), items: try row.parse(2, expected: "JSON for [Appointment.Item]", AppointmentItemsColumn.decode),
                    start: try row.time(3), end: try row.time(4), status: try row.value(AppointmentStatus.self, 5),
                    name: try row.optionalText(6) ?? "", email: try row.optionalText(7), phone: try row.optionalText(8),
                    language: try row.value(Language.self, 9), channel: try row.value(BookingChannel.self, 10),
                    createdAt: try row.time(11), ticketID: try row.optionalText(12), revision: try row.int(13),
                    meetingRoom: try row.optionalText(14))
    }

    /// `start, end, grp, channel` of an appointment or a hold.
    private func interval(from row: Row) throws -> BookedInterval {
        BookedInterval(start: try row.time(0), end: try row.time(1), group: try row.optionalText(2),
                       channel: try row.value(BookingChannel.self, 3))
    }

    /// Stores a new appointment. Throws a unique violation if the reference exists.
    public func insertAppointment(_ a: Appointment, tokenHash: [UInt8], group: String?, contactKey: String?) throws {
        let items = AppointmentItemsColumn.encode(a.items)
        try execute("""
            INSERT INTO appointments (reference, token_hash, location, grp, items, start, end, status, name, email, phone,
                                      contact_key, lang, channel, created_at, changed_at, revision, meeting_room)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(a.reference), .blob(tokenHash), .text(a.location), .text(group), .text(items), .time(a.start), .time(a.end),
                  .text(a.status.rawValue), .text(a.name), .text(a.email), .text(a.phone), .text(contactKey),
                  .text(a.language.rawValue), .text(a.channel.rawValue), .time(a.createdAt), .time(a.createdAt), .int(a.revision),
                  .text(a.meetingRoom)])
    }

    /// The appointment and its token hash, by reference.
    public func appointment(reference: String) throws -> (appointment: Appointment, tokenHash: [UInt8], group: String?)? {
        guard let row = try first("SELECT \(Connection.appointmentColumns), token_hash, grp FROM appointments WHERE reference = ?",
                                  [.text(reference)], table: "appointments") else { return nil }
        return (try appointment(from: row), try row.blob(15), try row.optionalText(16))
    }

    /// Whether an appointment with `reference` exists: one primary-key seek, no row decoded (a
    /// booking asks this of its reference candidates; reading the whole row cost 3% of a booking).
    public func referenceTaken(_ reference: String) throws -> Bool {
        try first("SELECT 1 FROM appointments WHERE reference = ?", [.text(reference)], table: "appointments") != nil
    }

    /// Longer than any appointment or hold can last: each is a slot the engine checked, inside one
    /// run of one civil date's opening hours (`SlotEngine`), so it lasts less than a day (25 hours
    /// on the day the clocks go back), and whatever overlaps [from, to) starts after `from` less this.
    static let longestVisit: TimeInterval = 26 * 3600

    /// The lower bound on `start` of an appointment at location `?2` overlapping a range from `?1`:
    /// `?1` less the longest visit stored there (`visit_spans`, migration 011). An uncorrelated
    /// subquery, run once per statement; the index on (location, start, end) is searched from it.
    static let overlapStart = "? - coalesce((SELECT longest FROM visit_spans WHERE location = ?), 0)"

    /// Appointments holding capacity at `location` that overlap [from, to).
    ///
    /// An overlapping visit starts after `from` less the longest visit ever stored at the location
    /// (`overlapStart`): that lower bound keeps the index scan to the asked range and the length of one
    /// visit before it, instead of every past appointment of the location.
    public func bookedIntervals(location: String, from: Date, to: Date, excluding reference: String? = nil) throws -> [BookedInterval] {
        var result: [BookedInterval] = []
        try forEach("""
            SELECT start, end, grp, channel FROM appointments
            WHERE location = ? AND start > \(Connection.overlapStart) AND start < ? AND end > ? AND status != 'cancelled'
                AND reference != ?
            """, [.text(location), .time(from), .text(location), .time(to), .time(from), .text(reference ?? "")],
                    table: "appointments") { row in
            result.append(try interval(from: row))
        }
        return result
    }

    /// Cooldown holds still in force at `now` overlapping [from, to).
    public func holds(location: String, from: Date, to: Date, now: Date) throws -> [BookedInterval] {
        var result: [BookedInterval] = []
        try forEach("SELECT start, end, grp, channel FROM holds WHERE location = ? AND start < ? AND end > ? AND until > ?",
                    [.text(location), .time(to), .time(from), .time(now)], table: "holds") { row in
            result.append(try interval(from: row))
        }
        return result
    }

    /// What an availability answer reads of `location` over [from, to) for the capacity group
    /// `group`: the appointments holding capacity and the holds in force at `now`, as the slot
    /// engine takes them, and the earliest end among those holds (the answer may change then).
    ///
    /// The same rows as `bookedIntervals` and `holds` filtered by group, but only the columns the
    /// engine needs: no text per row (the channel is read as a flag, the group is the one asked).
    /// The index on (location, start) is searched from `from` less the longest visit stored at the
    /// location (`overlapStart`; holds: `longestVisit`, a day and a bit), not from the location's first
    /// appointment ever, so a year of history costs nothing.
    public func availabilityIntervals(location: String, group: String?, from: Date, to: Date, now: Date) throws
        -> (booked: [BookedInterval], held: [BookedInterval], holdsChangeAt: Date?) {
        var booked: [BookedInterval] = []
        try forEach("""
            SELECT start, end, channel = 'online' FROM appointments
            WHERE location = ? AND start < ? AND start > \(Connection.overlapStart) AND end > ? AND status != 'cancelled'
                AND grp IS ?
            """, [.text(location), .time(to), .time(from), .text(location), .time(from), .text(group)],
            table: "appointments") { row in
            booked.append(BookedInterval(start: try row.time(0), end: try row.time(1), group: group,
                                         channel: try row.int(2) == 1 ? .online : .staff))
        }
        var held: [BookedInterval] = []
        var changeAt: Date?
        try forEach("""
            SELECT start, end, channel = 'online', until FROM holds
            WHERE location = ? AND start < ? AND start > ? AND end > ? AND until > ? AND grp IS ?
            """, [.text(location), .time(to), .time(from.addingTimeInterval(-Connection.longestVisit)), .time(from), .time(now),
                  .text(group)], table: "holds") { row in
            held.append(BookedInterval(start: try row.time(0), end: try row.time(1), group: group,
                                       channel: try row.int(2) == 1 ? .online : .staff))
            let until = try row.time(3)
            changeAt = min(changeAt ?? until, until)
        }
        return (booked, held, changeAt)
    }

    /// Holds a freed slot back until `until` (cancel cooldown).
    public func insertHold(location: String, group: String?, start: Date, end: Date, channel: BookingChannel, until: Date) throws {
        try execute("INSERT INTO holds (location, grp, start, end, channel, until) VALUES (?, ?, ?, ?, ?, ?)",
                    [.text(location), .text(group), .time(start), .time(end), .text(channel.rawValue), .time(until)])
    }

    /// Sets an appointment's status (and check-in ticket).
    /// A cancel raises the revision (the calendar file's SEQUENCE), once.
    public func setAppointmentStatus(reference: String, _ status: AppointmentStatus, ticketID: String? = nil, now: Date) throws {
        try execute("""
            UPDATE appointments SET revision = revision + (CASE WHEN ?1 = 'cancelled' AND status != 'cancelled' THEN 1 ELSE 0 END),
              status = ?1, ticket_id = COALESCE(?2, ticket_id), changed_at = ?3 WHERE reference = ?4
            """, [.text(status.rawValue), .text(ticketID), .time(now), .text(reference)])
    }

    /// Moves an appointment and raises its revision.
    public func moveAppointment(reference: String, start: Date, end: Date, now: Date) throws {
        try execute("UPDATE appointments SET start = ?, end = ?, changed_at = ?, revision = revision + 1 WHERE reference = ?",
                    [.time(start), .time(end), .time(now), .text(reference)])
    }

    /// Booked (not yet started) future appointments of one contact.
    public func activeAppointmentCount(contactKey: String, now: Date) throws -> Int {
        try one("SELECT count(*) FROM appointments WHERE contact_key = ? AND status = 'booked' AND end > ?",
                [.text(contactKey), .time(now)], table: "appointments").int(0)
    }

    /// Appointments at a location starting in [from, to), by start.
    public func appointments(location: String, from: Date, to: Date) throws -> [Appointment] {
        try query("SELECT \(Connection.appointmentColumns) FROM appointments WHERE location = ? AND start >= ? AND start < ? ORDER BY start",
                  [.text(location), .time(from), .time(to)], table: "appointments").map(appointment(from:))
    }

    /// Booked appointments at any location that have not ended at `now`, by start (what a config reload checks).
    public func bookedAppointments(endingAfter now: Date) throws -> [Appointment] {
        try query("SELECT \(Connection.appointmentColumns) FROM appointments WHERE status = 'booked' AND end > ? ORDER BY start",
                  [.time(now)], table: "appointments").map(appointment(from:))
    }

    /// Erases name and contact of appointments that ended before `cutoff`; returns how many.
    public func purgePersonalData(endedBefore cutoff: Date, now: Date) throws -> Int {
        let n = try execute("""
            UPDATE appointments SET name = NULL, email = NULL, phone = NULL, contact_key = NULL, purged_at = ?
            WHERE end < ? AND purged_at IS NULL
            """, [.time(now), .time(cutoff)])
        return n
    }

    /// Deletes the holds (cancel cooldowns, waitlist offers) that ended before `now`; returns the
    /// locations they were at, so that only those locations' kept availability answers are dropped.
    public func deleteExpiredHolds(now: Date) throws -> Set<String> {
        var locations: Set<String> = []
        try forEach("SELECT DISTINCT location FROM holds WHERE until < ?", [.time(now)], table: "holds") {
            locations.insert(try $0.text(0))
        }
        if !locations.isEmpty { try execute("DELETE FROM holds WHERE until < ?", [.time(now)]) }
        return locations
    }
}
