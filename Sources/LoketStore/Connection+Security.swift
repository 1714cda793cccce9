// Bearer tokens (hashes only), the audit log and the persisted live events.
import Foundation
import LoketCore

/// A stored live event.
public struct StoredEvent: Sendable, Hashable {
    public var id: Int64
    public var name: String
    public var data: String
}

/// A token as the admin sees it: no token, no hash.
public struct TokenListing: Sendable {
    public var name: String
    public var role: Role
    public var createdAt: Date
    /// The last request it signed, as last flushed from the server's memory; nil when never used.
    public var lastUsedAt: Date?
    public var revoked: Bool
}

/// What a token hash stands for.
public struct TokenRecord: Sendable {
    public var role: Role
    public var name: String
    public var revoked: Bool
}

extension Connection {
    /// Stores a new token's hash with its role and name. Throws a unique violation if the hash exists.
    public func insertToken(hash: [UInt8], role: Role, name: String, now: Date) throws {
        try execute("INSERT INTO tokens (hash, role, name, created_at) VALUES (?, ?, ?, ?)",
                    [.blob(hash), .text(role.rawValue), .text(name), .time(now)])
    }

    /// The token with this hash, revoked or not; nil when unknown.
    public func token(hash: [UInt8]) throws -> TokenRecord? {
        try first("SELECT role, name, revoked_at FROM tokens WHERE hash = ?", [.blob(hash)], table: "tokens").map {
            TokenRecord(role: try $0.value(Role.self, 0), name: try $0.text(1), revoked: try $0.optionalTime(2) != nil)
        }
    }

    /// Revokes every live token with this name; returns how many.
    public func revokeTokens(name: String, now: Date) throws -> Int {
        try execute("UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", [.time(now), .text(name)])
    }

    /// Every token ever made, oldest first: name, role, created, and whether it was revoked.
    public func tokens() throws -> [(name: String, role: Role, createdAt: Date, revoked: Bool)] {
        try query("SELECT name, role, created_at, revoked_at FROM tokens ORDER BY id", table: "tokens").map {
            (try $0.text(0), try $0.value(Role.self, 1), try $0.time(2), try $0.optionalTime(3) != nil)
        }
    }

    /// Every token ever made, oldest first, as the admin page lists it: never the hash.
    public func tokenListing() throws -> [TokenListing] {
        try query("SELECT name, role, created_at, last_used_at, revoked_at FROM tokens ORDER BY id", table: "tokens").map {
            TokenListing(name: try $0.text(0), role: try $0.value(Role.self, 1), createdAt: try $0.time(2),
                         lastUsedAt: try $0.optionalTime(3), revoked: try $0.optionalTime(4) != nil)
        }
    }

    /// Records when tokens were last used (kept in memory by the server, written here at most once a
    /// minute); a later time never goes back to an earlier one.
    public func recordTokenUse(_ uses: [(hash: [UInt8], at: Date)]) throws {
        for use in uses {
            try execute("UPDATE tokens SET last_used_at = ? WHERE hash = ? AND (last_used_at IS NULL OR last_used_at < ?)",
                        [.time(use.at), .blob(use.hash), .time(use.at)])
        }
    }

    /// Appends one line to the audit log: who did what to which subject.
    public func audit(actor: String, action: String, subject: String?, detail: String? = nil, at: Date) throws {
        try execute("INSERT INTO audit (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
                    [.time(at), .text(actor), .text(action), .text(subject), .text(detail)])
    }

    /// Audit lines from `from`, oldest first.
    public func auditLog(from: Date, limit: Int) throws -> [(at: Date, actor: String, action: String, subject: String?, detail: String?)] {
        try query("SELECT at, actor, action, subject, detail FROM audit WHERE at >= ? ORDER BY id LIMIT ?", [.time(from), .int(limit)],
                  table: "audit").map {
            (try $0.time(0), try $0.text(1), try $0.text(2), try $0.optionalText(3), try $0.optionalText(4))
        }
    }

    /// Audit lines in `[from, to)`, oldest first (at most `limit`); `actor` matches exactly, `actionPrefix`
    /// the start of the action (`closure.` finds `closure.add` and `closure.lift`).
    public func auditLog(from: Date, to: Date, actor: String?, actionPrefix: String?, limit: Int) throws
        -> [(at: Date, actor: String, action: String, subject: String?, detail: String?)] {
        // substr() rather than LIKE, so `_` and `%` in the prefix are plain characters.
        try query("""
            SELECT at, actor, action, subject, detail FROM audit
            WHERE at >= ? AND at < ? AND (? IS NULL OR actor = ?) AND (? IS NULL OR substr(action, 1, length(?)) = ?)
            ORDER BY id LIMIT ?
            """,
            [.time(from), .time(to), .text(actor), .text(actor), .text(actionPrefix), .text(actionPrefix), .text(actionPrefix), .int(limit)],
            table: "audit").map {
            (try $0.time(0), try $0.text(1), try $0.text(2), try $0.optionalText(3), try $0.optionalText(4))
        }
    }

    /// Stores an event and returns it with its id.
    public func appendEvent(topic: String, name: String, data: String, at: Date) throws -> StoredEvent {
        try execute("INSERT INTO events (topic, name, data, at) VALUES (?, ?, ?, ?)", [.text(topic), .text(name), .text(data), .time(at)])
        return StoredEvent(id: lastInsertRowID, name: name, data: data)
    }

    /// Events of `topic` after `id`, oldest first (at most `limit`).
    public func events(topic: String, after id: Int64, limit: Int = 500) throws -> [StoredEvent] {
        try query("SELECT id, name, data FROM events WHERE topic = ? AND id > ? ORDER BY id LIMIT ?",
                  [.text(topic), .integer(id), .int(limit)], table: "events").map {
            StoredEvent(id: try $0.int64(0), name: try $0.text(1), data: try $0.text(2))
        }
    }

    /// The newest event id (of any topic), 0 when there is none.
    public func newestEventID() throws -> Int64 {
        // max() of no rows is NULL.
        try one("SELECT max(id) FROM events", table: "events").optionalInt64(0) ?? 0
    }

    /// Drops events older than `cutoff`.
    public func pruneEvents(before cutoff: Date) throws {
        try execute("DELETE FROM events WHERE at < ?", [.time(cutoff)])
    }
}
