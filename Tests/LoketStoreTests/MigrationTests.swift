// Opening and migrating database files: versions, refusal of newer schemas, backups, pragmas.
import Foundation
import Testing
@testable import LoketStore

/// Sets up a raw SQLite file with plain sqlite3 calls, outside the Store.
private func rawExec(_ path: String, _ sql: String) throws {
    let c = try Connection(path: path)
    try c.exec(sql)
}

private func rawUserVersion(_ path: String) throws -> Int {
    try Connection(path: path, readOnly: true).userVersion()
}

/// journal_mode, synchronous, foreign_keys, busy_timeout and query_only, as the sqlite3 shell prints them.
private func pragmaValues(_ c: Connection) throws -> [String] {
    let modes = ["synchronous", "foreign_keys", "busy_timeout", "query_only"]
    return [try c.one("PRAGMA journal_mode", table: "pragma").text(0)]
        + (try modes.map { String(try c.one("PRAGMA \($0)", table: "pragma").int(0)) })
}

@Suite("Migrations and pragmas")
struct MigrationTests {
    @Test("a new file gets the latest user_version and every table")
    func newFile() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        let version = try store.read { try $0.userVersion() }
        #expect(version == Migrations.latest)
        #expect(version >= 1)
        let tables = try store.read { c in
            try c.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", table: "sqlite_master").map { try $0.text(0) }
        }
        for table in ["appointments", "audit", "counters", "events", "holds", "service_times", "waiting_counts",
                      "ticket_sequences", "tickets", "tokens"] {
            #expect(tables.contains(table), "\(table)")
        }
        #expect(!db.files.contains { $0.hasSuffix(".bak") }, "nothing to back up in a new file")
    }

    @Test("a missing folder is created")
    func missingFolder() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let nested = db.folder + "/a/b/loket.sqlite"
        _ = try Store(path: nested, logger: quietLogger)
        #expect(FileManager.default.fileExists(atPath: nested))
    }

    @Test("reopening a current database is a no-op that keeps the data")
    func reopen() throws {
        let db = TempDatabase()
        defer { db.remove() }
        do {
            let store = try db.open()
            try store.write { try $0.insertAppointment(makeAppointment("K7M-3QX"), tokenHash: [1], group: nil, contactKey: nil) }
        }
        let schemaBefore = try Connection(path: db.path).query("SELECT sql FROM sqlite_master ORDER BY name", table: "sqlite_master")
            .map { try $0.optionalText(0) }
        let store = try db.open()
        #expect(try store.read { try $0.userVersion() } == Migrations.latest)
        #expect(try store.read { try $0.appointment(reference: "K7M-3QX") } != nil)
        let schemaAfter = try store.read {
            try $0.query("SELECT sql FROM sqlite_master ORDER BY name", table: "sqlite_master").map { try $0.optionalText(0) }
        }
        #expect(schemaAfter == schemaBefore)
        #expect(!db.files.contains { $0.hasSuffix(".bak") })
    }

    @Test("a database from a newer loket is refused with a StoreError and left untouched")
    func newerSchemaRefused() throws {
        let db = TempDatabase()
        defer { db.remove() }
        // What a newer loket would leave: WAL mode, its own tables, a higher version.
        try rawExec(db.path, """
            PRAGMA journal_mode=WAL;
            CREATE TABLE future (id INTEGER PRIMARY KEY, note TEXT);
            INSERT INTO future (note) VALUES ('keep me');
            PRAGMA user_version = \(Migrations.latest + 5);
            """)
        let before = try Data(contentsOf: URL(fileURLWithPath: db.path))
        let error = #expect(throws: StoreError.self) { try db.open() }
        #expect(error?.description.contains("newer") == true)
        #expect(error?.description.contains("\(Migrations.latest + 5)") == true)
        #expect(error?.description.contains(db.path) == true)
        let after = try Data(contentsOf: URL(fileURLWithPath: db.path))
        #expect(after == before, "the file's bytes are unchanged")
        #expect(try rawUserVersion(db.path) == Migrations.latest + 5)
        #expect(try Connection(path: db.path, readOnly: true).first("SELECT note FROM future", table: "future")?.text(0) == "keep me")
        #expect(!db.files.contains { $0.hasSuffix(".bak") })
    }

    @Test("a newer database in rollback-journal mode is not switched to WAL before it is refused")
    func newerSchemaJournalModeUntouched() throws {
        let db = TempDatabase()
        defer { db.remove() }
        try rawExec(db.path, "CREATE TABLE future (id INTEGER PRIMARY KEY); PRAGMA user_version = \(Migrations.latest + 1);")
        let before = try Data(contentsOf: URL(fileURLWithPath: db.path))
        #expect(throws: StoreError.self) { try db.open() }
        let after = try Data(contentsOf: URL(fileURLWithPath: db.path))
        let mode = try Connection(path: db.path, readOnly: true).first("PRAGMA journal_mode", table: "pragma")?.text(0)
        #expect(mode == "delete")
        #expect(after == before)
    }

    @Test("a Loket database whose version was reset to 0 fails to migrate and keeps its data")
    func versionResetRollsBack() throws {
        let db = TempDatabase()
        defer { db.remove() }
        do {
            let store = try db.open()
            try store.write { try $0.insertAppointment(makeAppointment("AAA-111"), tokenHash: [1], group: nil, contactKey: nil) }
        }
        try rawExec(db.path, "PRAGMA user_version = 0")
        // Step 1 re-creates tables that exist: the step's transaction rolls back as a whole.
        let error = #expect(throws: SQLiteError.self) { try db.open() }
        #expect(error?.message.contains("already exists") == true)
        #expect(try rawUserVersion(db.path) == 0)
        let c = try Connection(path: db.path, readOnly: true)
        #expect(try c.first("SELECT name FROM appointments WHERE reference = 'AAA-111'", table: "appointments")?.text(0) == "Jan Peeters")
    }

    @Test("a version-0 file that already holds data is backed up before the migration touches it")
    func foreignDataBackedUp() throws {
        let db = TempDatabase()
        defer { db.remove() }
        // Someone points --db at an existing SQLite file of another program (user_version 0).
        try rawExec(db.path, "CREATE TABLE ledger (id INTEGER PRIMARY KEY, amount INTEGER); INSERT INTO ledger (amount) VALUES (42);")
        _ = try db.open()
        // The data survives the migration either way.
        #expect(try Connection(path: db.path, readOnly: true).first("SELECT amount FROM ledger", table: "ledger")?.int(0) == 42)
        let backups = db.files.filter { $0.hasSuffix(".bak") }
        #expect(backups.count == 1)
    }

    @Test("the backup path: an older Loket schema is copied to a .bak before migrating")
    func backupBeforeMigrating() throws {
        // With one migration step, no real file can have 0 < user_version < latest. When a second
        // step is added this test starts to check the backup; until then it checks that the
        // precondition holds and documents why the path is not reachable.
        let db = TempDatabase()
        defer { db.remove() }
        guard Migrations.latest > 1 else {
            #expect(Migrations.steps.count == 1)
            #expect(Migrations.steps.allSatisfy { !$0.name.isEmpty && !$0.sql.isEmpty })
            return
        }
        // Apply step 1 only, with some data, then open with every step.
        let c = try Connection(path: db.path)
        try c.exec(Migrations.steps[0].sql)
        try c.exec("PRAGMA user_version = 1")
        try c.insertToken(hash: [9], role: .admin, name: "ops", now: at(0))
        _ = try db.open()
        let backups = db.files.filter { $0.hasSuffix(".bak") }
        #expect(backups.count == 1)
        let backup = try Connection(path: db.folder + "/" + backups[0], readOnly: true)
        #expect(try backup.userVersion() == 1)
        #expect(try backup.token(hash: [9])?.name == "ops")
    }

    @Test("WAL mode, synchronous=FULL, foreign keys and busy timeout are set on every connection")
    func pragmas() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open(readers: 3)
        // Check every reader: hold them all at once on separate threads.
        let results = Locked<[[String]]>([])
        let gate = DispatchGroup()
        let barrier = DispatchSemaphore(value: 0)
        for _ in 0..<3 {
            gate.enter()
            Thread.detachNewThread {
                let values = try? store.read { c -> [String] in
                    barrier.signal()
                    Thread.sleep(forTimeInterval: 0.2)
                    return try pragmaValues(c)
                }
                results.withLock { $0.append(values ?? []) }
                gate.leave()
            }
        }
        #expect(gate.wait(timeout: .now() + 10) == .success)
        #expect(results.value.count == 3)
        for r in results.value {
            #expect(r == ["wal", "2", "1", "5000", "1"])  // synchronous FULL is 2
        }
        let writer = try store.write { c in
            try pragmaValues(c)
        }
        #expect(writer == ["wal", "2", "1", "5000", "0"])
    }

    @Test("readers are query-only")
    func readersCannotWrite() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        #expect(throws: SQLiteError.self) {
            try store.read { try $0.execute("INSERT INTO counters (id, state, changed_at) VALUES ('x', 'open', 0)") }
        }
        #expect(try store.read { try $0.counterStates() }.isEmpty)
    }

    @Test("backup(to:) writes a consistent copy that opens as a store")
    func onlineBackup() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        try store.write { try $0.insertAppointment(makeAppointment("BAK-001"), tokenHash: [1], group: nil, contactKey: nil) }
        let copy = db.folder + "/copy's.sqlite"
        try store.backup(to: copy)
        let restored = try Store(path: copy, logger: quietLogger)
        #expect(try restored.read { try $0.appointment(reference: "BAK-001")?.appointment.name } == "Jan Peeters")
        #expect(try restored.read { try $0.userVersion() } == Migrations.latest)
    }
}
