// Where the use cases meet the database: the connection is the read view they decide on
// (`QueueReading`, `BookingReading`), and it applies the `Change`s and logs the `LiveEvent`s they
// return, in the same transaction.
import Foundation
import LoketCore

extension Connection: QueueReading, BookingReading {
    public func lastTicketSequence(location: String, day: CivilDate, prefix: String) throws -> Int {
        try first("SELECT last FROM ticket_sequences WHERE location = ? AND day = ? AND prefix = ?",
                  [.text(location), .text(day.description), .text(prefix)], table: "ticket_sequences")?.int(0) ?? 0
    }

    public func appointment(withReference reference: String) throws -> Appointment? {
        try appointment(reference: reference)?.appointment
    }

    /// Applies a use case's changes in order, stamping them with `now`.
    public func apply(_ changes: [Change], now: Date) throws {
        for change in changes {
            switch change {
            case .insertTicket(let t):
                try insertTicket(t)
            case .updateTicket(let t):
                try updateTicket(t)
            case .ticketSequence(let location, let day, let prefix, let last):
                try execute("""
                    INSERT INTO ticket_sequences (location, day, prefix, last) VALUES (?, ?, ?, ?)
                    ON CONFLICT (location, day, prefix) DO UPDATE SET last = excluded.last
                    """, [.text(location), .text(day.description), .text(prefix), .int(last)])
            case .counter(let id, let state, let current):
                try setCounter(id, state: state, current: current, now: now)
            case .pauseReason(let counter, let reason):
                try setPauseReason(counter, reason: reason)
            case .serviceTime(let service, let minutes):
                try recordServiceTime(service: service, minutes: minutes)
            case .insertAppointment(let a, let tokenHash, let group, let contactKey):
                try insertAppointment(a, tokenHash: tokenHash, group: group, contactKey: contactKey)
            case .appointmentStatus(let reference, let status, let ticketID):
                try setAppointmentStatus(reference: reference, status, ticketID: ticketID, now: now)
            case .moveAppointment(let reference, let start, let end):
                try moveAppointment(reference: reference, start: start, end: end, now: now)
            case .hold(let location, let group, let start, let end, let channel, let until):
                try insertHold(location: location, group: group, start: start, end: end, channel: channel, until: until)
            case .audit(let e):
                try audit(actor: e.actor, action: e.action, subject: e.subject, detail: e.detail, at: now)
            case .insertClosure(let c):
                try insertClosure(c)
            case .liftClosure(let id, let by):
                try liftClosure(id: id, by: by, now: now)
            case .insertWaitlistEntry(let e, let tokenHash, let contactKey):
                try insertWaitlistEntry(e, tokenHash: tokenHash, contactKey: contactKey)
            case .waitlistStatus(let id, let status, let offer, let appointment):
                try setWaitlistStatus(id: id, status: status, offer: offer, appointment: appointment, now: now)
            case .waitlistHold(let owner, let location, let group, let start, let end, let until):
                try insertWaitlistHold(owner: owner, location: location, group: group, start: start, end: end, until: until)
            case .releaseHolds(let owner):
                try releaseHolds(owner: owner)
            }
        }
    }

    /// Logs the events that have a stream (each encoded once) and returns them with their ids, for
    /// publishing after the commit.
    public func append(_ events: [LiveEvent], now: Date) throws -> [(topic: String, event: StoredEvent)] {
        try events.compactMap { e in
            guard let topic = e.topic else { return nil }
            return (topic, try appendEvent(topic: topic, name: e.name, data: try e.encoded(), at: now))
        }
    }
}
