// Refusing a damaged database file before anything writes to it.
//
// `Store.init` calls `Store.checkFile` first: a file that is not SQLite, is shorter than its own
// header says, has a write-ahead log that is not SQLite's or has another page size, or fails
// `PRAGMA quick_check` is refused with a `StoreError` that names the file and says what to do.
// The check reads only: the file, its `-wal` and `-shm` keep their bytes (a read-only connection
// never checkpoints, not even when it closes), so a damaged file is left for the operator to copy,
// inspect or replace with `loket restore`.
//
// Cost: `quick_check` reads every page once (it skips the index-content cross-check that makes
// `integrity_check` 3-4 times slower): about 5 ms for a month of office life, 100-300 ms for a
// year (15 MB), which is paid once at start.
import Foundation

extension Store {
    /// Throws `StoreError` when the database at `path` is damaged; returns when it is sound or does not exist yet.
    public static func checkFile(_ path: String) throws {
        let files = FileManager.default
        guard let size = (try? files.attributesOfItem(atPath: path))?[.size] as? Int else { return }
        let walPath = path + "-wal"
        let walSize = (try? files.attributesOfItem(atPath: walPath))?[.size] as? Int ?? 0
        // An empty file is a database not yet written (SQLite's own reading); with log frames beside it, the log holds it.
        guard size > 0 || walSize > 0 else { return }
        var pageSize = 0
        if size > 0 {
            let header = try readPrefix(path, count: 100)
            guard header.count == 100, header.starts(with: Array("SQLite format 3\0".utf8)) else {
                throw damaged(path, "it is not an SQLite database (its first bytes are not SQLite's header)")
            }
            let raw = Int(header[16]) << 8 | Int(header[17])
            pageSize = raw == 1 ? 65536 : raw
            guard pageSize >= 512, pageSize <= 65536, pageSize & (pageSize - 1) == 0 else {
                throw damaged(path, "its header is damaged (page size \(raw))")
            }
            // The page count in the header counts only when written by a SQLite that keeps it (both counters equal).
            let pages = bigEndian(header, at: 28), changes = bigEndian(header, at: 24), validFor = bigEndian(header, at: 92)
            // Without log frames the file alone is the database: it must hold every page its header counts.
            if walSize == 0, pages > 0, changes == validFor, size < pages * pageSize {
                throw damaged(path, "it is truncated (its header counts \(pages * pageSize) bytes, the file holds \(size))")
            }
        }
        if walSize > 0 {
            let header = try readPrefix(walPath, count: 32)
            let magic = bigEndian(header, at: 0)
            guard header.count == 32, magic == 0x377f0682 || magic == 0x377f0683 else {
                throw damaged(path, "its write-ahead log \(walPath) is not SQLite's")
            }
            let walPageSize = bigEndian(header, at: 8)
            guard pageSize == 0 || walPageSize == pageSize else {
                throw damaged(path, "its write-ahead log \(walPath) belongs to another database (page size \(walPageSize), not \(pageSize))")
            }
        }
        let problems: [String]
        let reader: Connection
        do {
            reader = try Connection(path: path, readOnly: true)
            try reader.exec("PRAGMA busy_timeout=5000")
        } catch let error as SQLiteError {
            throw damaged(path, "SQLite cannot read it: \(error.message)")
        }
        do {
            problems = try reader.query("PRAGMA quick_check(3)", table: "quick_check").map { try $0.text(0) }
        } catch let error as SQLiteError {
            // A page so damaged that the check itself stops on it (which page that is depends on the schema).
            throw damaged(path, "the quick check stops at a damaged page: \(error.message)")
        }
        guard problems == ["ok"] else {
            // One line: SQLite heads its findings with "*** in database main ***" and a line break.
            let found = problems.joined(separator: "; ").replacingOccurrences(of: "*** in database main ***", with: "")
                .split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            throw damaged(path, "the quick check finds \(found.joined(separator: "; "))")
        }
    }

    /// The refusal for a damaged file: what is wrong, that nothing was changed, and what to do.
    static func damaged(_ path: String, _ what: String) -> StoreError {
        StoreError(description: "database \(path) is damaged: \(what). Nothing in it was changed. "
            + "Keep a copy of it, then restore the last backup: loket restore BACKUP --db \(path) --force")
    }

    private static func readPrefix(_ path: String, count: Int) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw StoreError(description: "cannot read database \(path): \(String(cString: strerror(errno)))")
        }
        defer { try? handle.close() }
        return Array((try? handle.read(upToCount: count)) ?? Data())
    }

    private static func bigEndian(_ bytes: [UInt8], at offset: Int) -> Int {
        guard bytes.count >= offset + 4 else { return 0 }
        return bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
    }
}
