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
    func registerAdminRoutes() {
        router.add(.GET, "/api/v1/appointments") { [unowned self] request in
            try authorize(request, [.admin])
            let location = try self.location(request.query["location"])
            let day = try adminDay(request, location: location)
            let civil = CivilClock(timeZone: location.timeZone)
            let list = try store.read { try $0.appointments(location: location.id, from: civil.startOfDay(day), to: civil.startOfDay(day.adding(days: 1))) }
            return try JSONOut.response(list.map { appointmentDTO($0, lang: language(request)) })
        }
        router.add(.GET, "/api/v1/stats/day") { [unowned self] request in
            try authorize(request, [.admin])
            let stats = try store.read { db in
                try catalogue.locations.map { try DayStatistics.compute(db: db, location: $0, day: try adminDay(request, location: $0)) }
            }
            return try JSONOut.response(stats)
        }
        router.add(.GET, "/api/v1/audit") { [unowned self] request in
            try authorize(request, [.admin])
            let civil = CivilClock(timeZone: .brussels)
            let day = try adminDay(request, location: nil)
            let lines = try store.read { try $0.auditLog(from: civil.startOfDay(day), limit: 5000) }
                .filter { $0.at < civil.startOfDay(day.adding(days: 1)) }
            return try JSONOut.response(lines.map { AuditDTO(at: civil.iso8601($0.at), actor: $0.actor, action: $0.action, subject: $0.subject, detail: $0.detail) })
        }
    }

    private func adminDay(_ request: Request, location: Location?) throws -> CivilDate {
        if let text = request.query["date"], !text.isEmpty { return try date(text, field: "date") }
        return CivilClock(timeZone: location?.timeZone ?? .brussels).date(of: clock.now())
    }
}
