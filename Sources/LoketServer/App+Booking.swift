// Booking routes: availability, book, read, cancel, reschedule, calendar file.
//
// Capacity is checked twice: when slots are listed (a read snapshot) and again inside the
// booking's `BEGIN IMMEDIATE` transaction, so concurrent requests never overbook a slot.
import Foundation
import LoketCore
import LoketHTTP
import LoketStore

struct AvailabilityDTO: Encodable {
    var location: String
    var items: [Appointment.Item]
    var durationMinutes: Int
    var from: String
    var to: String
    // `slots` ([{start, end, free}]) is appended as bytes by `availability`.
}

struct AppointmentDTO: Encodable {
    var reference: String
    var manageToken: String?
    var location: String
    var locationName: String
    var address: String
    var service: String
    var serviceName: String
    var persons: Int
    var items: [ItemDTO]
    var start: String
    var end: String
    var durationMinutes: Int
    var status: String
    var name: String
    var email: String?
    var phone: String?
    var lang: String
    var createdAt: String
    var bring: [String]

    struct ItemDTO: Encodable {
        var service: String
        var serviceName: String
        var persons: Int
    }
}

/// Longest availability range one request may ask for.
private let maxRangeDays = 62

extension App {
    static func registerBookingRoutes(_ table: inout RouteTable<App>) {
        table.add(.GET, "/api/v1/availability") { app, request in try app.availability(request) }
        table.add(.POST, "/api/v1/appointments") { app, request in try app.book(request) }
        table.add(.GET, "/api/v1/appointments/{reference}") { app, request in
            let now = app.clock.now()
            try app.limitRate(request, now: now)
            let a = try app.store.read { try app.ownAppointment($0, request) }
            return try JSONOut.response(app.appointmentDTO(a.appointment, lang: app.language(request, a.appointment)))
        }
        table.add(.DELETE, "/api/v1/appointments/{reference}") { app, request in try app.cancel(request) }
        table.add(.POST, "/api/v1/appointments/{reference}/cancel") { app, request in try app.cancel(request) }
        table.add(.POST, "/api/v1/appointments/{reference}/reschedule") { app, request in try app.reschedule(request) }
        table.add(.GET, "/api/v1/appointments/{reference}/calendar.ics") { app, request in
            let now = app.clock.now()
            try app.limitRate(request, now: now)
            let a = try app.store.read { try app.ownAppointment($0, request) }.appointment
            let ics = ICalendar.event(for: a, catalogue: app.catalogue, language: app.language(request, a), now: now,
                                      baseURL: app.catalogue.settings.publicBaseURL)
            return Response(contentType: "text/calendar; charset=utf-8", text: ics, headers: [
                ("Content-Disposition", "attachment; filename=\"afspraak-\(a.reference).ics\""), ("Cache-Control", "no-store"),
            ])
        }
    }

    private func language(_ request: Request, _ a: Appointment) -> Language {
        request.query["lang"].flatMap { Language(tag: $0) } ?? a.language
    }

    /// The visit asked for: `service` + `persons`, or `items=svc:2,svc2:1` (query) / `items` (JSON).
    private func visit(service: String?, persons: Int?, items: [(String, Int?)]?, location: Location) throws -> [VisitItem] {
        var raw: [(String, Int?)] = []
        if let items, !items.isEmpty {
            raw = items
        } else if let service {
            raw = [(service, persons ?? 1)]
        } else {
            throw LoketError(.invalid, "Say which service (or items) you want.", fields: ["service": "is required"])
        }
        guard raw.count <= 10 else { throw LoketError(.invalid, "At most 10 services per visit.", fields: ["items": "too many"]) }
        var result: [VisitItem] = []
        for (i, (id, persons)) in raw.enumerated() {
            let field = raw.count > 1 || items != nil ? "items[\(i)]" : "service"
            let s = try self.service(id, field: field)
            guard s.locations.contains(location.id) else {
                throw LoketError(.invalid, "'\(s.name.resolve(.nl))' is not offered at this location.",
                                 fields: ["location": "does not offer \(s.id)"])
            }
            guard s.channels.contains(.appointment) else {
                throw LoketError(.invalid, "'\(s.name.resolve(.nl))' is not available by appointment; take a ticket at the kiosk.",
                                 fields: [field: "not bookable"])
            }
            let p = persons ?? 1
            guard (1...s.maxPersons).contains(p) else {
                throw LoketError(.invalid, "Persons must be between 1 and \(s.maxPersons) for this service.",
                                 fields: [raw.count > 1 || items != nil ? "items[\(i)].persons" : "persons": "must be 1...\(s.maxPersons)"])
            }
            result.append(VisitItem(service: s, persons: p))
        }
        return result
    }

    private func availability(_ request: Request) throws -> Response {
        let now = clock.now()
        try limitRate(request, now: now)
        let q = request.query
        let location = try self.location(q["location"])
        var persons: Int?
        if let p = q["persons"], !p.isEmpty {
            guard let n = Int(p) else { throw LoketError(.invalid, "Persons must be a number.", fields: ["persons": "must be a number"]) }
            persons = n
        }
        var items: [(String, Int?)]?
        if let text = q["items"], !text.isEmpty {
            items = try text.split(separator: ",").map { part in
                let bits = part.split(separator: ":")
                guard bits.count <= 2, let id = bits.first, bits.count == 1 || Int(bits[1]) != nil else {
                    throw LoketError(.invalid, "Items look like service:persons,service:persons.", fields: ["items": "malformed"])
                }
                return (String(id), bits.count == 2 ? Int(bits[1]) : 1)
            }
        }
        let visit = try self.visit(service: q["service"], persons: persons, items: items, location: location)
        let civil = CivilClock(timeZone: location.timeZone)
        let today = civil.date(of: now)
        let from = try q["from"].map { try date($0, field: "from") } ?? today
        let to = try q["to"].map { try date($0, field: "to") } ?? from.adding(days: 13)
        guard from <= to else {
            throw LoketError(.invalidRange, "`to` is before `from`.", fields: ["to": "must not be before from"])
        }
        guard to.dayNumber - from.dayNumber < maxRangeDays else {
            throw LoketError(.invalidRange, "Ask for at most \(maxRangeDays) days at once.", fields: ["to": "range too long"])
        }
        let horizon = visit[0].service.horizonDays ?? location.booking.horizonDays
        guard from.dayNumber <= today.dayNumber + horizon + 1 else {
            throw LoketError(.invalidRange, "Appointments can be booked at most \(horizon) days ahead.", fields: ["from": "beyond the horizon"])
        }
        let rangeStart = civil.startOfDay(from)
        let rangeEnd = civil.startOfDay(to.adding(days: 1))
        let (booked, held) = try store.read { db in
            (try db.bookedIntervals(location: location.id, from: rangeStart, to: rangeEnd),
             try db.holds(location: location.id, from: rangeStart, to: rangeEnd, now: now))
        }
        let slots = SlotEngine.slots(location: location, items: visit, from: from, to: to, booked: booked, held: held,
                                     channel: .online, now: now)
        // The head goes through the encoder; the slots, often hundreds, are written directly.
        var body = Array(try JSONOut.encoder.encode(AvailabilityDTO(
            location: location.id, items: visit.map { Appointment.Item(service: $0.service.id, persons: $0.persons) },
            durationMinutes: SlotEngine.visitMinutes(visit), from: from.description, to: to.description)))
        body.removeLast() // the closing brace
        body.reserveCapacity(body.count + slots.count * 80)
        body.append(contentsOf: Array(",\"slots\":[".utf8))
        for (i, slot) in slots.enumerated() {
            if i > 0 { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: Array("{\"start\":\"\(civil.iso8601(slot.start))\",\"end\":\"\(civil.iso8601(slot.end))\",\"free\":\(slot.free)}".utf8))
        }
        body.append(contentsOf: Array("]}".utf8))
        return Response(contentType: "application/json", bytes: body, headers: [("Cache-Control", "no-store")])
    }

    /// A `YYYY-MM-DD` query value; a 400 `invalid_date` naming `field` otherwise.
    func date(_ text: String, field: String) throws -> CivilDate {
        guard let d = CivilDate(text) else {
            throw LoketError(.invalidDate, "`\(field)` must be a real date written YYYY-MM-DD.", fields: [field: "not a valid date"])
        }
        return d
    }

    private func book(_ request: Request) throws -> Response {
        let now = clock.now()
        try limitRate(request, cost: 2, now: now)
        var body = try JSONBody(request)
        let locationID = body.string("location", maxLength: 64)
        let serviceID = body.string("service", required: !body.has("items"), maxLength: 64)
        let persons = body.int("persons", required: false, range: 1...50)
        let itemBodies = body.objects("items")
        let startText = body.string("start", maxLength: 40)
        let name = body.string("name", maxLength: 100)
        let email = body.string("email", required: false, maxLength: 254)
        let phone = body.string("phone", required: false, maxLength: 30)
        let langText = body.string("lang", required: false, maxLength: 10)
        var start: Date?
        if let startText {
            start = parseInstant(startText)
            if start == nil { body.fail("start", "must be a date-time like 2026-12-01T08:30:00+01:00") }
        }
        if let email, !Contact.isEmail(email) { body.fail("email", "is not a valid e-mail address") }
        if let phone, !Contact.isPhone(phone) { body.fail("phone", "is not a valid phone number") }
        if email == nil && phone == nil && body.errors["email"] == nil && body.errors["phone"] == nil {
            body.fail("email", "give an e-mail address or a phone number")
        }
        var lang = catalogue.settings.defaultLanguage
        if let langText {
            if let l = Language(tag: langText) { lang = l } else { body.fail("lang", "must be nl, fr, en or de") }
        }
        var items: [(String, Int?)]?
        if var list = itemBodies {
            items = []
            for i in list.indices {
                let s = list[i].string("service", maxLength: 64)
                let p = list[i].int("persons", required: false, range: 1...50)
                for (k, v) in list[i].errors { body.fail("items[\(i)].\(k)", v) }
                items?.append((s ?? "", p))
            }
            if list.isEmpty { body.fail("items", "must not be empty") }
        }
        try body.validate()
        let location = try self.location(locationID)
        let visit = try self.visit(service: serviceID, persons: persons, items: items, location: location)
        let channel: BookingChannel = (try? authorize(request, [.clerk])) != nil ? .staff : .online
        let contactKey = Contact.key(email: email, phone: phone)
        let token = App.randomSecret()
        let tokenHash = App.hashToken(token)
        let civil = CivilClock(timeZone: location.timeZone)

        let appointment = try transact(now: now) { db, _ -> Appointment in
            if channel == .online, let contactKey,
               try db.activeAppointmentCount(contactKey: contactKey, now: now) >= catalogue.settings.maxActivePerContact {
                throw LoketError(.contactLimit, "This contact already has \(catalogue.settings.maxActivePerContact) appointments booked; cancel one first.")
            }
            let day = civil.date(of: start!)
            let booked = try db.bookedIntervals(location: location.id, from: civil.startOfDay(day), to: civil.startOfDay(day.adding(days: 1)))
            let held = try db.holds(location: location.id, from: civil.startOfDay(day), to: civil.startOfDay(day.adding(days: 1)), now: now)
            let slot = try SlotEngine.check(start: start!, location: location, items: visit, booked: booked, held: held,
                                            channel: channel, now: now)
            for _ in 0..<8 {
                let a = Appointment(reference: ReferenceCode.generate(), location: location.id,
                                    items: visit.map { Appointment.Item(service: $0.service.id, persons: $0.persons) },
                                    start: slot.start, end: slot.end, status: .booked, name: name!, email: email, phone: phone,
                                    language: lang, channel: channel, createdAt: now)
                do {
                    try db.insertAppointment(a, tokenHash: tokenHash, group: visit[0].service.group, contactKey: contactKey)
                    try db.audit(actor: channel == .staff ? "staff" : "citizen", action: "appointment.book", subject: a.reference, at: now)
                    return a
                } catch let e as SQLiteError where e.isUniqueViolation {
                    continue
                }
            }
            throw LoketError(.slotUnavailable, "Could not make a unique reference; please try again.")
        }
        var dto = appointmentDTO(appointment, lang: lang)
        dto.manageToken = token
        return try JSONOut.response(dto, status: 201, headers: [("Location", "/api/v1/appointments/\(appointment.reference)")])
    }

    /// Reads the appointment named in the path if the token matches; the same 404 otherwise.
    func ownAppointment(_ db: Connection, _ request: Request) throws -> (appointment: Appointment, group: String?) {
        let notFound = LoketError(.notFound, "No appointment with this reference and token.")
        guard let reference = ReferenceCode.normalize(request.parameter("reference")),
              let token = request.query["token"], !token.isEmpty, token.count < 200 else { throw notFound }
        let given = App.hashToken(token)
        guard let row = try db.appointment(reference: reference) else {
            _ = constantTimeEqual(given, given)
            throw notFound
        }
        guard constantTimeEqual(row.tokenHash, given) else { throw notFound }
        return (row.appointment, row.group)
    }

    private func cancel(_ request: Request) throws -> Response {
        let now = clock.now()
        try limitRate(request, now: now)
        let a = try transact(now: now) { db, _ -> Appointment in
            var (a, group) = try ownAppointment(db, request)
            switch a.status {
            case .cancelled:
                return a
            case .booked:
                try db.setAppointmentStatus(reference: a.reference, .cancelled, now: now)
                let location = try self.location(a.location)
                if location.booking.cancelCooldownMinutes > 0, a.start > now {
                    try db.insertHold(location: a.location, group: group, start: a.start, end: a.end, channel: a.channel,
                                      until: now.addingTimeInterval(Double(location.booking.cancelCooldownMinutes * 60)))
                }
                try db.audit(actor: "citizen", action: "appointment.cancel", subject: a.reference, at: now)
                a.status = .cancelled
                return a
            default:
                throw LoketError(.illegalTransition, "This appointment is already \(a.status.rawValue) and can no longer be cancelled.")
            }
        }
        return try JSONOut.response(appointmentDTO(a, lang: language(request, a)))
    }

    private func reschedule(_ request: Request) throws -> Response {
        let now = clock.now()
        try limitRate(request, cost: 2, now: now)
        var body = try JSONBody(request)
        let startText = body.string("start", maxLength: 40)
        var start: Date?
        if let startText {
            start = parseInstant(startText)
            if start == nil { body.fail("start", "must be a date-time like 2026-12-01T08:30:00+01:00") }
        }
        try body.validate()
        let a = try transact(now: now) { db, _ -> Appointment in
            var (a, _) = try ownAppointment(db, request)
            guard a.status == .booked else {
                throw LoketError(.illegalTransition, "Only a booked appointment can be moved; this one is \(a.status.rawValue).")
            }
            let location = try self.location(a.location)
            let visit = try a.items.map { VisitItem(service: try service($0.service), persons: $0.persons) }
            let civil = CivilClock(timeZone: location.timeZone)
            let day = civil.date(of: start!)
            let from = civil.startOfDay(day), to = civil.startOfDay(day.adding(days: 1))
            let booked = try db.bookedIntervals(location: location.id, from: from, to: to, excluding: a.reference)
            let held = try db.holds(location: location.id, from: from, to: to, now: now)
            let slot = try SlotEngine.check(start: start!, location: location, items: visit, booked: booked, held: held,
                                            channel: a.channel, now: now)
            try db.moveAppointment(reference: a.reference, start: slot.start, end: slot.end, now: now)
            try db.audit(actor: "citizen", action: "appointment.reschedule", subject: a.reference, at: now)
            a.start = slot.start
            a.end = slot.end
            return a
        }
        return try JSONOut.response(appointmentDTO(a, lang: language(request, a)))
    }

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
            bring: a.items.compactMap { catalogue.service($0.service)?.bring?.resolve(lang) })
    }
}

/// Compares two byte strings in time that depends only on their length.
func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var diff: UInt8 = 0
    for i in 0..<a.count { diff |= a[i] ^ b[i] }
    return diff == 0
}
