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
// year of a small office (15 MB), and seconds for a year of a busy one (a million rows, 300 MB).
//
// So the full check runs only when the file may have been left damaged: when it was not closed
// cleanly. `Store.close()` (a server's SIGTERM, the end of a command) checkpoints the whole log
// into the file and then writes the clean mark `<db>.clean`: the file's inode, size, modification
// and status-change times (ns) and its 100-byte header. At the next open, a mark that matches the
// file exactly, with no log frames beside it, means that nothing has written to the file since
// SQLite left it complete (any write, copy over it or restore changes its status-change time, which
// no program can set back), so the cheap checks above suffice. The open removes the mark before a
// writable connection exists: a crash from then on leaves no mark, and the next open checks in full.
// What this gives up: damage that reaches the file without a write through the file system (a
// failing disk's silent bit rot) is found at the next unclean start, or by SQLite when it reads the page.
import Foundation

/// How deeply `Store.checkFile` looked at a database file.
public enum FileCheck: Sendable, Equatable {
    /// No file, or an empty one: a new database.
    case new
    /// Header and log checked; the file was closed cleanly and not touched since (its clean mark matches).
    case cleanMark
    /// Header, log and `PRAGMA quick_check` over every page.
    case full
}

extension Store {
    /// Throws `StoreError` when the database at `path` is damaged; returns how deeply it looked when
    /// the file is sound or does not exist yet.
    @discardableResult
    public static func checkFile(_ path: String) throws -> FileCheck {
        let files = FileManager.default
        guard let size = (try? files.attributesOfItem(atPath: path))?[.size] as? Int else { return .new }
        let walPath = path + "-wal"
        let walSize = (try? files.attributesOfItem(atPath: walPath))?[.size] as? Int ?? 0
        // An empty file is a database not yet written (SQLite's own reading); with log frames beside it, the log holds it.
        guard size > 0 || walSize > 0 else { return .new }
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
        if walSize == 0, let mark = try? String(contentsOfFile: cleanMarkPath(path), encoding: .utf8),
           let now = fingerprint(path), mark == now {
            return .cleanMark
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
        return .full
    }

    /// Writes the mark durably: a temporary file, flushed, renamed over the mark, the folder flushed.
    static func writeCleanMark(_ path: String, _ fingerprint: String) throws {
        let mark = cleanMarkPath(path), temporary = mark + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(fingerprint.utf8)),
              let handle = FileHandle(forWritingAtPath: temporary) else {
            throw StoreError(description: "cannot write \(temporary): \(String(cString: strerror(errno)))")
        }
        try handle.synchronize()
        try handle.close()
        guard rename(temporary, mark) == 0 else {
            throw StoreError(description: "cannot write \(mark): \(String(cString: strerror(errno)))")
        }
        syncFolder(of: mark)
    }

    /// Removes the clean mark, durably, so that a crash after this open is never taken for a clean close.
    static func removeCleanMark(_ path: String) throws {
        let mark = cleanMarkPath(path)
        guard unlink(mark) == 0 else {
            if errno == ENOENT { return }
            throw StoreError(description: "cannot remove \(mark): \(String(cString: strerror(errno)))")
        }
        syncFolder(of: mark)
    }

    private static func syncFolder(of file: String) {
        let folder = (file as NSString).deletingLastPathComponent
        let fd = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else { return }
        fsync(fd)
        Foundation.close(fd)
    }

    /// The clean mark's file: beside the database, like its key file.
    public static func cleanMarkPath(_ path: String) -> String { path + ".clean" }

    /// What identifies the file's bytes without reading them all: inode, size, modification and
    /// status-change times to the nanosecond, and the 100-byte header (hex). Nil when unreadable.
    static func fingerprint(_ path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0, let header = try? readPrefix(path, count: 100) else { return nil }
        return "loket clean mark 1\ninode \(st.st_ino)\nsize \(st.st_size)\n"
            + "mtime \(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)\nctime \(st.st_ctim.tv_sec).\(st.st_ctim.tv_nsec)\n"
            + "header \(header.map { String(format: "%02x", $0) }.joined())\n"
    }

    /// The refusal for a damaged file: what is wrong, that nothing was changed, and what to do.
    static func damaged(_ path: String, _ what: String) -> StoreError {
        StoreError(description: "database \(path) is damaged: \(what). Nothing in it was changed. "
            + "Keep a copy of it, then restore the last backup: loket restore BACKUP --db \(path) --force")
    }

    static func readPrefix(_ path: String, count: Int) throws -> [UInt8] {
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
