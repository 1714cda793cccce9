// Reading rows never falls back to a default: a row changed by hand (or by a bug) fails with an error
// that names the table, the column and the kind of value found, never the value itself.
import Foundation
import LoketCore
import Testing
@testable import LoketStore

@Suite("Row decoding")
struct RowDecodingTests {
    static let personal = "Marie Dupont"

    /// A store holding one ticket `t1`, one appointment `MD-0001`, one hold, one counter, one token (hash [7]).
    private func seeded(_ db: TempDatabase) throws -> Store {
        let store = try db.open()
        try store.write { c in
            try c.insertTicket(makeTicket("t1"))
            try c.insertAppointment(makeAppointment("MD-0001", name: Self.personal), tokenHash: [1], group: nil, contactKey: "k")
            try c.insertHold(location: "town-hall", group: nil, start: at(60), end: at(75), channel: .online, until: at(500))
            try c.setCounter("desk-1", state: .open, current: nil, now: at(0))
            try c.insertToken(hash: [7], role: .clerk, name: "desk", now: at(0))
        }
        return store
    }

    /// Corrupts one row by hand with `sql`, then expects `read` to throw a RowDecodingError for `table.column`.
    private func expectError<T>(_ sql: String, _ table: String, _ column: String, expected: String, found: String,
                                sourceLocation: SourceLocation = #_sourceLocation,
                                _ read: (Connection) throws -> T) throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try seeded(db)
        try store.write { try $0.exec(sql) }
        let error = #expect(throws: RowDecodingError.self, sourceLocation: sourceLocation) { try store.read(read) }
        #expect(error?.table == table, sourceLocation: sourceLocation)
        #expect(error?.column == column, sourceLocation: sourceLocation)
        #expect(error?.expected.contains(expected) == true, "\(error?.expected ?? "")", sourceLocation: sourceLocation)
        #expect(error?.found == found, sourceLocation: sourceLocation)
        #expect(error?.description.contains("\(table).\(column)") == true, sourceLocation: sourceLocation)
        #expect(error?.description.contains(Self.personal) == false, sourceLocation: sourceLocation)
    }

    @Test("an unknown ticket status is an error, not a waiting ticket")
    func ticketStatus() throws {
        try expectError("UPDATE tickets SET status = 'bogus'", "tickets", "status", expected: "TicketStatus",
                        found: "text that is not one") { try $0.ticket(id: "t1") }
        try expectError("UPDATE tickets SET status = 'bogus', called_at = \(Int(at(1).timeIntervalSince1970)), counter = 'desk-1'",
                        "tickets", "status", expected: "TicketStatus",
                        found: "text that is not one") { try $0.recentCalls(location: "town-hall", since: at(0), limit: 10) }
    }

    @Test("an unknown ticket origin is an error, also in the call-next queue")
    func ticketOrigin() throws {
        try expectError("UPDATE tickets SET origin = 'teleport'", "tickets", "origin", expected: "TicketOrigin",
                        found: "text that is not one") { try $0.ticket(id: "t1") }
        try expectError("UPDATE tickets SET origin = 'teleport'", "tickets", "origin", expected: "TicketOrigin",
                        found: "text that is not one") { try $0.waitingQueue(location: "town-hall") }
    }

    @Test("a ticket day that is not a date is an error, not day zero")
    func ticketDay() throws {
        try expectError("UPDATE tickets SET day = 'yesterday'", "tickets", "day", expected: "a date YYYY-MM-DD",
                        found: "text that is not one") { try $0.ticket(id: "t1") }
        try expectError("UPDATE tickets SET day = '2026-02-30'", "tickets", "day", expected: "a date YYYY-MM-DD",
                        found: "text that is not one") { try $0.ticket(id: "t1") }
    }

    @Test("text in an integer column and a priority other than 0 or 1 are errors, not 0")
    func ticketIntegers() throws {
        try expectError("UPDATE tickets SET recalls = 'three'", "tickets", "recalls", expected: "an integer",
                        found: "text") { try $0.ticket(id: "t1") }
        try expectError("UPDATE tickets SET priority = 2", "tickets", "priority", expected: "0 or 1",
                        found: "another integer") { try $0.ticket(id: "t1") }
        try expectError("UPDATE tickets SET called_at = 'soon'", "tickets", "called_at", expected: "an instant",
                        found: "text") { try $0.ticket(id: "t1") }
    }

    @Test("a blob in a text column is an error, not its bytes read as text")
    func blobAsText() throws {
        try expectError("UPDATE tickets SET service = X'00FF'", "tickets", "service", expected: "text",
                        found: "a blob") { try $0.ticket(id: "t1") }
    }

    @Test("an appointment's bad status, language, channel or items are errors, and never show the personal data")
    func appointment() throws {
        try expectError("UPDATE appointments SET status = '\(Self.personal)'", "appointments", "status",
                        expected: "AppointmentStatus", found: "text that is not one") { try $0.appointment(reference: "MD-0001") }
        try expectError("UPDATE appointments SET lang = 'xx'", "appointments", "lang", expected: "Language",
                        found: "text that is not one") { try $0.appointment(reference: "MD-0001") }
        try expectError("UPDATE appointments SET channel = 'fax'", "appointments", "channel", expected: "BookingChannel",
                        found: "text that is not one") {
            try $0.appointments(location: "town-hall", from: at(0), to: at(1000))
        }
        try expectError("UPDATE appointments SET channel = 'fax'", "appointments", "channel", expected: "BookingChannel",
                        found: "text that is not one") { try $0.bookedIntervals(location: "town-hall", from: at(0), to: at(1000)) }
        try expectError("UPDATE appointments SET items = '[{\"service\": \"\(Self.personal)\"'", "appointments", "items",
                        expected: "JSON", found: "text that is not one") { try $0.appointment(reference: "MD-0001") }
        try expectError("UPDATE appointments SET token_hash = 'abc'", "appointments", "token_hash", expected: "a blob",
                        found: "text") { try $0.appointment(reference: "MD-0001") }
    }

    @Test("a hold's unknown channel, a counter's unknown state and a token's unknown role are errors")
    func otherEnums() throws {
        try expectError("UPDATE holds SET channel = 'fax'", "holds", "channel", expected: "BookingChannel",
                        found: "text that is not one") { try $0.holds(location: "town-hall", from: at(0), to: at(1000), now: at(0)) }
        try expectError("UPDATE counters SET state = 'ajar'", "counters", "state", expected: "CounterState",
                        found: "text that is not one") { try $0.counterStates() }
        // An unknown role must never become a kiosk (or anything else).
        try expectError("UPDATE tokens SET role = 'superuser'", "tokens", "role", expected: "Role",
                        found: "text that is not one") { try $0.token(hash: [7]) }
        try expectError("UPDATE tokens SET role = 'superuser'", "tokens", "role", expected: "Role",
                        found: "text that is not one") { try $0.tokens() }
    }

    @Test("a NULL or text service average is an error")
    func serviceAverage() throws {
        try expectError("INSERT INTO service_times (service, avg_minutes, samples) VALUES ('eid', 'slow', 1)", "service_times",
                        "avg_minutes", expected: "a number", found: "text") { try $0.serviceAverages() }
    }

    @Test("the untouched rows still read back (the seed itself is valid)")
    func seedReads() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try seeded(db)
        #expect(try store.read { try $0.ticket(id: "t1") } == makeTicket("t1"))
        #expect(try store.read { try $0.appointment(reference: "MD-0001")?.appointment } == makeAppointment("MD-0001", name: Self.personal))
        #expect(try store.read { try $0.token(hash: [7])?.role } == .clerk)
        #expect(try store.read { try $0.counterStates()["desk-1"]?.state } == .open)
    }

    /// Every accessor against every storage class: (value, accessor) -> read value, or the `found` of the error.
    @Test("each Row accessor accepts only its own kinds of value", arguments: [
        (SQLValue.integer(3), "int", "3"), (.real(3), "int", "a real"), (.text("3"), "int", "text"), (.null, "int", "NULL"),
        (.null, "optionalInt", "nil"), (.text("3"), "optionalInt", "text"),
        (.integer(1), "bool", "true"), (.integer(0), "bool", "false"), (.integer(-1), "bool", "another integer"), (.text("1"), "bool", "text"),
        (.integer(2), "double", "2.0"), (.real(2.5), "double", "2.5"), (.text("2.5"), "double", "text"), (.null, "double", "NULL"),
        (.text("a"), "text", "a"), (.integer(1), "text", "an integer"), (.blob([97]), "text", "a blob"), (.null, "text", "NULL"),
        (.null, "optionalText", "nil"), (.real(1), "optionalText", "a real"),
        (.integer(60), "time", "60.0"), (.real(60.5), "time", "60.5"), (.text("60"), "time", "text"), (.null, "time", "NULL"),
        (.blob([1]), "blob", "[1]"), (.text("a"), "blob", "text"),
    ] as [(value: SQLValue, accessor: String, result: String)])
    func accessors(_ example: (value: SQLValue, accessor: String, result: String)) {
        let (value, accessor, result) = example
        let row = Row(table: "t", columns: ["c"], values: [value])
        let read: () throws -> String = {
            switch accessor {
            case "int": return "\(try row.int(0))"
            case "optionalInt": return try row.optionalInt(0).map { "\($0)" } ?? "nil"
            case "bool": return "\(try row.bool(0))"
            case "double": return "\(try row.double(0))"
            case "text": return try row.text(0)
            case "optionalText": return try row.optionalText(0) ?? "nil"
            case "time": return "\(try row.time(0).timeIntervalSince1970)"
            case "blob": return "\(try row.blob(0))"
            default: return "unknown accessor"
            }
        }
        do {
            #expect(try read() == result)
        } catch let error as RowDecodingError {
            #expect(error.found == result)
            #expect(error.table == "t" && error.column == "c")
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test("an aggregate or RETURNING statement without a row is an error naming the table")
    func missingRow() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        let error = #expect(throws: RowDecodingError.self) {
            try store.read { try $0.one("SELECT id FROM tickets", table: "tickets") }
        }
        #expect(error?.description == "cannot read tickets: expected a row, found none")
    }
}
