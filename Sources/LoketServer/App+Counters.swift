// Counter routes: a clerk opens, pauses and closes a counter and calls the next citizen;
// clerks see the counters and the queue of a location.
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
        table.add(.GET, "/api/v1/locations/{id}/counters") { app, request in try app.counters(request) }
        table.add(.GET, "/api/v1/locations/{id}/queue") { app, request in try app.queue(request) }
    }

    private func setCounterState(_ request: Request, _ state: CounterState) throws -> Response {
        let who = try authorize(request, [.clerk])
        let counter = try self.counter(request.parameter("id"))
        let now = clock.now()
        let lang = language(request)
        let dto = try write(now: now) { tx -> CounterDTO in
            _ = try tx.apply(queueDesk.setState(state, of: counter, by: who.name, reading: tx.db))
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
        let dto = try write(now: now) { tx -> TicketDTO? in
            try rollover(location, in: &tx)
            guard let t = try tx.apply(queueDesk.callNext(counter, by: who.name, now: now, reading: tx.db)) else { return nil }
            return try ticketDTO(t, db: tx.db, view: queueView(tx.db, location: location.id), staff: true, now: now, lang: lang)
        }
        guard let dto else { return .noContent }
        return try JSONOut.response(dto)
    }

    private func counters(_ request: Request) throws -> Response {
        try authorize(request, [.clerk])
        let location = try self.location(request.parameter("id"))
        let now = clock.now()
        let lang = language(request)
        let list = try store.read { db -> [CounterDTO] in
            let view = try queueView(db, location: location.id)
            return try catalogue.counters(at: location.id).map { try counterDTO($0, db: db, view: view, now: now, lang: lang) }
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
            return QueueDTO(waiting: try ordered.map { try ticketDTO($0, db: db, view: view, staff: true, now: now, lang: lang) },
                            byService: try waitingCounts(db, location: location.id, lang).waiting)
        }
        return try JSONOut.response(dto)
    }
}
