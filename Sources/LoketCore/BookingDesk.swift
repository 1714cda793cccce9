// The booking's use cases: what a visit may contain, which date ranges may be asked for, and
// book, read, move and cancel an appointment.
//
// Like the queue's use cases they take `now`, a read-only view of the stored state
// (`BookingReading`, read inside the write transaction the changes go into) and a command, and
// return an `Outcome` or throw a `LoketError`. Capacity is decided by `SlotEngine.check` over
// the appointments and holds overlapping the visit, read in that same transaction, so concurrent
// requests never overbook. Random parts (reference candidates, the manage token's hash) come with
// the command.
import Foundation

/// What the booking use cases read; the store's connection provides it inside a transaction.
public protocol BookingReading: LimitReading {
    /// Appointments holding capacity at `location` that overlap [from, to), except `reference`.
    func bookedIntervals(location: String, from: Date, to: Date, excluding reference: String?) throws -> [BookedInterval]
    /// Cooldown holds in force at `now` overlapping [from, to).
    func holds(location: String, from: Date, to: Date, now: Date) throws -> [BookedInterval]
    /// Booked, not yet ended appointments of one contact.
    func activeAppointmentCount(contactKey: String, now: Date) throws -> Int
    /// The appointment with `reference`, its manage token's hash and its capacity group.
    func appointment(reference: String) throws -> (appointment: Appointment, tokenHash: [UInt8], group: String?)?
    /// Whether an appointment with `reference` exists (a candidate for a new one is then taken).
    func referenceTaken(_ reference: String) throws -> Bool
}

extension BookingReading {
    public func referenceTaken(_ reference: String) throws -> Bool { try appointment(reference: reference) != nil }
}

/// A request for a new appointment, validated for form; the desk checks it against the rules.
public struct BookingRequest: Sendable {
    public var location: Location
    public var visit: [VisitItem]
    public var start: Date
    public var name: String
    public var email: String?
    public var phone: String?
    public var language: Language
    public var channel: BookingChannel
    /// Hash of the normalized contact, for the cap on active appointments; nil without contact.
    public var contactKey: String?
    /// The hash of the manage token the citizen gets for a reference.
    public var tokenHash: @Sendable (String) -> [UInt8]
    /// Fresh reference codes to try in order; the first one not yet used is taken.
    public var referenceCandidates: [String]
    /// A fresh room name, used when the location is a video desk.
    public var meetingRoom: String?

    public init(location: Location, visit: [VisitItem], start: Date, name: String, email: String?, phone: String?,
                language: Language, channel: BookingChannel, contactKey: String?, tokenHash: @escaping @Sendable (String) -> [UInt8],
                referenceCandidates: [String], meetingRoom: String? = nil) {
        self.location = location
        self.visit = visit
        self.start = start
        self.name = name
        self.email = email
        self.phone = phone
        self.language = language
        self.channel = channel
        self.contactKey = contactKey
        self.tokenHash = tokenHash
        self.referenceCandidates = referenceCandidates
        self.meetingRoom = meetingRoom
    }
}

/// The booking rules over one catalogue.
public struct BookingDesk: Sendable {
    public let catalogue: Catalogue
    /// Most services one visit may combine.
    public static let maxItems = 10
    /// Longest availability range one request may ask for, in days.
    public static let maxRangeDays = 62
    /// Days shown when a request gives no end date.
    public static let defaultRangeDays = 14

    public init(catalogue: Catalogue) { self.catalogue = catalogue }

    /// The visit asked for: services with their persons, each offered by appointment at `location`.
    ///
    /// `fieldPrefix` names the fields in errors: `nil` for the single `service`/`persons` form,
    /// `items` for a list.
    /// - Throws: `validation_failed` (empty, too many, not offered here, not bookable, persons out of range);
    ///   `unknown_service`.
    public func visit(_ items: [(service: String, persons: Int?)], asList: Bool, at location: Location) throws -> [VisitItem] {
        guard !items.isEmpty else {
            throw LoketError(.invalid, "Say which service (or items) you want.", fields: ["service": "is required"])
        }
        guard items.count <= BookingDesk.maxItems else {
            throw LoketError(.invalid, "At most \(BookingDesk.maxItems) services per visit.", fields: ["items": "too many"])
        }
        var result: [VisitItem] = []
        for (i, item) in items.enumerated() {
            let field = asList ? "items[\(i)]" : "service"
            guard !item.service.isEmpty else {
                throw LoketError(.invalid, "Say which service.", fields: [field: "is required"])
            }
            guard let s = catalogue.service(item.service) else {
                throw LoketError(.unknownService, "There is no service '\(item.service.prefix(60))'.")
            }
            guard s.locations.contains(location.id) else {
                throw LoketError(.invalid, "'\(s.name.resolve(.nl))' is not offered at this location.",
                                 fields: ["location": "does not offer \(s.id)"])
            }
            guard s.channels.contains(.appointment) else {
                throw LoketError(.invalid, "'\(s.name.resolve(.nl))' is not available by appointment; take a ticket at the kiosk.",
                                 fields: [field: "not bookable"])
            }
            let p = item.persons ?? 1
            guard (1...s.maxPersons).contains(p) else {
                throw LoketError(.invalid, "Persons must be between 1 and \(s.maxPersons) for this service.",
                                 fields: [asList ? "items[\(i)].persons" : "persons": "must be 1...\(s.maxPersons)"])
            }
            result.append(VisitItem(service: s, persons: p))
        }
        return result
    }

    /// The civil dates to list free slots for: `from` defaults to today, `to` to two weeks on.
    ///
    /// - Throws: `invalid_range` when `to` is before `from`, the range is longer than `maxRangeDays`,
    ///   or `from` lies beyond the booking horizon of the visit's first service.
    public func range(from: CivilDate?, to: CivilDate?, visit: [VisitItem], at location: Location,
                      now: Date) throws -> ClosedRange<CivilDate> {
        let today = CivilClock(timeZone: location.timeZone).date(of: now)
        let first = from ?? today
        let last = to ?? first.adding(days: BookingDesk.defaultRangeDays - 1)
        guard first <= last else {
            throw LoketError(.invalidRange, "`to` is before `from`.", fields: ["to": "must not be before from"])
        }
        guard last.dayNumber - first.dayNumber < BookingDesk.maxRangeDays else {
            throw LoketError(.invalidRange, "Ask for at most \(BookingDesk.maxRangeDays) days at once.", fields: ["to": "range too long"])
        }
        if let service = visit.first?.service {
            let horizon = SlotEngine.horizonDays(for: service, at: location)
            guard first.dayNumber <= today.dayNumber + horizon + 1 else {
                throw LoketError(.invalidRange, "Appointments can be booked at most \(horizon) days ahead.",
                                 fields: ["from": "beyond the horizon"])
            }
        }
        return first...last
    }

    /// Books the visit at the requested start.
    ///
    /// - Throws: `contact_limit` when an online booker already holds `maxActivePerContact` appointments;
    ///   `validation_failed` for a start in the past, beyond the horizon or off the grid;
    ///   `slot_unavailable` when no desk is free for the whole visit; `references_exhausted` when
    ///   every candidate reference is taken.
    public func book(_ r: BookingRequest, now: Date, reading: some BookingReading) throws -> Outcome<Appointment> {
        let limit = catalogue.settings.maxActivePerContact
        if r.channel == .online, let key = r.contactKey, try reading.activeAppointmentCount(contactKey: key, now: now) >= limit {
            throw LoketError(.contactLimit, "This contact already has \(limit) appointments booked; cancel one first.")
        }
        let slot = try checkSlot(r.start, visit: r.visit, at: r.location, channel: r.channel, excluding: nil, now: now, reading: reading)
        guard let reference = try r.referenceCandidates.first(where: { try !reading.referenceTaken($0) }) else {
            throw LoketError(.referencesExhausted, "Could not draw a free reference; please try again.")
        }
        let a = Appointment(reference: reference, location: r.location.id,
                            items: r.visit.map { Appointment.Item(service: $0.service.id, persons: $0.persons) },
                            start: slot.start, end: slot.end, status: .booked, name: r.name, email: r.email, phone: r.phone,
                            language: r.language, channel: r.channel, createdAt: now,
                            meetingRoom: r.location.kind == .remote ? r.meetingRoom : nil)
        let by = r.channel == .staff ? "staff" : "citizen"
        return Outcome(a, changes: [
            .insertAppointment(a, tokenHash: r.tokenHash(a.reference), group: r.visit.first?.service.group, contactKey: r.contactKey),
            .audit(AuditEntry(actor: by, action: "appointment.book", subject: a.reference)),
        ], events: [.appointment(AppointmentUpdate(.booked, a, by: by))])
    }

    /// The appointment `reference` if `tokenHash` is its manage token's; the same `not_found` otherwise,
    /// so that references cannot be probed without the token.
    public func own(reference text: String, tokenHash: [UInt8]?, reading: some BookingReading) throws -> (appointment: Appointment, group: String?) {
        let notFound = LoketError(.notFound, "No appointment with this reference and token.")
        guard let reference = ReferenceCode.normalize(text), let tokenHash else { throw notFound }
        guard let row = try reading.appointment(reference: reference) else {
            _ = constantTimeEqual(tokenHash, tokenHash)
            throw notFound
        }
        guard constantTimeEqual(row.tokenHash, tokenHash) else { throw notFound }
        return (row.appointment, row.group)
    }

    /// Cancels an own appointment; cancelling twice answers the cancelled appointment again.
    ///
    /// A future slot is held back for the location's `cancelCooldownMinutes`, so bots watching for
    /// freed slots do not get it the same second.
    /// - Throws: `not_found` (see `own`); `illegal_transition` once the visit has begun or ended.
    public func cancel(reference: String, tokenHash: [UInt8]?, now: Date, reading: some BookingReading) throws -> Outcome<Appointment> {
        var (a, group) = try own(reference: reference, tokenHash: tokenHash, reading: reading)
        switch a.status {
        case .cancelled:
            return Outcome(a)
        case .booked:
            a.status = .cancelled
            a.revision += 1
            var changes: [Change] = [.appointmentStatus(reference: a.reference, status: .cancelled, ticketID: nil)]
            let cooldown = catalogue.location(a.location)?.booking.cancelCooldownMinutes ?? 0
            if cooldown > 0, a.start > now {
                changes.append(.hold(location: a.location, group: group, start: a.start, end: a.end, channel: a.channel,
                                     until: now.addingTimeInterval(Double(cooldown * 60))))
            }
            changes.append(.audit(AuditEntry(actor: "citizen", action: "appointment.cancel", subject: a.reference)))
            return Outcome(a, changes: changes, events: [.appointment(AppointmentUpdate(.cancelled, a, by: "citizen"))])
        default:
            throw LoketError(.illegalTransition, "This appointment is already \(a.status.rawValue) and can no longer be cancelled.")
        }
    }

    /// Moves an own, booked appointment to `start`; the old slot is kept when the new one is not free.
    ///
    /// - Throws: `not_found` (see `own`); `illegal_transition` unless booked; as `book` for the new slot.
    public func reschedule(reference: String, tokenHash: [UInt8]?, to start: Date, now: Date,
                           reading: some BookingReading) throws -> Outcome<Appointment> {
        var (a, _) = try own(reference: reference, tokenHash: tokenHash, reading: reading)
        guard a.status == .booked else {
            throw LoketError(.illegalTransition, "Only a booked appointment can be moved; this one is \(a.status.rawValue).")
        }
        guard let location = catalogue.location(a.location) else {
            throw LoketError(.unknownLocation, "The location of this appointment no longer exists.")
        }
        let visit = try a.items.map { item -> VisitItem in
            guard let s = catalogue.service(item.service) else {
                throw LoketError(.unknownService, "There is no service '\(item.service.prefix(60))'.")
            }
            return VisitItem(service: s, persons: item.persons)
        }
        let slot = try checkSlot(start, visit: visit, at: location, channel: a.channel, excluding: a.reference, now: now, reading: reading)
        let previous = a.start
        a.start = slot.start
        a.end = slot.end
        a.revision += 1
        return Outcome(a, changes: [
            .moveAppointment(reference: a.reference, start: slot.start, end: slot.end),
            .audit(AuditEntry(actor: "citizen", action: "appointment.reschedule", subject: a.reference)),
        ], events: [.appointment(AppointmentUpdate(.moved, a, previousStart: previous, by: "citizen"))])
    }

    /// The slot at `start` if the whole visit fits, counting the appointments and holds that overlap it.
    ///
    /// Only those overlapping the visit's own span are read (`SlotEngine.checkedSpan`), not the
    /// whole day's: on a busy day that was hundreds of rows per booking, and the answer is the same.
    private func checkSlot(_ start: Date, visit: [VisitItem], at location: Location, channel: BookingChannel,
                           excluding: String?, now: Date, reading: some BookingReading) throws -> Slot {
        let civil = CivilClock(timeZone: location.timeZone)
        let day = civil.date(of: start)
        let from = civil.startOfDay(day), to = civil.startOfDay(day.adding(days: 1))
        // Runtime closures, read in this transaction, so a booking and a closure never race.
        let location = location.with(limits: try reading.deskLimits(location: location.id, from: from, to: to))
        let span = SlotEngine.checkedSpan(start: start, items: visit)
        let booked = try reading.bookedIntervals(location: location.id, from: span.from, to: span.to, excluding: excluding)
        let held = try reading.holds(location: location.id, from: span.from, to: span.to, now: now)
        return try SlotEngine.check(start: start, location: location, items: visit, booked: booked, held: held,
                                    channel: channel, now: now)
    }
}

/// Compares two byte strings in time that depends only on their length.
public func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var diff: UInt8 = 0
    for i in 0..<a.count { diff |= a[i] ^ b[i] }
    return diff == 0
}
