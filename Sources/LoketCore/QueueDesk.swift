// The queue's use cases: issue a walk-in ticket, check in an appointment, open/pause/close a
// counter, call the next citizen or one ticket out of order, act on a ticket (recall, start,
// finish with an outcome, no-show, transfer, park), record a visit served without a ticket and
// close the day.
//
// Each use case takes `now`, a read-only view of the stored state (`QueueReading`, read inside
// the write transaction the changes will be applied in) and a command, and returns an `Outcome`:
// the writes, the live events and the answer, or throws a `LoketError`. Every ticket status
// change goes through `TicketMachine`, the day rollover included. Randomness (ticket ids) comes
// in with the command, so the same inputs always give the same outcome.
import Foundation

/// What the queue use cases read. The store's connection provides it inside a transaction; tests use a dictionary.
public protocol QueueReading: LimitReading {
    /// A ticket by id.
    func ticket(id: String) throws -> Ticket?
    /// The waiting tickets at `location`, as the call-next policy sees them.
    func waitingQueue(location: String) throws -> [QueuedTicket]
    /// `QueueSelector.contenders` of `waitingQueue(location:)` (a superset of them in the same order
    /// will do): what call-next chooses from.
    func waitingContenders(location: String) throws -> [QueuedTicket]
    /// Every counter's stored state and current ticket; counters never opened are absent (closed).
    func counterStates() throws -> [String: (state: CounterState, current: String?)]
    /// Waiting tickets per service at `location`.
    func waitingCounts(location: String) throws -> [(service: String, waiting: Int)]
    /// When the ticket still waiting at `location` that began waiting last began; nil when none waits.
    func newestWaitingSince(location: String) throws -> Date?
    /// The last number given today for `prefix` at `location`; 0 before the first.
    func lastTicketSequence(location: String, day: CivilDate, prefix: String) throws -> Int
    /// Tickets of days before `day` still waiting, called, serving or parked.
    func staleTickets(location: String, before day: CivilDate) throws -> [Ticket]
    /// The ticket numbered `number` on `day` at `location`, nil when none.
    func ticket(number: String, location: String, day: CivilDate) throws -> Ticket?
    /// An appointment by its normalized reference.
    func appointment(withReference reference: String) throws -> Appointment?
}

extension QueueReading {
    public func waitingContenders(location: String) throws -> [QueuedTicket] {
        QueueSelector.contenders(try waitingQueue(location: location))
    }
}

/// Who asks: the token's name, written in the audit log.
public typealias Actor = String

/// The queue's rules over one catalogue.
public struct QueueDesk: Sendable {
    public let catalogue: Catalogue
    private let calendars: [String: OpeningCalendar]
    private var policy: QueuePolicy { catalogue.settings.queue }

    public init(catalogue: Catalogue) {
        self.catalogue = catalogue
        self.calendars = Dictionary(uniqueKeysWithValues: catalogue.locations.map { ($0.id, OpeningCalendar(location: $0, remembering: true)) })
    }

    /// The opening calendar of `location` (made once per catalogue, remembering its day windows).
    public func calendar(_ location: Location) -> OpeningCalendar {
        // A location carrying runtime limits gets its own calendar; the cached one has none.
        guard location.limits.isEmpty else { return OpeningCalendar(location: location) }
        return calendars[location.id] ?? OpeningCalendar(location: location)
    }

    // MARK: kiosk

    /// A walk-in ticket for `service` at `location`.
    ///
    /// A new ticket waits from `now`, or from when the last ticket still waiting began waiting if that is
    /// later (the clock was set back): it never passes the tickets issued before it.
    ///
    /// - Throws: `validation_failed` when the service has no walk-in here; `service_closed` (with
    ///   `nextOpening`) outside its walk-in hours.
    public func issue(location: Location, service: Service, priority: Bool, ticketID: String, by actor: Actor,
                      now: Date, reading: some QueueReading) throws -> Outcome<Ticket> {
        guard service.locations.contains(location.id), service.channels.contains(.walkin) else {
            throw LoketError(.invalid, "'\(service.name.resolve(.nl))' has no walk-in tickets at this location.",
                             fields: ["service": "not a walk-in service here"])
        }
        // Runtime closures, read in this transaction, so a ticket and a closure never race.
        let location = location.with(limits: try reading.deskLimits(location: location.id, from: now.addingTimeInterval(-86_400),
                                                                   to: now.addingTimeInterval(23 * 86_400)))
        let calendar = self.calendar(location)
        guard calendar.isWalkInOpen(at: now, service: service) else {
            var extra: [String: String] = [:]
            var detail = "Walk-in for this service is closed now."
            if let next = calendar.nextWalkInOpening(after: now, service: service) {
                let text = CivilClock(timeZone: location.timeZone).iso8601(next)
                extra["nextOpening"] = text
                detail += " Next opening: \(text)."
            }
            throw LoketError(.serviceClosed, detail, extra: extra)
        }
        var draft = Draft(location: location.id)
        let ticket = try newTicket(ticketID, service: service, location: location, origin: .walkin, priority: priority,
                                   now: now, waitingSince: max(now, try reading.newestWaitingSince(location: location.id) ?? now),
                                   draft: &draft, reading: reading)
        draft.changes.append(.audit(AuditEntry(actor: actor, action: "ticket.issue", subject: ticket.number, detail: service.id)))
        return draft.outcome(ticket, self)
    }

    /// Checks in the appointment with reference `text` (as typed or scanned) and makes its ticket.
    ///
    /// - Throws: `not_found`; `cancelled`; `appointment_missed` (marked no-show);
    ///   `already_checked_in` (with its `number`); `wrong_location` when `kioskLocation` is another
    ///   office; `not_today`; `too_early` (with `checkInOpens`) and `too_late`, by the policy's window.
    public func checkIn(reference text: String, kioskLocation: String?, language: Language, ticketID: String,
                        by actor: Actor, now: Date, reading: some QueueReading) throws -> Outcome<Ticket> {
        let notFound = LoketError(.notFound, "No appointment with this reference.")
        guard let reference = ReferenceCode.normalize(text), let a = try reading.appointment(withReference: reference) else {
            throw notFound
        }
        guard let location = catalogue.location(a.location) else { throw notFound }
        let civil = CivilClock(timeZone: location.timeZone)
        let startText = civil.iso8601(a.start)
        switch a.status {
        case .booked: break
        case .cancelled: throw LoketError(.cancelled, "This appointment was cancelled.")
        case .noShow:
            throw LoketError(.appointmentMissed, "This appointment at \(startText) was missed. Please ask at the desk.",
                             extra: ["appointmentStart": startText])
        case .checkedIn, .called, .serving, .done:
            let number = try a.ticketID.flatMap { try reading.ticket(id: $0) }?.number
            throw LoketError(.alreadyCheckedIn, "This appointment is already checked in" + (number.map { "; your number is \($0)." } ?? "."),
                             extra: number.map { ["number": $0] } ?? [:])
        }
        if let kioskLocation, kioskLocation != a.location {
            throw LoketError(.wrongLocation, "This appointment is at \(location.name.resolve(language)), \(location.address).",
                             extra: ["location": location.id, "locationName": location.name.resolve(language),
                                     "address": location.address, "appointmentStart": startText])
        }
        if civil.date(of: a.start) != civil.date(of: now) {
            throw LoketError(.notToday, "This appointment is not today but on \(startText).", extra: ["appointmentStart": startText])
        }
        let opens = a.start.addingTimeInterval(-Double(policy.checkInEarlyMinutes * 60))
        let closes = a.start.addingTimeInterval(Double(policy.checkInLateMinutes * 60))
        if now < opens {
            throw LoketError(.tooEarly, "Too early: check-in opens \(policy.checkInEarlyMinutes) minutes before your appointment at \(startText).",
                             extra: ["appointmentStart": startText, "checkInOpens": civil.iso8601(opens)])
        }
        if now > closes {
            throw LoketError(.tooLate, "Too late: check-in closed \(policy.checkInLateMinutes) minutes after your appointment at \(startText). Please ask at the desk.",
                             extra: ["appointmentStart": startText])
        }
        guard let serviceID = a.items.first?.service, let service = catalogue.service(serviceID) else {
            throw LoketError(.unknownService, "The service of this appointment is no longer offered; please ask at the desk.")
        }
        var draft = Draft(location: location.id)
        var ticket = try newTicket(ticketID, service: service, location: location, origin: .appointment, priority: false,
                                   now: now, draft: &draft, reading: reading, insert: false)
        ticket.appointmentReference = a.reference
        ticket.appointmentStart = a.start
        try draft.record(nil, ticket, self, reading)
        draft.changes.append(.appointmentStatus(reference: a.reference, status: .checkedIn, ticketID: ticket.id))
        draft.changes.append(.audit(AuditEntry(actor: actor, action: "appointment.checkin", subject: a.reference, detail: ticket.number)))
        return draft.outcome(ticket, self)
    }

    // MARK: counters

    /// Opens, pauses or closes `counter`; a pause keeps `reason` (shown to clerks), which any other state clears.
    ///
    /// - Throws: `illegal_transition` when closing while a citizen is called to or served at it.
    public func setState(_ state: CounterState, of counter: Counter, reason: String? = nil, by actor: Actor,
                         reading: some QueueReading) throws -> Outcome<CounterState> {
        var current = try reading.counterStates()[counter.id]?.current
        if state == .closed, let id = current, let t = try reading.ticket(id: id), [.called, .serving].contains(t.status) {
            throw LoketError(.illegalTransition, "Finish, transfer or mark ticket \(t.number) as no-show before closing the counter.")
        }
        if state == .closed { current = nil }
        return Outcome(state, changes: [
            .counter(id: counter.id, state: state, current: current),
            .pauseReason(counter: counter.id, reason: state == .paused ? reason : nil),
            .audit(AuditEntry(actor: actor, action: "counter.\(state.rawValue)", subject: counter.id)),
        ], events: [.counter(CounterUpdate(counter: counter, state: state))])
    }

    /// Calls the next citizen to `counter`, by the policy of `QueueSelector`; nil when nobody it serves waits.
    ///
    /// A citizen still called to or served at the counter is finished first.
    /// - Throws: `counter_closed` unless the counter is open.
    public func callNext(_ counter: Counter, by actor: Actor, now: Date, reading: some QueueReading) throws -> Outcome<Ticket?> {
        let state = try reading.counterStates()[counter.id]
        guard state?.state == .open else {
            throw LoketError(.counterClosed, "Open the counter before calling the next citizen.")
        }
        var draft = Draft(location: counter.location)
        try finishCurrent(state?.current, now: now, draft: &draft, reading: reading)
        guard let pick = QueueSelector.next(for: counter, waiting: try reading.waitingContenders(location: counter.location),
                                            catalogue: catalogue, policy: policy, now: now),
              let ticket = try reading.ticket(id: pick.id) else {
            draft.changes.append(.counter(id: counter.id, state: .open, current: nil))
            return draft.outcome(nil, self)
        }
        let called = try call(ticket, to: counter, now: now, draft: &draft, reading: reading)
        draft.changes.append(.audit(AuditEntry(actor: actor, action: "ticket.call", subject: called.number, detail: counter.id)))
        return draft.outcome(called, self)
    }

    /// Calls one ticket to `counter` out of order: a waiting ticket, or a parked one called back.
    ///
    /// `ticket` is the ticket's id or today's number at the counter's location (`A012`, any case).
    /// A citizen still called to or served at the counter is finished first, as `callNext` does.
    /// The audit log gets the clerk, the number, the counter and `reason` (the clerk's words, never the citizen's data).
    /// - Throws: `counter_closed` unless the counter is open; `not_found` for no such ticket at this
    ///   location; `illegal_transition` unless the ticket is waiting or parked.
    public func call(_ ticket: String, to counter: Counter, reason: String?, by actor: Actor, now: Date,
                     reading: some QueueReading) throws -> Outcome<Ticket> {
        let state = try reading.counterStates()[counter.id]
        guard state?.state == .open else {
            throw LoketError(.counterClosed, "Open the counter before calling a citizen.")
        }
        guard let location = catalogue.location(counter.location), let chosen = try find(ticket, at: location, now: now, reading: reading) else {
            throw LoketError(.notFound, "There is no ticket '\(ticket.prefix(64))' at this location today.")
        }
        _ = try TicketMachine.next(chosen.status, .call)
        var draft = Draft(location: counter.location)
        try finishCurrent(state?.current, now: now, draft: &draft, reading: reading)
        let called = try call(chosen, to: counter, now: now, draft: &draft, reading: reading)
        let why = reason.map { "\(counter.id); reason: \($0)" } ?? counter.id
        draft.changes.append(.audit(AuditEntry(actor: actor, action: "ticket.call-out-of-order", subject: called.number, detail: why)))
        return draft.outcome(called, self)
    }

    /// Records a visit served at `counter` without a ticket, so the statistics count it.
    ///
    /// It becomes a ticket row with origin `counter` and status `done` at once: numbered `~` plus
    /// the start of its id (no number is taken from the day's sequence), no wait or service time
    /// (the averages leave it out), no live event (no display or queue count changes).
    /// - Throws: `validation_failed` naming `service` when the service is not offered at the
    ///   counter's location, or `outcome` when it is not one of the service's outcomes.
    public func served(at counter: Counter, service: Service, outcome: String?, ticketID: String, by actor: Actor,
                       now: Date) throws -> Outcome<Ticket> {
        guard let location = catalogue.location(counter.location), service.locations.contains(location.id) else {
            throw LoketError(.invalid, "That service is not offered at this counter's location.", fields: ["service": "not offered here"])
        }
        try check(outcome, of: service)
        let day = CivilClock(timeZone: location.timeZone).date(of: now)
        let t = Ticket(id: ticketID, location: location.id, day: day, number: "~" + ticketID.prefix(8), service: service.id,
                       origin: .counter, status: .done, issuedAt: now, waitingSince: now, finishedAt: now, counter: counter.id,
                       outcome: outcome)
        return Outcome(t, changes: [
            .insertTicket(t),
            .audit(AuditEntry(actor: actor, action: "ticket.served-without-ticket", subject: counter.id,
                              detail: service.id + (outcome.map { "; outcome: \($0)" } ?? ""))),
        ])
    }

    /// Where a transfer sends a ticket: another service, a counter, or both.
    public struct TransferTarget: Sendable, Hashable {
        public var service: Service?
        public var counter: Counter?
        public init(service: Service?, counter: Counter?) {
            self.service = service
            self.counter = counter
        }
    }

    /// A clerk's action on ticket `id`: recall, start, finish (with an `outcome`), no-show, park or
    /// transfer (with `target`).
    ///
    /// A recall beyond the policy's `recallLimit` marks the ticket no-show. A transfer puts the
    /// ticket back in the queue keeping its waiting time. A park frees the counter; the ticket keeps
    /// its issue and waiting times and waits outside the queue until a clerk calls it with `call`.
    /// - Throws: `not_found`; `illegal_transition` when the ticket's status does not allow it;
    ///   `validation_failed` for a transfer to a service or counter of another location, or an
    ///   `outcome` that is not one of the service's outcomes.
    public func act(_ action: TicketAction, ticket id: String, transfer target: TransferTarget? = nil, outcome: String? = nil,
                    by actor: Actor, now: Date, reading: some QueueReading) throws -> Outcome<Ticket> {
        guard id.count <= 64, let before = try reading.ticket(id: id) else {
            throw LoketError(.notFound, "There is no ticket with this id.")
        }
        var draft = Draft(location: before.location)
        var t = before
        switch action {
        case .recall:
            if t.recalls >= policy.recallLimit {
                try markNoShow(&t, now: now, draft: &draft, reading: reading)
            } else {
                t.status = try TicketMachine.next(t.status, .recall)
                t.recalls += 1
                t.calledAt = now
                draft.events.append(.recalled(call(t)))
            }
        case .start:
            t.status = try TicketMachine.next(t.status, .start)
            t.startedAt = now
            if let ref = t.appointmentReference { draft.changes.append(.appointmentStatus(reference: ref, status: .serving, ticketID: nil)) }
        case .finish:
            if let outcome {
                guard let service = catalogue.service(t.service) else {
                    throw LoketError(.invalid, "This ticket's service has no outcomes.", fields: ["outcome": "no outcomes for this service"])
                }
                try check(outcome, of: service)
            }
            try finish(&t, now: now, draft: &draft)
            t.outcome = outcome
            try release(t, draft: &draft, reading: reading)
        case .park:
            t.status = try TicketMachine.next(t.status, .park)
            try release(t, draft: &draft, reading: reading)
            // Serving starts again when the citizen is back; issue and waiting times are kept.
            t.startedAt = nil
            if let ref = t.appointmentReference { draft.changes.append(.appointmentStatus(reference: ref, status: .checkedIn, ticketID: nil)) }
        case .noShow:
            try markNoShow(&t, now: now, draft: &draft, reading: reading)
        case .transfer:
            let status = try TicketMachine.next(t.status, .transfer)
            if let s = target?.service {
                guard s.locations.contains(t.location) else {
                    throw LoketError(.invalid, "That service is not offered at this location.", fields: ["service": "not offered here"])
                }
                t.service = s.id
            }
            if let c = target?.counter, c.location != t.location {
                throw LoketError(.invalid, "That counter is at another location.", fields: ["counter": "other location"])
            }
            try release(t, draft: &draft, reading: reading)
            t.status = status
            t.targetCounter = target?.counter?.id
            t.counter = nil
            t.calledAt = nil
            t.startedAt = nil
            // waitingSince is kept: the citizen does not lose their place in time.
        case .call, .cancel, .close:
            throw LoketError(.illegalTransition, "Use the counter's call-next or call for this.")
        }
        draft.changes.append(.audit(AuditEntry(actor: actor, action: "ticket.\(action.rawValue)", subject: t.number,
                                               detail: target?.service?.id ?? target?.counter?.id ?? outcome)))
        try draft.record(before, t, self, reading)
        return draft.outcome(t, self)
    }

    // MARK: the day

    /// Closes the tickets that earlier days left open at `location` (waiting, called, serving or parked),
    /// through the state machine, with the reason `day-ended`. The value says whether there were any.
    public func rollover(_ location: Location, now: Date, reading: some QueueReading) throws -> Outcome<Bool> {
        let today = CivilClock(timeZone: location.timeZone).date(of: now)
        let stale = try reading.staleTickets(location: location.id, before: today)
        guard !stale.isEmpty else { return Outcome(false) }
        var draft = Draft(location: location.id)
        for before in stale {
            var t = before
            t.status = try TicketMachine.next(t.status, .close)
            t.closeReason = "day-ended"
            t.finishedAt = now
            try release(before, draft: &draft, reading: reading)
            try draft.record(before, t, self, reading)
        }
        draft.changes.append(.audit(AuditEntry(actor: "system", action: "queue.rollover", subject: location.id,
                                               detail: "\(stale.count) tickets closed")))
        return draft.outcome(true, self)
    }

    // MARK: pieces

    /// A new ticket numbered in the day's sequence of the service's prefix; recorded in `draft` unless `insert` is false.
    private func newTicket(_ id: String, service: Service, location: Location, origin: TicketOrigin, priority: Bool, now: Date,
                           waitingSince: Date? = nil, draft: inout Draft, reading: some QueueReading, insert: Bool = true) throws -> Ticket {
        let day = CivilClock(timeZone: location.timeZone).date(of: now)
        let seq = try reading.lastTicketSequence(location: location.id, day: day, prefix: service.prefix) + 1
        draft.changes.append(.ticketSequence(location: location.id, day: day, prefix: service.prefix, last: seq))
        let t = Ticket(id: id, location: location.id, day: day, number: service.prefix + zeroPadded(seq, width: 3),
                       service: service.id, origin: origin, isPriority: priority, issuedAt: now, waitingSince: waitingSince ?? now)
        if insert { try draft.record(nil, t, self, reading) }
        return t
    }

    /// Finishes the ticket `id` that a counter shows, if a citizen is still called to or served at it.
    private func finishCurrent(_ id: String?, now: Date, draft: inout Draft, reading: some QueueReading) throws {
        guard let id, let current = try reading.ticket(id: id), [.called, .serving].contains(current.status) else { return }
        var done = current
        try finish(&done, now: now, draft: &draft)
        try draft.record(current, done, self, reading)
    }

    /// Calls `ticket` (waiting or parked) to `counter`: the counter shows it, the display chimes.
    private func call(_ ticket: Ticket, to counter: Counter, now: Date, draft: inout Draft,
                      reading: some QueueReading) throws -> Ticket {
        var called = ticket
        called.status = try TicketMachine.next(ticket.status, .call)
        called.calledAt = now
        called.counter = counter.id
        called.targetCounter = nil
        draft.changes.append(.counter(id: counter.id, state: .open, current: called.id))
        if let ref = called.appointmentReference {
            draft.changes.append(.appointmentStatus(reference: ref, status: .called, ticketID: nil))
        }
        draft.events.append(.called(call(called)))
        try draft.record(ticket, called, self, reading)
        return called
    }

    /// The ticket `text` names at `location`: its id, else today's number (any case).
    private func find(_ text: String, at location: Location, now: Date, reading: some QueueReading) throws -> Ticket? {
        let text = text.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty, text.count <= 64 else { return nil }
        if let t = try reading.ticket(id: text), t.location == location.id { return t }
        let day = CivilClock(timeZone: location.timeZone).date(of: now)
        return try reading.ticket(number: text.uppercased(), location: location.id, day: day)
    }

    /// Checks that `outcome` (when given) is one of `service`'s outcomes.
    ///
    /// - Throws: `validation_failed` naming `outcome`.
    private func check(_ outcome: String?, of service: Service) throws {
        guard let outcome else { return }
        guard service.outcomes.contains(where: { $0.id == outcome }) else {
            let known = service.outcomes.map(\.id)
            throw LoketError(.invalid, known.isEmpty ? "This service has no outcomes to choose from."
                                                     : "Unknown outcome; choose one of: \(known.joined(separator: ", ")).",
                             fields: ["outcome": known.isEmpty ? "this service has no outcomes" : "not one of this service's outcomes"])
        }
    }

    /// Ends a ticket as served and measures its service time; the caller releases its counter.
    private func finish(_ t: inout Ticket, now: Date, draft: inout Draft) throws {
        t.status = try TicketMachine.next(t.status, .finish)
        t.finishedAt = now
        if let started = t.startedAt ?? t.calledAt {
            draft.changes.append(.serviceTime(service: t.service, minutes: max(0.5, now.timeIntervalSince(started) / 60)))
        }
        if let ref = t.appointmentReference { draft.changes.append(.appointmentStatus(reference: ref, status: .done, ticketID: nil)) }
    }

    private func markNoShow(_ t: inout Ticket, now: Date, draft: inout Draft, reading: some QueueReading) throws {
        t.status = try TicketMachine.next(t.status, .noShow)
        t.finishedAt = now
        try release(t, draft: &draft, reading: reading)
        if let ref = t.appointmentReference { draft.changes.append(.appointmentStatus(reference: ref, status: .noShow, ticketID: nil)) }
    }

    /// Clears `t` from the counter that shows it as current.
    private func release(_ t: Ticket, draft: inout Draft, reading: some QueueReading) throws {
        guard let counter = t.counter, let state = try reading.counterStates()[counter], state.current == t.id else { return }
        draft.changes.append(.counter(id: counter, state: state.state, current: nil))
    }

    /// How the display shows `t`'s call.
    public func call(_ t: Ticket) -> Call {
        Call(ticket: t, counterName: t.counter.flatMap { catalogue.counter($0)?.name } ?? "",
             zone: catalogue.location(t.location)?.timeZone ?? .brussels)
    }

    /// The changes and events a use case collects, with the location's waiting counts kept up to date.
    private struct Draft {
        let location: String
        var changes: [Change] = []
        var events: [LiveEvent] = []
        /// Waiting per service, read on the first ticket change and then adjusted by each.
        var counts: [String: Int]?

        init(location: String) { self.location = location }

        /// Writes `after` (inserted when `before` is nil) and tells the ticket's page.
        mutating func record(_ before: Ticket?, _ after: Ticket, _ desk: QueueDesk, _ reading: some QueueReading) throws {
            changes.append(before == nil ? .insertTicket(after) : .updateTicket(after))
            if counts == nil {
                counts = Dictionary(try reading.waitingCounts(location: location).map { ($0.service, $0.waiting) },
                                    uniquingKeysWith: +)
            }
            if let before, before.status == .waiting { counts![before.service, default: 0] -= 1 }
            if after.status == .waiting { counts![after.service, default: 0] += 1 }
            events.append(.ticket(TicketUpdate(ticket: after, counterName: after.counter.flatMap { desk.catalogue.counter($0)?.name })))
        }

        /// The outcome, with one `queue` event when any ticket changed.
        func outcome<T>(_ value: T, _ desk: QueueDesk) -> Outcome<T> {
            var events = self.events
            if let counts {
                events.append(.queue(location: location, counts: QueueCounts(counts, catalogue: desk.catalogue,
                                                                             language: desk.catalogue.settings.defaultLanguage)))
            }
            return Outcome(value, changes: changes, events: events)
        }
    }
}
