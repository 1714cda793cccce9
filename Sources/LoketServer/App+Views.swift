// Shaping answers: stored tickets, counters and appointments into the DTOs clients read,
// with positions and waiting estimates from `WaitEstimator`.
import Foundation
import LoketCore
import LoketStore

extension App {
    /// The queue of `location` as estimates need it.
    func queueView(_ db: Connection, location: String) throws -> QueueView {
        QueueView(waiting: try db.waitingQueue(location: location), states: try db.counterStates(), averages: try db.serviceAverages())
    }

    /// `tickets` in the order the queue policy would call them.
    func orderedWaiting(_ tickets: [Ticket], _ view: QueueView, now: Date) -> [Ticket] {
        let order = QueueSelector.ordered(view.waiting, catalogue: catalogue, policy: catalogue.settings.queue, now: now)
        let byID = Dictionary(uniqueKeysWithValues: tickets.map { ($0.id, $0) })
        return order.compactMap { byID[$0.id] }
    }

    /// Waiting counts per service at `location`, from the counts the store keeps (the display, the
    /// clerks' queue view and the `queue` event all show these, so they always agree).
    func waitingCounts(_ db: Connection, location: String, _ lang: Language) throws -> QueueCounts {
        QueueCounts(Dictionary(try db.waitingCounts(location: location).map { ($0.service, $0.waiting) }, uniquingKeysWith: +),
                    catalogue: catalogue, language: lang)
    }

    /// A ticket with its position and estimate (while waiting); `staff` adds the checked-in appointment.
    ///
    /// `view` (the whole waiting queue) is read only for a waiting ticket: a called, served or
    /// finished one has no position, and call-next on a long queue would otherwise read it all again.
    func ticketDTO(_ t: Ticket, db: Connection, view: @autoclosure () throws -> QueueView, staff: Bool, now: Date,
                   lang: Language? = nil) throws -> TicketDTO {
        let lang = lang ?? catalogue.settings.defaultLanguage
        var dto = ticketDTO(t, lang: lang)
        if t.status == .waiting {
            let view = try view()
            let plan = countersFor(t.service, target: t.targetCounter, location: t.location, states: view.states, now: now)
            if let e = WaitEstimator.estimate(ticketID: t.id, waiting: view.waiting, openCounters: plan.counters, catalogue: catalogue,
                                              policy: catalogue.settings.queue, measuredMinutes: view.averages, now: now) {
                dto.position = e.position
                dto.estimatedWaitMinutes = e.minutes + plan.minutesToOpening
            }
            dto.countersOpen = plan.open
            dto.opensAt = plan.opensAt
        }
        if staff, let ref = t.appointmentReference, let a = try db.appointment(reference: ref)?.appointment {
            dto.appointment = appointmentDTO(a, lang: lang)
        }
        return dto
    }

    /// The waiting tickets for the clerks' queue view, each with its position and estimate as
    /// `ticketDTO(_:db:view:staff:now:lang:)` gives them, with the counters planned per service and
    /// the queue ordered once per set of competitors (`WaitEstimator.estimates`): a long queue lists
    /// in a few sorts instead of one per ticket.
    func waitingDTOs(_ tickets: [Ticket], db: Connection, view: QueueView, location: String, now: Date,
                     lang: Language) throws -> [TicketDTO] {
        struct Key: Hashable {
            var service: String
            var target: String?
        }
        var plans: [Key: (counters: [Counter], open: Bool, opensAt: String?, minutesToOpening: Int)] = [:]
        func plan(_ service: String, _ target: String?) -> (counters: [Counter], open: Bool, opensAt: String?, minutesToOpening: Int) {
            let key = Key(service: service, target: target)
            if let known = plans[key] { return known }
            let made = countersFor(service, target: target, location: location, states: view.states, now: now)
            plans[key] = made
            return made
        }
        let estimates = WaitEstimator.estimates(waiting: view.waiting, openCounters: { plan($0, $1).counters }, catalogue: catalogue,
                                                policy: catalogue.settings.queue, measuredMinutes: view.averages, now: now)
        return try tickets.map { t in
            var dto = ticketDTO(t, lang: lang)
            if t.status == .waiting {
                let p = plan(t.service, t.targetCounter)
                if let e = estimates[t.id] {
                    dto.position = e.position
                    dto.estimatedWaitMinutes = e.minutes + p.minutesToOpening
                }
                dto.countersOpen = p.open
                dto.opensAt = p.opensAt
            }
            if let ref = t.appointmentReference, let a = try db.appointment(reference: ref)?.appointment {
                dto.appointment = appointmentDTO(a, lang: lang)
            }
            return dto
        }
    }

    /// A ticket as stored, without position or estimate.
    func ticketDTO(_ t: Ticket, lang: Language) -> TicketDTO {
        let catalogue = self.catalogue  // one copy of it (each `self.catalogue` copies it under the office's lock)
        let civil = CivilClock(timeZone: catalogue.location(t.location)?.timeZone ?? .brussels)
        return TicketDTO(
            id: t.id, number: t.number, service: t.service, serviceName: catalogue.service(t.service)?.name.resolve(lang) ?? t.service,
            location: t.location, origin: t.origin.rawValue, priority: t.isPriority, status: t.status.rawValue, position: nil,
            estimatedWaitMinutes: nil, issuedAt: civil.iso8601(t.issuedAt), waitingSince: civil.iso8601(t.waitingSince),
            calledAt: t.calledAt.map(civil.iso8601), counter: t.counter, counterName: t.counter.flatMap { catalogue.counter($0)?.name },
            recalls: t.recalls, closeReason: t.closeReason, outcome: t.outcome, countersOpen: nil, opensAt: nil,
            statusUrl: "/t/\(t.id)", eventTag: TicketTag.of(t.id), appointment: nil)
    }

    /// The counters a waiting ticket's estimate counts on.
    ///
    /// The open counters at `location` that serve `service` (or the ticket's `target` counter); when
    /// none is open, the counters the config plans for it there (every counter of the location
    /// whose profile has it), and, outside opening hours, the minutes until today's next opening
    /// window for the service (walk-in or appointments) when one is still ahead, as `opensAt`.
    func countersFor(_ service: String, target: String?, location: String, states: [String: (state: CounterState, current: String?)],
                     now: Date) -> (counters: [Counter], open: Bool, opensAt: String?, minutesToOpening: Int) {
        let catalogue = self.catalogue  // one copy, not one per counter in the filter below
        let s = catalogue.service(service)
        let planned = catalogue.counters(at: location).filter { c in
            if let target { return c.id == target }
            return s.flatMap { catalogue.rank(of: $0, for: c) } != nil
        }
        let open = catalogue.counters(at: location).filter { states[$0.id]?.state == .open }
        if planned.contains(where: { states[$0.id]?.state == .open }) { return (open, true, nil, 0) }
        guard let s, let place = catalogue.location(location) else { return (planned, false, nil, 0) }
        let calendar = queueDesk.calendar(place)
        let today = calendar.clock.date(of: now)
        let windows = calendar.walkInWindows(on: today, service: s) + calendar.appointmentWindows(on: today, service: s)
        // Inside opening hours the counters are due now: there is no later opening to name (the
        // afternoon's would mislead a citizen who arrived at 09:00 before the clerks sat down).
        if windows.contains(where: { $0.start <= now && now < $0.end }) { return (planned, false, nil, 0) }
        guard let next = windows.map(\.start).filter({ $0 > now }).min() else { return (planned, false, nil, 0) }
        return (planned, false, calendar.clock.iso8601(next), Int((next.timeIntervalSince(now) / 60).rounded(.up)))
    }

    /// What a fresh walk-in's place and estimate are made from, read in the transaction that issued
    /// it: the counters' states, the waiting counts per service and target, the measured service times.
    struct NewestTicketReading {
        var ticket: Ticket
        var states: [String: (state: CounterState, current: String?)]
        var waiting: [(service: String, targetCounter: String?, count: Int)]
        var measuredMinutes: [String: Double]
    }

    /// Reads, in the issuing transaction, what `newestTicketDTO(_:lang:)` needs; nothing else.
    ///
    /// Only the reads run on the single writer: the plan, the estimate and the answer are worked out
    /// from them after the commit, on the request's own thread. (Worked out inside, they were most of
    /// the 18% of the writer's CPU that the answer took, in a profile of tickets at 64 connections.)
    func newestTicketReading(_ t: Ticket, db: Connection) throws -> NewestTicketReading {
        NewestTicketReading(ticket: t, states: try db.counterStates(), waiting: try db.waitingCountsByTarget(location: t.location),
                            measuredMinutes: try db.serviceAverages())
    }

    /// A fresh walk-in without priority: last among its competitors, so its place comes from the
    /// counts the store keeps instead of ordering the whole queue (issuing stays cheap however long the queue is).
    func newestTicketDTO(_ reading: NewestTicketReading, lang: Language) -> TicketDTO {
        let t = reading.ticket
        let catalogue = self.catalogue
        var dto = ticketDTO(t, lang: lang)
        let plan = countersFor(t.service, target: nil, location: t.location, states: reading.states, now: t.issuedAt)
        let e = WaitEstimator.estimateNewest(service: t.service, waiting: reading.waiting, openCounters: plan.counters,
                                             catalogue: catalogue, measuredMinutes: reading.measuredMinutes)
        dto.position = e.position
        dto.estimatedWaitMinutes = e.minutes + plan.minutesToOpening
        dto.countersOpen = plan.open
        dto.opensAt = plan.opensAt
        return dto
    }

    /// A counter with its state, its current ticket and the services it serves.
    func counterDTO(_ c: Counter, db: Connection, view: QueueView, now: Date, lang: Language? = nil,
                    pauseReasons: [String: String]? = nil) throws -> CounterDTO {
        let state = view.states[c.id]
        var current: TicketDTO?
        if let id = state?.current, let t = try db.ticket(id: id) {
            current = try ticketDTO(t, db: db, view: view, staff: true, now: now, lang: lang)
        }
        let services = catalogue.services(at: c.location).filter { catalogue.rank(of: $0, for: c) != nil }.map(\.id)
        let reasons = try pauseReasons ?? db.pauseReasons()
        return CounterDTO(id: c.id, name: c.name, location: c.location, state: (state?.state ?? .closed).rawValue,
                          current: current, services: services, pauseReason: reasons[c.id])
    }

    /// An appointment in `lang`.
    func appointmentDTO(_ a: Appointment, lang: Language) -> AppointmentDTO {
        let location = catalogue.location(a.location)
        let civil = CivilClock(timeZone: location?.timeZone ?? .brussels)
        let items = a.items.map {
            AppointmentDTO.ItemDTO(service: $0.service, serviceName: catalogue.service($0.service)?.name.resolve(lang) ?? $0.service,
                                   persons: $0.persons)
        }
        return AppointmentDTO(
            reference: a.reference, manageToken: nil, location: a.location, locationName: location?.name.resolve(lang) ?? a.location,
            address: location?.address ?? "", service: a.items.first?.service ?? "", serviceName: items.first?.serviceName ?? "",
            persons: a.items.map(\.persons).reduce(0, +), items: items, start: civil.iso8601(a.start), end: civil.iso8601(a.end),
            durationMinutes: Int(a.end.timeIntervalSince(a.start) / 60), status: a.status.rawValue, name: a.name, email: a.email,
            phone: a.phone, lang: a.language.rawValue, createdAt: civil.iso8601(a.createdAt),
            bring: a.items.compactMap { catalogue.service($0.service)?.bring?.resolve(lang) }, meetingUrl: a.meetingURL(at: location))
    }
}
