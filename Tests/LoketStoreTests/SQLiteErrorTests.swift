// SQLiteError carries the SQL and result codes, never the bound arguments (personal data).
import Foundation
import LoketCore
import Testing
@testable import LoketStore

@Suite("SQLite errors")
struct SQLiteErrorTests {
    static let personal = "Marie Dupont"

    @Test("a statement that does not prepare reports its SQL, not its arguments")
    func badStatement() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        let sql = "SELECT * FROM no_such_table WHERE name = ?"
        let error = #expect(throws: SQLiteError.self) {
            try store.read { try $0.query(sql, [.text(Self.personal)], table: "no_such_table") }
        }
        #expect(error?.sql == sql)
        #expect(error?.code == 1)  // SQLITE_ERROR
        #expect(error?.description.contains("no_such_table") == true)
        #expect(error?.description.contains(Self.personal) == false)
        #expect(error.map { "\($0)" }?.contains(Self.personal) == false)
    }

    @Test("a constraint violation while binding personal data never shows the data")
    func constraintViolation() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        let original = makeAppointment("MD-0001", name: Self.personal, email: "marie.dupont@example.be")
        try store.write { try $0.insertAppointment(original, tokenHash: [1], group: nil, contactKey: "marie-key") }
        let error = #expect(throws: SQLiteError.self) {
            try store.write { try $0.insertAppointment(original, tokenHash: [2], group: nil, contactKey: "marie-key") }
        }
        let text = error.map { "\($0) \($0.description) \(String(reflecting: $0.description))" } ?? ""
        #expect(error?.isUniqueViolation == true)
        #expect(error?.code == 19)  // SQLITE_CONSTRAINT
        #expect(error?.sql?.contains("INSERT INTO appointments") == true)
        #expect(!text.contains(Self.personal))
        #expect(!text.contains("marie.dupont@example.be"))
        #expect(!text.contains("MD-0001"))
        #expect(!text.contains("marie-key"))
    }

    @Test("a NOT NULL violation names the column, not the other values")
    func notNull() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        let error = #expect(throws: SQLiteError.self) {
            try store.write { try $0.execute("INSERT INTO tokens (hash, role, name, created_at) VALUES (?, ?, ?, ?)",
                                             [.blob([1]), .text("clerk"), .text(Self.personal), .null]) }
        }
        #expect(error?.message.contains("tokens.created_at") == true)
        #expect(error?.description.contains(Self.personal) == false)
        #expect(error?.isUniqueViolation == false)
        #expect(error?.isBusy == false)
    }

    @Test("after an error the cached statement still works with new arguments")
    func statementReusable() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        try store.write { try $0.insertToken(hash: [1], role: .kiosk, name: "kiosk-1", now: at(0)) }
        #expect(throws: SQLiteError.self) { try store.write { try $0.insertToken(hash: [1], role: .kiosk, name: "again", now: at(0)) } }
        try store.write { try $0.insertToken(hash: [2], role: .kiosk, name: "kiosk-2", now: at(0)) }
        #expect(try store.read { try $0.token(hash: [2])?.name } == "kiosk-2")
    }

    @Test("opening a path that cannot be a database fails with an error")
    func unopenable() throws {
        let db = TempDatabase()
        defer { db.remove() }
        try Data("this is not a database, just text that is long enough to fill a header ......".utf8)
            .write(to: URL(fileURLWithPath: db.path))
        #expect(throws: (any Error).self) { try db.open() }
        #expect(throws: (any Error).self) { try Store(path: db.folder, logger: quietLogger) }  // a folder
    }
}
