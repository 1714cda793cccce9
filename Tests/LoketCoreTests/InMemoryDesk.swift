// The stored state of one municipality in plain dictionaries: the read view the use cases decide
// on (`QueueReading`, `BookingReading`), and `apply` for the changes they return. The use-case
// tests run on it without SQLite or HTTP, and compare it with what the events said.
import Foundation
@testable import LoketCore

final class InMemoryDesk: QueueReading, BookingReading, ClosureReading, ReloadReading {
    var tickets: [String: Ticket] = [:]
    /// Ticket ids in insertion order (the store's rowid order).
    var order: [String] = []
    var counters: [String: (state: CounterState, current: String?)] = [:]
    var pauseReasons: [String: String] = [:]
    var sequences: [String: Int] = [:]
    var appointments: [String: (appointment: Appointment, tokenHash: [UInt8], group: String?, contactKey: String?)] = [:]
    var holdRows: [(location: String, interval: BookedInterval, until: Date)] = []
    var audit: [AuditEntry] = []
    var serviceTimes: [String: [Double]] = [:]
    var closures: [String: ClosureRecord] = [:]
    /// The transaction's instant, for changes stamped with it (a lift).
    var now = Date(timeIntervalSince1970: 0)
    /// Waitlist entries by id, with token hash and contact key; ids in join order.
    var waitlist: [String: (entry: WaitlistEntry, tokenHash: [UInt8], contactKey: String)] = [:]
    var waitlistOrder: [String] = []
    /// Holds owned by waitlist entries (offers).
    var ownedHolds: [(owner: String, location: String, interval: BookedInterval, until: Date)] = []

    // MARK: QueueReading

    func ticket(id: String) throws -> Ticket? { tickets[id] }

    func waitingQueue(location: String) throws -> [QueuedTicket] {
        order.compactMap { tickets[$0] }.filter { $0.location == location && $0.status == .waiting }
            .enumerated().sorted { ($0.element.waitingSince, $0.offset) < ($1.element.waitingSince, $1.offset) }
            .map { e in
                let t = e.element
                return QueuedTicket(id: t.id, service: t.service, isAppointment: t.origin == .appointment, isPriority: t.isPriority,
                                    appointmentStart: t.appointmentStart, waitingSince: t.waitingSince, targetCounter: t.targetCounter)
            }
    }

    func counterStates() throws -> [String: (state: CounterState, current: String?)] { counters }

    func waitingCounts(location: String) throws -> [(service: String, waiting: Int)] {
        truthCounts(location).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Waiting tickets per service, counted from the tickets themselves.
    func truthCounts(_ location: String) -> [String: Int] {
        var counts: [String: Int] = [:]
        for t in tickets.values where t.location == location && t.status == .waiting { counts[t.service, default: 0] += 1 }
        return counts
    }

    func newestWaitingSince(location: String) throws -> Date? {
        tickets.values.filter { $0.location == location && $0.status == .waiting }.map(\.waitingSince).max()
    }

    func lastTicketSequence(location: String, day: CivilDate, prefix: String) throws -> Int {
        sequences["\(location)|\(day)|\(prefix)"] ?? 0
    }

    func staleTickets(location: String, before day: CivilDate) throws -> [Ticket] {
        order.compactMap { tickets[$0] }.filter {
            $0.location == location && $0.day < day && [.waiting, .called, .serving, .parked].contains($0.status)
        }
    }

    func ticket(number: String, location: String, day: CivilDate) throws -> Ticket? {
        tickets.values.first { $0.number == number && $0.location == location && $0.day == day }
    }

    func appointment(withReference reference: String) throws -> Appointment? { appointments[reference]?.appointment }

    // MARK: BookingReading

    func bookedIntervals(location: String, from: Date, to: Date, excluding reference: String?) throws -> [BookedInterval] {
        appointments.values.map(\.self).filter {
            $0.appointment.location == location && $0.appointment.start < to && $0.appointment.end > from
                && $0.appointment.status != .cancelled && $0.appointment.reference != reference
        }.map { BookedInterval(start: $0.appointment.start, end: $0.appointment.end, group: $0.group, channel: $0.appointment.channel) }
    }

    func holds(location: String, from: Date, to: Date, now: Date) throws -> [BookedInterval] {
        holdRows.filter { $0.location == location && $0.interval.start < to && $0.interval.end > from && $0.until > now }.map(\.interval)
            + ownedHolds.filter { $0.location == location && $0.interval.start < to && $0.interval.end > from && $0.until > now }
            .map(\.interval)
    }

    func activeAppointmentCount(contactKey: String, now: Date) throws -> Int {
        appointments.values.filter { $0.contactKey == contactKey && $0.appointment.status == .booked && $0.appointment.end > now }.count
    }

    func appointment(reference: String) throws -> (appointment: Appointment, tokenHash: [UInt8], group: String?)? {
        appointments[reference].map { ($0.appointment, $0.tokenHash, $0.group) }
    }

    // MARK: ClosureReading

    func deskLimits(location: String, from: Date, to: Date) throws -> [DeskLimit] {
        closures.values.filter { $0.liftedAt == nil && $0.limit.location == location && $0.limit.from < to && $0.limit.to > from }
            .map(\.limit).sorted { ($0.from, $0.id) < ($1.from, $1.id) }
    }

    func heldAppointments(location: String, from: Date, to: Date) throws -> [HeldAppointment] {
        appointments.values.filter {
            $0.appointment.location == location && $0.appointment.status == .booked && $0.appointment.start < to && $0.appointment.end > from
        }.map {
            HeldAppointment(reference: $0.appointment.reference, service: $0.appointment.items.first?.service ?? "",
                            persons: $0.appointment.items.reduce(0) { $0 + $1.persons }, start: $0.appointment.start,
                            end: $0.appointment.end, group: $0.group, createdAt: $0.appointment.createdAt)
        }
    }

    func closure(id: String) throws -> ClosureRecord? { closures[id] }

    func bookedAppointments(endingAfter now: Date) throws -> [Appointment] {
        appointments.values.map(\.appointment).filter { $0.status == .booked && $0.end > now }
            .sorted { ($0.start, $0.reference) < ($1.start, $1.reference) }
    }

    // MARK: writing

    /// Applies `changes` as the store would; a write the store would refuse is a test failure here too.
    func apply(_ changes: [Change]) {
        for change in changes {
            switch change {
            case .insertTicket(let t):
                precondition(tickets[t.id] == nil, "ticket \(t.id) inserted twice")
                tickets[t.id] = t
                order.append(t.id)
            case .updateTicket(let t):
                precondition(tickets[t.id] != nil, "update of unknown ticket \(t.id)")
                tickets[t.id] = t
            case .ticketSequence(let location, let day, let prefix, let last):
                sequences["\(location)|\(day)|\(prefix)"] = last
            case .counter(let id, let state, let current):
                counters[id] = (state, current)
            case .pauseReason(let counter, let reason):
                precondition(counters[counter] != nil, "pause reason of a counter without state")
                pauseReasons[counter] = reason
            case .serviceTime(let service, let minutes):
                serviceTimes[service, default: []].append(minutes)
            case .insertAppointment(let a, let tokenHash, let group, let contactKey):
                precondition(appointments[a.reference] == nil, "reference \(a.reference) used twice")
                appointments[a.reference] = (a, tokenHash, group, contactKey)
            case .appointmentStatus(let reference, let status, let ticketID):
                if status == .cancelled, appointments[reference]?.appointment.status != .cancelled {
                    appointments[reference]?.appointment.revision += 1
                }
                appointments[reference]?.appointment.status = status
                if let ticketID { appointments[reference]?.appointment.ticketID = ticketID }
            case .moveAppointment(let reference, let start, let end):
                appointments[reference]?.appointment.start = start
                appointments[reference]?.appointment.end = end
                appointments[reference]?.appointment.revision += 1
            case .hold(let location, let group, let start, let end, let channel, let until):
                holdRows.append((location, BookedInterval(start: start, end: end, group: group, channel: channel), until))
            case .audit(let e):
                audit.append(e)
            case .insertClosure(let c):
                precondition(closures[c.limit.id] == nil, "closure \(c.limit.id) inserted twice")
                closures[c.limit.id] = c
            case .liftClosure(let id, let by):
                precondition(closures[id] != nil, "lift of unknown closure \(id)")
                if closures[id]?.liftedAt == nil {
                    closures[id]?.liftedAt = now
                    closures[id]?.liftedBy = by
                }
            case .insertWaitlistEntry(let e, let tokenHash, let contactKey):
                precondition(waitlist[e.id] == nil, "waitlist id \(e.id) used twice")
                waitlist[e.id] = (e, tokenHash, contactKey)
                waitlistOrder.append(e.id)
            case .waitlistStatus(let id, let status, let offer, let appointment):
                precondition(waitlist[id] != nil, "status of unknown waitlist entry \(id)")
                waitlist[id]?.entry.status = status
                waitlist[id]?.entry.offer = offer
                if let appointment { waitlist[id]?.entry.appointment = appointment }
            case .waitlistHold(let owner, let location, let group, let start, let end, let until):
                ownedHolds.append((owner, location, BookedInterval(start: start, end: end, group: group, channel: .online), until))
            case .releaseHolds(let owner):
                ownedHolds.removeAll { $0.owner == owner }
            }
        }
    }

    /// Applies the outcome and returns its value.
    func apply<V>(_ outcome: Outcome<V>) -> V {
        apply(outcome.changes)
        return outcome.value
    }
}

extension InMemoryDesk: WaitlistReading {
    func waitlistEntry(id: String) throws -> (entry: WaitlistEntry, tokenHash: [UInt8])? {
        waitlist[id].map { ($0.entry, $0.tokenHash) }
    }

    func activeWaitlistCount(contactKey: String) throws -> Int {
        waitlist.values.filter { $0.contactKey == contactKey && $0.entry.status.isActive }.count
    }

    func holds(location: String, from: Date, to: Date, now: Date, exceptOwner owner: String) throws -> [BookedInterval] {
        holdRows.filter { $0.location == location && $0.interval.start < to && $0.interval.end > from && $0.until > now }.map(\.interval)
            + ownedHolds.filter { $0.owner != owner && $0.location == location && $0.interval.start < to && $0.interval.end > from
                && $0.until > now }.map(\.interval)
    }

    func waitlistAhead(of entry: WaitlistEntry) throws -> Int {
        let index = waitlistOrder.firstIndex(of: entry.id) ?? waitlistOrder.count
        return waitlistOrder[..<index].compactMap { waitlist[$0]?.entry }
            .filter { $0.location == entry.location && $0.service == entry.service && $0.status.isActive }.count
    }

    /// Waiting entries in join order.
    var waitingInOrder: [WaitlistEntry] {
        waitlistOrder.compactMap { waitlist[$0]?.entry }.filter { $0.status == .waiting }
    }

    /// One round as the server runs it: lapsed offers expire, then waiting entries are offered in join order.
    func waitlistRound(_ desk: WaitlistDesk, now: Date) throws -> (expired: [String], offered: [String]) {
        var expired: [String] = [], offered: [String] = []
        for id in waitlistOrder where waitlist[id]?.entry.status == .offered {
            if let e = apply(try desk.expire(id: id, now: now, reading: self)) { expired.append(e.id) }
        }
        for e in waitingInOrder where apply(try desk.offer(id: e.id, now: now, reading: self)) != nil {
            offered.append(e.id)
        }
        return (expired, offered)
    }
}
