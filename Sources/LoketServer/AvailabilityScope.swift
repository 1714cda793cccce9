// Which locations' availability answers a transaction may have changed, read from the changes and
// events of the outcomes it applied. `App.write` hands it to `AvailabilityCache.invalidate` after
// the commit.
//
// An answer reads a location's appointments that hold capacity (every status but cancelled), its
// holds and its runtime closures, under the config in force. So, change by change:
//   - a new appointment, a hold (cancel cooldown, waitlist offer) or a closure names its location;
//   - a cancel, a move and a lift name only a reference or id: the location comes from the event
//     the same outcome carries for it (`appointment.cancelled`/`.moved`, `closure` lifted);
//   - other status changes (check-in, called, serving, done, no-show) keep the capacity held: no
//     use case takes an appointment out of `cancelled`, and every other status counts as booked;
//   - releasing a waitlist entry's holds names only the entry: every location, it is rare;
//   - tickets, counters, audit lines and waitlist entries do not enter an answer.
// A change whose location cannot be found invalidates every location: too much is only slower.
// A config reload needs nothing here: the cache keeps answers per `Office`, and a reload swaps it.
import Foundation
import LoketCore

/// The locations whose availability answers may have changed; `all` when any may have.
struct AvailabilityScope: Equatable, Sendable {
    private(set) var all = false
    private(set) var locations: Set<String> = []

    /// True when nothing an answer reads was changed.
    var isEmpty: Bool { !all && locations.isEmpty }

    /// Notes what `changes` (with the `events` of the same outcome) touch.
    mutating func note(_ changes: [Change], events: [LiveEvent]) {
        for change in changes {
            switch change {
            case .insertTicket, .updateTicket, .ticketSequence, .counter, .pauseReason, .serviceTime, .audit,
                 .insertWaitlistEntry, .waitlistStatus:
                continue
            case .insertAppointment(let a, _, _, _):
                locations.insert(a.location)
            case .appointmentStatus(let reference, let status, _):
                guard status == .cancelled else { continue }
                touch(events.lazy.compactMap { event -> String? in
                    if case .appointment(let u) = event, u.reference == reference { return u.location }
                    return nil
                }.first)
            case .moveAppointment(let reference, _, _):
                touch(events.lazy.compactMap { event -> String? in
                    if case .appointment(let u) = event, u.reference == reference { return u.location }
                    return nil
                }.first)
            case .hold(let location, _, _, _, _, _), .waitlistHold(_, let location, _, _, _, _):
                locations.insert(location)
            case .insertClosure(let record):
                locations.insert(record.limit.location)
            case .liftClosure(let id, _):
                touch(events.lazy.compactMap { event -> String? in
                    if case .closure(let c) = event, c.id == id { return c.location }
                    return nil
                }.first)
            case .releaseHolds:
                all = true
            }
        }
    }

    /// Every location.
    mutating func touchAll() { all = true }

    /// These locations.
    mutating func touch(_ locations: Set<String>) { self.locations.formUnion(locations) }

    private mutating func touch(_ location: String?) {
        if let location { locations.insert(location) } else { all = true }
    }
}
