// Restoring a backup (`loket backup`'s copy, or the `.bak` a migration left) into a database path.
//
// The file is checked before anything is written: it must be SQLite, hold Loket's `loket_migrations`
// (or be a Loket database from before the names), and its applied steps must be a prefix of this
// binary's `Migrations.steps` (a backup from a newer loket is refused). It is then copied with
// `VACUUM INTO` (a consistent copy even of a file in WAL mode, read-only on the source) to a temporary
// file beside the destination, checked with `PRAGMA integrity_check`, renamed into place, and opened
// as a `Store`, which migrates it to this binary's schema (keeping the usual `.bak` before it does).
import Foundation
import Logging

/// What `Store.restore` did.
public struct RestoreReport: Sendable, Equatable {
    /// The migration steps the backup had applied.
    public var stepsInBackup: [String]
    /// The steps applied while restoring, to bring it up to this binary's schema.
    public var stepsApplied: [String]
}

extension Store {
    /// Copies the backup at `source` to a new database at `destination`, then migrates it.
    ///
    /// > Warning: With `replace`, an existing database at `destination` (and its `-wal`/`-shm`) is
    /// > replaced; stop the server that uses it first.
    ///
    /// Throws `StoreError` (nothing written) when `source` is missing, not SQLite, not a Loket database,
    /// from a newer loket or with migrations that do not match, fails the integrity check, or when
    /// `destination` exists and `replace` is false.
    public static func restore(from source: String, to destination: String, replace: Bool,
                               logger: Logger = Logger(label: "loket.store")) throws -> RestoreReport {
        let files = FileManager.default
        guard let handle = FileHandle(forReadingAtPath: source) else {
            throw StoreError(description: "cannot read \(source)")
        }
        let header = (try? handle.read(upToCount: 16)) ?? nil
        try? handle.close()
        guard header == Data("SQLite format 3\0".utf8) else {
            throw StoreError(description: "\(source) is not a Loket database (not an SQLite file)")
        }
        if !replace && files.fileExists(atPath: destination) {
            throw StoreError(description: "\(destination) exists; give --force to replace it (stop the server first)")
        }

        let state: Migrations.State
        do {
            let reader = try Connection(path: source, readOnly: true)
            try Store.configure(reader)
            state = try Migrations.check(reader, path: source)
            let tables = try reader.query("SELECT name FROM sqlite_master WHERE type = 'table'", table: "sqlite_master")
                .map { try $0.text(0) }
            guard !state.applied.isEmpty, tables.contains("appointments"), tables.contains("tickets") else {
                throw StoreError(description: "\(source) is not a Loket database (no loket_migrations and no Loket tables)")
            }
            let directory = (destination as NSString).deletingLastPathComponent
            if !directory.isEmpty { try? files.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            let copy = destination + ".restoring-\(getpid())"
            try? files.removeItem(atPath: copy)
            defer { try? files.removeItem(atPath: copy) }
            try reader.exec("VACUUM INTO '\(copy.replacingOccurrences(of: "'", with: "''"))'")
            try verifyIntegrity(copy, source: source)
            if replace {
                for suffix in ["", "-wal", "-shm"] { try? files.removeItem(atPath: destination + suffix) }
            }
            guard rename(copy, destination) == 0 else {
                throw StoreError(description: "cannot move the restored copy to \(destination): \(String(cString: strerror(errno)))")
            }
        } catch let error as SQLiteError {
            throw StoreError(description: "\(source) cannot be read as a Loket database: \(error)")
        }
        // Opening migrates it to this binary's schema.
        let store = try Store(path: destination, readers: 1, logger: logger)
        let after = try store.read { try Migrations.check($0, path: destination) }
        try store.checkpoint()
        return RestoreReport(stepsInBackup: state.applied, stepsApplied: Array(after.applied.dropFirst(state.applied.count)))
    }

    /// Throws `StoreError` unless `PRAGMA integrity_check` finds the copy at `path` sound.
    private static func verifyIntegrity(_ path: String, source: String) throws {
        let copy = try Connection(path: path)
        let problems = try copy.query("PRAGMA integrity_check", table: "integrity_check").map { try $0.text(0) }
        guard problems == ["ok"] else {
            throw StoreError(description: "\(source) is damaged (integrity check: \(problems.prefix(3).joined(separator: "; ")))")
        }
    }
}
