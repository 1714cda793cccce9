// Counter routes: a clerk opens, pauses (with a reason) and closes a counter, calls the next
// citizen or one ticket out of order, and records a visit served without a ticket; clerks see the
// counters and the queue of a location.
import Foundation
import LoketCore
import LoketHTTP
import LoketStore

extension App {
    static func registerCounterRoutes(_ table: inout RouteTable<App>) {
        for (action, state) in [("open", CounterState.open), ("pause", .paused), ("close", .closed)] {
            table.add(.POST, "/api/v1/counters/{id}/\(action)") { app, request in try app.setCounterState(request, state) }
        }
        table.add(.POST, "/api/v1/counters/{id}/call-next") { app, request in try app.callNext(request) }
        table.add(.POST, "/api/v1/counters/{id}/call") { app, request in try app.callOne(request) }
        table.add(.POST, "/api/v1/counters/{id}/served") { app, request in try app.servedWithoutTicket(request) }
        table.add(.GET, "/api/v1/locations/{id}/counters") { app, request in try app.counters(request) }
        table.add(.GET, "/api/v1/locations/{id}/queue") { app, request in try app.queue(request) }
    }

    private func setCounterState(_ request: Request, _ state: CounterState) throws -> Response {
        let who = try authorize(request, [.clerk])
        let counter = try self.counter(request.parameter("id"))
        // Only a pause has a body (optional): {"reason"}.
        let reason = state == .paused && !request.body.isEmpty ? try decodeBody(request, as: PauseBody.self).reason : nil
        let now = clock.now()
        let lang = language(request)
        let dto = try write(now: now) { tx -> CounterDTO in
            _ = try tx.apply(queueDesk.setState(state, of: counter, reason: reason, by: who.name, reading: tx.db))
            return try counterDTO(counter, db: tx.db, view: queueView(tx.db, location: counter.location), now: now, lang: lang)
        }
        return try JSONOut.response(dto)
    }

    private func callNext(_ request: Request) throws -> Response {
        let who = try authorize(request, [.clerk])
        let counter = try self.counter(request.parameter("id"))
        let location = try self.location(counter.location)
        let now = clock.now()
        let lang = language(request)
        var called: Ticket?
        let dto = try write(now: now) { tx -> TicketDTO? in
            try rollover(location, in: &tx)
            guard let t = try tx.apply(queueDesk.callNext(counter, by: who.name, now: now, reading: tx.db)) else { return nil }
            called = t
            return try ticketDTO(t, db: tx.db, view: queueView(tx.db, location: location.id), staff: true, now: now, lang: lang)
        }
        if let called { noteCalled(called) }
        guard let dto else { return .noContent }
        return try JSONOut.response(dto)
    }

    /// `POST /counters/{id}/call` `{"ticket","reason"?}`: one waiting or parked ticket, out of order.
    private func callOne(_ request: Request) throws -> Response {
        let who = try authorize(request, [.clerk])
        let counter = try self.counter(request.parameter("id"))
        let location = try self.location(counter.location)
        let body = try decodeBody(request, as: CallBody.self)
        let now = clock.now()
        let lang = language(request)
        var called: Ticket?
        let dto = try write(now: now) { tx -> TicketDTO in
            try rollover(location, in: &tx)
            let t = try tx.apply(queueDesk.call(body.ticket ?? "", to: counter, reason: body.reason, by: who.name, now: now,
                                                reading: tx.db))
            called = t
            return try ticketDTO(t, db: tx.db, view: queueView(tx.db, location: location.id), staff: true, now: now, lang: lang)
        }
        if let called { noteCalled(called) }
        return try JSONOut.response(dto)
    }

    /// `POST /counters/{id}/served` `{"service","outcome"?}`: 201 with the recorded visit.
    private func servedWithoutTicket(_ request: Request) throws -> Response {
        let who = try authorize(request, [.clerk])
        let counter = try self.counter(request.parameter("id"))
        let body = try decodeBody(request, as: ServedBody.self)
        let service = try self.service(body.service)
        let now = clock.now()
        let lang = language(request)
        let dto = try write(now: now) { tx -> TicketDTO in
            ticketDTO(try tx.apply(queueDesk.served(at: counter, service: service, outcome: body.outcome,
                                                    ticketID: Secret.ticketID(now: now), by: who.name, now: now)), lang: lang)
        }
        return try JSONOut.response(dto, status: 201, headers: [("Location", "/api/v1/tickets/\(dto.id)")])
    }

    private func counters(_ request: Request) throws -> Response {
        try authorize(request, [.clerk])
        let location = try self.location(request.parameter("id"))
        let now = clock.now()
        let lang = language(request)
        let list = try store.read { db -> [CounterDTO] in
            let view = try queueView(db, location: location.id)
            let reasons = try db.pauseReasons()
            return try catalogue.counters(at: location.id).map {
                try counterDTO($0, db: db, view: view, now: now, lang: lang, pauseReasons: reasons)
            }
        }
        return try JSONOut.response(list)
    }

    private func queue(_ request: Request) throws -> Response {
        try authorize(request, [.clerk])
        let location = try self.location(request.parameter("id"))
        let now = clock.now()
        let lang = language(request)
        let dto = try store.read { db -> QueueDTO in
            let view = try queueView(db, location: location.id)
            let ordered = orderedWaiting(try db.tickets(location: location.id, statuses: [.waiting]), view, now: now)
            return QueueDTO(waiting: try waitingDTOs(ordered, db: db, view: view, location: location.id, now: now, lang: lang),
                            byService: try waitingCounts(db, location: location.id, lang).waiting,
                            parked: try db.tickets(location: location.id, statuses: [.parked]).map { ticketDTO($0, lang: lang) })
        }
        return try JSONOut.response(dto)
    }
}
