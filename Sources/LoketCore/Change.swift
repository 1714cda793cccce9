// What a use case asks the store to write, and what it tells the world: `Outcome`.
//
// Use cases (`QueueDesk`, `BookingDesk`) read through a narrow protocol and never write. They
// return the changes, in order, for the store to apply in the transaction they read in, the
// events to log and publish after the commit, and the value the handler answers with.
import Foundation

/// One write, in domain terms. The store applies a list of them in order, in one transaction.
public enum Change: Sendable, Hashable {
    /// A new queue ticket.
    case insertTicket(Ticket)
    /// Every field of an existing ticket.
    case updateTicket(Ticket)
    /// The day's last ticket number for a prefix at a location.
    case ticketSequence(location: String, day: CivilDate, prefix: String, last: Int)
    /// A counter's state and the ticket it shows.
    case counter(id: String, state: CounterState, current: String?)
    /// Why a counter is paused (nil clears it); written after the `counter` change of the same counter.
    case pauseReason(counter: String, reason: String?)
    /// One measured service time, folded into the service's average.
    case serviceTime(service: String, minutes: Double)
    /// A new appointment with the hash of its manage token, its capacity group and contact key.
    case insertAppointment(Appointment, tokenHash: [UInt8], group: String?, contactKey: String?)
    /// An appointment's status, and the ticket of its check-in.
    case appointmentStatus(reference: String, status: AppointmentStatus, ticketID: String?)
    /// An appointment moved to another time.
    case moveAppointment(reference: String, start: Date, end: Date)
    /// A freed slot held back until `until` (the cooldown after a cancel).
    case hold(location: String, group: String?, start: Date, end: Date, channel: BookingChannel, until: Date)
    /// A line in the audit log.
    case audit(AuditEntry)
    /// A new runtime closure (or reduced desks).
    case insertClosure(ClosureRecord)
    /// A runtime closure lifted by `by`, at the transaction's `now`.
    case liftClosure(id: String, by: String)
    /// A new waitlist entry with the hash of its token and its contact key.
    case insertWaitlistEntry(WaitlistEntry, tokenHash: [UInt8], contactKey: String)
    /// A waitlist entry's status, its offer (nil clears it) and the appointment booked from it.
    case waitlistStatus(id: String, status: WaitlistStatus, offer: WaitlistOffer?, appointment: String?)
    /// A slot held for a waitlist entry's offer until `until` (online channel).
    case waitlistHold(owner: String, location: String, group: String?, start: Date, end: Date, until: Date)
    /// Ends the holds a waitlist entry owns.
    case releaseHolds(owner: String)
}

/// A line of the audit log: who did what to which subject. Never a citizen's name or contact.
public struct AuditEntry: Sendable, Hashable {
    /// A token's name, `citizen`, `staff` or `system`.
    public var actor: String
    /// e.g. `ticket.call`.
    public var action: String
    /// A ticket number, reference, counter or location id.
    public var subject: String?
    public var detail: String?

    public init(actor: String, action: String, subject: String?, detail: String? = nil) {
        self.actor = actor
        self.action = action
        self.subject = subject
        self.detail = detail
    }
}

/// What a use case decided: the answer, the writes and the events.
public struct Outcome<Value> {
    /// What the handler answers with.
    public var value: Value
    /// The writes, in order.
    public var changes: [Change]
    /// The events, in order.
    public var events: [LiveEvent]

    public init(_ value: Value, changes: [Change] = [], events: [LiveEvent] = []) {
        self.value = value
        self.changes = changes
        self.events = events
    }
}

extension Outcome: Sendable where Value: Sendable {}
