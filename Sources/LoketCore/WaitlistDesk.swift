// The waitlist's use cases: join, read, leave, offer a freed slot, let an offer lapse, accept it.
//
// An entry asks for one service and a number of persons at one location on any day in a civil
// date range. While it is `waiting`, the server's round (`offer`) looks for the earliest free
// slot of that visit in the range (`SlotEngine.slots`, online channel, after lead time); the
// first entry in join order that fits gets it: the slot is held for it (a hold owned by the
// entry, which availability and every other booking count as taken) until `expiresAt`, and the
// entry becomes `offered`. Accepting books exactly that slot with the entry's own hold left out
// of the count; an offer left unanswered until `expiresAt` makes the entry `expired` and its hold
// ends. `booked`, `expired` and `left` are final.
//
// Like the other desks it takes `now`, a read view (`WaitlistReading`) and a command, and
// returns an `Outcome` or throws `LoketError`; events of kind `.waitlist` become mail.
import Foundation

/// Where a waitlist entry stands.
public enum WaitlistStatus: String, Sendable, Codable, CaseIterable {
    /// In line, without an offer.
    case waiting
    /// A slot is held for the entry until the offer's `expiresAt`.
    case offered
    /// The offer was accepted: an appointment was booked.
    case booked
    /// The offer lapsed, or the range passed without one.
    case expired
    /// The citizen left the waitlist.
    case left

    /// Waiting or offered: in line, and counted against the per-contact cap.
    public var isActive: Bool { self == .waiting || self == .offered }
}

/// A slot held for a waitlist entry.
public struct WaitlistOffer: Sendable, Hashable {
    public var start: Date
    public var end: Date
    /// When the hold ends unless accepted.
    public var expiresAt: Date

    public init(start: Date, end: Date, expiresAt: Date) {
        self.start = start
        self.end = end
        self.expiresAt = expiresAt
    }
}

/// One citizen's place on the waitlist.
public struct WaitlistEntry: Sendable, Hashable {
    /// Unguessable id, part of the citizen's link.
    public var id: String
    public var location: String
    public var service: String
    public var persons: Int
    /// First and last civil date (location's zone) the citizen can come.
    public var from: CivilDate
    public var to: CivilDate
    /// Personal data (nil once purged, or when not given).
    public var name: String?
    /// Personal data; empty once purged.
    public var email: String
    public var language: Language
    public var status: WaitlistStatus
    public var joinedAt: Date
    /// The open offer (status `offered`), or the accepted one (status `booked`).
    public var offer: WaitlistOffer?
    /// The reference of the appointment booked from the offer.
    public var appointment: String?

    public init(id: String, location: String, service: String, persons: Int, from: CivilDate, to: CivilDate, name: String?,
                email: String, language: Language, status: WaitlistStatus, joinedAt: Date, offer: WaitlistOffer? = nil,
                appointment: String? = nil) {
        self.id = id
        self.location = location
        self.service = service
        self.persons = persons
        self.from = from
        self.to = to
        self.name = name
        self.email = email
        self.language = language
        self.status = status
        self.joinedAt = joinedAt
        self.offer = offer
        self.appointment = appointment
    }
}

/// What the waitlist use cases read, besides what booking reads.
public protocol WaitlistReading: BookingReading {
    /// The entry `id` with the hash of its token.
    func waitlistEntry(id: String) throws -> (entry: WaitlistEntry, tokenHash: [UInt8])?
    /// Waiting or offered entries of one contact.
    func activeWaitlistCount(contactKey: String) throws -> Int
    /// Holds in force at `now` overlapping [from, to), except those owned by `owner`.
    func holds(location: String, from: Date, to: Date, now: Date, exceptOwner owner: String) throws -> [BookedInterval]
    /// Active entries of `service` at `location` that joined before `entry` (its place in line is this plus one).
    func waitlistAhead(of entry: WaitlistEntry) throws -> Int
}

/// A request to join, validated for form; the desk checks it against the rules.
public struct WaitlistJoin: Sendable {
    public var location: Location
    public var visit: VisitItem
    public var from: CivilDate
    public var to: CivilDate
    public var email: String
    public var name: String?
    public var language: Language
    /// Hash of the normalized e-mail address, for the cap on active entries.
    public var contactKey: String
    /// A fresh, unguessable id.
    public var id: String
    /// The hash of the entry's token.
    public var tokenHash: [UInt8]

    public init(location: Location, visit: VisitItem, from: CivilDate, to: CivilDate, email: String, name: String?,
                language: Language, contactKey: String, id: String, tokenHash: [UInt8]) {
        self.location = location
        self.visit = visit
        self.from = from
        self.to = to
        self.email = email
        self.name = name
        self.language = language
        self.contactKey = contactKey
        self.id = id
        self.tokenHash = tokenHash
    }
}

/// The waitlist rules over one catalogue.
public struct WaitlistDesk: Sendable {
    public let catalogue: Catalogue
    let booking: BookingDesk

    /// The least time an offer leaves to answer; a slot starting sooner is not offered.
    public static let minimumAnswerMinutes = 5

    public init(catalogue: Catalogue) {
        self.catalogue = catalogue
        self.booking = BookingDesk(catalogue: catalogue)
    }

    /// Puts a citizen in line.
    ///
    /// - Throws: `invalid_range` for a reversed, too long or past range or one beyond the horizon;
    ///   `waitlist_limit` when the contact already has `waitlist.maxPerContact` active entries.
    public func join(_ r: WaitlistJoin, now: Date, reading: some WaitlistReading) throws -> Outcome<WaitlistEntry> {
        let range = try booking.range(from: r.from, to: r.to, visit: [r.visit], at: r.location, now: now)
        let today = CivilClock(timeZone: r.location.timeZone).date(of: now)
        guard range.upperBound >= today else {
            throw LoketError(.invalidRange, "The range lies in the past.", fields: ["to": "in the past"])
        }
        let limit = catalogue.settings.waitlist.maxPerContact
        guard try reading.activeWaitlistCount(contactKey: r.contactKey) < limit else {
            throw LoketError(.waitlistLimit, "This e-mail address is already on the waitlist \(limit) times; leave one first.")
        }
        let entry = WaitlistEntry(id: r.id, location: r.location.id, service: r.visit.service.id, persons: r.visit.persons,
                                  from: range.lowerBound, to: range.upperBound, name: r.name, email: r.email,
                                  language: r.language, status: .waiting, joinedAt: now)
        return Outcome(entry, changes: [
            .insertWaitlistEntry(entry, tokenHash: r.tokenHash, contactKey: r.contactKey),
            .audit(AuditEntry(actor: "citizen", action: "waitlist.join", subject: entry.id)),
        ], events: [.waitlist(WaitlistUpdate(.joined, id: entry.id))])
    }

    /// The entry `id` if `tokenHash` is its token's; the same `not_found` otherwise.
    public func own(id: String, tokenHash: [UInt8]?, reading: some WaitlistReading) throws -> WaitlistEntry {
        let notFound = LoketError(.notFound, "No waitlist entry with this id and token.")
        guard let tokenHash, !id.isEmpty, id.count <= 64 else { throw notFound }
        guard let row = try reading.waitlistEntry(id: id) else {
            _ = constantTimeEqual(tokenHash, tokenHash)
            throw notFound
        }
        guard constantTimeEqual(row.tokenHash, tokenHash) else { throw notFound }
        return row.entry
    }

    /// Leaves the waitlist; an offered slot is released at once. Leaving twice, or after the entry
    /// ended, answers the entry as it is.
    /// - Throws: `not_found` (see `own`).
    public func leave(id: String, tokenHash: [UInt8]?, now: Date, reading: some WaitlistReading) throws -> Outcome<WaitlistEntry> {
        var entry = try own(id: id, tokenHash: tokenHash, reading: reading)
        guard entry.status.isActive else { return Outcome(entry) }
        entry.status = .left
        entry.offer = nil
        return Outcome(entry, changes: [
            .releaseHolds(owner: entry.id),
            .waitlistStatus(id: entry.id, status: .left, offer: nil, appointment: nil),
            .audit(AuditEntry(actor: "citizen", action: "waitlist.leave", subject: entry.id)),
        ])
    }

    /// Ends the offer of entry `id` when it has lapsed at `now`: the entry expires and its hold ends.
    /// Nil (and no change) when there is nothing to expire.
    public func expire(id: String, now: Date, reading: some WaitlistReading) throws -> Outcome<WaitlistEntry?> {
        guard var entry = try reading.waitlistEntry(id: id)?.entry, entry.status == .offered,
              let offer = entry.offer, offer.expiresAt <= now else { return Outcome(nil) }
        entry.status = .expired
        return Outcome(entry, changes: [
            .releaseHolds(owner: entry.id),
            .waitlistStatus(id: entry.id, status: .expired, offer: offer, appointment: nil),
            .audit(AuditEntry(actor: "system", action: "waitlist.expire", subject: entry.id)),
        ], events: [.waitlist(WaitlistUpdate(.expired, id: entry.id))])
    }

    /// Offers entry `id` the earliest free slot in its range, held for `waitlist.holdMinutes`, but
    /// never past the moment the slot stops being bookable (its start minus the lead time); a slot
    /// that leaves less than `minimumAnswerMinutes` to answer is not offered.
    ///
    /// Nil without changes when the entry is not waiting or no slot is free; an entry whose range
    /// has passed expires (without mail: nothing was offered).
    public func offer(id: String, now: Date, reading: some WaitlistReading) throws -> Outcome<WaitlistOffer?> {
        guard let entry = try reading.waitlistEntry(id: id)?.entry, entry.status == .waiting,
              let configured = catalogue.location(entry.location) else { return Outcome(nil) }
        let civil = CivilClock(timeZone: configured.timeZone)
        let today = civil.date(of: now)
        guard entry.to >= today, let service = catalogue.service(entry.service) else {
            return Outcome(nil, changes: [
                .waitlistStatus(id: entry.id, status: .expired, offer: nil, appointment: nil),
                .audit(AuditEntry(actor: "system", action: "waitlist.expire", subject: entry.id, detail: "range passed")),
            ])
        }
        let visit = [VisitItem(service: service, persons: entry.persons)]
        let first = max(entry.from, today)
        let from = civil.startOfDay(first), to = civil.startOfDay(entry.to.adding(days: 1))
        // Runtime closures and fewer desks count: a closed morning is never offered.
        let location = configured.with(limits: try reading.deskLimits(location: configured.id, from: from, to: to))
        let booked = try reading.bookedIntervals(location: location.id, from: from, to: to, excluding: nil)
        let held = try reading.holds(location: location.id, from: from, to: to, now: now)
        let lead = Double((service.leadMinutes ?? location.booking.leadMinutes) * 60)
        let hold = now.addingTimeInterval(Double(catalogue.settings.waitlist.holdMinutes * 60))
        guard let slot = SlotEngine.slots(location: location, items: visit, from: first, to: entry.to, booked: booked,
                                          held: held, channel: .online, now: now)
            .first(where: { min(hold, $0.start.addingTimeInterval(-lead)).timeIntervalSince(now) >= Double(WaitlistDesk.minimumAnswerMinutes * 60) })
        else { return Outcome(nil) }
        let offer = WaitlistOffer(start: slot.start, end: slot.end, expiresAt: min(hold, slot.start.addingTimeInterval(-lead)))
        return Outcome(offer, changes: [
            .waitlistHold(owner: entry.id, location: location.id, group: service.group, start: slot.start, end: slot.end,
                          until: offer.expiresAt),
            .waitlistStatus(id: entry.id, status: .offered, offer: offer, appointment: nil),
            .audit(AuditEntry(actor: "system", action: "waitlist.offer", subject: entry.id)),
        ], events: [.waitlist(WaitlistUpdate(.offer, id: entry.id))])
    }

    /// Books the offered slot: exactly the held one, once, counting every appointment and hold but the entry's own.
    ///
    /// `prepare` makes the booking command from the entry, its location and visit (the random parts
    /// come from the caller).
    /// - Throws: `not_found` (see `own`); `offer_expired` when there is no open offer (lapsed, or none yet);
    ///   `illegal_transition` once booked or left; `validation_failed` when `start` is not the offered slot;
    ///   as `BookingDesk.book` otherwise (e.g. `contact_limit`).
    public func accept(id: String, tokenHash: [UInt8]?, start: Date, now: Date, reading: some WaitlistReading,
                       prepare: (WaitlistEntry, Location, [VisitItem]) -> BookingRequest) throws -> Outcome<Appointment> {
        let entry = try own(id: id, tokenHash: tokenHash, reading: reading)
        switch entry.status {
        case .booked, .left:
            throw LoketError(.illegalTransition, "This waitlist entry is \(entry.status.rawValue); there is nothing to accept.")
        case .waiting:
            throw LoketError(.offerExpired, "There is no open offer for this entry (yet).")
        case .expired:
            throw LoketError(.offerExpired, "The offer has lapsed; the slot went to the next in line.")
        case .offered:
            break
        }
        guard let offer = entry.offer, offer.expiresAt > now else {
            throw LoketError(.offerExpired, "The offer has lapsed; the slot went to the next in line.")
        }
        guard start == offer.start else {
            throw LoketError(.invalid, "Accept the offered slot, or leave the waitlist.", fields: ["start": "is not the offered slot"])
        }
        guard let location = catalogue.location(entry.location), let service = catalogue.service(entry.service) else {
            throw LoketError(.offerExpired, "The offered service or location no longer exists.")
        }
        var request = prepare(entry, location, [VisitItem(service: service, persons: entry.persons)])
        request.start = offer.start
        let booked = try booking.book(request, now: now, reading: OwnHoldLeftOut(base: reading, owner: entry.id))
        var changes = booked.changes
        changes += [
            .releaseHolds(owner: entry.id),
            .waitlistStatus(id: entry.id, status: .booked, offer: offer, appointment: booked.value.reference),
            .audit(AuditEntry(actor: "citizen", action: "waitlist.accept", subject: entry.id, detail: booked.value.reference)),
        ]
        return Outcome(booked.value, changes: changes, events: booked.events)
    }
}

/// A booking view in which one entry's own hold does not count (its accept books that very slot).
struct OwnHoldLeftOut<Base: WaitlistReading>: BookingReading {
    let base: Base
    let owner: String

    func bookedIntervals(location: String, from: Date, to: Date, excluding reference: String?) throws -> [BookedInterval] {
        try base.bookedIntervals(location: location, from: from, to: to, excluding: reference)
    }

    func holds(location: String, from: Date, to: Date, now: Date) throws -> [BookedInterval] {
        try base.holds(location: location, from: from, to: to, now: now, exceptOwner: owner)
    }

    func deskLimits(location: String, from: Date, to: Date) throws -> [DeskLimit] {
        try base.deskLimits(location: location, from: from, to: to)
    }

    func activeAppointmentCount(contactKey: String, now: Date) throws -> Int {
        try base.activeAppointmentCount(contactKey: contactKey, now: now)
    }

    func appointment(reference: String) throws -> (appointment: Appointment, tokenHash: [UInt8], group: String?)? {
        try base.appointment(reference: reference)
    }
}

/// What happened to a waitlist entry, for mail (no stream: it carries no personal data, but no display hears it).
public struct WaitlistUpdate: Sendable, Hashable, Encodable {
    public enum Change: String, Sendable, Hashable, Encodable {
        /// The citizen joined: the confirmation with the leave link.
        case joined
        /// A slot is held: the offer.
        case offer
        /// The offer lapsed.
        case expired
    }

    public var change: Change
    /// The entry's id.
    public var id: String

    public init(_ change: Change, id: String) {
        self.change = change
        self.id = id
    }
}
