// A damaged database file is refused at open with a message naming it and the way back (a
// restore), and opening it changes none of its bytes: not the file, not its write-ahead log.
import Foundation
import LoketCore
import Testing
@testable import LoketStore

@Suite("Damaged database")
struct DamagedDatabaseTests {
    /// A sound database of some 60 pages (tickets and appointments), closed, with its log checkpointed away.
    private func soundDatabase(_ db: TempDatabase) throws {
        let store = try db.open(readers: 1)
        try store.write { c in
            for i in 0..<600 {
                try c.insertAppointment(makeAppointment(String(format: "R%05d", i), start: 60 + i), tokenHash: Array(repeating: 7, count: 32),
                                       group: nil, contactKey: nil)
                try c.insertTicket(makeTicket(String(format: "t-%05d", i), number: String(format: "A%03d", i % 1000)))
            }
        }
        try store.checkpoint()
    }

    private func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    /// Opens `db` expecting a refusal; checks the message and that the file and its log are unchanged.
    private func expectRefused(_ db: TempDatabase, saying words: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let file = bytes(db.path), wal = bytes(db.path + "-wal")
        let error = #expect(throws: StoreError.self, sourceLocation: sourceLocation) { _ = try db.open(readers: 1) }
        let text = error?.description ?? ""
        #expect(text.contains(db.path) && text.contains("damaged") && text.contains("loket restore")
                && text.contains(words) && !text.contains("\n"), "\(text)", sourceLocation: sourceLocation)
        #expect(bytes(db.path) == file, "the database file was changed", sourceLocation: sourceLocation)
        // SQLite may make an empty log beside a file in WAL mode; one that was there keeps its bytes.
        #expect((bytes(db.path + "-wal") ?? Data()) == (wal ?? Data()), "the write-ahead log was changed", sourceLocation: sourceLocation)
    }

    @Test("random bytes over the header")
    func header() throws {
        let db = TempDatabase()
        defer { db.remove() }
        try soundDatabase(db)
        var data = try #require(bytes(db.path))
        var g = SplitMix64(seed: 7)
        for i in 0..<100 { data[i] = UInt8(truncatingIfNeeded: g.next()) }
        try data.write(to: URL(fileURLWithPath: db.path))
        expectRefused(db, saying: "not an SQLite database")
    }

    @Test("truncated to half")
    func truncated() throws {
        let db = TempDatabase()
        defer { db.remove() }
        try soundDatabase(db)
        let data = try #require(bytes(db.path))
        #expect(data.count >= 40 * 4096)
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: db.path))
        expectRefused(db, saying: "truncated")
    }

    @Test("a page zeroed in the middle")
    func zeroedPage() throws {
        let db = TempDatabase()
        defer { db.remove() }
        try soundDatabase(db)
        var data = try #require(bytes(db.path))
        let page = data.count / 4096 / 2
        data.replaceSubrange(page * 4096..<(page + 1) * 4096, with: Data(count: 4096))
        try data.write(to: URL(fileURLWithPath: db.path))
        // Which page is in the middle moves with the schema (indexes added since 008):
        // SQLite either lists findings ("the quick check finds ...") or cannot read the image at all.
        expectRefused(db, saying: "damaged")
    }

    @Test("a file that is not SQLite at all")
    func notSQLite() throws {
        let db = TempDatabase()
        defer { db.remove() }
        try Data("locations:\n  - id: stadhuis\n".utf8).write(to: URL(fileURLWithPath: db.path))
        expectRefused(db, saying: "not an SQLite database")
    }

    @Test("a write-ahead log that is not SQLite's, or has another page size")
    func foreignLog() throws {
        let db = TempDatabase()
        defer { db.remove() }
        try soundDatabase(db)
        var garbage = Data(count: 32 + 24 + 4096)
        for i in garbage.indices { garbage[i] = UInt8(truncatingIfNeeded: i &* 31) }
        try garbage.write(to: URL(fileURLWithPath: db.path + "-wal"))
        expectRefused(db, saying: "write-ahead log")

        // SQLite's magic, but pages of 1024 bytes beside a file of 4096-byte pages.
        var other = Data([0x37, 0x7f, 0x06, 0x82, 0, 0x2d, 0xe2, 0x18, 0, 0, 0x04, 0])
        other.append(Data(count: 32 - other.count + 24 + 1024))
        try other.write(to: URL(fileURLWithPath: db.path + "-wal"))
        expectRefused(db, saying: "another database")
    }

    @Test("a backup copied over the database by hand, the old database's log left beside it")
    func staleLog() throws {
        let db = TempDatabase()
        defer { db.remove() }
        try soundDatabase(db)
        let backup = db.folder + "/backup.sqlite"
        let staleLog = db.folder + "/stale-wal"
        do {
            let store = try db.open(readers: 1)
            try store.backup(to: backup)
            // Commits after the backup stay in the log while a connection keeps it from being checkpointed.
            let holder = try Connection(path: db.path)
            try holder.exec("PRAGMA wal_autocheckpoint=0")
            try holder.exec("BEGIN IMMEDIATE; DELETE FROM tickets WHERE number < 'A300'; UPDATE appointments SET status = 'cancelled'; COMMIT")
            try FileManager.default.copyItem(atPath: db.path + "-wal", toPath: staleLog)
        }
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db.path + suffix) }
        try FileManager.default.copyItem(atPath: backup, toPath: db.path)
        try FileManager.default.copyItem(atPath: staleLog, toPath: db.path + "-wal")
        // Before the check a writable open checkpointed this log into the copy (and deleted it).
        expectRefused(db, saying: "is damaged")
    }

    @Test("a sound database, with or without log frames, opens and keeps its rows")
    func soundOpens() throws {
        let db = TempDatabase()
        defer { db.remove() }
        try soundDatabase(db)
        let store = try db.open(readers: 1)
        #expect(try store.read { try $0.one("SELECT count(*) FROM tickets", table: "tickets").int(0) } == 600)
        // Committed but not checkpointed: the log holds the row; a second opener (the CLI beside a server) accepts it.
        try store.write { try $0.insertTicket(makeTicket("t-late", number: "B001")) }
        #expect((try FileManager.default.attributesOfItem(atPath: db.path + "-wal")[.size] as? Int ?? 0) > 0)
        let second = try db.open(readers: 1)
        #expect(try second.read { try $0.one("SELECT count(*) FROM tickets", table: "tickets").int(0) } == 601)
    }

    @Test("a missing or empty file is a new database")
    func newDatabase() throws {
        let db = TempDatabase()
        defer { db.remove() }
        _ = try db.open(readers: 1)
        let other = TempDatabase()
        defer { other.remove() }
        FileManager.default.createFile(atPath: other.path, contents: Data())
        _ = try other.open(readers: 1)
        #expect((bytes(other.path)?.count ?? 0) > 0)
    }
}
