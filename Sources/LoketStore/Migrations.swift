// The schema, as an ordered list of named steps; the database records the names it has applied.
//
// Each step has a stable name (`001-initial`, ...) and runs once, in order, in one transaction that
// also records its name in `loket_migrations` and sets `PRAGMA user_version` to the number of steps
// applied (so a loket from before the names, which only reads user_version, still refuses a database
// with steps it does not know). A database is opened only when its recorded names are a prefix of
// `steps`: a renamed, reordered or inserted step, or one from a newer loket, is refused before anything
// in the file changes. A database from before the names (user_version n, no `loket_migrations`) has
// applied the first n steps; its names are recorded on the first open.
//
// Instants are unix seconds (UTC): INTEGER when whole, REAL when they carry a fraction of a second. Civil dates are TEXT `YYYY-MM-DD` in the location's
// zone. Personal data lives only in `appointments.name/email/phone` and `outbox.payload` (what a
// message to the citizen says), and the retention purge erases both.
import Foundation
import Logging

/// One step of the schema.
struct Migration {
    /// Stable name, recorded in the database when the step is applied.
    ///
    /// > Warning: Never rename, reorder or remove a step once released: databases that applied it
    /// > would be refused. Add a new step at the end instead.
    let name: String
    /// The statements, run in one transaction.
    let sql: String
}

enum Migrations {
    /// Every step, in the order it is applied.
    static let steps: [Migration] = [
        Migration(name: "001-initial", sql: """
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
        Migration(name: "002-waiting-counts", sql: """
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
        Migration(name: "003-outbox", sql: """
        -- Citizen mail: written in the transaction of the change it reports, sent in the background.
        ALTER TABLE appointments ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;  -- +1 per move or cancel: iCalendar SEQUENCE
        ALTER TABLE appointments ADD COLUMN meeting_room TEXT;                    -- video appointments: the room's name
        CREATE TABLE outbox (
            id              INTEGER PRIMARY KEY,
            message_id      TEXT NOT NULL UNIQUE,  -- kept through every retry
            kind            TEXT NOT NULL,         -- booked | moved | cancelled | reminder
            reference       TEXT NOT NULL,         -- the appointment
            dedup           TEXT UNIQUE,           -- e.g. reminder:K7M-3QX:24:<start>, so a reminder is written once per time
            payload         TEXT,                  -- what the message says (JSON); personal data, erased by purge
            status          TEXT NOT NULL,         -- pending | sent | failed
            attempts        INTEGER NOT NULL DEFAULT 0,
            next_attempt_at REAL NOT NULL,
            last_error      TEXT,                  -- the mail server's answer; never an address
            created_at      REAL NOT NULL,
            sent_at         REAL,
            purged_at       REAL
        );
        CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
        -- Health's write probe: a row stored and removed in one transaction, to see whether writing works.
        CREATE TABLE health_probe (id INTEGER PRIMARY KEY, filler BLOB);
        -- The reminder scan every few seconds looks at booked visits by start only.
        CREATE INDEX appointments_booked_by_start ON appointments(start) WHERE status = 'booked';
        CREATE INDEX outbox_by_reference ON outbox(reference);
        """),
        Migration(name: "004-closures", sql: """
        -- Runtime closures and reduced desks, beside the configured opening rules; lifted ones are kept for the record.
        CREATE TABLE closures (
            id          TEXT PRIMARY KEY,
            location    TEXT NOT NULL,
            "from"      REAL NOT NULL,         -- first instant
            "to"        REAL NOT NULL,         -- end instant (exclusive)
            desks       INTEGER NOT NULL,      -- desks left; 0 = closed
            reason      TEXT,                  -- JSON {"nl":…,"fr":…}; NULL without a reason
            created_at  REAL NOT NULL,
            created_by  TEXT NOT NULL,         -- the admin token's name
            affected    TEXT,                  -- cancel | keep | NULL (none affected)
            lifted_at   REAL,
            lifted_by   TEXT
        );
        CREATE INDEX closures_by_location ON closures(location, "to");
        """),
        Migration(name: "005-clerk-moves", sql: """
        -- The clerk's moves: finish with an outcome, pause with a reason. Parked tickets and visits
        -- served without a ticket (origin 'counter') need no column of their own.
        ALTER TABLE tickets ADD COLUMN outcome TEXT;         -- one of the service's configured outcomes, set on finish
        ALTER TABLE counters ADD COLUMN pause_reason TEXT;   -- the clerk's words while paused; cleared on open or close
        """),
        Migration(name: "006-waitlist", sql: """
        -- The waitlist: citizens in line for a service at a location on any day of a range. A freed slot
        -- is held for the first in line by a hold that the entry owns (holds.owner; NULL = a cancel's cooldown).
        CREATE TABLE waitlist (
            id              TEXT PRIMARY KEY,      -- unguessable, part of the citizen's link
            token_hash      BLOB NOT NULL,         -- SHA-256 of the entry's token
            location        TEXT NOT NULL,
            service         TEXT NOT NULL,
            persons         INTEGER NOT NULL,
            from_date       TEXT NOT NULL,         -- civil dates in the location's zone
            to_date         TEXT NOT NULL,
            name            TEXT,                  -- personal data: erased by purge
            email           TEXT,                  -- personal data
            contact_key     TEXT,                  -- hash of the normalized address, for the per-contact cap
            lang            TEXT NOT NULL,
            status          TEXT NOT NULL,         -- waiting | offered | booked | expired | left
            joined_at       REAL NOT NULL,
            offer_start     INTEGER,               -- the held slot while offered (kept once booked or expired)
            offer_end       INTEGER,
            offer_expires   REAL,
            appointment_ref TEXT,                  -- booked from the offer
            changed_at      REAL NOT NULL,
            purged_at       REAL
        );
        CREATE INDEX waitlist_in_line ON waitlist(status, location, service, joined_at);
        CREATE INDEX waitlist_by_contact ON waitlist(contact_key, status);
        ALTER TABLE holds ADD COLUMN owner TEXT;   -- the waitlist entry an offer's hold is for
        CREATE INDEX holds_by_owner ON holds(owner) WHERE owner IS NOT NULL;
        """),
        Migration(name: "007-token-use", sql: """
        -- When each token last signed a request, for the admin's token list. The server keeps uses in
        -- memory and writes them at most once a minute, so a request never waits on this write.
        ALTER TABLE tokens ADD COLUMN last_used_at REAL;
        """),
        Migration(name: "008-history-indexes", sql: """
        -- Flat with history: the hot reads stay bounded however many past days the file holds.
        -- The capacity read (`bookedIntervals`) bounds `start` from below (a visit never lasts a day)
        -- and checks `end` in the index, so the day before the asked range costs index entries only.
        -- It replaces appointments_by_time, whose (location, start) it leads with.
        CREATE INDEX appointments_by_span ON appointments(location, start, end);
        DROP INDEX appointments_by_time;
        -- The display's recent calls: today's calls by time, instead of every ticket the location ever had.
        CREATE INDEX tickets_by_call ON tickets(location, called_at);
        -- The retention purge every minute (and at start): only what it has not erased yet, instead of
        -- every appointment and message ever stored.
        CREATE INDEX appointments_unpurged ON appointments(end) WHERE purged_at IS NULL;
        CREATE INDEX outbox_unpurged ON outbox(reference) WHERE purged_at IS NULL;
        """),
        Migration(name: "009-waiting-since", sql: """
        -- The newest waiting ticket's start (Connection.newestWaitingSince, read for every new ticket)
        -- in one index seek: through tickets_by_status it read every waiting ticket's row, so issuing
        -- a ticket grew slower with the queue.
        CREATE INDEX tickets_waiting_since ON tickets(location, waiting_since) WHERE status = 'waiting';
        """),
        Migration(name: "010-waiting-heads", sql: """
        -- Call-next chooses among the contenders only (QueueSelector.contenders, read by
        -- Connection.waitingContenders): the longest-waiting walk-in per service, target counter and
        -- priority, one seek each here, and the appointment check-ins. It read every waiting ticket, so
        -- a call on a queue of 1,000 cost several times one on a queue of 10.
        CREATE INDEX tickets_waiting_heads ON tickets(location, service, target_counter, priority, waiting_since)
            WHERE status = 'waiting' AND origin <> 'appointment';
        CREATE INDEX tickets_waiting_appointments ON tickets(location) WHERE status = 'waiting' AND origin = 'appointment';
        """),
        Migration(name: "011-visit-spans", sql: """
        -- The capacity reads (Connection.bookedIntervals, availabilityIntervals) look back from the asked
        -- range by the longest visit the location ever stored, kept here by triggers, instead of a day
        -- and a bit: with ten desks of 10-minute slots, checking one slot read some 500 index entries of
        -- the day before, over half of the single writer's time per booking. It only ever grows (a
        -- cancelled, purged or shortened visit leaves it), so it is always a safe lower bound.
        CREATE TABLE visit_spans (
            location TEXT PRIMARY KEY,
            longest  REAL NOT NULL               -- seconds: the most (end - start) of any appointment stored here
        ) WITHOUT ROWID;
        INSERT INTO visit_spans (location, longest) SELECT location, max(end - start) FROM appointments GROUP BY location;
        CREATE TRIGGER visit_spans_insert AFTER INSERT ON appointments BEGIN
            INSERT INTO visit_spans (location, longest) VALUES (NEW.location, NEW.end - NEW.start)
                ON CONFLICT (location) DO UPDATE SET longest = max(longest, excluded.longest);
        END;
        CREATE TRIGGER visit_spans_update AFTER UPDATE OF location, start, end ON appointments BEGIN
            INSERT INTO visit_spans (location, longest) VALUES (NEW.location, NEW.end - NEW.start)
                ON CONFLICT (location) DO UPDATE SET longest = max(longest, excluded.longest);
        END;
        """),
    ]

    /// The steps that the scheme before names counted in `PRAGMA user_version`; frozen.
    static let positional = ["001-initial", "002-waiting-counts"]

    /// The table of applied steps; made by the first transaction that records one.
    static let bookkeeping = """
        CREATE TABLE IF NOT EXISTS loket_migrations (
            position   INTEGER PRIMARY KEY,   -- 1, 2, ...: the order the steps were applied in
            name       TEXT NOT NULL UNIQUE,  -- the step's stable name, e.g. 001-initial
            applied_at INTEGER NOT NULL       -- unix seconds; 0 when recorded from a positional database
        )
        """

    /// What a database says about its schema.
    struct State: Equatable {
        /// The applied steps' names, in order.
        var applied: [String]
        /// False when there is no `loket_migrations` table yet (a new or foreign file, or one from before the names).
        var recordsNames: Bool
    }

    /// The schema version this binary writes.
    static var latest: Int { steps.count }

    /// Reads which steps `db` has applied, without changing anything, and refuses a database this
    /// binary must not touch (a newer one, or one whose steps do not match).
    ///
    /// Throws `StoreError` naming `path` and the reason.
    static func check(_ db: Connection, path: String) throws -> State {
        guard !db.inTransaction else { return try readState(db, path: path) }
        // One read transaction, so that another loket's migration cannot commit between the reads.
        try db.exec("BEGIN")
        defer { try? db.exec("COMMIT") }
        return try readState(db, path: path)
    }

    private static func readState(_ db: Connection, path: String) throws -> State {
        let version = try db.userVersion()
        let hasTable = try db.one("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'loket_migrations'",
                                  table: "sqlite_master").int(0) > 0
        let state: State
        if hasTable {
            let rows = try db.query("SELECT position, name FROM loket_migrations ORDER BY position", table: "loket_migrations")
            let positions = try rows.map { try $0.int(0) }
            if let gap = positions.indices.first(where: { positions[$0] != $0 + 1 }) {
                throw StoreError(description: "the database \(path) has a gap in its list of applied migrations "
                                 + "(no step \(gap + 1)); it was changed outside loket; use a backup")
            }
            state = State(applied: try rows.map { try $0.text(1) }, recordsNames: true)
            if version != state.applied.count {
                throw StoreError(description: "the database \(path) records \(state.applied.count) applied migrations but has "
                                 + "schema version \(version); it was changed outside loket; use a backup")
            }
        } else {
            if version > positional.count {
                throw StoreError(description: "the database \(path) has schema version \(version), newer than this loket "
                                 + "(\(latest)); use a newer loket or a backup")
            }
            state = State(applied: Array(positional.prefix(version)), recordsNames: false)
        }
        let known = steps.map(\.name)
        if let i = state.applied.indices.first(where: { $0 < known.count && state.applied[$0] != known[$0] }) {
            throw StoreError(description: "the database \(path) has migration \(i + 1) \"\(state.applied[i])\" where this loket "
                             + "has \"\(known[i])\": a migration was renamed, reordered or inserted; use the loket that "
                             + "made the database or a backup")
        }
        if state.applied.count > known.count {
            let unknown = state.applied[known.count...].map { "\"\($0)\"" }.joined(separator: ", ")
            throw StoreError(description: "the database \(path) has migrations \(unknown), newer than this loket "
                             + "(which knows \(latest)); use a newer loket or a backup")
        }
        return state
    }

    /// Brings `db` up to date; backs the file up first when it already holds data.
    ///
    /// Each step runs in its own `BEGIN IMMEDIATE` transaction that reads the state again, and the
    /// backup is taken inside the first one, so a second loket opening the same file at the same time
    /// waits, then finds nothing left to do, or the first's backup already taken (`backupCoversRun`),
    /// and makes no second backup.
    static func apply(to db: Connection, path: String, logger: Logger) throws {
        var first = true
        while true {
            let (adopted, step) = try transaction(db) { () -> ([String], Migration?) in
                let current = try check(db, path: path)
                let adopting = !current.recordsNames && !current.applied.isEmpty
                guard current.applied.count < steps.count || adopting else { return ([], nil) }
                // Before the first change only: later steps find the tables this open made.
                if first, try db.one("SELECT count(*) FROM sqlite_master", table: "sqlite_master").int(0) > 0,
                   try !backupCoversRun(db, path: path) {
                    try backup(path, logger: logger)
                }
                first = false
                var adopted: [String] = []
                if !current.recordsNames {
                    try db.exec(bookkeeping)
                    for (i, name) in current.applied.enumerated() { try record(name, position: i + 1, appliedAt: 0, in: db) }
                    adopted = current.applied
                }
                guard current.applied.count < steps.count else { return (adopted, nil) }
                let position = current.applied.count + 1
                let step = steps[position - 1]
                try db.exec(step.sql)
                try record(step.name, position: position, appliedAt: Int(Date().timeIntervalSince1970), in: db)
                try db.exec("PRAGMA user_version = \(position)")
                return (adopted, step)
            }
            if !adopted.isEmpty {
                logger.info("recorded the migrations of a database from before their names",
                            metadata: ["steps": "\(adopted.joined(separator: ", "))"])
            }
            guard let step else { return }
            logger.info("migrated", metadata: ["step": "\(step.name)"])
        }
    }

    /// Whether a migration towards the latest step is already under way, with its backup taken:
    /// another loket opening the same file backed it up (at stamp S) before its first step, and each
    /// step it applied since is recorded at S or later. This one got the lock between two of those
    /// steps; a copy now would hold a half-migrated file. A backup from an earlier run that the file
    /// was later restored from predates every recorded step, so it does not count.
    static func backupCoversRun(_ db: Connection, path: String) throws -> Bool {
        let file = URL(fileURLWithPath: path)
        let prefix = "\(file.lastPathComponent).before-\(steps[steps.count - 1].name)-"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: file.deletingLastPathComponent().path)) ?? []
        let stamps = names.compactMap { name -> Int? in
            guard name.hasPrefix(prefix), name.hasSuffix(".bak") else { return nil }
            return Int(name.dropFirst(prefix.count).dropLast(".bak".count))
        }
        guard let newest = stamps.max(),
              try db.one("SELECT count(*) FROM sqlite_master WHERE name = 'loket_migrations'", table: "sqlite_master").int(0) > 0
        else { return false }
        return try db.one("SELECT coalesce(max(applied_at), 0) FROM loket_migrations", table: "loket_migrations").int(0) >= newest
    }

    /// Copies the database to `<path>.before-<latest step>-<unix seconds>.bak`.
    ///
    /// Runs inside the migration's write transaction, on a second connection: VACUUM INTO cannot run
    /// in a transaction, and the second connection reads the last commit, which is what is migrated.
    private static func backup(_ path: String, logger: Logger) throws {
        let stamp = Int(Date().timeIntervalSince1970)
        let backup = "\(path).before-\(steps[steps.count - 1].name)-\(stamp).bak"
        // A second loket that opened the same file at the same moment and got the lock between two
        // steps of the first: the first's copy, taken before any step, is the one to keep.
        if FileManager.default.fileExists(atPath: backup) { return }
        let reader = try Connection(path: path, readOnly: true)
        try Store.configure(reader)
        try reader.exec("VACUUM INTO '\(backup.replacingOccurrences(of: "'", with: "''"))'")
        logger.notice("backed up database before migrating", metadata: ["backup": "\(backup)"])
    }

    /// Records step `name` as applied at `position`, at `appliedAt` (unix seconds, 0 when unknown).
    private static func record(_ name: String, position: Int, appliedAt: Int, in db: Connection) throws {
        try db.execute("INSERT INTO loket_migrations (position, name, applied_at) VALUES (?, ?, ?)",
                       [.int(position), .text(name), .int(appliedAt)])
    }

    /// Runs `body` in `BEGIN IMMEDIATE`; commits if it returns, rolls back if it throws.
    private static func transaction<T>(_ db: Connection, _ body: () throws -> T) throws -> T {
        try db.exec("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try db.exec("COMMIT")
            return result
        } catch {
            try? db.exec("ROLLBACK")
            throw error
        }
    }
}
