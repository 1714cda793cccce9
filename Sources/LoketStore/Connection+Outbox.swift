// The mail outbox: one row per message, written in the transaction of the change it reports
// (so nothing is sent for a change that rolled back and nothing is lost on kill -9), and
// worked off by the sender outside the write lock. Rows hold what the message says as opaque
// JSON (`payload`, personal data, erased by the retention purge); the store does not know mail formats.
import Foundation
import LoketCore

/// Where an outbox message stands.
public enum OutboxStatus: String, Sendable, Codable, CaseIterable {
    /// Waiting for its (next) attempt.
    case pending
    /// Accepted by the mail server (or written to the mail folder).
    case sent
    /// Refused for good, or given up on; kept for the admin.
    case failed
}

/// One message of the outbox.
public struct OutboxMessage: Sendable, Hashable {
    public var id: Int64
    public var messageID: String
    public var kind: String
    public var reference: String
    /// What the message says; nil once purged.
    public var payload: String?
    public var status: OutboxStatus
    public var attempts: Int
    public var nextAttemptAt: Date
    public var lastError: String?
    public var createdAt: Date
    public var sentAt: Date?
}

/// An appointment due for a reminder.
public struct ReminderDue: Sendable, Hashable {
    public var appointment: Appointment
    /// Hours before the visit this reminder is for.
    public var hours: Int
}

extension Connection {
    private static let outboxColumns =
        "id, message_id, kind, reference, payload, status, attempts, next_attempt_at, last_error, created_at, sent_at"

    private func outboxMessage(from r: Row) throws -> OutboxMessage {
        OutboxMessage(id: try r.int64(0), messageID: try r.text(1), kind: try r.text(2), reference: try r.text(3),
                      payload: try r.optionalText(4), status: try r.value(OutboxStatus.self, 5), attempts: try r.int(6),
                      nextAttemptAt: try r.time(7), lastError: try r.optionalText(8), createdAt: try r.time(9),
                      sentAt: try r.optionalTime(10))
    }

    /// Adds a message, due at once. With a `dedup` key already used nothing is added and it returns nil.
    @discardableResult
    public func enqueueMail(messageID: String, kind: String, reference: String, dedup: String? = nil, payload: String,
                            now: Date) throws -> Int64? {
        let changed = try execute("""
            INSERT INTO outbox (message_id, kind, reference, dedup, payload, status, attempts, next_attempt_at, created_at)
            VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?) ON CONFLICT (dedup) DO NOTHING
            """, [.text(messageID), .text(kind), .text(reference), .text(dedup), .text(payload), .time(now), .time(now)])
        return changed == 1 ? lastInsertRowID : nil
    }

    /// Pending messages whose attempt is due at `now`, oldest first.
    ///
    /// A message whose next attempt lies more than `longestPause` ahead is due as well: no pause is
    /// that long, so the clock was set back since it was put off, and it would otherwise wait out the
    /// time the clock lost on top of its pause.
    public func dueMail(now: Date, limit: Int, longestPause: TimeInterval = .greatestFiniteMagnitude) throws -> [OutboxMessage] {
        try query("""
            SELECT \(Connection.outboxColumns) FROM outbox
            WHERE status = 'pending' AND (next_attempt_at <= ?1 OR next_attempt_at > ?1 + ?2) ORDER BY id LIMIT ?3
            """, [.time(now), .real(min(longestPause, 1e15)), .int(limit)], table: "outbox").map(outboxMessage(from:))
    }

    /// Counts an attempt and puts off the next one to `next`, before the message is handed to the
    /// transport: if recording what happened then fails (a full disk), the message waits for
    /// `next` instead of going out again at once.
    public func claimMail(id: Int64, next: Date) throws {
        try execute("UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ? WHERE id = ?", [.time(next), .integer(id)])
    }

    /// Marks a message sent.
    public func markMailSent(id: Int64, now: Date) throws {
        try execute("UPDATE outbox SET status = 'sent', sent_at = ?, last_error = NULL WHERE id = ?", [.time(now), .integer(id)])
    }

    /// Records why an attempt failed and when to try again.
    public func retryMail(id: Int64, error: String, next: Date) throws {
        try execute("UPDATE outbox SET last_error = ?, next_attempt_at = ? WHERE id = ?",
                    [.text(String(error.prefix(500))), .time(next), .integer(id)])
    }

    /// Marks a message failed for good, with the reason.
    public func failMail(id: Int64, error: String) throws {
        try execute("UPDATE outbox SET status = 'failed', last_error = ? WHERE id = ?", [.text(String(error.prefix(500))), .integer(id)])
    }

    /// Ends the pending messages about `reference` (a newer message about it says what is true now); returns how many.
    public func supersedeMail(reference: String) throws -> Int {
        try execute("""
            UPDATE outbox SET status = 'failed', last_error = 'superseded by a later change of the appointment'
            WHERE reference = ? AND status = 'pending'
            """, [.text(reference)])
    }

    /// When the oldest pending message that has failed at least once was written; nil when there is none.
    public func oldestRetriedMail() throws -> Date? {
        try first("SELECT min(created_at) FROM outbox WHERE status = 'pending' AND attempts > 0", table: "outbox")?.optionalTime(0)
    }

    /// How many messages are in `status` (for metrics).
    public func outboxCount(status: OutboxStatus) throws -> Int {
        try one("SELECT count(*) FROM outbox WHERE status = ?", [.text(status.rawValue)], table: "outbox").int(0)
    }

    /// Messages in `status` (all when nil), newest first.
    public func outbox(status: OutboxStatus?, limit: Int) throws -> [OutboxMessage] {
        if let status {
            return try query("SELECT \(Connection.outboxColumns) FROM outbox WHERE status = ? ORDER BY id DESC LIMIT ?",
                             [.text(status.rawValue), .int(limit)], table: "outbox").map(outboxMessage(from:))
        }
        return try query("SELECT \(Connection.outboxColumns) FROM outbox ORDER BY id DESC LIMIT ?", [.int(limit)], table: "outbox")
            .map(outboxMessage(from:))
    }

    /// Messages about one appointment, oldest first.
    public func outbox(reference: String) throws -> [OutboxMessage] {
        try query("SELECT \(Connection.outboxColumns) FROM outbox WHERE reference = ? ORDER BY id", [.text(reference)], table: "outbox")
            .map(outboxMessage(from:))
    }

    /// Booked appointments with an e-mail address whose reminder `hours` before the visit is due at `now`
    /// and not yet written: the visit has not begun, and it was booked before the reminder moment.
    public func remindersDue(hours: Int, now: Date, limit: Int = 500) throws -> [ReminderDue] {
        let lead = Double(hours * 3600)
        let rows = try query("""
            SELECT \(Connection.appointmentColumnList) FROM appointments a
            WHERE a.status = 'booked' AND a.start > ?1 AND a.start <= ?1 + ?2 AND a.email IS NOT NULL AND a.created_at < a.start - ?2
              AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.dedup = 'reminder:' || a.reference || ':' || ?3 || ':' || CAST(a.start AS INTEGER))
            ORDER BY a.start LIMIT ?4
            """, [.time(now), .real(lead), .int(hours), .int(limit)], table: "appointments")
        return try rows.map { ReminderDue(appointment: try appointment(fromRow: $0), hours: hours) }
    }

    /// Erases what messages say about appointments that ended before `cutoff` (and gives up on
    /// pending ones about them); returns how many.
    ///
    /// Walks the messages not yet erased (`outbox_unpurged`) and looks each one's appointment up by
    /// reference, so its cost does not grow with the appointments of past years.
    public func purgeMail(endedBefore cutoff: Date, now: Date) throws -> Int {
        try execute("""
            UPDATE outbox SET payload = NULL, purged_at = ?,
              status = CASE status WHEN 'pending' THEN 'failed' ELSE status END,
              last_error = CASE status WHEN 'pending' THEN 'erased by the retention purge before it could be sent' ELSE NULL END
            WHERE purged_at IS NULL AND EXISTS (SELECT 1 FROM appointments a WHERE a.reference = outbox.reference AND a.end < ?)
            """, [.time(now), .time(cutoff)])
    }

}
