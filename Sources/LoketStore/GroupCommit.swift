// Group commit: concurrent writes share one transaction and one fsync.
//
// Every `Store.write` becomes a job in a queue. Whoever finds the writer idle becomes the
// committer for one batch: it takes the queued jobs (at most `maxBatch`), runs each in its own
// SAVEPOINT inside one `BEGIN IMMEDIATE` transaction, commits once, and only then marks the
// jobs done and wakes their callers. While it commits (the fsync is most of a write's time), the
// next writes queue up and form the next batch. There is no timer and no waiting for company: a
// lone write commits at once, and batches grow only with the writes actually in flight.
//
// Failures:
// - a job that throws is rolled back to its savepoint and gets its own error; the rest of the
//   batch commits;
// - a lost transaction (BEGIN or COMMIT fails, or SQLite rolled the whole transaction back after
//   an I/O or disk-full error, seen as the connection back in autocommit mode) fails every job of
//   the batch with the storage error: nothing of it is acknowledged, since a job's own answer may
//   rest on the state an earlier, lost job made.
//
// Wake-ups: every caller sleeps on its own semaphore. The committer, after its commit, frees the
// writer and wakes exactly the callers whose jobs it committed, and the oldest queued caller to
// commit the next batch; a caller that arrives in between and finds the writer free commits it
// at once instead (it is already running: no wake-up on the writer's critical path), and the woken
// one then sleeps again (its job is in that batch, or it is woken again when the batch is done).
// When `exclusive` is waiting, the committer wakes it rather than the next queued caller.
// (One condition broadcast per batch woke every waiting caller, most of them only to see their job
// still queued and sleep again.)
//
// After the commit, each job's `after` work (publishing live events) is handed, in commit order,
// to one serial publisher queue: the writer never waits for the hub, and streams still see events
// in commit order because one batch's work is queued before the next batch can commit.
import CSQLite
import Foundation

/// The single writer connection, shared by concurrent callers through batches.
final class GroupCommit: @unchecked Sendable {
    // @unchecked: `connection` is used only by the thread that holds the writer (`busy`); the other vars only under `condition`.
    private let connection: Connection
    private let condition = NSCondition()
    /// `exclusive` callers waiting on `condition` for the writer; while there are any, a committer
    /// leaves the writer free instead of handing it to the next batch.
    private var exclusiveWaiting = 0
    /// Jobs waiting for a batch, in arrival order.
    private var queue: [Job] = []
    /// True while one thread (a committer, or an `exclusive` caller) owns the connection.
    private var busy = false
    /// Runs the committed jobs' `after` work, one batch after the other, in commit order.
    private let publisher = DispatchQueue(label: "loket.store.publish")
    /// The most jobs one transaction takes.
    let maxBatch: Int
    private var batchCount: UInt64 = 0
    private var jobCount: UInt64 = 0

    /// One caller's write: its body (held only until it ran), then its outcome.
    private final class Job {
        /// The caller's body; it returns the work to do after the commit. Cleared once run, so the
        /// non-escaping closure it wraps is released before its caller returns.
        var run: ((Connection) throws -> (() -> Void)?)?
        var after: (() -> Void)?
        var failure: (any Error)?
        /// Set (under `condition`) when the job's batch has committed or was lost.
        var done = false
        /// The caller sleeps on this; it is signalled when the job is done, or when the writer was
        /// freed while the job was the oldest queued (then the caller commits the next batch if the
        /// writer is still free). It may be signalled more than it waits: the caller checks and loops.
        let wake = DispatchSemaphore(value: 0)
        init(_ run: @escaping (Connection) throws -> (() -> Void)?) { self.run = run }
    }

    init(connection: Connection, maxBatch: Int = 256) {
        self.connection = connection
        self.maxBatch = max(1, maxBatch)
    }

    /// Runs `body` in the next batch and returns once the batch's COMMIT returned, or throws the
    /// body's own error (its changes rolled back) or the error that lost the batch.
    ///
    /// `body` returns work for after the commit; it runs on the publisher queue, in commit order.
    func submit(_ body: (Connection) throws -> (() -> Void)?) throws {
        try withoutActuallyEscaping(body) { body in
            let job = Job(body)
            condition.lock()
            queue.append(job)
            while !job.done {
                if !busy {
                    lead(job)
                } else {
                    condition.unlock()
                    job.wake.wait()
                    condition.lock()
                }
            }
            condition.unlock()
            if let failure = job.failure { throw failure }
        }
    }

    /// Runs `body` alone on the writer connection, outside any transaction (checkpoint, backup).
    func exclusive<T>(_ body: (Connection) throws -> T) rethrows -> T {
        condition.lock()
        exclusiveWaiting += 1
        while busy { condition.wait() }
        exclusiveWaiting -= 1
        busy = true
        condition.unlock()
        defer {
            condition.lock()
            let next = letGo()
            condition.unlock()
            next?.wake.signal()
        }
        return try body(connection)
    }

    /// Transactions committed (or lost) and the writes they held, since the store opened.
    var counts: (batches: UInt64, writes: UInt64) {
        condition.withLock { (batchCount, jobCount) }
    }

    /// Writes waiting for a batch (for tests that build a batch on purpose).
    var pending: Int { condition.withLock { queue.count } }

    /// Returns once the after-commit work of every write returned so far has run.
    func waitForPublishing() {
        publisher.sync {}
    }

    /// Takes a batch and commits it, then frees the writer and wakes the batch's callers and the
    /// next committer. Called by `own`'s caller with `condition` locked; returns with it locked.
    private func lead(_ own: Job) {
        busy = true
        let batch = Array(queue.prefix(maxBatch))
        queue.removeFirst(batch.count)
        condition.unlock()
        commit(batch)
        let afters = batch.compactMap(\.after)
        condition.lock()
        // Queued before the writer is handed on, so before any later batch can commit: commit order.
        if !afters.isEmpty {
            let handed = HandedOver(afters)
            publisher.async { for work in handed.value { work() } }
        }
        for job in batch {
            job.after = nil
            job.done = true
        }
        batchCount += 1
        jobCount += UInt64(batch.count)
        let next = letGo()
        condition.unlock()
        // The next committer first: its batch is already waiting for the writer.
        if let next, next !== own { next.wake.signal() }
        for job in batch where job !== own { job.wake.signal() }
        condition.lock()
    }

    /// Whoever holds the writer frees it. Wakes a waiting `exclusive` caller if there is one; else
    /// returns the oldest queued job, whose caller is to be signalled (outside the lock) to commit
    /// the next batch. Called with `condition` locked.
    private func letGo() -> Job? {
        busy = false
        if exclusiveWaiting > 0 {
            condition.broadcast()
            return nil
        }
        return queue.first
    }

    /// One transaction: every job in its savepoint, then one COMMIT.
    private func commit(_ batch: [Job]) {
        let db = connection
        do {
            try db.execute("BEGIN IMMEDIATE")
        } catch {
            return fail(batch, error)
        }
        for job in batch {
            guard let run = job.run else { continue }
            job.run = nil
            do {
                try db.execute("SAVEPOINT job")
                do {
                    job.after = try run(db)
                    try db.execute("RELEASE job")
                } catch {
                    job.failure = error
                    job.after = nil
                    // A statement error leaves the transaction open: undo just this job.
                    if db.inTransaction {
                        try db.execute("ROLLBACK TO job")
                        try db.execute("RELEASE job")
                    }
                }
            } catch {
                return lose(batch, error)
            }
            // SQLite rolled the whole transaction back (an I/O error, a full disk): the batch is lost.
            if !db.inTransaction {
                return fail(batch, GroupCommit.lostError(job.failure))
            }
        }
        do {
            try db.execute("COMMIT")
        } catch {
            lose(batch, error)
        }
    }

    /// Rolls the open transaction back and fails the whole batch with `error`.
    private func lose(_ batch: [Job], _ error: any Error) {
        if connection.inTransaction { _ = try? connection.execute("ROLLBACK") }
        fail(batch, GroupCommit.lostError(error))
    }

    /// Fails every job of the batch with `error`; nothing of it is acknowledged.
    private func fail(_ batch: [Job], _ error: any Error) {
        for job in batch {
            job.run = nil
            job.after = nil
            job.failure = error
        }
    }

    /// The error every job of a lost batch gets: the SQLite error that lost it, or a storage fault
    /// when the job that met it threw something else.
    private static func lostError(_ error: (any Error)?) -> any Error {
        if let error = error as? SQLiteError { return error }
        return SQLiteError(code: SQLITE_IOERR, extendedCode: SQLITE_IOERR,
                           message: "the write transaction was rolled back", sql: nil)
    }
}

/// Work handed from the committer to the publisher queue; no other thread touches it afterwards.
private struct HandedOver<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
