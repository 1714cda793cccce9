// Store.restore: a backup from an older loket is migrated on the way in; what is not a sound Loket
// database is refused with nothing written; an existing destination is replaced only when asked.
import Foundation
import Testing
@testable import LoketStore

@Suite("Restore")
struct RestoreTests {
    @Test("a backup from before the later steps is copied in, even from a live WAL file, and migrated; the source is untouched")
    func olderBackupIsMigrated() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let source = db.folder + "/old.sqlite"
        // A database of the first two steps, still open with its last commit in the WAL.
        let old = try Connection(path: source)
        try Store.configure(old)
        try old.exec("PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0")
        for (i, step) in Migrations.steps.prefix(2).enumerated() {
            try old.exec("BEGIN IMMEDIATE; \(step.sql); PRAGMA user_version = \(i + 1); COMMIT")
        }
        try old.execute("""
            INSERT INTO tickets (id, location, day, number, service, origin, priority, status, issued_at, waiting_since)
            VALUES ('t-old', 'town-hall', '2026-12-01', 'A001', 'eid', 'walkin', 0, 'waiting', 0, 0)
            """)
        let before = try Data(contentsOf: URL(fileURLWithPath: source))

        let report = try Store.restore(from: source, to: db.path, replace: false, logger: quietLogger)
        #expect(report.stepsInBackup == Array(Migrations.steps.prefix(2).map(\.name)))
        #expect(report.stepsApplied == Array(Migrations.steps.dropFirst(2).map(\.name)))
        #expect(try Data(contentsOf: URL(fileURLWithPath: source)) == before)

        let store = try db.open()
        let tickets = try store.read { try $0.query("SELECT id FROM tickets", table: "tickets").map { try $0.text(0) } }
        #expect(tickets == ["t-old"])
        #expect(!db.files.contains { $0.contains(".restoring-") }, "\(db.files)")
    }

    @Test("a damaged or foreign file is refused and nothing is written")
    func refusals() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let damaged = db.folder + "/damaged.sqlite"
        var bytes = Data("SQLite format 3\0".utf8)
        bytes.append(Data(repeating: 0x5A, count: 4096))
        try bytes.write(to: URL(fileURLWithPath: damaged))
        #expect(throws: StoreError.self) { try Store.restore(from: damaged, to: db.path, replace: false, logger: quietLogger) }

        let foreign = db.folder + "/foreign.sqlite"
        try Connection(path: foreign).exec("CREATE TABLE recipes (name TEXT)")
        let error = #expect(throws: StoreError.self) { try Store.restore(from: foreign, to: db.path, replace: false, logger: quietLogger) }
        #expect(error?.description.contains("not a Loket database") == true, "\(String(describing: error))")
        #expect(!FileManager.default.fileExists(atPath: db.path), "\(db.files)")
    }

    @Test("an existing database is replaced only with replace, and then holds the backup's data")
    func replaceOnlyWhenAsked() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let source = db.folder + "/backup.sqlite"
        do {
            let store = try Store(path: source, logger: quietLogger)
            _ = try store.write { try $0.execute("INSERT INTO counters (id, state, changed_at) VALUES ('from-backup', 'open', 0)") }
            try store.backup(to: db.folder + "/copy.sqlite")
        }
        let copy = db.folder + "/copy.sqlite"
        do {
            let current = try db.open()
            _ = try current.write { try $0.execute("INSERT INTO counters (id, state, changed_at) VALUES ('current', 'open', 0)") }
        }
        let error = #expect(throws: StoreError.self) { try Store.restore(from: copy, to: db.path, replace: false, logger: quietLogger) }
        #expect(error?.description.contains("--force") == true)
        #expect(try db.open().read { try $0.query("SELECT id FROM counters", table: "counters").map { try $0.text(0) } } == ["current"])

        _ = try Store.restore(from: copy, to: db.path, replace: true, logger: quietLogger)
        #expect(try db.open().read { try $0.query("SELECT id FROM counters", table: "counters").map { try $0.text(0) } } == ["from-backup"])
    }
}
