// The retention pass: the server's housekeeping runs it every minute and `loket purge` by hand.
// One list of what it erases, so the two cannot drift apart.
import Foundation

/// What one retention pass changed.
public struct RetentionPass: Sendable {
    /// Appointments whose names and contact details were erased.
    public var appointments: Int
    /// Rows erased in all: appointments, mail and waitlist entries.
    public var erased: Int
    /// The locations of the holds that ended: their kept availability answers may change.
    public var expiredHoldLocations: Set<String>
}

extension Connection {
    /// Erases the personal data (appointments, mail, waitlist) of what ended more than `retentionDays`
    /// before `now`, deletes the holds that ended before `now`, and keeps two days of live events.
    public func purgeExpired(retentionDays: Int, now: Date) throws -> RetentionPass {
        try pruneEvents(before: now.addingTimeInterval(-2 * 86400))
        let cutoff = now.addingTimeInterval(-Double(retentionDays) * 86400)
        let appointments = try purgePersonalData(endedBefore: cutoff, now: now)
        let others = try purgeMail(endedBefore: cutoff, now: now) + purgeWaitlist(endedBefore: cutoff, now: now)
        return RetentionPass(appointments: appointments, erased: appointments + others,
                             expiredHoldLocations: try deleteExpiredHolds(now: now))
    }
}
