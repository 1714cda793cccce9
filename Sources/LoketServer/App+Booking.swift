// Booking routes: availability, book, read, cancel, reschedule, calendar file.
//
// The rules live in `BookingDesk`. Capacity is checked twice: when slots are listed (a read
// snapshot) and again by the use case inside the booking's `BEGIN IMMEDIATE` transaction, so
// concurrent requests never overbook a slot.
import Foundation
import LoketCore
import LoketHTTP
import LoketMail
import LoketStore

extension App {
    static func registerBookingRoutes(_ table: inout RouteTable<App>) {
        table.add(.GET, "/api/v1/availability") { app, request in try app.availability(request) }
        table.add(.POST, "/api/v1/appointments") { app, request in try app.book(request) }
        table.add(.GET, "/api/v1/appointments/{reference}") { app, request in try app.readAppointment(request) }
        table.add(.DELETE, "/api/v1/appointments/{reference}") { app, request in try app.cancel(request) }
        table.add(.POST, "/api/v1/appointments/{reference}/cancel") { app, request in try app.cancel(request) }
        table.add(.POST, "/api/v1/appointments/{reference}/reschedule") { app, request in try app.reschedule(request) }
        table.add(.GET, "/api/v1/appointments/{reference}/calendar.ics") { app, request in try app.calendarFile(request) }
    }

    private func language(_ request: Request, _ a: Appointment) -> Language {
        request.query["lang"].flatMap { Language(tag: $0) } ?? a.language
    }

    /// The manage token's hash from `?token=`, nil when absent or absurdly long.
    private func tokenHash(_ request: Request) -> [UInt8]? {
        guard let token = request.query["token"], !token.isEmpty, token.count < 200 else { return nil }
        return Secret.hash(token)
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
        var items: [(service: String, persons: Int?)] = []
        let asList = !(q["items"] ?? "").isEmpty
        if asList, let text = q["items"] {
            items = try text.split(separator: ",").map { part in
                let bits = part.split(separator: ":")
                guard bits.count <= 2, let id = bits.first, bits.count == 1 || Int(bits[1]) != nil else {
                    throw LoketError(.invalid, "Items look like service:persons,service:persons.", fields: ["items": "malformed"])
                }
                return (String(id), bits.count == 2 ? Int(bits[1]) : 1)
            }
        } else if let service = q["service"] {
            items = [(service, persons ?? 1)]
        }
        let visit = try bookingDesk.visit(items, asList: asList, at: location)
        let range = try bookingDesk.range(from: try q["from"].map { try date($0, field: "from") },
                                          to: try q["to"].map { try date($0, field: "to") },
                                          visit: visit, at: location, now: now)
        let civil = CivilClock(timeZone: location.timeZone)
        let rangeStart = civil.startOfDay(range.lowerBound)
        let rangeEnd = civil.startOfDay(range.upperBound.adding(days: 1))
        let (booked, held, limitedLocation) = try store.read { db in
            (try db.bookedIntervals(location: location.id, from: rangeStart, to: rangeEnd, excluding: nil),
             try db.holds(location: location.id, from: rangeStart, to: rangeEnd, now: now),
             try limited(location, from: rangeStart, to: rangeEnd, db: db))
        }
        let slots = SlotEngine.slots(location: limitedLocation, items: visit, from: range.lowerBound, to: range.upperBound,
                                     booked: booked, held: held, channel: .online, now: now)
        // The head goes through the encoder; the slots, often hundreds, are written directly.
        var body = Array(try JSONOut.encoder.encode(AvailabilityDTO(
            location: location.id, items: visit.map { Appointment.Item(service: $0.service.id, persons: $0.persons) },
            durationMinutes: SlotEngine.visitMinutes(visit), from: range.lowerBound.description, to: range.upperBound.description)))
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

    private func book(_ request: Request) throws -> Response {
        let now = clock.now()
        try limitRate(request, cost: 2, now: now)
        let body = try decodeBody(request, as: BookBody.self)
        let location = try self.location(body.location)
        let visit = try bookingDesk.visit(body.items, asList: body.asList, at: location)
        let key = manageKey
        var rng = SystemRandomNumberGenerator()
        let lang = body.language ?? catalogue.settings.defaultLanguage
        let command = BookingRequest(
            location: location, visit: visit, start: body.start, name: body.name, email: body.email, phone: body.phone,
            language: lang, channel: isStaff(request) ? .staff : .online,
            contactKey: Contact.key(email: body.email, phone: body.phone),
            tokenHash: { Secret.hash(Secret.manageToken(reference: $0, key: key)) },
            referenceCandidates: (0..<8).map { _ in ReferenceCode.generate() }, meetingRoom: Secret.roomName(using: &rng))
        var dto = try write(now: now) { tx in
            appointmentDTO(try tx.apply(bookingDesk.book(command, now: now, reading: tx.db)), lang: lang)
        }
        dto.manageToken = Secret.manageToken(reference: dto.reference, key: key)
        return try JSONOut.response(dto, status: 201, headers: [("Location", "/api/v1/appointments/\(dto.reference)")])
    }

    private func readAppointment(_ request: Request) throws -> Response {
        let now = clock.now()
        try limitRate(request, now: now)
        let a = try store.read { db in
            try bookingDesk.own(reference: request.parameter("reference"), tokenHash: tokenHash(request), reading: db).appointment
        }
        return try JSONOut.response(appointmentDTO(a, lang: language(request, a)))
    }

    private func cancel(_ request: Request) throws -> Response {
        let now = clock.now()
        try limitRate(request, now: now)
        let a = try write(now: now) { tx in
            try tx.apply(bookingDesk.cancel(reference: request.parameter("reference"), tokenHash: tokenHash(request),
                                            now: now, reading: tx.db))
        }
        wakeWaitlist()
        return try JSONOut.response(appointmentDTO(a, lang: language(request, a)))
    }

    private func reschedule(_ request: Request) throws -> Response {
        let now = clock.now()
        try limitRate(request, cost: 2, now: now)
        let body = try decodeBody(request, as: RescheduleBody.self)
        let a = try write(now: now) { tx in
            try tx.apply(bookingDesk.reschedule(reference: request.parameter("reference"), tokenHash: tokenHash(request),
                                                to: body.start, now: now, reading: tx.db))
        }
        wakeWaitlist()
        return try JSONOut.response(appointmentDTO(a, lang: language(request, a)))
    }

    private func calendarFile(_ request: Request) throws -> Response {
        let now = clock.now()
        try limitRate(request, now: now)
        let a = try store.read { db in
            try bookingDesk.own(reference: request.parameter("reference"), tokenHash: tokenHash(request), reading: db).appointment
        }
        // The same SEQUENCE as the last mail, so a calendar that holds the mailed event takes this one as current.
        let ics = ICalendar.event(for: a, sequence: a.revision, method: .publish, catalogue: catalogue, language: language(request, a),
                                  now: now, publicURL: mailer.publicURL, meetingURL: a.meetingURL(at: catalogue.location(a.location)))
        return Response(contentType: "text/calendar; charset=utf-8", text: ics, headers: [
            ("Content-Disposition", "attachment; filename=\"afspraak-\(a.reference).ics\""), ("Cache-Control", "no-store"),
        ])
    }
}
