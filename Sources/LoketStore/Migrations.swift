// The schema, as an ordered list of named steps; `PRAGMA user_version` counts the steps applied.
//
// Instants are unix seconds (UTC): INTEGER when whole, REAL when they carry a fraction of a second. Civil dates are TEXT `YYYY-MM-DD` in the location's
// zone. Personal data lives only in `appointments.name/email/phone` and is erased by `purge`.
import Foundation
import Logging

enum Migrations {
    /// Each step runs once, in order, inside one transaction with the version bump.
    static let steps: [(name: String, sql: String)] = [
        ("create core tables", """
        CREATE TABLE appointments (
            reference   TEXT PRIMARY KEY,      -- what the citizen quotes, e.g. K7M-3QX
            token_hash  BLOB NOT NULL,         -- SHA-256 of the manage token
            location    TEXT NOT NULL,
            grp         TEXT,                  -- service group sharing capacity (NULL = general)
            items       TEXT NOT NULL,         -- JSON [{"service","persons"}]
            start       INTEGER NOT NULL,
            end         INTEGER NOT NULL,
            status      TEXT NOT NULL,
            name        TEXT,                  -- personal data: erased by purge
            email       TEXT,                  -- personal data
            phone       TEXT,                  -- personal data
            contact_key TEXT,                  -- hash of the normalized contact, for the per-contact cap
            lang        TEXT NOT NULL,
            channel     TEXT NOT NULL,         -- online | staff
            created_at  INTEGER NOT NULL,
            changed_at  INTEGER NOT NULL,
            ticket_id   TEXT,                  -- ticket made at check-in
            purged_at   INTEGER
        );
        CREATE INDEX appointments_by_time ON appointments(location, start);
        CREATE INDEX appointments_by_contact ON appointments(contact_key, status);

        CREATE TABLE holds (                   -- a cancelled slot held back for the cooldown
            id       INTEGER PRIMARY KEY,
            location TEXT NOT NULL,
            grp      TEXT,
            start    INTEGER NOT NULL,
            end      INTEGER NOT NULL,
            channel  TEXT NOT NULL,
            until    INTEGER NOT NULL
        );
        CREATE INDEX holds_by_time ON holds(location, start);

        CREATE TABLE tickets (
            id                TEXT PRIMARY KEY,  -- unguessable, the citizen's link
            location          TEXT NOT NULL,
            day               TEXT NOT NULL,     -- civil date in the location's zone
            number            TEXT NOT NULL,     -- prefix + sequence, e.g. A012
            service           TEXT NOT NULL,
            origin            TEXT NOT NULL,     -- walkin | appointment | remote
            priority          INTEGER NOT NULL DEFAULT 0,
            status            TEXT NOT NULL,
            issued_at         INTEGER NOT NULL,
            waiting_since     INTEGER NOT NULL,  -- kept across transfers
            called_at         INTEGER,
            started_at        INTEGER,
            finished_at       INTEGER,
            counter           TEXT,
            target_counter    TEXT,
            appointment_ref   TEXT,
            appointment_start INTEGER,
            recalls           INTEGER NOT NULL DEFAULT 0,
            close_reason      TEXT,
            UNIQUE (location, day, number)
        );
        CREATE INDEX tickets_by_status ON tickets(location, status);

        CREATE TABLE ticket_sequences (        -- last number handed out per location, day and prefix
            location TEXT NOT NULL,
            day      TEXT NOT NULL,
            prefix   TEXT NOT NULL,
            last     INTEGER NOT NULL,
            PRIMARY KEY (location, day, prefix)
        );

        CREATE TABLE counters (
            id             TEXT PRIMARY KEY,
            state          TEXT NOT NULL,        -- open | paused | closed
            current_ticket TEXT,
            changed_at     INTEGER NOT NULL
        );

        CREATE TABLE service_times (           -- moving average of measured service minutes
            service     TEXT PRIMARY KEY,
            avg_minutes REAL NOT NULL,
            samples     INTEGER NOT NULL
        );

        CREATE TABLE tokens (
            id         INTEGER PRIMARY KEY,
            hash       BLOB NOT NULL UNIQUE,     -- SHA-256 of the bearer token
            role       TEXT NOT NULL,
            name       TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            revoked_at INTEGER
        );

        CREATE TABLE audit (
            id      INTEGER PRIMARY KEY,
            at      INTEGER NOT NULL,
            actor   TEXT NOT NULL,               -- token name, or 'system'
            action  TEXT NOT NULL,
            subject TEXT,
            detail  TEXT                         -- never personal data
        );

        CREATE TABLE events (                  -- live events, replayed to reconnecting displays
            id    INTEGER PRIMARY KEY AUTOINCREMENT,
            topic TEXT NOT NULL,
            name  TEXT NOT NULL,
            data  TEXT NOT NULL,
            at    INTEGER NOT NULL
        );
        CREATE INDEX events_by_topic ON events(topic, id);
        """),
        ("keep waiting counts per service", """
        -- Issuing a ticket needs the waiting counts per service (queue event, position). Counting the
        -- tickets grows with the queue; triggers keep the counts instead, in the same transaction.
        CREATE TABLE waiting_counts (
            location TEXT NOT NULL,
            service  TEXT NOT NULL,
            target   TEXT NOT NULL DEFAULT '',   -- target counter after a transfer, '' for none
            waiting  INTEGER NOT NULL,
            PRIMARY KEY (location, service, target)
        );
        INSERT INTO waiting_counts (location, service, target, waiting)
            SELECT location, service, COALESCE(target_counter, ''), count(*) FROM tickets WHERE status = 'waiting' GROUP BY 1, 2, 3;
        CREATE TRIGGER waiting_counts_insert AFTER INSERT ON tickets WHEN NEW.status = 'waiting' BEGIN
            INSERT INTO waiting_counts (location, service, target, waiting)
                VALUES (NEW.location, NEW.service, COALESCE(NEW.target_counter, ''), 1)
                ON CONFLICT (location, service, target) DO UPDATE SET waiting = waiting + 1;
        END;
        CREATE TRIGGER waiting_counts_leave AFTER UPDATE ON tickets WHEN OLD.status = 'waiting' BEGIN
            UPDATE waiting_counts SET waiting = waiting - 1
                WHERE location = OLD.location AND service = OLD.service AND target = COALESCE(OLD.target_counter, '');
        END;
        CREATE TRIGGER waiting_counts_enter AFTER UPDATE ON tickets WHEN NEW.status = 'waiting' BEGIN
            INSERT INTO waiting_counts (location, service, target, waiting)
                VALUES (NEW.location, NEW.service, COALESCE(NEW.target_counter, ''), 1)
                ON CONFLICT (location, service, target) DO UPDATE SET waiting = waiting + 1;
        END;
        CREATE TRIGGER waiting_counts_delete AFTER DELETE ON tickets WHEN OLD.status = 'waiting' BEGIN
            UPDATE waiting_counts SET waiting = waiting - 1
                WHERE location = OLD.location AND service = OLD.service AND target = COALESCE(OLD.target_counter, '');
        END;
        """),
    ]

    /// Brings `db` up to date; backs the file up first when it already holds data.
    static func checkVersion(of db: Connection, path: String) throws {
        let current = try db.userVersion()
        if current > steps.count {
            throw StoreError(description: "the database \(path) has schema version \(current), newer than this loket (\(steps.count)); use a newer loket or a backup")
        }
    }

    static func apply(to db: Connection, path: String, logger: Logger) throws {
        try checkVersion(of: db, path: path)
        let current = try db.userVersion()
        guard current < steps.count else { return }
        let holdsData = try db.one("SELECT count(*) FROM sqlite_master", table: "sqlite_master").int(0) > 0
        if current > 0 || holdsData {
            let stamp = Int(Date().timeIntervalSince1970)
            let backup = "\(path).before-v\(steps.count)-\(stamp).bak"
            try db.exec("VACUUM INTO '\(backup.replacingOccurrences(of: "'", with: "''"))'")
            logger.notice("backed up database before migrating", metadata: ["backup": "\(backup)"])
        }
        for version in current..<steps.count {
            try db.exec("BEGIN IMMEDIATE")
            do {
                try db.exec(steps[version].sql)
                try db.exec("PRAGMA user_version = \(version + 1)")
                try db.exec("COMMIT")
            } catch {
                try? db.exec("ROLLBACK")
                throw error
            }
            logger.info("migrated", metadata: ["step": "\(steps[version].name)", "version": "\(version + 1)"])
        }
    }

    /// The schema version this binary writes.
    static var latest: Int { steps.count }
}
