// Admin routes: appointment lists per day, statistics and the audit log.
import Foundation
import LoketCore
import LoketHTTP

struct AuditDTO: Encodable {
    var at: String
    var actor: String
    var action: String
    var subject: String?
    var detail: String?
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
        table.add(.GET, "/api/v1/audit") { app, request in
            try app.authorize(request, [.admin])
            let civil = CivilClock(timeZone: .brussels)
            let day = try app.adminDay(request, location: nil)
            let lines = try app.store.read { try $0.auditLog(from: civil.startOfDay(day), limit: 5000) }
                .filter { $0.at < civil.startOfDay(day.adding(days: 1)) }
            return try JSONOut.response(lines.map { AuditDTO(at: civil.iso8601($0.at), actor: $0.actor, action: $0.action, subject: $0.subject, detail: $0.detail) })
        }
    }

    private func adminDay(_ request: Request, location: Location?) throws -> CivilDate {
        if let text = request.query["date"], !text.isEmpty { return try date(text, field: "date") }
        return CivilClock(timeZone: location?.timeZone ?? .brussels).date(of: clock.now())
    }
}
