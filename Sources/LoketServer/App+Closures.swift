// Runtime closures: an admin closes a location, or runs it with fewer desks, between two
// instants; lists them; lifts them.
//
// The rules live in `OfficeDesk`. A closure is decided and stored in one write transaction that
// also reads the booked appointments and the other closures, and bookings read the closures in
// theirs, so a closure and a booking never race (the store has one writer). A dry run answers
// from a read snapshot. Adding or lifting one publishes a `closure` event to the location's
// displays; a lift calls `capacityFreed` so the waitlist can offer the freed time.
import Foundation
import LoketCore
import LoketHTTP
import LoketStore

/// `POST /api/v1/admin/closures`.
struct ClosureBody: Decodable {
    var location: String
    var from: Date
    var to: Date
    var desks: Int?
    var reason: LocalizedText?
    var dryRun: Bool
    var affected: AffectedChoice?

    init(from decoder: Decoder) throws {
        var f = try FieldReader(decoder)
        let location = f.string("location", maxLength: 64)
        let from = f.instant("from")
        let to = f.instant("to")
        desks = f.int("desks", required: false, range: 0...10_000)
        dryRun = f.bool("dryRun") ?? false
        if let text = f.string("affected", required: false, maxLength: 20) {
            affected = AffectedChoice(rawValue: text)
            if affected == nil { f.fail("affected", "must be cancel or keep") }
        }
        if f.has("reason") {
            let c = try decoder.container(keyedBy: AnyKey.self)
            if let text = try? c.decode(String.self, forKey: AnyKey("reason")) {
                reason = ClosureBody.reason([.nl: text], into: &f)
            } else if let object = try? c.decode([String: String].self, forKey: AnyKey("reason")) {
                var values: [Language: String] = [:]
                for (key, text) in object {
                    guard let language = Language(rawValue: key) else {
                        f.fail("reason.\(key.prefix(10))", "must be one of nl, fr, en, de")
                        continue
                    }
                    values[language] = text
                }
                reason = ClosureBody.reason(values, into: &f)
            } else {
                f.fail("reason", "must be a string or an object {\"nl\",\"fr\",\"en\",\"de\"} of strings")
            }
        }
        try f.finish()
        self.location = location ?? ""
        self.from = from ?? Date(timeIntervalSince1970: 0)
        self.to = to ?? Date(timeIntervalSince1970: 0)
    }

    /// The reason's texts trimmed and checked; nil when all are empty.
    private static func reason(_ values: [Language: String], into f: inout FieldReader) -> LocalizedText? {
        var kept: [Language: String] = [:]
        for (language, text) in values {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.count > 300 {
                f.fail("reason", "must be at most 300 characters per language")
            } else if trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                f.fail("reason", "must not contain control characters")
            } else if !trimmed.isEmpty {
                kept[language] = trimmed
            }
        }
        return kept.isEmpty ? nil : LocalizedText(kept)
    }
}

/// A closure as the admin sees it.
struct ClosureDTO: Encodable {
    var id: String
    var location: String
    var from: String
    var to: String
    var desks: Int
    var reason: [String: String]?
    var createdAt: String
    var createdBy: String
    var affected: String?
    var liftedAt: String?
    var liftedBy: String?
}

/// The answer to an applied closure: what it is and what it did to the affected appointments.
struct ClosureAppliedDTO: Encodable {
    var id: String
    var location: String
    var from: String
    var to: String
    var desks: Int
    var reason: [String: String]?
    var cancelled: [String]
    var kept: [String]
}

/// An appointment a closure would no longer have room for; no name or contact.
struct AffectedDTO: Encodable {
    var reference: String
    var start: String
    var end: String
    var service: String
    var persons: Int
}

/// The dry run's answer.
struct AffectedListDTO: Encodable {
    var affected: [AffectedDTO]
}

/// A closure in force on a display: until when, and why (in the display's language).
struct DisplayClosureDTO: Encodable {
    var id: String
    var until: String
    /// The reason in the asked language (or the default).
    var reason: String?
    /// The reason in every language it was given in, for displays that speak several.
    var reasons: [String: String]?
}

extension App {
    static func registerClosureRoutes(_ table: inout RouteTable<App>) {
        table.add(.POST, "/api/v1/admin/closures") { app, request in try app.addClosure(request) }
        table.add(.GET, "/api/v1/admin/closures") { app, request in try app.listClosures(request) }
        table.add(.DELETE, "/api/v1/admin/closures/{id}") { app, request in try app.liftClosure(request) }
    }

    private var officeDesk: OfficeDesk { OfficeDesk(catalogue: catalogue) }

    private static func reasonJSON(_ reason: LocalizedText?) -> [String: String]? {
        reason.map { r in Dictionary(uniqueKeysWithValues: r.values.map { ($0.key.rawValue, $0.value) }) }
    }

    private func closureDTO(_ c: ClosureRecord) -> ClosureDTO {
        let civil = CivilClock(timeZone: catalogue.location(c.limit.location)?.timeZone ?? .brussels)
        return ClosureDTO(id: c.limit.id, location: c.limit.location, from: civil.iso8601(c.limit.from), to: civil.iso8601(c.limit.to),
                          desks: c.limit.desks, reason: App.reasonJSON(c.limit.reason), createdAt: civil.iso8601(c.createdAt),
                          createdBy: c.createdBy, affected: c.affected?.rawValue, liftedAt: c.liftedAt.map(civil.iso8601),
                          liftedBy: c.liftedBy)
    }

    private func affectedDTO(_ list: [HeldAppointment], _ civil: CivilClock) -> [AffectedDTO] {
        list.map { AffectedDTO(reference: $0.reference, start: civil.iso8601($0.start), end: civil.iso8601($0.end),
                               service: $0.service, persons: $0.persons) }
    }

    /// `POST /api/v1/admin/closures`: a dry run (200 with the affected appointments) or the closure itself (201).
    private func addClosure(_ request: Request) throws -> Response {
        let who = try authorize(request, [.admin])
        let now = clock.now()
        let body = try decodeBody(request, as: ClosureBody.self)
        let location = try self.location(body.location)
        let command = ClosureRequest(location: location, from: body.from, to: body.to, desks: body.desks ?? 0, reason: body.reason,
                                     affected: body.affected, id: "cl-" + Secret.random(bytes: 9), by: who.name)
        let civil = CivilClock(timeZone: location.timeZone)
        if body.dryRun {
            let list = try store.read { try officeDesk.affected(command, now: now, reading: $0) }
            return try JSONOut.response(AffectedListDTO(affected: affectedDTO(list, civil)))
        }
        let result = try write(now: now) { tx -> ClosureResult in
            do {
                return try tx.apply(officeDesk.close(command, now: now, reading: tx.db))
            } catch let e as LoketError where e.code == .affectedChoiceRequired {
                // The list goes with the problem, so the admin sees what the choice is about.
                var problem = e.problem
                let list = try officeDesk.affected(command, now: now, reading: tx.db)
                problem.extra["affected"] = .array(affectedDTO(list, civil).map {
                    .members(["reference": .string($0.reference), "start": .string($0.start), "end": .string($0.end),
                              "service": .string($0.service), "persons": .int($0.persons)])
                })
                throw problem
            }
        }
        let limit = result.record.limit
        logger.info("closure added", metadata: ["closure": "\(limit.id)", "location": "\(limit.location)", "desks": "\(limit.desks)",
                                               "cancelled": "\(result.cancelled.count)", "kept": "\(result.kept.count)"])
        return try JSONOut.response(ClosureAppliedDTO(
            id: limit.id, location: limit.location, from: civil.iso8601(limit.from), to: civil.iso8601(limit.to), desks: limit.desks,
            reason: App.reasonJSON(limit.reason), cancelled: result.cancelled, kept: result.kept),
            status: 201, headers: [("Location", "/api/v1/admin/closures/\(limit.id)")])
    }

    /// `GET /api/v1/admin/closures?location=`: closures in force or to come, by start.
    private func listClosures(_ request: Request) throws -> Response {
        try authorize(request, [.admin])
        let now = clock.now()
        var filter: String?
        if let id = request.query["location"], !id.isEmpty { filter = try location(id).id }
        let list = try store.read { try $0.closures(location: filter, now: now) }
        return try JSONOut.response(list.map(closureDTO))
    }

    /// `DELETE /api/v1/admin/closures/{id}`: lifts a closure; its time is bookable again at once.
    private func liftClosure(_ request: Request) throws -> Response {
        let who = try authorize(request, [.admin])
        let now = clock.now()
        let id = request.parameter("id")
        guard id.count <= 64 else { throw LoketError(.notFound, "There is no closure with this id.") }
        let record = try write(now: now) { tx in try tx.apply(officeDesk.lift(id: id, by: who.name, now: now, reading: tx.db)) }
        capacityFreed(location: record.limit.location)
        return try JSONOut.response(closureDTO(record))
    }

    /// Capacity came free at `location` (a closure was lifted): the waitlist may offer it.
    func capacityFreed(location: String) {
        logger.debug("capacity freed", metadata: ["location": "\(location)"])
        wakeWaitlist()
    }

    /// `location` with the runtime limits stored for `[from, to)`, read through `db`.
    func limited(_ location: Location, from: Date, to: Date, db: Connection) throws -> Location {
        location.with(limits: try db.deskLimits(location: location.id, from: from, to: to))
    }

    /// The 0-desk closure in force at `now` at `location`, for the display; nil while open.
    func displayClosure(_ location: Location, now: Date, lang: Language, db: Connection) throws -> DisplayClosureDTO? {
        let closing = try db.deskLimits(location: location.id, from: now, to: now.addingTimeInterval(1)).filter(\.closes)
        guard var current = closing.first else { return nil }
        // Back-to-back closures read as one: the notice says when the last of them ends.
        let later = try db.deskLimits(location: location.id, from: now, to: now.addingTimeInterval(Double(OfficeDesk.maxDays * 86_400)))
            .filter(\.closes).sorted { $0.from < $1.from }
        for next in later where next.from <= current.to && next.to > current.to { current.to = next.to }
        return DisplayClosureDTO(id: current.id, until: CivilClock(timeZone: location.timeZone).iso8601(current.to),
                                 reason: current.reason?.resolve(lang),
                                 reasons: current.reason.map { Dictionary(uniqueKeysWithValues: $0.values.map { ($0.key.rawValue, $0.value) }) })
    }
}
