// Opening and migrating database files: recorded migration names, refusal of newer or mismatched
// schemas, upgrading files from before the names, backups, pragmas.
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

/// The names recorded in `loket_migrations`, in order.
private func recorded(_ c: Connection) throws -> [String] {
    try c.query("SELECT name FROM loket_migrations ORDER BY position", table: "loket_migrations").map { try $0.text(0) }
}

/// journal_mode, synchronous, foreign_keys, busy_timeout and query_only, as the sqlite3 shell prints them.
private func pragmaValues(_ c: Connection) throws -> [String] {
    let modes = ["synchronous", "foreign_keys", "busy_timeout", "query_only"]
    return [try c.one("PRAGMA journal_mode", table: "pragma").text(0)]
        + (try modes.map { String(try c.one("PRAGMA \($0)", table: "pragma").int(0)) })
}

private func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

/// Makes a database the way loket did before migrations were recorded by name: the first `count`
/// steps' SQL, each followed by `PRAGMA user_version` counting the steps, and nothing else.
private func makePositionalDatabase(_ path: String, steps count: Int) throws -> Connection {
    let c = try Connection(path: path)
    try Store.configure(c)
    try c.exec("PRAGMA journal_mode=WAL")
    for (i, step) in Migrations.steps.prefix(count).enumerated() {
        try c.exec("BEGIN IMMEDIATE; \(step.sql); PRAGMA user_version = \(i + 1); COMMIT")
    }
    return c
}

/// A waiting ticket written with the columns of the first schema, as an older binary would have.
private func insertOldTicket(_ c: Connection, _ id: String) throws {
    try c.execute("""
        INSERT INTO tickets (id, location, day, number, service, origin, priority, status, issued_at, waiting_since)
        VALUES (?, 'town-hall', '2026-12-01', 'A001', 'eid', 'walkin', 0, 'waiting', 0, 0)
        """, [.text(id)])
}

@Suite("Migrations and pragmas")
struct MigrationTests {
    @Test("every step has a unique, stable-looking name; the positional list is a prefix of the steps")
    func names() {
        let names = Migrations.steps.map(\.name)
        #expect(Set(names).count == names.count)
        // Each name is a three-digit number and a dash; the numbers count up from 1 without a gap.
        for name in names { #expect(name.count > 4 && name.dropFirst(3).hasPrefix("-"), "\(name)") }
        #expect(names.map { Int($0.prefix(3)) ?? 0 } == Array(1...names.count))
        #expect(Array(names.prefix(Migrations.positional.count)) == Migrations.positional)
        #expect(Migrations.steps.allSatisfy { !$0.sql.isEmpty })
    }

    @Test("a new file records every step by name, gets the latest user_version and every table")
    func newFile() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        let version = try store.read { try $0.userVersion() }
        #expect(version == Migrations.latest)
        #expect(version >= 1)
        #expect(try store.read { try recorded($0) } == Migrations.steps.map(\.name))
        let tables = try store.read { c in
            try c.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", table: "sqlite_master").map { try $0.text(0) }
        }
        for table in ["appointments", "audit", "counters", "events", "holds", "service_times", "waiting_counts",
                      "ticket_sequences", "tickets", "tokens", "loket_migrations"] {
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
        let schema = "SELECT sql FROM sqlite_master ORDER BY name"
        let schemaBefore = try Connection(path: db.path).query(schema, table: "sqlite_master").map { try $0.optionalText(0) }
        let appliedBefore = try recorded(Connection(path: db.path))
        let store = try db.open()
        #expect(try store.read { try $0.userVersion() } == Migrations.latest)
        #expect(try store.read { try $0.appointment(reference: "K7M-3QX") } != nil)
        let schemaAfter = try store.read { try $0.query(schema, table: "sqlite_master").map { try $0.optionalText(0) } }
        #expect(schemaAfter == schemaBefore)
        #expect(try store.read { try recorded($0) } == appliedBefore)
        #expect(!db.files.contains { $0.hasSuffix(".bak") })
    }

    @Test("a database from a newer loket of the positional scheme is refused with a StoreError and left untouched")
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
        let before = try bytes(db.path)
        let error = #expect(throws: StoreError.self) { try db.open() }
        #expect(error?.description.contains("newer") == true)
        #expect(error?.description.contains("\(Migrations.latest + 5)") == true)
        #expect(error?.description.contains(db.path) == true)
        #expect(try bytes(db.path) == before, "the file's bytes are unchanged")
        #expect(try rawUserVersion(db.path) == Migrations.latest + 5)
        #expect(try Connection(path: db.path, readOnly: true).first("SELECT note FROM future", table: "future")?.text(0) == "keep me")
        #expect(!db.files.contains { $0.hasSuffix(".bak") })
    }

    @Test("a newer database in rollback-journal mode is not switched to WAL before it is refused")
    func newerSchemaJournalModeUntouched() throws {
        let db = TempDatabase()
        defer { db.remove() }
        try rawExec(db.path, "CREATE TABLE future (id INTEGER PRIMARY KEY); PRAGMA user_version = \(Migrations.latest + 1);")
        let before = try bytes(db.path)
        #expect(throws: StoreError.self) { try db.open() }
        let mode = try Connection(path: db.path, readOnly: true).first("PRAGMA journal_mode", table: "pragma")?.text(0)
        #expect(mode == "delete")
        #expect(try bytes(db.path) == before)
    }

    /// A current database, closed and checkpointed into its main file, then changed by `sql` (by hand).
    private func currentDatabase(_ db: TempDatabase, then sql: String) throws {
        do {
            let store = try db.open()
            try store.write { try $0.insertToken(hash: [7], role: .clerk, name: "desk-1", now: at(0)) }
            try store.checkpoint()
        }
        try rawExec(db.path, "BEGIN; \(sql); COMMIT; PRAGMA wal_checkpoint(TRUNCATE);")
    }

    /// Opening `db` fails with a StoreError, makes no backup and changes no byte of the database; returns the message.
    private func refusedUntouched(_ db: TempDatabase) throws -> String {
        let before = try bytes(db.path)
        let error = #expect(throws: StoreError.self) { try db.open() }
        #expect(try bytes(db.path) == before, "the file's bytes are unchanged")
        #expect(!db.files.contains { $0.hasSuffix(".bak") })
        #expect(error?.description.contains(db.path) == true)
        return error?.description ?? ""
    }

    @Test("a database with a migration this loket does not know (made by a newer one) is refused untouched")
    func unknownNewerMigrationRefused() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let next = Migrations.latest + 1
        try currentDatabase(db, then: """
            CREATE TABLE future (id INTEGER PRIMARY KEY);
            INSERT INTO loket_migrations (position, name, applied_at) VALUES (\(next), '\(String(format: "%03d", next))-future', 0);
            PRAGMA user_version = \(next)
            """)
        let message = try refusedUntouched(db)
        #expect(message.contains("newer"))
        #expect(message.contains("-future"))
    }

    @Test("a database whose recorded migration was renamed is refused untouched")
    func renamedMigrationRefused() throws {
        let db = TempDatabase()
        defer { db.remove() }
        try currentDatabase(db, then: "UPDATE loket_migrations SET name = '001-first' WHERE position = 1")
        let message = try refusedUntouched(db)
        #expect(message.contains("migration 1 \"001-first\""))
        #expect(message.contains("\"\(Migrations.steps[0].name)\""))
        #expect(message.contains("renamed, reordered or inserted"))
    }

    @Test("a database whose migrations were applied in another order is refused untouched")
    func reorderedMigrationsRefused() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let (first, second) = (Migrations.steps[0].name, Migrations.steps[1].name)
        try currentDatabase(db, then: """
            UPDATE loket_migrations SET name = 'swapping' WHERE position = 1;
            UPDATE loket_migrations SET name = '\(first)' WHERE position = 2;
            UPDATE loket_migrations SET name = '\(second)' WHERE position = 1
            """)
        let message = try refusedUntouched(db)
        #expect(message.contains("migration 1 \"\(second)\""))
        #expect(message.contains("renamed, reordered or inserted"))
    }

    @Test("a database with a migration inserted between known ones is refused, not taken for a newer one")
    func insertedMigrationRefused() throws {
        let db = TempDatabase()
        defer { db.remove() }
        // Applied: 001, an unknown step, then the rest shifted by one.
        let applied = [Migrations.steps[0].name, "001b-inserted"] + Migrations.steps.dropFirst().map(\.name)
        let rows = applied.enumerated().map { "(\($0.offset + 1), '\($0.element)', 0)" }.joined(separator: ", ")
        try currentDatabase(db, then: """
            DELETE FROM loket_migrations;
            INSERT INTO loket_migrations (position, name, applied_at) VALUES \(rows);
            PRAGMA user_version = \(applied.count)
            """)
        #expect(try recorded(Connection(path: db.path, readOnly: true)) == applied)
        let message = try refusedUntouched(db)
        #expect(message.contains("migration 2 \"001b-inserted\""))
        #expect(message.contains("renamed, reordered or inserted"))
        #expect(!message.contains("newer"))
    }

    @Test("a database whose user_version disagrees with its recorded migrations is refused untouched")
    func userVersionMismatchRefused() throws {
        let db = TempDatabase()
        defer { db.remove() }
        try currentDatabase(db, then: "PRAGMA user_version = 0")
        let message = try refusedUntouched(db)
        #expect(message.contains("records \(Migrations.latest) applied migrations"))
        #expect(message.contains("schema version 0"))
    }

    @Test("a Loket database that lost its migration records fails to migrate and keeps its data")
    func lostRecordsRollBack() throws {
        let db = TempDatabase()
        defer { db.remove() }
        do {
            let store = try db.open()
            try store.write { try $0.insertAppointment(makeAppointment("AAA-111"), tokenHash: [1], group: nil, contactKey: nil) }
        }
        try rawExec(db.path, "DROP TABLE loket_migrations; PRAGMA user_version = 0")
        // It looks like a foreign file: backed up, then step 1 re-creates tables that exist and its
        // transaction rolls back as a whole.
        let error = #expect(throws: SQLiteError.self) { try db.open() }
        #expect(error?.message.contains("already exists") == true)
        #expect(try rawUserVersion(db.path) == 0)
        let c = try Connection(path: db.path, readOnly: true)
        #expect(try c.first("SELECT name FROM appointments WHERE reference = 'AAA-111'", table: "appointments")?.text(0) == "Jan Peeters")
        #expect(try c.first("SELECT count(*) FROM sqlite_master WHERE name = 'loket_migrations'", table: "sqlite_master")?.int(0) == 0)
        #expect(db.files.filter { $0.hasSuffix(".bak") }.count == 1)
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

    @Test("a positional database part-way (user_version 1) is backed up, named and migrated")
    func positionalPartwayUpgraded() throws {
        let db = TempDatabase()
        defer { db.remove() }
        do {
            let c = try makePositionalDatabase(db.path, steps: 1)
            try c.insertToken(hash: [9], role: .admin, name: "ops", now: at(0))
            try insertOldTicket(c, "t1")
            try c.exec("PRAGMA wal_checkpoint(TRUNCATE)")
        }
        let store = try db.open()
        #expect(try store.read { try recorded($0) } == Migrations.steps.map(\.name))
        #expect(try store.read { try $0.userVersion() } == Migrations.latest)
        #expect(try store.read { try $0.token(hash: [9])?.name } == "ops")
        // Step 2 ran on the old data: the waiting ticket is counted.
        #expect(try store.read { try $0.waitingCounts(location: "town-hall") }.map(\.waiting) == [1])
        let positionOne = try store.read {
            try $0.one("SELECT applied_at FROM loket_migrations WHERE position = 1", table: "loket_migrations").int(0)
        }
        #expect(positionOne == 0, "a step applied before the names has no known time")

        let backups = db.files.filter { $0.hasSuffix(".bak") }
        #expect(backups.count == 1)
        #expect(backups.first?.contains(Migrations.steps[Migrations.latest - 1].name) == true)
        let backup = try Connection(path: db.folder + "/" + backups[0], readOnly: true)
        #expect(try backup.userVersion() == 1)
        #expect(try backup.token(hash: [9])?.name == "ops")
        #expect(try backup.one("SELECT count(*) FROM sqlite_master WHERE name = 'loket_migrations'", table: "sqlite_master").int(0) == 0)
    }

    @Test("a database of the last positional binary gets its names recorded once, then the newer steps, with one backup")
    func positionalCurrentAdopted() throws {
        let db = TempDatabase()
        defer { db.remove() }
        do {
            let c = try makePositionalDatabase(db.path, steps: Migrations.positional.count)
            // The appointments table as the positional binary wrote it (no revision, no meeting room).
            try c.execute("""
                INSERT INTO appointments (reference, token_hash, location, items, start, end, status, name, lang, channel, created_at, changed_at)
                VALUES ('OLD-001', x'01', 'town-hall', '[{"service":"eid","persons":1}]', 1796115600, 1796116500, 'booked', 'Jan Peeters',
                        'nl', 'online', 1796112000, 1796112000)
                """)
        }
        // What the positional steps made, except the tables later steps extend: appointments and holds
        // (003, 006), and the tickets, counters and tokens tables (005 and 007 add a column; their indexes and triggers stay).
        let schema = """
            SELECT name, sql FROM sqlite_master WHERE tbl_name NOT IN ('loket_migrations', 'appointments', 'holds')
            AND NOT (type = 'table' AND name IN ('tickets', 'counters', 'tokens')) ORDER BY name
            """
        let schemaBefore = try Connection(path: db.path).query(schema, table: "sqlite_master").compactMap { try $0.optionalText(1) }
        do {
            let store = try db.open()
            #expect(try store.read { try recorded($0) } == Migrations.steps.map(\.name))
            #expect(try store.read { try $0.userVersion() } == Migrations.latest)
            let old = try store.read { try $0.appointment(reference: "OLD-001")?.appointment }
            #expect(old?.name == "Jan Peeters" && old?.revision == 0 && old?.meetingRoom == nil)
            let after = try store.read { try $0.query(schema, table: "sqlite_master").compactMap { try $0.optionalText(1) } }
            #expect(Array(after.filter { schemaBefore.contains($0) }) == schemaBefore,
                    "the positional steps do not run again: what they made is unchanged")
        }
        #expect(db.files.filter { $0.hasSuffix(".bak") }.count == 1)
        _ = try db.open()
        #expect(db.files.filter { $0.hasSuffix(".bak") }.count == 1, "the second open has nothing to do")
    }

    @Test("four stores opening one new file at once all succeed and the steps run once")
    func concurrentFirstOpen() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let errors = Locked<[String]>([])
        let finished = onThreads(4) { _ in
            do { _ = try db.open() } catch { errors.withLock { $0.append("\(error)") } }
        }
        #expect(finished)
        #expect(errors.value.isEmpty, "\(errors.value)")
        #expect(try recorded(Connection(path: db.path, readOnly: true)) == Migrations.steps.map(\.name))
    }

    @Test("four stores opening one older file at once: one backup, each step once, data kept")
    func concurrentUpgrade() throws {
        let db = TempDatabase()
        defer { db.remove() }
        do {
            let c = try makePositionalDatabase(db.path, steps: 1)
            try insertOldTicket(c, "t1")
        }
        let errors = Locked<[String]>([])
        let finished = onThreads(4) { _ in
            do { _ = try db.open() } catch { errors.withLock { $0.append("\(error)") } }
        }
        #expect(finished)
        #expect(errors.value.isEmpty, "\(errors.value)")
        let store = try db.open()
        #expect(try store.read { try recorded($0) } == Migrations.steps.map(\.name))
        #expect(try store.read { try $0.waitingCounts(location: "town-hall") }.map(\.waiting) == [1], "step 2 ran once")
        #expect(db.files.filter { $0.hasSuffix(".bak") }.count == 1)
    }

    @Test("a backup counts as taken for this run only when a step was recorded at or after it")
    func backupCoversOnlyItsOwnRun() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let c = try Connection(path: db.path)
        let target = Migrations.steps[Migrations.latest - 1].name
        func backupFile(_ stamp: Int) {
            FileManager.default.createFile(atPath: "\(db.path).before-\(target)-\(stamp).bak", contents: Data())
        }
        // A positional file (no records) with a backup beside it: nothing says a run is under way.
        backupFile(1_000)
        #expect(try !Migrations.backupCoversRun(c, path: db.path))
        try c.exec(Migrations.bookkeeping)
        try c.exec("INSERT INTO loket_migrations VALUES (1, '001-a', 0), (2, '002-b', 999)")
        // Restored from that backup: every recorded step predates it, so a new run needs its own copy.
        #expect(try !Migrations.backupCoversRun(c, path: db.path))
        // Another loket backed up at 1,000 and then recorded a step at 1,000 (same second) or later.
        try c.exec("INSERT INTO loket_migrations VALUES (3, '003-c', 1000)")
        #expect(try Migrations.backupCoversRun(c, path: db.path))
        // Only the newest backup counts, and only one towards the latest step.
        backupFile(2_000)
        #expect(try !Migrations.backupCoversRun(c, path: db.path))
        FileManager.default.createFile(atPath: "\(db.path).before-000-older-target-5000.bak", contents: Data())
        try c.exec("INSERT INTO loket_migrations VALUES (4, '004-d', 2001)")
        #expect(try Migrations.backupCoversRun(c, path: db.path))
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
        let writer = try store.write { try pragmaValues($0) }
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
        #expect(try restored.read { try recorded($0) } == Migrations.steps.map(\.name))
    }
}
