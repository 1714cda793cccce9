// Admin routes: appointment lists per day, statistics and the audit log.
import Foundation
import LoketCore
import LoketHTTP
import LoketStore

struct AuditDTO: Encodable {
    var at: String
    var actor: String
    var action: String
    var subject: String?
    var detail: String?
}

/// An outbox message as the admin sees it: no address, no name, no content.
struct OutboxDTO: Encodable {
    var id: Int64
    var messageId: String
    var kind: String
    var reference: String
    var status: String
    var attempts: Int
    var lastError: String?
    var createdAt: String
    var nextAttemptAt: String?
    var sentAt: String?
}

extension App {
    static func registerAdminRoutes(_ table: inout RouteTable<App>) {
        table.add(.GET, "/api/v1/appointments") { app, request in
            try app.authorize(request, [.admin])
            let location = try app.location(request.query["location"])
            let day = try app.adminDay(request, location: location)
            let civil = CivilClock(timeZone: location.timeZone)
            let list = try app.store.read { try $0.appointments(location: location.id, from: civil.startOfDay(day), to: civil.startOfDay(day.adding(days: 1))) }
            return try JSONOut.response(list.map { app.appointmentDTO($0, lang: app.language(request)) })
        }
        table.add(.GET, "/api/v1/stats/day") { app, request in
            try app.authorize(request, [.admin])
            let stats = try app.store.read { db in
                try app.catalogue.locations.map { try DayStatistics.compute(db: db, location: $0, day: try app.adminDay(request, location: $0)) }
            }
            return try JSONOut.response(stats)
        }
        table.add(.GET, "/api/v1/admin/outbox") { app, request in try app.outboxList(request) }
        table.add(.GET, "/api/v1/audit") { app, request in
            try app.authorize(request, [.admin])
            let civil = CivilClock(timeZone: .brussels)
            let day = try app.adminDay(request, location: nil)
            let actor = try app.auditFilter(request, "actor")
            let action = try app.auditFilter(request, "action")
            let lines = try app.store.read {
                try $0.auditLog(from: civil.startOfDay(day), to: civil.startOfDay(day.adding(days: 1)), actor: actor, actionPrefix: action, limit: 5000)
            }
            return try JSONOut.response(lines.map { AuditDTO(at: civil.iso8601($0.at), actor: $0.actor, action: $0.action, subject: $0.subject, detail: $0.detail) })
        }
    }

    /// `GET /api/v1/admin/outbox?status=pending|sent|failed`: citizen mail and how its delivery went.
    func outboxList(_ request: Request) throws -> Response {
        try authorize(request, [.admin])
        var status: OutboxStatus?
        if let text = request.query["status"] {
            guard let s = OutboxStatus(rawValue: text) else {
                throw LoketError(.invalid, "status must be pending, sent or failed.", fields: ["status": "must be pending, sent or failed"])
            }
            status = s
        }
        let civil = CivilClock(timeZone: .brussels)
        let rows = try store.read { try $0.outbox(status: status, limit: 1000) }
        return try JSONOut.response(rows.map {
            OutboxDTO(id: $0.id, messageId: $0.messageID, kind: $0.kind, reference: $0.reference, status: $0.status.rawValue,
                      attempts: $0.attempts, lastError: $0.lastError, createdAt: civil.iso8601($0.createdAt),
                      nextAttemptAt: $0.status == .pending ? civil.iso8601($0.nextAttemptAt) : nil, sentAt: $0.sentAt.map(civil.iso8601))
        })
    }

    /// An optional audit filter from the query: nil when absent or blank; a 422 when longer than 100 characters.
    private func auditFilter(_ request: Request, _ field: String) throws -> String? {
        guard let raw = request.query[field] else { return nil }
        // The length as sent, in code points, as the OpenAPI document's maxLength counts it.
        guard raw.unicodeScalars.count <= 100 else {
            throw LoketError(.invalid, "`\(field)` must be at most 100 characters.", fields: [field: "at most 100 characters"])
        }
        let text = raw.trimmingCharacters(in: .whitespaces)
        return text.isEmpty ? nil : text
    }

    private func adminDay(_ request: Request, location: Location?) throws -> CivilDate {
        // An empty `date=` is not a date (400), as the document's format says; only leaving it out means today.
        if let text = request.query["date"] { return try date(text, field: "date") }
        return CivilClock(timeZone: location?.timeZone ?? .brussels).date(of: clock.now())
    }
}
