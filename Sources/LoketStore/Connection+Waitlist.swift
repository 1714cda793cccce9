// Waitlist rows: insert, read, status and offer, the holds an entry owns, the line per service
// and location, and the privacy purge.
import Foundation
import LoketCore

extension Connection: WaitlistReading {
    private static let waitlistColumns = """
        id, location, service, persons, from_date, to_date, name, email, lang, status, joined_at,
        offer_start, offer_end, offer_expires, appointment_ref
        """

    private func waitlistEntry(from r: Row) throws -> WaitlistEntry {
        var offer: WaitlistOffer?
        if let start = try r.optionalTime(11), let end = try r.optionalTime(12), let expires = try r.optionalTime(13) {
            offer = WaitlistOffer(start: start, end: end, expiresAt: expires)
        }
        // Name and address are NULL once purged; the entry then reads with an empty address.
        return WaitlistEntry(id: try r.text(0), location: try r.text(1), service: try r.text(2), persons: try r.int(3),
                             from: try r.parse(4, expected: "a date") { CivilDate($0) },
                             to: try r.parse(5, expected: "a date") { CivilDate($0) },
                             name: try r.optionalText(6), email: try r.optionalText(7) ?? "",
                             language: try r.value(Language.self, 8), status: try r.value(WaitlistStatus.self, 9),
                             joinedAt: try r.time(10), offer: offer, appointment: try r.optionalText(14))
    }

    /// Stores a new entry.
    public func insertWaitlistEntry(_ e: WaitlistEntry, tokenHash: [UInt8], contactKey: String) throws {
        try execute("""
            INSERT INTO waitlist (id, token_hash, location, service, persons, from_date, to_date, name, email, contact_key,
                                  lang, status, joined_at, changed_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(e.id), .blob(tokenHash), .text(e.location), .text(e.service), .int(e.persons), .text(e.from.description),
                  .text(e.to.description), .text(e.name), .text(e.email), .text(contactKey), .text(e.language.rawValue),
                  .text(e.status.rawValue), .real(e.joinedAt.timeIntervalSince1970), .real(e.joinedAt.timeIntervalSince1970)])
    }

    public func waitlistEntry(id: String) throws -> (entry: WaitlistEntry, tokenHash: [UInt8])? {
        guard let row = try first("SELECT \(Connection.waitlistColumns), token_hash FROM waitlist WHERE id = ?", [.text(id)],
                                  table: "waitlist") else { return nil }
        return (try waitlistEntry(from: row), try row.blob(15))
    }

    public func activeWaitlistCount(contactKey: String) throws -> Int {
        try one("SELECT count(*) FROM waitlist WHERE contact_key = ? AND status IN ('waiting', 'offered')",
                [.text(contactKey)], table: "waitlist").int(0)
    }

    public func holds(location: String, from: Date, to: Date, now: Date, exceptOwner owner: String) throws -> [BookedInterval] {
        var result: [BookedInterval] = []
        try forEach("""
            SELECT start, end, grp, channel FROM holds
            WHERE location = ? AND start < ? AND end > ? AND until > ? AND (owner IS NULL OR owner != ?)
            """, [.text(location), .time(to), .time(from), .time(now), .text(owner)], table: "holds") { row in
            result.append(BookedInterval(start: try row.time(0), end: try row.time(1), group: try row.optionalText(2),
                                         channel: try row.value(BookingChannel.self, 3)))
        }
        return result
    }

    public func waitlistAhead(of entry: WaitlistEntry) throws -> Int {
        try one("""
            SELECT count(*) FROM waitlist WHERE location = ? AND service = ? AND status IN ('waiting', 'offered')
              AND (joined_at < ?3 OR (joined_at = ?3 AND rowid < (SELECT rowid FROM waitlist WHERE id = ?4)))
            """, [.text(entry.location), .text(entry.service), .real(entry.joinedAt.timeIntervalSince1970), .text(entry.id)],
                table: "waitlist").int(0)
    }

    /// Sets an entry's status, offer and booked appointment.
    public func setWaitlistStatus(id: String, status: WaitlistStatus, offer: WaitlistOffer?, appointment: String?, now: Date) throws {
        try execute("""
            UPDATE waitlist SET status = ?, offer_start = ?, offer_end = ?, offer_expires = ?,
              appointment_ref = COALESCE(?, appointment_ref), changed_at = ? WHERE id = ?
            """, [.text(status.rawValue), .time(offer?.start), .time(offer?.end),
                  offer.map { .real($0.expiresAt.timeIntervalSince1970) } ?? .null, .text(appointment),
                  .real(now.timeIntervalSince1970), .text(id)])
    }

    /// Holds a slot for waitlist entry `owner` until `until`.
    public func insertWaitlistHold(owner: String, location: String, group: String?, start: Date, end: Date, until: Date) throws {
        try execute("INSERT INTO holds (location, grp, start, end, channel, until, owner) VALUES (?, ?, ?, ?, 'online', ?, ?)",
                    [.text(location), .text(group), .time(start), .time(end), .time(until), .text(owner)])
    }

    /// Ends the holds entry `owner` has.
    public func releaseHolds(owner: String) throws {
        try execute("DELETE FROM holds WHERE owner = ?", [.text(owner)])
    }

    /// Waiting entries, in join order (the order offers go in).
    public func waitingEntries(limit: Int = 1000) throws -> [WaitlistEntry] {
        try query("SELECT \(Connection.waitlistColumns) FROM waitlist WHERE status = 'waiting' ORDER BY joined_at, rowid LIMIT ?",
                  [.int(limit)], table: "waitlist").map(waitlistEntry(from:))
    }

    /// Offered entries whose offer has lapsed at `now`.
    public func lapsedOffers(now: Date, limit: Int = 1000) throws -> [WaitlistEntry] {
        try query("""
            SELECT \(Connection.waitlistColumns) FROM waitlist WHERE status = 'offered' AND offer_expires <= ?
            ORDER BY joined_at, rowid LIMIT ?
            """, [.real(now.timeIntervalSince1970), .int(limit)], table: "waitlist").map(waitlistEntry(from:))
    }

    /// Waiting and offered entries, optionally of one location and service, in join order.
    public func activeWaitlist(location: String?, service: String?, limit: Int = 5000) throws -> [WaitlistEntry] {
        try query("""
            SELECT \(Connection.waitlistColumns) FROM waitlist WHERE status IN ('waiting', 'offered')
              AND (?1 IS NULL OR location = ?1) AND (?2 IS NULL OR service = ?2)
            ORDER BY location, service, joined_at, rowid LIMIT ?3
            """, [.text(location), .text(service), .int(limit)], table: "waitlist").map(waitlistEntry(from:))
    }

    /// Erases name and address of entries that ended (booked, expired, left) before `cutoff`, and
    /// what mail about them said; returns how many entries.
    public func purgeWaitlist(endedBefore cutoff: Date, now: Date) throws -> Int {
        let n = try execute("""
            UPDATE waitlist SET name = NULL, email = NULL, contact_key = NULL, purged_at = ?
            WHERE purged_at IS NULL AND status IN ('booked', 'expired', 'left') AND changed_at < ?
            """, [.real(now.timeIntervalSince1970), .real(cutoff.timeIntervalSince1970)])
        try execute("""
            UPDATE outbox SET payload = NULL, purged_at = ?,
              status = CASE status WHEN 'pending' THEN 'failed' ELSE status END,
              last_error = CASE status WHEN 'pending' THEN 'erased by the retention purge before it could be sent' ELSE NULL END
            WHERE purged_at IS NULL AND kind LIKE 'waitlist-%' AND reference IN (SELECT id FROM waitlist WHERE purged_at IS NOT NULL)
            """, [.real(now.timeIntervalSince1970)])
        return n
    }
}
