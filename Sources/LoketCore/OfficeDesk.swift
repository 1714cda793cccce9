// The office at runtime: close a location, or run it with fewer desks, between two instants;
// list what that would do (a dry run); lift it again.
//
// Like the other desks it takes `now`, a read view (`ClosureReading`, read inside the write
// transaction the changes go into, so a closure and a booking never race) and a command, and
// returns an `Outcome` or throws a `LoketError`. Which appointments a closure affects is the slot
// engine's own capacity sweep (`SlotEngine.overflow`) over the calendar with the new limit, not a
// date filter: reducing 2 desks to 1 affects only the appointments booked last where two overlap.
// Nothing is overbooked silently: the admin chooses `cancel` (the citizens get the office's
// cancellation mail through the outbox) or `keep` (written in the audit log with the admin's name).
import Foundation

/// What happens to the appointments a closure no longer has room for.
public enum AffectedChoice: String, Sendable, Hashable, Codable, CaseIterable {
    /// Each is cancelled by the office; the citizen gets a mail with a link to book again.
    case cancel
    /// They stay booked, above the remaining capacity; the audit log says who chose this.
    case keep
}

/// A stored runtime closure: the limit, who made it, and whether it was lifted.
public struct ClosureRecord: Sendable, Hashable {
    /// The limit itself.
    public var limit: DeskLimit
    /// When it was made.
    public var createdAt: Date
    /// The admin token's name.
    public var createdBy: String
    /// What the admin chose for the affected appointments; nil when none were affected and none was given.
    public var affected: AffectedChoice?
    /// When it was lifted; nil while in force.
    public var liftedAt: Date?
    /// Who lifted it.
    public var liftedBy: String?

    /// Makes a record.
    public init(limit: DeskLimit, createdAt: Date, createdBy: String, affected: AffectedChoice?, liftedAt: Date? = nil,
                liftedBy: String? = nil) {
        self.limit = limit
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.affected = affected
        self.liftedAt = liftedAt
        self.liftedBy = liftedBy
    }
}

/// What the closure use cases read; the store's connection provides it inside a transaction.
public protocol ClosureReading: LimitReading {
    /// Booked appointments at `location` overlapping `[from, to)`, with their booking order.
    func heldAppointments(location: String, from: Date, to: Date) throws -> [HeldAppointment]
    /// A stored closure, lifted or not.
    func closure(id: String) throws -> ClosureRecord?
    /// An appointment by its reference.
    func appointment(withReference reference: String) throws -> Appointment?
}

/// A request to close a location or reduce its desks, validated for form by the handler.
public struct ClosureRequest: Sendable {
    public var location: Location
    public var from: Date
    public var to: Date
    /// Desks left; 0 (the default) closes the location.
    public var desks: Int
    public var reason: LocalizedText?
    /// The admin's choice for affected appointments; required when there are some.
    public var affected: AffectedChoice?
    /// A fresh id for the closure.
    public var id: String
    /// The admin token's name.
    public var by: Actor

    public init(location: Location, from: Date, to: Date, desks: Int = 0, reason: LocalizedText? = nil,
                affected: AffectedChoice? = nil, id: String, by: Actor) {
        self.location = location
        self.from = from
        self.to = to
        self.desks = desks
        self.reason = reason
        self.affected = affected
        self.id = id
        self.by = by
    }
}

/// What applying a closure did.
public struct ClosureResult: Sendable, Hashable {
    /// The stored closure.
    public var record: ClosureRecord
    /// References cancelled by the office, in start order.
    public var cancelled: [String]
    /// References kept above capacity, in start order.
    public var kept: [String]
}

/// The runtime-closure rules over one catalogue.
public struct OfficeDesk: Sendable {
    public let catalogue: Catalogue
    /// Longest closure, in days (a longer one belongs in the config).
    public static let maxDays = 62

    public init(catalogue: Catalogue) { self.catalogue = catalogue }

    /// The appointments the closure would no longer have room for, in start order (the dry run).
    ///
    /// - Throws: `invalid_range` when `from` is not before `to`, the closure is longer than `maxDays`
    ///   or already over; `validation_failed` for desks below 0 or above the location's most desks;
    ///   `closure_overlap` (with `closure`) when it overlaps another closure of the location.
    public func affected(_ r: ClosureRequest, now: Date, reading: some ClosureReading) throws -> [HeldAppointment] {
        let limit = try validate(r, now: now)
        let existing = try reading.deskLimits(location: r.location.id, from: limit.from, to: limit.to)
        if let other = existing.first(where: { $0.from < limit.to && limit.from < $0.to }) {
            let civil = CivilClock(timeZone: r.location.timeZone)
            throw LoketError(.closureOverlap,
                             "This overlaps closure \(other.id) (\(civil.iso8601(other.from)) to \(civil.iso8601(other.to))); lift or change that one first.",
                             extra: ["closure": other.id])
        }
        let civil = CivilClock(timeZone: r.location.timeZone)
        let dayStart = civil.startOfDay(civil.date(of: limit.from))
        let dayEnd = civil.startOfDay(civil.date(of: limit.to).adding(days: 1))
        // Whole days, so the runs the closure cuts are seen whole; what has ended no longer matters.
        let held = try reading.heldAppointments(location: r.location.id, from: max(dayStart, now), to: dayEnd)
        guard !held.isEmpty else { return [] }
        let limits = try reading.deskLimits(location: r.location.id, from: dayStart, to: dayEnd) + [limit]
        return SlotEngine.overflow(location: r.location.with(limits: limits), appointments: held)
            .filter { $0.start < limit.to && limit.from < $0.end }
    }

    /// Stores the closure; the affected appointments are cancelled or kept as the admin chose.
    ///
    /// - Throws: as `affected`; `affected_choice_required` when some are affected and no choice was given.
    public func close(_ r: ClosureRequest, now: Date, reading: some ClosureReading) throws -> Outcome<ClosureResult> {
        let affected = try affected(r, now: now, reading: reading)
        if !affected.isEmpty && r.affected == nil {
            throw LoketError(.affectedChoiceRequired,
                             "\(affected.count) appointment(s) no longer fit; say \"affected\": \"cancel\" or \"keep\".",
                             extra: ["count": "\(affected.count)"])
        }
        let limit = try validate(r, now: now)
        let record = ClosureRecord(limit: limit, createdAt: now, createdBy: r.by, affected: r.affected)
        let zone = r.location.timeZone
        var changes: [Change] = [
            .insertClosure(record),
            .audit(AuditEntry(actor: r.by, action: "closure.add", subject: limit.id,
                              detail: "\(limit.location) \(CivilClock(timeZone: zone).iso8601(limit.from)) to \(CivilClock(timeZone: zone).iso8601(limit.to)), desks \(limit.desks)")),
        ]
        var events: [LiveEvent] = [.closure(ClosureNotice(.added, record, zone: zone))]
        var cancelled: [String] = [], kept: [String] = []
        if !affected.isEmpty, r.affected == .cancel {
            for held in affected {
                guard var a = try reading.appointment(withReference: held.reference), a.status == .booked else { continue }
                a.status = .cancelled
                a.revision += 1
                changes.append(.appointmentStatus(reference: a.reference, status: .cancelled, ticketID: nil))
                changes.append(.audit(AuditEntry(actor: r.by, action: "appointment.cancel", subject: a.reference,
                                                 detail: "closure \(limit.id)")))
                events.append(.appointment(AppointmentUpdate(.cancelled, a, by: "office", reason: limit.reason)))
                cancelled.append(a.reference)
            }
        } else if !affected.isEmpty {
            kept = affected.map(\.reference)
            changes.append(.audit(AuditEntry(actor: r.by, action: "closure.keep", subject: limit.id,
                                             detail: "kept above capacity: " + kept.joined(separator: ", "))))
        }
        return Outcome(ClosureResult(record: record, cancelled: cancelled, kept: kept), changes: changes, events: events)
    }

    /// Lifts closure `id`; lifting a lifted closure answers it again and changes nothing.
    ///
    /// - Throws: `not_found` for an unknown id.
    public func lift(id: String, by actor: Actor, now: Date, reading: some ClosureReading) throws -> Outcome<ClosureRecord> {
        guard var record = try reading.closure(id: id) else {
            throw LoketError(.notFound, "There is no closure with this id.")
        }
        if record.liftedAt != nil { return Outcome(record) }
        record.liftedAt = now
        record.liftedBy = actor
        let zone = catalogue.location(record.limit.location)?.timeZone ?? .brussels
        return Outcome(record, changes: [
            .liftClosure(id: id, by: actor),
            .audit(AuditEntry(actor: actor, action: "closure.lift", subject: id)),
        ], events: [.closure(ClosureNotice(.lifted, record, zone: zone))])
    }

    /// The limit the request asks for, checked against the rules.
    private func validate(_ r: ClosureRequest, now: Date) throws -> DeskLimit {
        guard r.from < r.to else {
            throw LoketError(.invalidRange, "`from` must be before `to`.", fields: ["to": "must be after from"])
        }
        guard r.to.timeIntervalSince(r.from) <= Double(OfficeDesk.maxDays * 86_400) else {
            throw LoketError(.invalidRange, "A closure lasts at most \(OfficeDesk.maxDays) days; change the config for longer.",
                             fields: ["to": "at most \(OfficeDesk.maxDays) days after from"])
        }
        guard r.to > now else {
            throw LoketError(.invalidRange, "This closure would be over already.", fields: ["to": "is in the past"])
        }
        let most = OpeningCalendar(location: r.location).mostDesks(from: r.from, to: r.to)
        guard r.desks >= 0, r.desks <= most else {
            throw LoketError(.invalid, "Desks must be between 0 and \(most), the most this location has.",
                             fields: ["desks": "must be between 0 and \(most)"])
        }
        return DeskLimit(id: r.id, location: r.location.id, from: r.from, to: r.to, desks: r.desks, reason: r.reason)
    }
}
