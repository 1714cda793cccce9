// A thin wrapper over one sqlite3 connection: prepared statements, typed values, errors.
//
// The raw `sqlite3*` is owned by `Connection` and never leaves this file. Statements are
// prepared once per connection and cached by their SQL text. A connection is used by one
// thread at a time (the Store hands it out under a lock), so it is not Sendable.
//
// Running SQL and reading rows are internal: other modules call the named functions in the
// `Connection+*.swift` files, which decode rows strictly (`Row` throws `RowDecodingError`).
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

    /// The storage class, as an error message names it (never the value itself).
    var kind: String {
        switch self {
        case .null: return "NULL"
        case .integer: return "an integer"
        case .real: return "a real"
        case .text: return "text"
        case .blob: return "a blob"
        }
    }
}

/// A failed SQLite call. Holds the statement's SQL, never its arguments (they may be personal data).
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    /// Primary result code, e.g. SQLITE_CONSTRAINT (19).
    public var code: Int32
    /// Extended result code, e.g. SQLITE_CONSTRAINT_UNIQUE (2067).
    public var extendedCode: Int32
    /// SQLite's message, e.g. `UNIQUE constraint failed: tickets.id`.
    public var message: String
    /// The statement that failed, if any; never its arguments.
    public var sql: String?

    public var description: String {
        "SQLite error \(extendedCode): \(message)" + (sql.map { " in \"\($0)\"" } ?? "")
    }

    /// True for UNIQUE / PRIMARY KEY violations.
    public var isUniqueViolation: Bool { extendedCode == 2067 || extendedCode == 1555 }
    /// True when the database was locked for longer than the busy timeout.
    public var isBusy: Bool { code == SQLITE_BUSY || code == SQLITE_LOCKED }
    /// True when the storage itself fails (disk full, read-only, I/O error, the file gone): the
    /// request was fine, and writing may work again once an operator has fixed the disk.
    public var isStorageFault: Bool {
        [SQLITE_FULL, SQLITE_IOERR, SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_PROTOCOL].contains(code)
    }
}

/// A stored row that does not hold what Loket wrote: a wrong storage class, NULL where a value
/// belongs, or text that is not one of the known values (a status, a date, JSON items).
///
/// Names the table and column and the kind of value found, never the value (it may be personal data).
/// Reading never falls back to a default: a damaged row fails the request instead of being misread.
public struct RowDecodingError: Error, Sendable, CustomStringConvertible {
    /// The table the row was read from, e.g. `tickets`.
    public var table: String
    /// The column, e.g. `status`; nil when the statement returned no row at all.
    public var column: String?
    /// What Loket expected there, e.g. `a TicketStatus`.
    public var expected: String
    /// What was found instead, e.g. `text that is not one` or `NULL`.
    public var found: String

    public var description: String {
        "cannot read \(table)\(column.map { ".\($0)" } ?? ""): expected \(expected), found \(found)"
    }
}

/// One result row; columns by index, in SELECT order. Every accessor throws `RowDecodingError` on a
/// value of the wrong kind: nothing is converted or defaulted silently.
struct Row: Sendable {
    /// The table the row comes from, for error messages.
    let table: String
    /// The statement's column names (shared by every row of the statement).
    let columns: [String]
    /// The values, in column order.
    let values: [SQLValue]

    /// An error about column `i`.
    func error(_ i: Int, expected: String, found: String? = nil) -> RowDecodingError {
        RowDecodingError(table: table, column: i < columns.count ? columns[i] : "#\(i)", expected: expected,
                         found: found ?? values[i].kind)
    }

    /// An INTEGER.
    func int64(_ i: Int) throws -> Int64 {
        guard case .integer(let v) = values[i] else { throw error(i, expected: "an integer") }
        return v
    }
    /// An INTEGER or NULL.
    func optionalInt64(_ i: Int) throws -> Int64? { if case .null = values[i] { return nil } else { return try int64(i) } }
    /// An INTEGER that fits an `Int`.
    func int(_ i: Int) throws -> Int { Int(try int64(i)) }
    /// An INTEGER or NULL.
    func optionalInt(_ i: Int) throws -> Int? { try optionalInt64(i).map { Int($0) } }
    /// A flag stored as the INTEGER 0 or 1.
    func bool(_ i: Int) throws -> Bool {
        switch values[i] {
        case .integer(0): return false
        case .integer(1): return true
        case .integer: throw error(i, expected: "0 or 1", found: "another integer")
        default: throw error(i, expected: "0 or 1")
        }
    }
    /// A REAL (or an INTEGER, which SQLite stores for a whole number).
    func double(_ i: Int) throws -> Double {
        switch values[i] {
        case .integer(let v): return Double(v)
        case .real(let v): return v
        default: throw error(i, expected: "a number")
        }
    }
    /// A number or NULL.
    func optionalDouble(_ i: Int) throws -> Double? { if case .null = values[i] { return nil } else { return try double(i) } }
    /// TEXT.
    func text(_ i: Int) throws -> String {
        guard case .text(let s) = values[i] else { throw error(i, expected: "text") }
        return s
    }
    /// TEXT or NULL.
    func optionalText(_ i: Int) throws -> String? { if case .null = values[i] { return nil } else { return try text(i) } }
    /// An instant stored as unix seconds (INTEGER, or REAL with a fraction).
    func time(_ i: Int) throws -> Date {
        switch values[i] {
        case .integer(let v): return Date(timeIntervalSince1970: Double(v))
        case .real(let v): return Date(timeIntervalSince1970: v)
        default: throw error(i, expected: "an instant (unix seconds)")
        }
    }
    /// An instant or NULL.
    func optionalTime(_ i: Int) throws -> Date? { if case .null = values[i] { return nil } else { return try time(i) } }
    /// A BLOB.
    func blob(_ i: Int) throws -> [UInt8] {
        guard case .blob(let b) = values[i] else { throw error(i, expected: "a blob") }
        return b
    }
    /// TEXT that `parse` turns into a value; `expected` names that value in the error (built only
    /// for the error: naming a type costs more than reading a row, and this runs for every row).
    func parse<T>(_ i: Int, expected: @autoclosure () -> String, _ parse: (String) -> T?) throws -> T {
        guard let value = parse(try text(i)) else { throw error(i, expected: expected(), found: "text that is not one") }
        return value
    }
    /// TEXT holding one of the raw values of `type` (a status, a role, a language, ...).
    func value<T: RawRepresentable>(_ type: T.Type, _ i: Int) throws -> T where T.RawValue == String {
        try parse(i, expected: Row.article(for: "\(T.self)")) { T(rawValue: $0) }
    }
    /// "a Role", "an AppointmentStatus".
    private static func article(for name: String) -> String {
        (name.first.map { "AEIOU".contains($0) } == true ? "an " : "a ") + name
    }
    /// TEXT holding JSON that decodes as `type`.
    func json<T: Decodable>(_ type: T.Type, _ i: Int) throws -> T {
        try parse(i, expected: "JSON for \(T.self)") { try? JSONDecoder().decode(T.self, from: Data($0.utf8)) }
    }
}

/// An open SQLite connection.
///
/// Other modules see only the named store functions (`Connection+Tickets.swift`, ...); running SQL
/// and reading rows are internal to LoketStore, so no SQL leaves it.
public final class Connection {
    private var handle: OpaquePointer?
    /// Prepared statements by SQL text, with their column names.
    private var statements: [String: (statement: OpaquePointer, columns: [String])] = [:]
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
        for (_, s) in statements { sqlite3_finalize(s.statement) }
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
        let (stmt, _) = try prepare(sql, arguments)
        defer { sqlite3_reset(stmt) }
        var rc = sqlite3_step(stmt)
        while rc == SQLITE_ROW { rc = sqlite3_step(stmt) }
        guard rc == SQLITE_DONE else { throw error(rc, sql: sql) }
        return Int(sqlite3_changes(handle))
    }

    /// Runs a query and returns every row; `table` names the rows' source in decoding errors.
    func query(_ sql: String, _ arguments: [SQLValue] = [], table: String) throws -> [Row] {
        var rows: [Row] = []
        try forEach(sql, arguments, table: table) { rows.append($0) }
        return rows
    }

    /// The first row of a query, if any.
    func first(_ sql: String, _ arguments: [SQLValue] = [], table: String) throws -> Row? {
        let (stmt, columns) = try prepare(sql, arguments)
        defer { sqlite3_reset(stmt) }
        let rc = sqlite3_step(stmt)
        if rc == SQLITE_ROW { return row(stmt, table: table, columns: columns) }
        guard rc == SQLITE_DONE else { throw error(rc, sql: sql) }
        return nil
    }

    /// The first row of a query that always returns one (an aggregate, `RETURNING`).
    ///
    /// Throws `RowDecodingError` when there is none.
    func one(_ sql: String, _ arguments: [SQLValue] = [], table: String) throws -> Row {
        guard let row = try first(sql, arguments, table: table) else {
            throw RowDecodingError(table: table, column: nil, expected: "a row", found: "none")
        }
        return row
    }

    /// Calls `body` with each row, without collecting them.
    func forEach(_ sql: String, _ arguments: [SQLValue] = [], table: String, _ body: (Row) throws -> Void) throws {
        let (stmt, columns) = try prepare(sql, arguments)
        defer { sqlite3_reset(stmt) }
        while true {
            let rc = sqlite3_step(stmt)
            if rc == SQLITE_DONE { return }
            guard rc == SQLITE_ROW else { throw error(rc, sql: sql) }
            try body(row(stmt, table: table, columns: columns))
        }
    }

    /// True inside `BEGIN` ... `COMMIT`.
    var inTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// Rowid of the last insert on this connection.
    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// `PRAGMA user_version`.
    func userVersion() throws -> Int {
        try one("PRAGMA user_version", table: "pragma user_version").int(0)
    }

    private func prepare(_ sql: String, _ arguments: [SQLValue]) throws -> (OpaquePointer, [String]) {
        let stmt: OpaquePointer
        let columns: [String]
        if let cached = statements[sql] {
            (stmt, columns) = cached
        } else {
            var s: OpaquePointer?
            let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &s, nil)
            guard rc == SQLITE_OK, let s else { throw error(rc, sql: sql) }
            columns = (0..<sqlite3_column_count(s)).map { i in sqlite3_column_name(s, i).map { String(cString: $0) } ?? "#\(i)" }
            statements[sql] = (s, columns)
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
        return (stmt, columns)
    }

    private func row(_ stmt: OpaquePointer, table: String, columns: [String]) -> Row {
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
        return Row(table: table, columns: columns, values: values)
    }

    private func error(_ rc: Int32, sql: String?) -> SQLiteError {
        SQLiteError(code: rc & 0xff, extendedCode: sqlite3_extended_errcode(handle),
                    message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }
}

@available(*, unavailable, message: "A connection belongs to one thread at a time; use Store.read/write.")
extension Connection: Sendable {}
