// Ticket routes: the kiosk issues walk-in tickets and checks in appointments; citizens follow a
// ticket's status; clerks recall, start, finish (with an outcome), mark no-show, park and transfer.
import Foundation
import LoketCore
import LoketHTTP
import LoketStore

extension App {
    static func registerTicketRoutes(_ table: inout RouteTable<App>) {
        table.add(.GET, "/api/v1/me") { app, request in
            let who = try app.authorize(request, Set(Role.allCases))
            return try JSONOut.response(["role": who.role.rawValue, "name": who.name])
        }
        table.add(.POST, "/api/v1/tickets") { app, request in try app.issueTicket(request) }
        table.add(.POST, "/api/v1/checkins") { app, request in try app.checkIn(request) }
        table.add(.GET, "/api/v1/tickets/{id}") { app, request in try app.ticketStatus(request) }
        for action in [TicketAction.recall, .start, .finish, .noShow, .transfer, .park] {
            table.add(.POST, "/api/v1/tickets/{id}/\(action.rawValue)") { app, request in
                try app.ticketAction(request, action)
            }
        }
    }

    private func issueTicket(_ request: Request) throws -> Response {
        let who = try authorize(request, [.kiosk])
        let now = clock.now()
        let body = try decodeBody(request, as: IssueTicketBody.self)
        let lang = body.language ?? language(request)
        let location = try self.location(body.location)
        let service = try self.service(body.service)
        // Drawn before the write: everything inside it runs on the one writer, one request after another.
        let ticketID = Secret.ticketID(now: now)
        let desk = queueDesk
        // A priority ticket's place needs the whole queue's order; a plain one only the counts, read
        // in the transaction and worked out after it (off the single writer).
        let issued = try write(now: now) { tx -> Issued in
            try rollover(location, in: &tx)
            let t = try tx.apply(desk.issue(location: location, service: service, priority: body.priority,
                                            ticketID: ticketID, by: who.name, now: now, reading: tx.db))
            if t.isPriority {
                return .priority(try ticketDTO(t, db: tx.db, view: queueView(tx.db, location: location.id), staff: false, now: now, lang: lang))
            }
            return .plain(try newestTicketReading(t, db: tx.db))
        }
        let dto: TicketDTO
        switch issued {
        case .priority(let made): dto = made
        case .plain(let reading): dto = newestTicketDTO(reading, lang: lang)
        }
        return try JSONOut.response(ticket: dto, status: 201, headers: [("Location", "/api/v1/tickets/\(dto.id)")])
    }

    /// What the issuing transaction hands out: a priority ticket's finished answer, or what a plain one's is made from.
    private enum Issued {
        case priority(TicketDTO)
        case plain(NewestTicketReading)
    }

    private func checkIn(_ request: Request) throws -> Response {
        let who = try authorize(request, [.kiosk])
        let now = clock.now()
        let body = try decodeBody(request, as: CheckInBody.self)
        let lang = body.language ?? language(request)
        let dto = try write(now: now) { tx -> TicketDTO in
            let t = try tx.apply(queueDesk.checkIn(reference: body.reference, kioskLocation: body.location, language: lang,
                                                   ticketID: Secret.ticketID(now: now), by: who.name, now: now, reading: tx.db))
            // Yesterday's open tickets are closed in the same transaction; the new ticket is today's, so the order does not matter.
            if let location = catalogue.location(t.location) { try rollover(location, in: &tx) }
            return try ticketDTO(t, db: tx.db, view: queueView(tx.db, location: t.location), staff: false, now: now, lang: lang)
        }
        return try JSONOut.response(ticket: dto, status: 201, headers: [("Location", "/api/v1/tickets/\(dto.id)")])
    }

    private func ticketStatus(_ request: Request) throws -> Response {
        let id = request.parameter("id")
        let staff = isStaff(request)
        let now = clock.now()
        let lang = language(request)
        let dto = try store.read { db -> TicketDTO in
            guard id.count <= 64, let t = try db.ticket(id: id) else {
                throw LoketError(.notFound, "There is no ticket with this id.")
            }
            return try ticketDTO(t, db: db, view: queueView(db, location: t.location), staff: staff, now: now, lang: lang)
        }
        return try JSONOut.response(ticket: dto)
    }

    private func ticketAction(_ request: Request, _ action: TicketAction) throws -> Response {
        let who = try authorize(request, [.clerk])
        let now = clock.now()
        var target: QueueDesk.TransferTarget?
        if action == .transfer {
            let body = try decodeBody(request, as: TransferBody.self)
            target = QueueDesk.TransferTarget(service: try body.service.map { try service($0) },
                                              counter: try body.counter.map { try counter($0) })
        }
        // Finish takes an optional body {"outcome"}; no body is a finish without one.
        let outcome = action == .finish && !request.body.isEmpty ? try decodeBody(request, as: FinishBody.self).outcome : nil
        let lang = language(request)
        let dto = try write(now: now) { tx -> TicketDTO in
            let t = try tx.apply(queueDesk.act(action, ticket: request.parameter("id"), transfer: target, outcome: outcome,
                                               by: who.name, now: now, reading: tx.db))
            return try ticketDTO(t, db: tx.db, view: queueView(tx.db, location: t.location), staff: true, now: now, lang: lang)
        }
        return try JSONOut.response(ticket: dto)
    }
}
