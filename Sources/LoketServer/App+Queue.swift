// Queue routes: kiosk tickets and check-in, counters and clerk actions, displays and live events.
//
// Every change runs in one write transaction that also records the live events it causes,
// so `call-next` is atomic (two counters never get the same ticket) and displays hear about
// each change exactly once, in order, even after a reconnect.
import Foundation
import LoketCore
import LoketHTTP
import LoketStore

struct TicketDTO: Encodable {
    var id: String
    var number: String
    var service: String
    var serviceName: String
    var location: String
    var origin: String
    var priority: Bool
    var status: String
    var position: Int?
    var estimatedWaitMinutes: Int?
    var issuedAt: String
    var waitingSince: String
    var calledAt: String?
    var counter: String?
    var counterName: String?
    var recalls: Int
    var closeReason: String?
    var statusUrl: String
    /// Only in answers to staff: the checked-in appointment (clerks may see the name).
    var appointment: AppointmentDTO?
}

struct CounterDTO: Encodable {
    var id: String
    var name: String
    var location: String
    var state: String
    var current: TicketDTO?
    var services: [String]
}

struct CallDTO: Encodable {
    var ticket: String
    var number: String
    var counter: String
    var counterId: String
    var calledAt: String
    var service: String
}

struct WaitingCountDTO: Encodable {
    var service: String
    var name: String
    var prefix: String
    var waiting: Int
}

struct QueueEventDTO: Encodable {
    var waiting: [WaitingCountDTO]
    var totalWaiting: Int
}

struct TicketEventDTO: Encodable {
    var ticket: String
    var status: String
    var number: String
    var counter: String?
}

struct CounterEventDTO: Encodable {
    var id: String
    var state: String
}

/// What the lobby screen shows.
struct DisplayDTO: Encodable {
    var location: String
    var name: String
    var called: [CallDTO]
    var waiting: [WaitingCountDTO]
    var totalWaiting: Int
    var displayLanguages: [String]
    var now: String
}

struct QueueDTO: Encodable {
    var waiting: [TicketDTO]
    var byService: [WaitingCountDTO]
}

/// The live view of a location's queue, read in one snapshot.
struct QueueSnapshot {
    /// The waiting tickets, as the call-next policy sees them.
    var waiting: [QueuedTicket]
    var states: [String: (state: CounterState, current: String?)]
    var averages: [String: Double]
}

extension App {
    static func registerQueueRoutes(_ table: inout RouteTable<App>) {
        table.add(.GET, "/api/v1/me") { app, request in
            let who = try app.authorize(request, Set(Role.allCases))
            return try JSONOut.response(["role": who.role.rawValue, "name": who.name])
        }
        table.add(.POST, "/api/v1/tickets") { app, request in try app.issueTicket(request) }
        table.add(.POST, "/api/v1/checkins") { app, request in try app.checkIn(request) }
        table.add(.GET, "/api/v1/tickets/{id}") { app, request in
            let id = request.parameter("id")
            let staff = request.header("authorization") != nil && (try? app.authorize(request, [.clerk])) != nil
            let dto = try app.store.read { db -> TicketDTO in
                guard id.count <= 64, let t = try db.ticket(id: id) else {
                    throw LoketError(.notFound, "There is no ticket with this id.")
                }
                return try app.ticketDTO(t, db: db, snapshot: try app.snapshot(db, location: t.location), staff: staff, now: app.clock.now(),
                                     lang: app.language(request))
            }
            return try JSONOut.response(dto)
        }
        for (action, state) in [("open", CounterState.open), ("pause", .paused), ("close", .closed)] {
            table.add(.POST, "/api/v1/counters/{id}/\(action)") { app, request in try app.setCounterState(request, state) }
        }
        table.add(.POST, "/api/v1/counters/{id}/call-next") { app, request in try app.callNext(request) }
        for action in [TicketAction.recall, .start, .finish, .noShow, .transfer] {
            table.add(.POST, "/api/v1/tickets/{id}/\(action.rawValue)") { app, request in
                try app.ticketAction(request, action)
            }
        }
        table.add(.GET, "/api/v1/locations/{id}/counters") { app, request in
            try app.authorize(request, [.clerk])
            let location = try app.location(request.parameter("id"))
            let now = app.clock.now()
            let lang = app.language(request)
            let list = try app.store.read { db -> [CounterDTO] in
                let snap = try app.snapshot(db, location: location.id)
                return try app.catalogue.counters(at: location.id).map { try app.counterDTO($0, db: db, snapshot: snap, now: now, lang: lang) }
            }
            return try JSONOut.response(list)
        }
        table.add(.GET, "/api/v1/locations/{id}/queue") { app, request in
            try app.authorize(request, [.clerk])
            let location = try app.location(request.parameter("id"))
            let now = app.clock.now()
            let lang = app.language(request)
            let dto = try app.store.read { db -> QueueDTO in
                let snap = try app.snapshot(db, location: location.id)
                let tickets = try db.tickets(location: location.id, statuses: [.waiting])
                let ordered = app.orderedWaiting(tickets, snap, now: now)
                return QueueDTO(waiting: try ordered.map { try app.ticketDTO($0, db: db, snapshot: snap, staff: true, now: now, lang: lang) },
                                byService: try app.waitingCounts(db, location: location.id, lang).waiting)
            }
            return try JSONOut.response(dto)
        }
        table.add(.GET, "/api/v1/locations/{id}/display") { app, request in
            let location = try app.location(request.parameter("id"))
            let now = app.clock.now()
            let lang = app.language(request)
            let civil = CivilClock(timeZone: location.timeZone)
            let dto = try app.store.read { db -> DisplayDTO in
                let calls = try db.recentCalls(location: location.id, since: civil.startOfDay(civil.date(of: now)), limit: 8)
                let counts = try app.waitingCounts(db, location: location.id, lang)
                return DisplayDTO(location: location.id, name: location.name.resolve(lang), called: calls.map { app.callDTO($0) },
                                  waiting: counts.waiting, totalWaiting: counts.totalWaiting,
                                  displayLanguages: app.catalogue.settings.displayLanguages.map(\.rawValue), now: civil.iso8601(now))
            }
            return try JSONOut.response(dto)
        }
        table.add(.GET, "/api/v1/locations/{id}/events") { app, request in
            let location = try app.location(request.parameter("id"))
            let lastText = request.header("last-event-id") ?? request.query["lastEventId"] ?? ""
            var last = Int64(lastText.trimmingCharacters(in: .whitespaces)).map { max(0, $0) }
            // An id from the future (a server restored from a backup) would silence the stream: catch up from now.
            if let given = last { last = min(given, try app.store.read { try $0.newestEventID() }) }
            // Page through what was missed; events are kept two days, so even a long outage is bounded.
            // (Should reading fail, the server drops the stream and answers the error.)
            let topic = location.id
            let replay: @Sendable (Int64) throws -> [any ServerSentEvent] = { lastSeen in
                var missed: [any ServerSentEvent] = []
                var after = lastSeen
                while missed.count < 20_000 {
                    let page = try app.store.read { try $0.events(topic: topic, after: after, limit: 500) }
                    missed.append(contentsOf: page as [any ServerSentEvent])
                    guard page.count == 500, let newest = page.last else { break }
                    after = newest.id
                }
                return missed
            }
            return Response(status: 200, headers: [
                ("Content-Type", "text/event-stream"), ("Cache-Control", "no-store"), ("X-Accel-Buffering", "no"),
            ], body: .events(EventStreamRequest(topic: topic, lastEventID: last, replay: replay)))
        }
    }

    // MARK: kiosk

    private func issueTicket(_ request: Request) throws -> Response {
        let who = try authorize(request, [.kiosk])
        let now = clock.now()
        var body = try JSONBody(request)
        let locationID = body.string("location", maxLength: 64)
        let serviceID = body.string("service", maxLength: 64)
        let priority = body.bool("priority") ?? false
        let lang = body.string("lang", required: false, maxLength: 10).flatMap { Language(tag: $0) } ?? language(request)
        try body.validate()
        let location = try self.location(locationID)
        let service = try self.service(serviceID)
        guard service.locations.contains(location.id), service.channels.contains(.walkin) else {
            throw LoketError(.invalid, "'\(service.name.resolve(.nl))' has no walk-in tickets at this location.",
                             fields: ["service": "not a walk-in service here"])
        }
        let calendar = calendars[location.id]!
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
        let civil = CivilClock(timeZone: location.timeZone)
        let ticket = try transact(now: now) { db, events -> Ticket in
            try closeStaleTickets(db, &events, location: location, now: now)
            let day = civil.date(of: now)
            let seq = try db.nextTicketSequence(location: location.id, day: day, prefix: service.prefix)
            let t = Ticket(id: App.randomSecret(bytes: 12), location: location.id, day: day,
                           number: service.prefix + String(format: "%03d", seq), service: service.id, origin: .walkin,
                           isPriority: priority, issuedAt: now, waitingSince: now)
            try db.insertTicket(t)
            try db.audit(actor: who.name, action: "ticket.issue", subject: t.number, detail: service.id, at: now)
            try recordChange(db, &events, t)
            return t
        }
        let dto = try store.read { db -> TicketDTO in
            if priority {
                return try ticketDTO(ticket, db: db, snapshot: try snapshot(db, location: location.id), staff: false, now: now, lang: lang)
            }
            // A fresh walk-in is last in its queue: its place comes from counts, not from ordering the whole queue.
            let snap = QueueSnapshot(waiting: [], states: try db.counterStates(), averages: try db.serviceAverages())
            var dto = try ticketDTO(ticket, db: db, snapshot: snap, staff: false, now: now, lang: lang)
            let open = catalogue.counters(at: location.id).filter { snap.states[$0.id]?.state == .open }
            let e = WaitEstimator.estimateNewest(service: service.id, waiting: try db.waitingCountsByTarget(location: location.id),
                                                 openCounters: open, catalogue: catalogue, measuredMinutes: snap.averages)
            dto.position = e.position
            dto.estimatedWaitMinutes = e.minutes
            return dto
        }
        return try JSONOut.response(dto, status: 201, headers: [("Location", "/api/v1/tickets/\(ticket.id)")])
    }

    private func checkIn(_ request: Request) throws -> Response {
        let who = try authorize(request, [.kiosk])
        let now = clock.now()
        var body = try JSONBody(request)
        let text = body.string("reference", maxLength: 200)
        let kioskLocation = body.string("location", required: false, maxLength: 64)
        let lang = body.string("lang", required: false, maxLength: 10).flatMap { Language(tag: $0) } ?? language(request)
        try body.validate()
        let notFound = LoketError(.notFound, "No appointment with this reference.")
        guard let reference = ReferenceCode.normalize(text!) else { throw notFound }
        let policy = catalogue.settings.queue
        let ticket = try transact(now: now) { db, events -> Ticket in
            guard let a = try db.appointment(reference: reference)?.appointment else { throw notFound }
            let location = try self.location(a.location)
            let civil = CivilClock(timeZone: location.timeZone)
            switch a.status {
            case .booked: break
            case .cancelled: throw LoketError(.cancelled, "This appointment was cancelled.")
            case .noShow: throw LoketError(.tooLate, "This appointment has passed.")
            case .checkedIn, .called, .serving, .done:
                let number = try a.ticketID.flatMap { try db.ticket(id: $0) }?.number
                throw LoketError(.alreadyCheckedIn, "This appointment is already checked in" + (number.map { "; your number is \($0)." } ?? "."),
                                 extra: number.map { ["number": $0] } ?? [:])
            }
            if let kioskLocation, kioskLocation != a.location {
                throw LoketError(.wrongLocation, "This appointment is at \(location.name.resolve(lang)), \(location.address).",
                                 extra: ["location": location.id, "locationName": location.name.resolve(lang),
                                         "address": location.address, "appointmentStart": civil.iso8601(a.start)])
            }
            if civil.date(of: a.start) != civil.date(of: now) {
                throw LoketError(.notToday, "This appointment is not today but on \(civil.iso8601(a.start)).",
                                 extra: ["appointmentStart": civil.iso8601(a.start)])
            }
            let opens = a.start.addingTimeInterval(-Double(policy.checkInEarlyMinutes * 60))
            let closes = a.start.addingTimeInterval(Double(policy.checkInLateMinutes * 60))
            let startText = civil.iso8601(a.start)
            if now < opens {
                throw LoketError(.tooEarly, "Too early: check-in opens \(policy.checkInEarlyMinutes) minutes before your appointment at \(startText).",
                                 extra: ["appointmentStart": startText, "checkInOpens": civil.iso8601(opens)])
            }
            if now > closes {
                throw LoketError(.tooLate, "Too late: check-in closed \(policy.checkInLateMinutes) minutes after your appointment at \(startText). Please ask at the desk.",
                                 extra: ["appointmentStart": startText])
            }
            try closeStaleTickets(db, &events, location: location, now: now)
            let service = try self.service(a.items.first?.service)
            let day = civil.date(of: now)
            let seq = try db.nextTicketSequence(location: location.id, day: day, prefix: service.prefix)
            let t = Ticket(id: App.randomSecret(bytes: 12), location: location.id, day: day,
                           number: service.prefix + String(format: "%03d", seq), service: service.id, origin: .appointment,
                           issuedAt: now, waitingSince: now, appointmentReference: a.reference, appointmentStart: a.start)
            try db.insertTicket(t)
            try db.setAppointmentStatus(reference: a.reference, .checkedIn, ticketID: t.id, now: now)
            try db.audit(actor: who.name, action: "appointment.checkin", subject: a.reference, detail: t.number, at: now)
            try recordChange(db, &events, t)
            return t
        }
        return try JSONOut.response(try readTicketDTO(ticket, staff: false, now: now, lang: lang), status: 201,
                                    headers: [("Location", "/api/v1/tickets/\(ticket.id)")])
    }

    // MARK: counters

    private func setCounterState(_ request: Request, _ state: CounterState) throws -> Response {
        let who = try authorize(request, [.clerk])
        let counter = try self.counter(request.parameter("id"))
        let now = clock.now()
        let dto = try transact(now: now) { db, events -> CounterDTO in
            let current = try db.counterStates()[counter.id]
            var currentTicket = current?.current
            if state == .closed, let id = currentTicket, let t = try db.ticket(id: id), [.called, .serving].contains(t.status) {
                throw LoketError(.illegalTransition, "Finish, transfer or mark ticket \(t.number) as no-show before closing the counter.")
            }
            if state == .closed { currentTicket = nil }
            try db.setCounter(counter.id, state: state, current: currentTicket, now: now)
            try db.audit(actor: who.name, action: "counter.\(state.rawValue)", subject: counter.id, at: now)
            try events.record("counter", topic: counter.location, CounterEventDTO(id: counter.id, state: state.rawValue))
            return try counterDTO(counter, db: db, snapshot: try snapshot(db, location: counter.location), now: now,
                                  lang: language(request))
        }
        return try JSONOut.response(dto)
    }

    private func callNext(_ request: Request) throws -> Response {
        let who = try authorize(request, [.clerk])
        let counter = try self.counter(request.parameter("id"))
        let location = try self.location(counter.location)
        let now = clock.now()
        let called = try transact(now: now) { db, events -> Ticket? in
            try closeStaleTickets(db, &events, location: location, now: now)
            let state = try db.counterStates()[counter.id]
            guard state?.state == .open else {
                throw LoketError(.counterClosed, "Open the counter before calling the next citizen.")
            }
            // A citizen still at the desk is finished when the clerk calls the next one.
            if let id = state?.current, var current = try db.ticket(id: id), [.called, .serving].contains(current.status) {
                try finish(&current, db: db, now: now)
                try recordChange(db, &events, current)
            }
            guard let pick = QueueSelector.next(for: counter, waiting: try db.waitingQueue(location: location.id), catalogue: catalogue,
                                                policy: catalogue.settings.queue, now: now),
                  var t = try db.ticket(id: pick.id) else {
                try db.setCounter(counter.id, state: .open, current: nil, now: now)
                return nil
            }
            t.status = try TicketMachine.next(t.status, .call)
            t.calledAt = now
            t.counter = counter.id
            t.targetCounter = nil
            try db.updateTicket(t)
            try db.setCounter(counter.id, state: .open, current: t.id, now: now)
            if let ref = t.appointmentReference { try db.setAppointmentStatus(reference: ref, .called, now: now) }
            try db.audit(actor: who.name, action: "ticket.call", subject: t.number, detail: counter.id, at: now)
            try events.record("called", topic: location.id, callDTO(t))
            try recordChange(db, &events, t)
            return t
        }
        guard let called else { return .noContent }
        return try JSONOut.response(try readTicketDTO(called, staff: true, now: now, lang: language(request)))
    }

    private func ticketAction(_ request: Request, _ action: TicketAction) throws -> Response {
        let who = try authorize(request, [.clerk])
        let id = request.parameter("id")
        let now = clock.now()
        var transferService: Service?
        var transferCounter: Counter?
        if action == .transfer {
            var body = try JSONBody(request)
            let s = body.string("service", required: false, maxLength: 64)
            let c = body.string("counter", required: false, maxLength: 64)
            if s == nil && c == nil { body.fail("service", "give a service or a counter to transfer to") }
            try body.validate()
            transferService = try s.map { try service($0) }
            transferCounter = try c.map { try counter($0) }
        }
        let ticket = try transact(now: now) { db, events -> Ticket in
            guard id.count <= 64, var t = try db.ticket(id: id) else { throw LoketError(.notFound, "There is no ticket with this id.") }
            let policy = catalogue.settings.queue
            switch action {
            case .recall:
                if t.recalls >= policy.recallLimit {
                    t.status = try TicketMachine.next(t.status, .noShow)
                    t.finishedAt = now
                    try releaseCounter(db, t, now: now)
                    if let ref = t.appointmentReference { try db.setAppointmentStatus(reference: ref, .noShow, now: now) }
                } else {
                    t.status = try TicketMachine.next(t.status, .recall)
                    t.recalls += 1
                    t.calledAt = now
                    try events.record("recalled", topic: t.location, callDTO(t))
                }
            case .start:
                t.status = try TicketMachine.next(t.status, .start)
                t.startedAt = now
                if let ref = t.appointmentReference { try db.setAppointmentStatus(reference: ref, .serving, now: now) }
            case .finish:
                try finish(&t, db: db, now: now)
            case .noShow:
                t.status = try TicketMachine.next(t.status, .noShow)
                t.finishedAt = now
                try releaseCounter(db, t, now: now)
                if let ref = t.appointmentReference { try db.setAppointmentStatus(reference: ref, .noShow, now: now) }
            case .transfer:
                let newStatus = try TicketMachine.next(t.status, .transfer)
                if let s = transferService {
                    guard s.locations.contains(t.location) else {
                        throw LoketError(.invalid, "That service is not offered at this location.", fields: ["service": "not offered here"])
                    }
                    t.service = s.id
                }
                if let c = transferCounter {
                    guard c.location == t.location else {
                        throw LoketError(.invalid, "That counter is at another location.", fields: ["counter": "other location"])
                    }
                }
                try releaseCounter(db, t, now: now)
                t.status = newStatus
                t.targetCounter = transferCounter?.id
                t.counter = nil
                t.calledAt = nil
                t.startedAt = nil
                // waitingSince is kept: the citizen does not lose their place in time.
            case .call, .cancel, .close:
                throw LoketError(.illegalTransition, "Use the counter's call-next for this.")
            }
            try db.updateTicket(t)
            try db.audit(actor: who.name, action: "ticket.\(action.rawValue)", subject: t.number,
                         detail: transferService?.id ?? transferCounter?.id, at: now)
            try recordChange(db, &events, t)
            return t
        }
        return try JSONOut.response(try readTicketDTO(ticket, staff: true, now: now, lang: language(request)))
    }

    /// Ends a ticket as served, frees its counter and measures the service time.
    private func finish(_ t: inout Ticket, db: Connection, now: Date) throws {
        t.status = try TicketMachine.next(t.status, .finish)
        t.finishedAt = now
        if let started = t.startedAt ?? t.calledAt {
            try db.recordServiceTime(service: t.service, minutes: max(0.5, now.timeIntervalSince(started) / 60))
        }
        try releaseCounter(db, t, now: now)
        if let ref = t.appointmentReference { try db.setAppointmentStatus(reference: ref, .done, now: now) }
    }

    /// Clears the ticket from the counter that shows it as current.
    private func releaseCounter(_ db: Connection, _ t: Ticket, now: Date) throws {
        guard let counter = t.counter, let state = try db.counterStates()[counter], state.current == t.id else { return }
        try db.setCounter(counter, state: state.state, current: nil, now: now)
    }

    /// Records `ticket` and `queue` events for a changed ticket.
    private func recordChange(_ db: Connection, _ events: inout EventBatch, _ t: Ticket) throws {
        try events.record("ticket", topic: t.location, TicketEventDTO(
            ticket: t.id, status: t.status.rawValue, number: t.number, counter: t.counter.flatMap { catalogue.counter($0)?.name }))
        try events.record("queue", topic: t.location, try waitingCounts(db, location: t.location, catalogue.settings.defaultLanguage))
    }

    /// Day rollover: tickets of earlier days still open are closed with a reason.
    func closeStaleTickets(_ db: Connection, _ events: inout EventBatch, location: Location, now: Date) throws {
        let today = CivilClock(timeZone: location.timeZone).date(of: now)
        // Once a day per location is enough. The day is remembered only when nothing was left to close,
        // so closing writes rolled back with their transaction are retried by the next one.
        if rolledOver.withLock({ $0[location.id] == today }) { return }
        let stale = try db.staleTickets(location: location.id, before: today)
        guard !stale.isEmpty else {
            rolledOver.withLock { $0[location.id] = today }
            return
        }
        for var t in stale {
            t.status = .closed
            t.closeReason = "day-ended"
            t.finishedAt = now
            try releaseCounter(db, t, now: now)
            try db.updateTicket(t)
            try events.record("ticket", topic: t.location, TicketEventDTO(ticket: t.id, status: t.status.rawValue, number: t.number, counter: nil))
        }
        try db.audit(actor: "system", action: "queue.rollover", subject: location.id, detail: "\(stale.count) tickets closed", at: now)
        try events.record("queue", topic: location.id, QueueEventDTO(waiting: [], totalWaiting: 0))
    }

    // MARK: views

    func snapshot(_ db: Connection, location: String) throws -> QueueSnapshot {
        QueueSnapshot(waiting: try db.waitingQueue(location: location),
                      states: try db.counterStates(), averages: try db.serviceAverages())
    }

    /// `tickets` in the order the queue policy would call them.
    func orderedWaiting(_ tickets: [Ticket], _ snap: QueueSnapshot, now: Date) -> [Ticket] {
        let order = QueueSelector.ordered(snap.waiting, catalogue: catalogue, policy: catalogue.settings.queue, now: now)
        let byID = Dictionary(uniqueKeysWithValues: tickets.map { ($0.id, $0) })
        return order.compactMap { byID[$0.id] }
    }

    /// Waiting counts per service at `location`, from the counts the store keeps (the display, the
    /// clerks' queue view and the `queue` event all show these, so they always agree).
    func waitingCounts(_ db: Connection, location: String, _ lang: Language) throws -> QueueEventDTO {
        let rows = try db.waitingCounts(location: location)
        return QueueEventDTO(
            waiting: rows.map { row in
                let s = catalogue.service(row.service)
                return WaitingCountDTO(service: row.service, name: s?.name.resolve(lang) ?? row.service, prefix: s?.prefix ?? "",
                                       waiting: row.waiting)
            },
            totalWaiting: rows.reduce(0) { $0 + $1.waiting })
    }

    func callDTO(_ t: Ticket) -> CallDTO {
        let zone = catalogue.location(t.location)?.timeZone ?? .brussels
        return CallDTO(ticket: t.id, number: t.number, counter: t.counter.flatMap { catalogue.counter($0)?.name } ?? "",
                       counterId: t.counter ?? "", calledAt: t.calledAt.map { CivilClock(timeZone: zone).iso8601($0) } ?? "",
                       service: t.service)
    }

    private func readTicketDTO(_ t: Ticket, staff: Bool, now: Date, lang: Language) throws -> TicketDTO {
        try store.read { db in
            try ticketDTO(t, db: db, snapshot: try snapshot(db, location: t.location), staff: staff, now: now, lang: lang)
        }
    }

    func ticketDTO(_ t: Ticket, db: Connection, snapshot snap: QueueSnapshot, staff: Bool, now: Date,
                   lang: Language? = nil) throws -> TicketDTO {
        let lang = lang ?? catalogue.settings.defaultLanguage
        let civil = CivilClock(timeZone: catalogue.location(t.location)?.timeZone ?? .brussels)
        var position: Int?
        var minutes: Int?
        if t.status == .waiting {
            let open = catalogue.counters(at: t.location).filter { snap.states[$0.id]?.state == .open }
            if let e = WaitEstimator.estimate(ticketID: t.id, waiting: snap.waiting, openCounters: open, catalogue: catalogue,
                                              policy: catalogue.settings.queue, measuredMinutes: snap.averages, now: now) {
                position = e.position
                minutes = e.minutes
            }
        }
        var appointment: AppointmentDTO?
        if staff, let ref = t.appointmentReference, let a = try db.appointment(reference: ref)?.appointment {
            appointment = appointmentDTO(a, lang: lang)
        }
        return TicketDTO(
            id: t.id, number: t.number, service: t.service, serviceName: catalogue.service(t.service)?.name.resolve(lang) ?? t.service,
            location: t.location, origin: t.origin.rawValue, priority: t.isPriority, status: t.status.rawValue, position: position,
            estimatedWaitMinutes: minutes, issuedAt: civil.iso8601(t.issuedAt), waitingSince: civil.iso8601(t.waitingSince),
            calledAt: t.calledAt.map(civil.iso8601), counter: t.counter, counterName: t.counter.flatMap { catalogue.counter($0)?.name },
            recalls: t.recalls, closeReason: t.closeReason, statusUrl: "/t/\(t.id)", appointment: appointment)
    }

    func counterDTO(_ c: Counter, db: Connection, snapshot snap: QueueSnapshot, now: Date, lang: Language? = nil) throws -> CounterDTO {
        let state = snap.states[c.id]
        var current: TicketDTO?
        if let id = state?.current, let t = try db.ticket(id: id) {
            current = try ticketDTO(t, db: db, snapshot: snap, staff: true, now: now, lang: lang)
        }
        let services = catalogue.services(at: c.location).filter { catalogue.rank(of: $0, for: c) != nil }.map(\.id)
        return CounterDTO(id: c.id, name: c.name, location: c.location, state: (state?.state ?? .closed).rawValue,
                          current: current, services: services)
    }
}
