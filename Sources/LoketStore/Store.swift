// The database: one writer connection and a small pool of readers over one SQLite file in WAL mode.
//
// Writes are serialized on the one writer connection and run in `BEGIN IMMEDIATE` transactions, so
// a booking's capacity check and its insert see the same state. Concurrent writes share one
// transaction and one fsync, each in its own savepoint (group commit, see GroupCommit.swift).
// Readers never block the writer (WAL). `synchronous=FULL` makes every acknowledged commit
// durable, even across power loss.
import CSQLite
import Foundation
import Logging

/// Why the store refused to open a database (a newer schema, migrations that do not match).
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// What is wrong, with the database's path; never personal data.
    public var description: String
}

/// Owns the database file and its connections.
public final class Store: @unchecked Sendable {
    // @unchecked: `writer` is used only through `batcher`; readers are checked out under `readLock`.
    public let path: String
    /// The folder holding the file, worked out once: `freeBytes` runs on every health request.
    private let folder: String
    private let writer: Connection
    /// Batches concurrent writes into one transaction on `writer`.
    let batcher: GroupCommit
    /// Set by `close()`; read and written only by whoever holds the writer (a batch or `exclusive`):
    /// no write may follow the clean mark.
    private var closed = false
    private var readers: [Connection]
    private let readLock = NSCondition()
    private let logger: Logger

    /// Opens the database, backs it up and migrates it when the schema is older than this binary.
    ///
    /// Throws `StoreError`, before changing anything in the file, for a damaged file (`checkFile`), a database whose schema is newer
    /// than this binary knows or whose recorded migrations do not match this binary's (renamed,
    /// reordered or inserted); `SQLiteError` when the file cannot be opened or a migration fails
    /// (that step is rolled back).
    public init(path: String, readers readerCount: Int = 4, logger: Logger = Logger(label: "loket.store")) throws {
        _ = Store.processSetup
        self.path = path
        self.logger = logger
        let directory = (path as NSString).deletingLastPathComponent
        self.folder = directory.isEmpty ? "." : directory
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        // A damaged file is refused before a writable connection exists (which could checkpoint into it).
        try Store.checkFile(path)
        // The clean mark holds only until a writer has the file: from here on a crash must leave none.
        try Store.removeCleanMark(path)
        writer = try Connection(path: path)
        try Store.configure(writer)
        // Refuse a newer or mismatched database before changing anything in it (switching to WAL rewrites its header).
        _ = try Migrations.check(writer, path: path)
        try Store.enableWAL(writer)
        try Migrations.apply(to: writer, path: path, logger: logger)
        batcher = GroupCommit(connection: writer)
        readers = try (0..<max(1, readerCount)).map { _ in
            let c = try Connection(path: path)
            try Store.configure(c)
            try c.exec("PRAGMA query_only=ON")
            return c
        }
    }

    /// Process-wide SQLite settings, applied once before the first connection opens.
    private static let processSetup: Void = {
        _ = loket_sqlite_disable_memstatus()
    }()

    /// Switches the file to WAL mode (a no-op when it is in WAL mode already).
    ///
    /// The switch needs the file to itself and SQLite fails it at once instead of waiting out the
    /// busy timeout, so a second loket opening a new file at the same moment retries for up to 5 s.
    static func enableWAL(_ c: Connection) throws {
        for attempt in 1... {
            do {
                return try c.exec("PRAGMA journal_mode=WAL")
            } catch let error as SQLiteError where error.isBusy && attempt < 100 {
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
    }

    static func configure(_ c: Connection) throws {
        try c.exec("PRAGMA busy_timeout=5000; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY")
    }

    /// Runs `body` on a read connection (a consistent snapshot for multi-statement reads).
    public func read<T>(_ body: (Connection) throws -> T) throws -> T {
        readLock.lock()
        while readers.isEmpty { readLock.wait() }
        let c = readers.removeLast()
        readLock.unlock()
        defer {
            readLock.lock()
            readers.append(c)
            readLock.signal()
            readLock.unlock()
        }
        // Transaction statements go through the statement cache like any other: no parsing per request.
        try c.execute("BEGIN")
        defer { _ = try? c.execute("COMMIT") }
        return try body(c)
    }

    /// Runs `body` in a `BEGIN IMMEDIATE` transaction, in its own savepoint: returns once the
    /// transaction holding its changes committed; rolled back (alone) if it throws.
    ///
    /// Concurrent calls share one transaction and one fsync (group commit). Throws the body's own
    /// error, or the storage error that lost the whole batch (then nothing of the batch is stored).
    /// `afterCommit` runs after the commit, on the store's publisher queue, outside the write lock
    /// and in commit order, so whatever it publishes (live events) goes out in commit order without
    /// holding up the next writes. Keep anything else in `body` free of effects outside the database:
    /// do them after `write` returned.
    public func write<T>(_ body: (Connection) throws -> T, afterCommit: ((T) -> Void)? = nil) throws -> T {
        var result: T?
        try batcher.submit { db in
            guard !self.closed else { throw StoreError(description: "the database \(self.path) is closed") }
            let value = try body(db)
            result = value
            guard let afterCommit else { return nil }
            return { afterCommit(value) }
        }
        guard let result else { preconditionFailure("a write that neither returned nor threw") }
        return result
    }

    /// Transactions committed or lost, and the writes they held, since the store opened.
    public var commitCounts: (batches: UInt64, writes: UInt64) { batcher.counts }

    /// Returns once the `afterCommit` work of every write that returned so far has run.
    public func waitForPublishing() {
        batcher.waitForPublishing()
    }

    /// A real, committed write that leaves nothing behind, to see whether writing works: a 16 KiB
    /// row (new pages, and log frames at the commit) is stored and removed in one transaction. A
    /// full disk or database fails it; space freed makes it pass again.
    public func probeWrite() throws {
        // As large as a busy write (a ticket with its events and audit line takes some 32 KiB of
        // log), so that a passing probe means ordinary writes pass too.
        try write { db in
            try db.execute("INSERT INTO health_probe (id, filler) VALUES (1, zeroblob(131072))")
            try db.execute("DELETE FROM health_probe")
        }
    }

    /// Bytes free for this process on the file system that holds the database; nil when unknown.
    public func freeBytes() -> Int64? {
        var st = statvfs()
        guard statvfs(folder, &st) == 0 else { return nil }
        return Int64(st.f_bavail) * Int64(st.f_frsize)
    }

    /// Moves the write-ahead log into the database file and empties it (after erasing personal data).
    public func checkpoint() throws {
        try batcher.exclusive { try $0.exec("PRAGMA wal_checkpoint(TRUNCATE)") }
    }

    /// Ends writing for good and, when the whole log could be moved into the file, leaves the clean
    /// mark that lets the next open skip the full check (Store+Check.swift). Returns whether it did.
    ///
    /// Call it last (a server's SIGTERM after the HTTP server stopped, the end of a command): every
    /// later `write` throws. The checkpoint does not wait: a reader or another process holding the
    /// log (a server beside this command) leaves the file unmarked, which costs the next open a full check.
    @discardableResult
    public func close() throws -> Bool {
        try batcher.exclusive { writer in
            guard !closed else { return false }
            closed = true
            try writer.exec("PRAGMA busy_timeout=0")
            let r = try writer.one("PRAGMA wal_checkpoint(TRUNCATE)", table: "pragma")
            let walSize = (try? FileManager.default.attributesOfItem(atPath: path + "-wal"))?[.size] as? Int ?? 0
            guard try r.int(0) == 0, walSize == 0, let fingerprint = Store.fingerprint(path) else { return false }
            try Store.writeCleanMark(path, fingerprint)
            return true
        }
    }

    /// Writes a consistent copy of the database to `destination` (online, while serving).
    public func backup(to destination: String) throws {
        try batcher.exclusive { writer in
            try writer.exec("VACUUM INTO '\(destination.replacingOccurrences(of: "'", with: "''"))'")
        }
    }
}
