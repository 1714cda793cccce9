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
        let body = try availabilityAnswer(AvailabilityQuery(request.query), now: now, cached: availabilityCache.enabled)
        return Response(contentType: "application/json", bytes: body, headers: [("Cache-Control", "no-store")])
    }

    /// The encoded answer to `query` at `now`: a kept one when `cached` and still valid
    /// (`AvailabilityCache`), else computed from a read snapshot (and kept when `cached`).
    func availabilityAnswer(_ query: AvailabilityQuery, now: Date, cached: Bool) throws -> [UInt8] {
        let office = self.office.withLock { $0 }
        if cached, let body = availabilityCache.answer(query, office: office, now: now) { return body }
        let catalogue = office.catalogue, desk = office.bookingDesk
        guard let id = query.location, !id.isEmpty else {
            throw LoketError(.invalid, "Say which location.", fields: ["location": "is required"])
        }
        guard let location = catalogue.location(id) else {
            throw LoketError(.unknownLocation, "There is no location '\(id.prefix(60))'.")
        }
        var persons: Int?
        if let p = query.persons, !p.isEmpty {
            guard let n = Int(p) else { throw LoketError(.invalid, "Persons must be a number.", fields: ["persons": "must be a number"]) }
            persons = n
        }
        var items: [(service: String, persons: Int?)] = []
        let asList = !(query.items ?? "").isEmpty
        if asList, let text = query.items {
            items = try text.split(separator: ",").map { part in
                let bits = part.split(separator: ":")
                guard bits.count <= 2, let id = bits.first, bits.count == 1 || Int(bits[1]) != nil else {
                    throw LoketError(.invalid, "Items look like service:persons,service:persons.", fields: ["items": "malformed"])
                }
                return (String(id), bits.count == 2 ? Int(bits[1]) : 1)
            }
        } else if let service = query.service {
            items = [(service, persons ?? 1)]
        }
        let visit = try desk.visit(items, asList: asList, at: location)
        let range = try desk.range(from: try query.from.map { try date($0, field: "from") },
                                   to: try query.to.map { try date($0, field: "to") },
                                   visit: visit, at: location, now: now)
        let civil = CivilClock(timeZone: location.timeZone)
        let rangeStart = civil.startOfDay(range.lowerBound)
        let rangeEnd = civil.startOfDay(range.upperBound.adding(days: 1))
        // Before the snapshot: a commit after this point makes the answer not worth keeping.
        let stamp = availabilityCache.stamp(location.id)
        let group = visit.first?.service.group
        let (read, limitedLocation) = try store.read { db in
            (try db.availabilityIntervals(location: location.id, group: group, from: rangeStart, to: rangeEnd, now: now),
             try limited(location, from: rangeStart, to: rangeEnd, db: db))
        }
        let slots = SlotEngine.slots(location: limitedLocation, items: visit, from: range.lowerBound, to: range.upperBound,
                                     booked: read.booked, held: read.held, channel: .online, now: now)
        let body = AvailabilityAnswer.encode(location: location.id, visit: visit, range: range, slots: slots,
                                             timeZone: location.timeZone)
        if cached {
            var validUntil = SlotEngine.unchangedUntil(location: location, items: visit, slots: slots, now: now)
            if let holds = read.holdsChangeAt { validUntil = min(validUntil, holds) }
            availabilityCache.keep(body, for: query, location: location.id, office: office, stamp: stamp,
                                   madeAt: now, validUntil: validUntil)
        }
        return body
    }

    private func book(_ request: Request) throws -> Response {
        let now = clock.now()
        try limitRate(request, cost: 2, now: now)
        let body = try decodeBody(request, as: BookBody.self)
        let location = try self.location(body.location)
        let visit = try bookingDesk.visit(body.items, asList: body.asList, at: location)
        let key = manageKey
        let made = LockedBox<(reference: String, token: String)?>(nil)
        var rng = SystemRandomNumberGenerator()
        let lang = body.language ?? catalogue.settings.defaultLanguage
        let command = BookingRequest(
            location: location, visit: visit, start: body.start, name: body.name, email: body.email, phone: body.phone,
            language: lang, channel: isStaff(request) ? .staff : .online,
            contactKey: Contact.key(email: body.email, phone: body.phone),
            tokenHash: { reference in
                // Made once: its hash goes into the row, the token itself into the answer (an HMAC each, 2% of a booking).
                let token = Secret.manageToken(reference: reference, key: key)
                made.withLock { $0 = (reference, token) }
                return Secret.hash(token)
            },
            referenceCandidates: ReferenceCode.candidates(8),
            // Drawn only for a video desk: 20 random symbols cost 20 `getrandom` calls.
            meetingRoom: location.kind == .remote ? Secret.roomName(using: &rng) : nil)
        var dto = try write(now: now) { tx in
            appointmentDTO(try tx.apply(bookingDesk.book(command, now: now, reading: tx.db)), lang: lang)
        }
        dto.manageToken = made.withLock { $0 }.flatMap { $0.reference == dto.reference ? $0.token : nil }
            ?? Secret.manageToken(reference: dto.reference, key: key)
        return JSONOut.response(bytes: dto.jsonBytes(), status: 201, headers: [("Location", "/api/v1/appointments/\(dto.reference)")])
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
