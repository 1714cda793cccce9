// Group commit: writes in flight together share one transaction, each in its own savepoint.
//
// The batch tests build a batch on purpose: a first write holds the writer until the others are
// queued, so they all land in the next transaction.
import CSQLite
import Foundation
import LoketCore
import Testing
@testable import LoketStore

private struct Refused: Error {}

@Suite("Group commit")
struct GroupCommitTests {
    /// Runs `writes` on their own threads as one batch: a blocker holds the writer until all are queued.
    /// Returns each write's error (nil: it returned).
    private func oneBatch(_ store: Store, _ writes: [@Sendable (Connection) throws -> Void]) -> [String?] {
        let holding = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let blockerDone = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            try? store.write { _ in
                holding.signal()
                _ = release.wait(timeout: .now() + 30)
            }
            blockerDone.signal()
        }
        _ = holding.wait(timeout: .now() + 10)
        let errors = Locked<[String?]>(Array(repeating: "not run", count: writes.count))
        let group = DispatchGroup()
        for (i, write) in writes.enumerated() {
            group.enter()
            Thread.detachNewThread {
                do {
                    try store.write { try write($0) }
                    errors.withLock { $0[i] = nil }
                } catch {
                    errors.withLock { $0[i] = "\(type(of: error)): \(error)" }
                }
                group.leave()
            }
        }
        let deadline = Date().addingTimeInterval(10)
        while store.batcher.pending < writes.count && Date() < deadline { usleep(1000) }
        release.signal()
        _ = blockerDone.wait(timeout: .now() + 10)
        _ = group.wait(timeout: .now() + 30)
        return errors.value
    }

    private func values(_ store: Store) throws -> [String] {
        try store.read { try $0.query("SELECT v FROM t ORDER BY v", table: "t").map { try $0.text(0) } }
    }

    @Test("a write that throws is rolled back alone; the rest of its batch commits, in one transaction")
    func failingJobAlone() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        try store.write { try $0.exec("CREATE TABLE t(v TEXT)") }
        let before = store.commitCounts
        let errors = oneBatch(store, [
            { try $0.execute("INSERT INTO t VALUES ('a')") },
            { try $0.execute("INSERT INTO t VALUES ('b')"); throw Refused() },
            { try $0.execute("INSERT INTO t VALUES ('c')") },
            { try $0.execute("INSERT INTO t VALUES ('d')"); try $0.execute("INSERT INTO no_such_table VALUES (1)") },
        ])
        #expect(errors[0] == nil)
        #expect(errors[1]?.hasPrefix("Refused") == true)
        #expect(errors[2] == nil)
        #expect(errors[3]?.hasPrefix("SQLiteError") == true)
        #expect(try values(store) == ["a", "c"])
        let after = store.commitCounts
        #expect(after.batches - before.batches == 2, "the blocker's transaction, then one for all four")
        #expect(after.writes - before.writes == 5)
    }

    @Test("a COMMIT that fails loses the whole batch: every write gets the error, nothing is stored")
    func failedCommitLosesBatch() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        try store.write {
            try $0.exec("""
                CREATE TABLE t(v TEXT); CREATE TABLE parent(id INTEGER PRIMARY KEY);
                CREATE TABLE child(p INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)
                """)
        }
        // The deferred foreign key is checked only at COMMIT, after every savepoint was released.
        let errors = oneBatch(store, [
            { try $0.execute("INSERT INTO t VALUES ('a')") },
            { try $0.execute("INSERT INTO child VALUES (99)") },
            { try $0.execute("INSERT INTO t VALUES ('c')") },
        ])
        #expect(errors.allSatisfy { $0?.hasPrefix("SQLiteError") == true }, "\(errors)")
        #expect(try values(store).isEmpty)
        #expect(try store.read { try $0.one("SELECT count(*) FROM child", table: "child").int(0) } == 0)
        // The writer works afterwards.
        _ = try store.write { try $0.execute("INSERT INTO t VALUES ('later')") }
        #expect(try values(store) == ["later"])
    }

    @Test("a transaction SQLite rolled back (as after an I/O error) fails every write of the batch as a storage fault")
    func rolledBackTransactionLosesBatch() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        try store.write { try $0.exec("CREATE TABLE t(v TEXT)") }
        let published = Locked(0)
        let errors = oneBatch(store, [
            { try $0.execute("INSERT INTO t VALUES ('a')") },
            // What SQLite does on SQLITE_FULL or SQLITE_IOERR: the whole transaction is gone.
            { try $0.execute("INSERT INTO t VALUES ('b')"); try $0.exec("ROLLBACK"); throw Refused() },
            { try $0.execute("INSERT INTO t VALUES ('c')") },
        ])
        #expect(errors.allSatisfy { $0?.hasPrefix("SQLiteError") == true }, "\(errors)")
        #expect(try values(store).isEmpty)
        // The one that met the fault threw its own error; it and the others are told of the storage fault.
        _ = try store.write({ try $0.execute("INSERT INTO t VALUES ('later')") }, afterCommit: { _ in published.withLock { $0 += 1 } })
        store.waitForPublishing()
        #expect(try values(store) == ["later"])
        #expect(published.value == 1)
    }

    @Test("a write returns only once its commit returned: a reader on another connection sees it at once")
    func resultsAfterCommit() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        try store.write { try $0.exec("CREATE TABLE t(v TEXT)") }
        let unseen = Locked(0)
        let finished = onThreads(8) { thread in
            for i in 0..<40 {
                let v = "\(thread)-\(i)"
                _ = try? store.write { try $0.execute("INSERT INTO t VALUES (?)", [.text(v)]) }
                let seen = (try? store.read { try $0.first("SELECT v FROM t WHERE v = ?", [.text(v)], table: "t") }) ?? nil
                if seen == nil { unseen.withLock { $0 += 1 } }
            }
        }
        #expect(finished)
        #expect(unseen.value == 0)
        #expect(try values(store).count == 320)
    }

    @Test("many threads issuing tickets at once: nothing lost, every number unique, fewer transactions than writes")
    func manyWritersNumberUniquely() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        let failures = Locked<[String]>([])
        let threads = 24, perThread = 40
        let finished = onThreads(threads, timeout: 120) { thread in
            for i in 0..<perThread {
                do {
                    // Numbered inside the write from what the transaction sees, as the queue desk does.
                    try store.write { c in
                        let n = try c.one("SELECT count(*) FROM tickets", table: "tickets").int(0) + 1
                        try c.insertTicket(makeTicket("t-\(thread)-\(i)", number: String(format: "A%04d", n)))
                    }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
        }
        #expect(finished)
        #expect(failures.value.isEmpty, "\(failures.value.prefix(3))")
        let numbers = try store.read { try $0.query("SELECT number FROM tickets", table: "tickets").map { try $0.text(0) } }
        #expect(numbers.count == threads * perThread)
        #expect(Set(numbers).count == numbers.count, "ticket numbers are unique")
        #expect(Set(numbers) == Set((1...(threads * perThread)).map { String(format: "A%04d", $0) }))
        let counts = store.commitCounts
        #expect(counts.writes >= UInt64(threads * perThread))
        print("group commit: \(counts.writes) writes in \(counts.batches) transactions")
    }

    @Test("a slow publisher does not hold up the next writes, and still gets their work in commit order")
    func slowPublisherDoesNotStallWriters() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        let release = DispatchSemaphore(value: 0)
        let published = Locked<[Int64]>([])
        // The first write's after-commit work blocks, as a hub stuck on its streams would.
        let first = try store.write({ try $0.appendEvent(topic: "t", name: "n", data: "0", at: at(0)).id }, afterCommit: { id in
            _ = release.wait(timeout: .now() + 30)
            published.withLock { $0.append(id) }
        })
        let started = Date()
        for i in 1...20 {
            _ = try store.write({ try $0.appendEvent(topic: "t", name: "n", data: "\(i)", at: at(i)).id },
                                afterCommit: { id in published.withLock { $0.append(id) } })
        }
        #expect(Date().timeIntervalSince(started) < 10, "the writes did not wait for the publisher")
        #expect(published.value.isEmpty, "nothing overtook the blocked publication")
        release.signal()
        store.waitForPublishing()
        #expect(published.value == Array(first...(first + 20)))
    }

    @Test("checkpoint and backup wait for the batch in progress and run outside any transaction")
    func exclusiveBetweenBatches() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        try store.write { try $0.exec("CREATE TABLE t(v TEXT)") }
        let errors = Locked(0)
        let finished = onThreads(6) { thread in
            for i in 0..<30 {
                do {
                    if thread == 0 && i % 10 == 0 {
                        try store.checkpoint()
                    } else {
                        _ = try store.write { try $0.execute("INSERT INTO t VALUES (?)", [.text("\(thread)-\(i)")]) }
                    }
                } catch { errors.withLock { $0 += 1 } }
            }
        }
        #expect(finished)
        #expect(errors.value == 0)
        #expect(try values(store).count == 6 * 30 - 3)
    }
    @Test("many threads, batches capped at three, every fifth write throws: each caller is woken with its own result, only the failing writes are undone")
    func smallBatchesManyThreads() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let connection = try Connection(path: db.path)
        try connection.exec("CREATE TABLE t(v TEXT)")
        let batcher = GroupCommit(connection: connection, maxBatch: 3)
        let threads = 16, perThread = 25
        let outcomes = Locked<[String: Bool]>([:])   // value -> acknowledged
        let wrongErrors = Locked(0)
        let finished = onThreads(threads, timeout: 120) { thread in
            for i in 0..<perThread {
                let v = "\(thread)-\(i)"
                let fails = (thread * perThread + i) % 5 == 2
                do {
                    try batcher.submit { db in
                        try db.execute("INSERT INTO t VALUES (?)", [.text(v)])
                        if fails { throw Refused() }
                        return nil
                    }
                    outcomes.withLock { $0[v] = true }
                } catch {
                    if !(error is Refused) { wrongErrors.withLock { $0 += 1 } }
                    outcomes.withLock { $0[v] = false }
                }
            }
        }
        #expect(finished, "every caller was woken")
        #expect(wrongErrors.value == 0, "a failing write gets its own error, never its neighbours'")
        let stored = try connection.query("SELECT v FROM t", table: "t").map { try $0.text(0) }
        let acknowledged = outcomes.value.filter(\.value).map(\.key)
        #expect(outcomes.value.count == threads * perThread)
        #expect(Set(stored) == Set(acknowledged), "exactly the acknowledged writes are stored")
        #expect(acknowledged.count == threads * perThread - threads * perThread / 5)
        let counts = batcher.counts
        #expect(counts.writes == UInt64(threads * perThread))
        #expect(counts.batches >= UInt64(threads * perThread / 3), "no batch took more than three")
    }

    @Test("transactions lost at random while many threads write and checkpoint: every caller returns; acknowledged writes are stored, failed ones are not")
    func lostBatchesUnderLoad() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        try store.write { try $0.exec("CREATE TABLE t(v TEXT)") }
        let acknowledged = Locked<Set<String>>([])
        let failed = Locked<Set<String>>([])
        let otherErrors = Locked<[String]>([])
        let finished = onThreads(12, timeout: 120) { thread in
            for i in 0..<30 {
                let v = "\(thread)-\(i)"
                do {
                    if thread == 0 && i % 6 == 0 {
                        try store.checkpoint()
                        continue
                    }
                    try store.write { db in
                        try db.execute("INSERT INTO t VALUES (?)", [.text(v)])
                        // What SQLite does on SQLITE_FULL or SQLITE_IOERR: the whole transaction is gone.
                        if (thread + i) % 11 == 0 { try db.exec("ROLLBACK"); throw Refused() }
                    }
                    acknowledged.withLock { _ = $0.insert(v) }
                } catch let error as SQLiteError where error.isStorageFault {
                    failed.withLock { _ = $0.insert(v) }
                } catch {
                    otherErrors.withLock { $0.append("\(error)") }
                }
            }
        }
        #expect(finished, "every caller was woken")
        #expect(otherErrors.value.isEmpty, "\(otherErrors.value.prefix(3))")
        let stored = Set(try values(store))
        #expect(stored == acknowledged.value, "every acknowledged write is stored, and nothing else")
        #expect(stored.isDisjoint(with: failed.value))
        #expect(!failed.value.isEmpty)
        #expect(acknowledged.value.count + failed.value.count == 11 * 30 + 25)
    }
}
