// The clean mark: a store closed cleanly lets the next open skip `PRAGMA quick_check`, and only as
// long as nothing has touched the file since; any other open checks in full, so a damaged file is
// still refused before a writable connection exists.
import Foundation
import LoketCore
import Testing
@testable import LoketStore

@Suite("Clean close")
struct CleanCloseTests {
    /// A database with some rows, closed cleanly (leaving the mark).
    private func closedCleanly(_ db: TempDatabase) throws {
        let store = try db.open(readers: 1)
        try store.write { c in
            for i in 0..<600 {
                try c.insertTicket(makeTicket(String(format: "t-%05d", i), number: String(format: "A%03d", i)))
            }
        }
        #expect(try store.close())
    }

    private var markPath: (TempDatabase) -> String { { Store.cleanMarkPath($0.path) } }

    @Test("close() leaves the mark; the next check skips the full check and the open removes the mark")
    func markSkipsTheFullCheck() throws {
        let db = TempDatabase()
        defer { db.remove() }
        #expect(try Store.checkFile(db.path) == .new)
        try closedCleanly(db)
        #expect(FileManager.default.fileExists(atPath: markPath(db)))
        #expect((try? FileManager.default.attributesOfItem(atPath: db.path + "-wal")[.size] as? Int) ?? 0 == 0, "the log was emptied")
        #expect(try Store.checkFile(db.path) == .cleanMark)
        let store = try db.open(readers: 1)
        #expect(!FileManager.default.fileExists(atPath: markPath(db)), "a writer has the file: no mark any more")
        #expect(try store.read { try $0.one("SELECT count(*) FROM tickets", table: "tickets").int(0) } == 600)
        #expect(try Store.checkFile(db.path) == .full)
    }

    @Test("a store that was not closed (a crash) leaves no mark: the next open checks in full")
    func crashChecksInFull() throws {
        let db = TempDatabase()
        defer { db.remove() }
        try closedCleanly(db)
        do {
            let store = try db.open(readers: 1)
            try store.write { try $0.insertTicket(makeTicket("t-late", number: "B001")) }
            try store.checkpoint() // even with the log moved into the file
        }
        #expect(try Store.checkFile(db.path) == .full)
    }

    @Test("after close() every write is refused, and a second close leaves nothing new")
    func closedRefusesWrites() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open(readers: 1)
        #expect(try store.close())
        #expect(throws: StoreError.self) { try store.write { try $0.insertTicket(makeTicket("t-after")) } }
        #expect(try !store.close())
    }

    @Test("a page zeroed after a clean close is refused all the same, and the file and mark keep their bytes")
    func damageAfterCleanClose() throws {
        let db = TempDatabase()
        defer { db.remove() }
        try closedCleanly(db)
        var data = try #require(FileManager.default.contents(atPath: db.path))
        let page = data.count / 4096 / 2
        data.replaceSubrange(page * 4096..<(page + 1) * 4096, with: Data(count: 4096))
        try data.write(to: URL(fileURLWithPath: db.path))
        let error = #expect(throws: StoreError.self) { _ = try db.open(readers: 1) }
        #expect(error?.description.contains("quick check") == true, "\(String(describing: error))")
        #expect(FileManager.default.contents(atPath: db.path) == data)
    }

    @Test("log frames beside a marked file, or a mark copied from another file, mean a full check")
    func markMustMatch() throws {
        let db = TempDatabase(), other = TempDatabase()
        defer { db.remove(); other.remove() }
        try closedCleanly(db)
        try closedCleanly(other)
        // Another database's mark beside this file: another inode and times.
        try FileManager.default.removeItem(atPath: markPath(db))
        try FileManager.default.copyItem(atPath: markPath(other), toPath: markPath(db))
        #expect(try Store.checkFile(db.path) == .full)
        // This file's own mark, but a connection has since written to the log.
        #expect(try db.open(readers: 1).close())
        #expect(try Store.checkFile(db.path) == .cleanMark)
        let holder = try Connection(path: db.path)
        try holder.exec("PRAGMA wal_autocheckpoint=0; INSERT INTO tickets (id, location, day, number, service, origin, status, issued_at, waiting_since) "
                        + "VALUES ('x', 'town-hall', '2026-12-01', 'Z001', 'eid', 'walkin', 'waiting', 0, 0)")
        #expect(try Store.checkFile(db.path) == .full)
    }
}
