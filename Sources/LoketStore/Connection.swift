// A thin wrapper over one sqlite3 connection: prepared statements, typed values, errors.
//
// The raw `sqlite3*` is owned by `Connection` and never leaves this file. Statements are
// prepared once per connection and cached by their SQL text. A connection is used by one
// thread at a time (the Store hands it out under a lock), so it is not Sendable.
//
// Running SQL and reading rows are internal: other modules call the named functions in the
// `Connection+*.swift` files.
import CSQLite
import Foundation

/// A value bound to or read from SQLite.
///
/// Internal: SQL and its values stay inside LoketStore; other modules call the named store functions.
enum SQLValue: Sendable, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByNilLiteral {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    init(stringLiteral value: String) { self = .text(value) }
    init(integerLiteral value: Int64) { self = .integer(value) }
    init(nilLiteral: ()) { self = .null }

    /// An optional string, NULL when nil.
    static func text(_ s: String?) -> SQLValue { s.map { SQLValue.text($0) } ?? .null }
    /// An integer.
    static func int(_ i: Int) -> SQLValue { .integer(Int64(i)) }
    /// An optional integer, NULL when nil.
    static func int(_ i: Int?) -> SQLValue { i.map { SQLValue.integer(Int64($0)) } ?? .null }
    /// An instant as unix seconds (UTC). Whole seconds are stored as integers; a fraction is kept,
    /// so tickets issued within one second keep their order.
    static func time(_ d: Date) -> SQLValue {
        let t = d.timeIntervalSince1970
        return t == t.rounded(.down) ? .integer(Int64(t)) : .real(t)
    }
    /// An optional instant, NULL when nil.
    static func time(_ d: Date?) -> SQLValue { d.map { SQLValue.time($0) } ?? .null }
}

/// A failed SQLite call. Holds the statement's SQL, never its arguments (they may be personal data).
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    /// Primary result code, e.g. SQLITE_CONSTRAINT (19).
    public var code: Int32
    public var extendedCode: Int32
    public var message: String
    public var sql: String?

    public var description: String {
        "SQLite error \(extendedCode): \(message)" + (sql.map { " in \"\($0)\"" } ?? "")
    }

    /// True for UNIQUE / PRIMARY KEY violations.
    public var isUniqueViolation: Bool { extendedCode == 2067 || extendedCode == 1555 }
    /// True when the database was locked for longer than the busy timeout.
    public var isBusy: Bool { code == SQLITE_BUSY || code == SQLITE_LOCKED }
}

/// One result row; columns by index, in SELECT order.
struct Row: Sendable {
    var values: [SQLValue]

    func int(_ i: Int) -> Int {
        switch values[i] {
        case .integer(let v): return Int(v)
        case .real(let v): return Int(v)
        case .text(let s): return Int(s) ?? 0
        default: return 0
        }
    }
    func optionalInt(_ i: Int) -> Int? { if case .null = values[i] { return nil } else { return int(i) } }
    func double(_ i: Int) -> Double {
        switch values[i] {
        case .integer(let v): return Double(v)
        case .real(let v): return v
        default: return 0
        }
    }
    func text(_ i: Int) -> String {
        switch values[i] {
        case .text(let s): return s
        case .integer(let v): return String(v)
        case .real(let v): return String(v)
        case .blob(let b): return String(decoding: b, as: UTF8.self)
        case .null: return ""
        }
    }
    func optionalText(_ i: Int) -> String? { if case .null = values[i] { return nil } else { return text(i) } }
    func time(_ i: Int) -> Date { Date(timeIntervalSince1970: double(i)) }
    func optionalTime(_ i: Int) -> Date? { if case .null = values[i] { return nil } else { return time(i) } }
    func blob(_ i: Int) -> [UInt8] {
        switch values[i] {
        case .blob(let b): return b
        case .text(let s): return Array(s.utf8)
        default: return []
        }
    }
}

/// An open SQLite connection.
///
/// Other modules see only the named store functions (`Connection+Tickets.swift`, ...); running SQL
/// and reading rows are internal to LoketStore, so no SQL leaves it.
public final class Connection {
    private var handle: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]
    let path: String

    /// Opens (creating if needed) the database at `path`.
    init(path: String, readOnly: Bool = false) throws {
        self.path = path
        let flags = (readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        guard rc == SQLITE_OK else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(handle)
            handle = nil
            throw SQLiteError(code: rc, extendedCode: rc, message: message, sql: nil)
        }
        sqlite3_extended_result_codes(handle, 1)
    }

    deinit {
        for (_, s) in statements { sqlite3_finalize(s) }
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements without arguments (schema, pragmas).
    func exec(_ sql: String) throws {
        let rc = sqlite3_exec(handle, sql, nil, nil, nil)
        guard rc == SQLITE_OK else { throw error(rc, sql: sql) }
    }

    /// Runs a statement and returns the number of rows it changed.
    @discardableResult
    func execute(_ sql: String, _ arguments: [SQLValue] = []) throws -> Int {
        let stmt = try prepare(sql, arguments)
        defer { sqlite3_reset(stmt) }
        var rc = sqlite3_step(stmt)
        while rc == SQLITE_ROW { rc = sqlite3_step(stmt) }
        guard rc == SQLITE_DONE else { throw error(rc, sql: sql) }
        return Int(sqlite3_changes(handle))
    }

    /// Runs a query and returns every row.
    func query(_ sql: String, _ arguments: [SQLValue] = []) throws -> [Row] {
        var rows: [Row] = []
        try forEach(sql, arguments) { rows.append($0) }
        return rows
    }

    /// The first row of a query, if any.
    func first(_ sql: String, _ arguments: [SQLValue] = []) throws -> Row? {
        let stmt = try prepare(sql, arguments)
        defer { sqlite3_reset(stmt) }
        let rc = sqlite3_step(stmt)
        if rc == SQLITE_ROW { return row(stmt) }
        guard rc == SQLITE_DONE else { throw error(rc, sql: sql) }
        return nil
    }

    /// Calls `body` with each row, without collecting them.
    func forEach(_ sql: String, _ arguments: [SQLValue] = [], _ body: (Row) throws -> Void) throws {
        let stmt = try prepare(sql, arguments)
        defer { sqlite3_reset(stmt) }
        while true {
            let rc = sqlite3_step(stmt)
            if rc == SQLITE_DONE { return }
            guard rc == SQLITE_ROW else { throw error(rc, sql: sql) }
            try body(row(stmt))
        }
    }

    /// Rowid of the last insert on this connection.
    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// `PRAGMA user_version`.
    var userVersion: Int {
        get { (try? first("PRAGMA user_version")?.int(0)) ?? 0 }
    }

    private func prepare(_ sql: String, _ arguments: [SQLValue]) throws -> OpaquePointer {
        let stmt: OpaquePointer
        if let cached = statements[sql] {
            stmt = cached
        } else {
            var s: OpaquePointer?
            let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &s, nil)
            guard rc == SQLITE_OK, let s else { throw error(rc, sql: sql) }
            statements[sql] = s
            stmt = s
        }
        sqlite3_clear_bindings(stmt)
        for (i, value) in arguments.enumerated() {
            let index = Int32(i + 1)
            let rc: Int32
            switch value {
            case .null: rc = sqlite3_bind_null(stmt, index)
            case .integer(let v): rc = sqlite3_bind_int64(stmt, index, v)
            case .real(let v): rc = sqlite3_bind_double(stmt, index, v)
            case .text(let s):
                // Bind by byte count, so text with an embedded NUL is kept whole.
                var s = s
                rc = s.withUTF8 { bytes in
                    bytes.withMemoryRebound(to: CChar.self) { chars in
                        // An empty buffer may have no address; a NULL pointer would bind SQL NULL.
                        guard let base = chars.baseAddress, !chars.isEmpty else { return loket_sqlite_bind_text(stmt, index, "", 0) }
                        return loket_sqlite_bind_text(stmt, index, base, Int32(chars.count))
                    }
                }
            case .blob(let b): rc = b.withUnsafeBytes { loket_sqlite_bind_blob(stmt, index, $0.baseAddress, Int32(b.count)) }
            }
            guard rc == SQLITE_OK else { throw error(rc, sql: sql) }
        }
        return stmt
    }

    private func row(_ stmt: OpaquePointer) -> Row {
        let n = sqlite3_column_count(stmt)
        var values: [SQLValue] = []
        values.reserveCapacity(Int(n))
        for i in 0..<n {
            switch sqlite3_column_type(stmt, i) {
            case SQLITE_INTEGER: values.append(.integer(sqlite3_column_int64(stmt, i)))
            case SQLITE_FLOAT: values.append(.real(sqlite3_column_double(stmt, i)))
            case SQLITE_TEXT:
                let count = Int(sqlite3_column_bytes(stmt, i))
                let text = sqlite3_column_text(stmt, i).map { String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self) } ?? ""
                values.append(.text(text))
            case SQLITE_BLOB:
                let count = Int(sqlite3_column_bytes(stmt, i))
                if let p = sqlite3_column_blob(stmt, i), count > 0 {
                    values.append(.blob(Array(UnsafeRawBufferPointer(start: p, count: count))))
                } else {
                    values.append(.blob([]))
                }
            default: values.append(.null)
            }
        }
        return Row(values: values)
    }

    private func error(_ rc: Int32, sql: String?) -> SQLiteError {
        SQLiteError(code: rc & 0xff, extendedCode: sqlite3_extended_errcode(handle),
                    message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }
}

@available(*, unavailable, message: "A connection belongs to one thread at a time; use Store.read/write.")
extension Connection: Sendable {}
