// Transactions: commit on return, rollback on throw, afterCommit order, readers and writers at once.
import Foundation
import LoketCore
import Testing
@testable import LoketStore

private struct Abort: Error {}

@Suite("Transactions and concurrency")
struct TransactionTests {
    @Test("write commits when the body returns")
    func commits() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        let id = try store.write { c -> Int64 in
            try c.setCounter("loket-1", state: .open, current: nil, now: at(0))
            return try c.appendEvent(topic: "town-hall", name: "counter", data: "{}", at: at(0)).id
        }
        #expect(id == 1)
        #expect(try store.read { try $0.counterStates()["loket-1"]?.state } == .open)
        #expect(try store.read { try $0.events(topic: "town-hall", after: 0) }.map(\.id) == [1])
    }

    @Test("write rolls back everything when the body throws, and afterCommit does not run")
    func rollsBack() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        let ran = Locked(false)
        #expect(throws: Abort.self) {
            try store.write({ c in
                try c.setCounter("loket-1", state: .open, current: nil, now: at(0))
                _ = try c.appendEvent(topic: "town-hall", name: "counter", data: "{}", at: at(0))
                try c.insertAppointment(makeAppointment("HALF-001"), tokenHash: [1], group: nil, contactKey: nil)
                throw Abort()
            }, afterCommit: { _ in ran.withLock { $0 = true } })
        }
        #expect(!ran.value)
        #expect(try store.read { try $0.counterStates() }.isEmpty)
        #expect(try store.read { try $0.events(topic: "town-hall", after: 0) }.isEmpty)
        #expect(try store.read { try $0.appointment(reference: "HALF-001") } == nil)
        // The writer is usable afterwards (no transaction left open).
        try store.write { try $0.setCounter("loket-2", state: .paused, current: nil, now: at(1)) }
        #expect(try store.read { try $0.counterStates().keys.sorted() } == ["loket-2"])
    }

    @Test("a failing statement rolls back the statements before it")
    func sqlErrorRollsBack() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        try store.write { try $0.insertAppointment(makeAppointment("DUP-001"), tokenHash: [1], group: nil, contactKey: nil) }
        let error = #expect(throws: SQLiteError.self) {
            try store.write { c in
                try c.insertToken(hash: [1, 2, 3], role: .clerk, name: "desk", now: at(0))
                try c.insertAppointment(makeAppointment("DUP-001"), tokenHash: [2], group: nil, contactKey: nil)
            }
        }
        #expect(error?.isUniqueViolation == true)
        #expect(try store.read { try $0.token(hash: [1, 2, 3]) } == nil)
    }

    @Test("afterCommit sees the committed data and runs in commit order across 8 threads x 50 writes")
    func afterCommitOrder() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        let published = Locked<[Int64]>([])
        let failures = Locked(0)
        let finished = onThreads(8) { thread in
            for i in 0..<50 {
                do {
                    _ = try store.write({ c in
                        try c.appendEvent(topic: "hall", name: "called", data: "{\"t\":\(thread),\"i\":\(i)}", at: at(i))
                    }, afterCommit: { event in
                        // Committed: a reader sees it already.
                        let visible = (try? store.read { try $0.events(topic: "hall", after: event.id - 1, limit: 1) })?.first?.id
                        if visible != event.id { failures.withLock { $0 += 1 } }
                        published.withLock { $0.append(event.id) }
                    })
                } catch {
                    failures.withLock { $0 += 1 }
                }
            }
        }
        #expect(finished)
        // afterCommit runs on the publisher queue, after the write returned.
        store.waitForPublishing()
        #expect(failures.value == 0)
        let ids = published.value
        #expect(ids.count == 400)
        #expect(zip(ids, ids.dropFirst()).allSatisfy { $0 < $1 }, "strictly increasing")
        #expect(ids == Array(1...400))
    }

    @Test("readers see committed data and never a half-done write")
    func readersSeeCommitted() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        let insideWrite = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let writerDone = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            try? store.write { c in
                try c.setCounter("loket-1", state: .open, current: nil, now: at(0))
                insideWrite.signal()
                _ = release.wait(timeout: .now() + 10)
            }
            writerDone.signal()
        }
        #expect(insideWrite.wait(timeout: .now() + 10) == .success)
        // The write is in progress: readers are not blocked and do not see it.
        #expect(try store.read { try $0.counterStates() }.isEmpty)
        release.signal()
        #expect(writerDone.wait(timeout: .now() + 10) == .success)
        #expect(try store.read { try $0.counterStates()["loket-1"]?.state } == .open)
    }

    @Test("a read is one snapshot even while writes commit")
    func readSnapshot() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        try store.write { _ = try $0.appendEvent(topic: "t", name: "n", data: "1", at: at(0)) }
        let (first, second) = try store.read { c -> (Int, Int) in
            let a = try c.events(topic: "t", after: 0).count
            // A commit from another thread in between.
            let done = DispatchSemaphore(value: 0)
            Thread.detachNewThread {
                _ = try? store.write { _ = try $0.appendEvent(topic: "t", name: "n", data: "2", at: at(1)) }
                done.signal()
            }
            _ = done.wait(timeout: .now() + 10)
            let b = try c.events(topic: "t", after: 0).count
            return (a, b)
        }
        #expect(first == 1)
        #expect(second == 1, "the snapshot does not move inside one read")
        #expect(try store.read { try $0.events(topic: "t", after: 0).count } == 2)
    }

    @Test("many readers and writers at once: no SQLITE_BUSY, nothing lost")
    func readersAndWriters() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open(readers: 4)
        let errors = Locked<[String]>([])
        let writes = 6, perWriter = 60, readerThreads = 10
        let finished = onThreads(writes + readerThreads, timeout: 120) { t in
            if t < writes {
                for i in 0..<perWriter {
                    do {
                        try store.write { c in
                            _ = try c.appendEvent(topic: "w\(t)", name: "n", data: "\(i)", at: at(i))
                            try c.recordServiceTime(service: "svc-\(t)", minutes: 10)
                        }
                    } catch { errors.withLock { $0.append("write: \(error)") } }
                }
            } else {
                for _ in 0..<150 {
                    do {
                        let (count, averages) = try store.read { c in
                            (try c.first("SELECT count(*) FROM events", table: "events")?.int(0) ?? -1, try c.serviceAverages())
                        }
                        if count < 0 || averages.values.contains(where: { $0 != 10 }) {
                            errors.withLock { $0.append("read: inconsistent \(count)") }
                        }
                    } catch { errors.withLock { $0.append("read: \(error)") } }
                }
            }
        }
        #expect(finished)
        #expect(errors.value.isEmpty, "\(errors.value.prefix(3))")
        #expect(try store.read { try $0.first("SELECT count(*) FROM events", table: "events")?.int(0) } == writes * perWriter)
        for t in 0..<writes {
            #expect(try store.read { try $0.events(topic: "w\(t)", after: 0, limit: 1000).map(\.data) } == (0..<perWriter).map { "\($0)" })
        }
    }

    @Test("two stores on one file (two processes' worth of connections) wait instead of failing")
    func twoStoresOneFile() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let a = try db.open(readers: 2)
        let b = try db.open(readers: 2)
        let errors = Locked(0)
        let finished = onThreads(4) { t in
            let store = t % 2 == 0 ? a : b
            for i in 0..<50 {
                do { try store.write { _ = try $0.appendEvent(topic: "x", name: "n", data: "\(t)-\(i)", at: at(i)) } } catch {
                    errors.withLock { $0 += 1 }
                }
            }
        }
        #expect(finished)
        #expect(errors.value == 0)
        #expect(try a.read { try $0.events(topic: "x", after: 0, limit: 1000).count } == 200)
    }
}
