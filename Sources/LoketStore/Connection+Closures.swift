// Runtime closures (`closures` table) and what the closure rules read: the limits in force and
// the booked appointments with their booking order.
import Foundation
import LoketCore

extension Connection: ClosureReading {
    private static let closureColumns =
        "id, location, \"from\", \"to\", desks, reason, created_at, created_by, affected, lifted_at, lifted_by"

    private func closure(from row: Row) throws -> ClosureRecord {
        let reason = try row.optionalText(5).map { _ in try row.json([String: String].self, 5) }
        var values: [Language: String] = [:]
        for (key, text) in reason ?? [:] {
            guard let language = Language(rawValue: key) else {
                throw RowDecodingError(table: "closures", column: "reason", expected: "languages nl, fr, en, de", found: "another key")
            }
            values[language] = text
        }
        let limit = DeskLimit(id: try row.text(0), location: try row.text(1), from: try row.time(2), to: try row.time(3),
                              desks: try row.int(4), reason: reason == nil ? nil : LocalizedText(values))
        return ClosureRecord(limit: limit, createdAt: try row.time(6), createdBy: try row.text(7),
                             affected: try row.optionalText(8).map { _ in try row.value(AffectedChoice.self, 8) },
                             liftedAt: try row.optionalTime(9), liftedBy: try row.optionalText(10))
    }

    /// Stores a new closure.
    public func insertClosure(_ c: ClosureRecord) throws {
        let reason = try c.limit.reason.map { r in
            String(decoding: try JSONEncoder().encode(Dictionary(uniqueKeysWithValues: r.values.map { ($0.key.rawValue, $0.value) })),
                   as: UTF8.self)
        }
        try execute("""
            INSERT INTO closures (id, location, "from", "to", desks, reason, created_at, created_by, affected)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(c.limit.id), .text(c.limit.location), .time(c.limit.from), .time(c.limit.to), .int(c.limit.desks),
                  .text(reason), .time(c.createdAt), .text(c.createdBy), .text(c.affected?.rawValue)])
    }

    /// Marks a closure lifted; a lifted one stays lifted as it was.
    public func liftClosure(id: String, by: String, now: Date) throws {
        try execute("UPDATE closures SET lifted_at = ?, lifted_by = ? WHERE id = ? AND lifted_at IS NULL",
                    [.time(now), .text(by), .text(id)])
    }

    /// A closure by id, lifted or not.
    public func closure(id: String) throws -> ClosureRecord? {
        try first("SELECT \(Connection.closureColumns) FROM closures WHERE id = ?", [.text(id)], table: "closures")
            .map(closure(from:))
    }

    /// Closures not lifted that end after `now` (in force or to come), of one location or all, by start.
    public func closures(location: String?, now: Date) throws -> [ClosureRecord] {
        try query("""
            SELECT \(Connection.closureColumns) FROM closures
            WHERE lifted_at IS NULL AND "to" > ? AND (?2 IS NULL OR location = ?2) ORDER BY "from", id
            """, [.time(now), .text(location)], table: "closures").map(closure(from:))
    }

    public func deskLimits(location: String, from: Date, to: Date) throws -> [DeskLimit] {
        try query("""
            SELECT \(Connection.closureColumns) FROM closures
            WHERE location = ? AND lifted_at IS NULL AND "from" < ? AND "to" > ? ORDER BY "from", id
            """, [.text(location), .time(to), .time(from)], table: "closures").map { try closure(from: $0).limit }
    }

    public func heldAppointments(location: String, from: Date, to: Date) throws -> [HeldAppointment] {
        try query("""
            SELECT reference, items, start, end, grp, created_at FROM appointments
            WHERE location = ? AND status = 'booked' AND start > ? AND start < ? AND end > ? ORDER BY start, reference
            """, [.text(location), .time(from.addingTimeInterval(-Connection.longestVisit)), .time(to), .time(from)],
                  table: "appointments").map { row in
            let items = try row.json([Appointment.Item].self, 1)
            return HeldAppointment(reference: try row.text(0), service: items.first?.service ?? "",
                                   persons: items.reduce(0) { $0 + $1.persons }, start: try row.time(2), end: try row.time(3),
                                   group: try row.optionalText(4), createdAt: try row.time(5))
        }
    }
}

extension Connection: ReloadReading {}
