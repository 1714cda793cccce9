// Booking, reading, cancelling, moving and exporting appointments, against the hand-made
// municipality (location `hal`: weekdays 09:00-12:00, a 15-minute grid, no lead time, every desk
// online, no cooldown unless a test asks for one).
import Foundation
import LoketCore
import Testing
import LoketTestKit

@Suite("Booking API")
struct BookingAPITests {
    // 2026-12-01 is a Tuesday; the tests book Wednesday 2026-12-02.
    static let clock = "2026-12-01T08:00:00+01:00"
    static let nine = "2026-12-02T09:00:00+01:00"
    static let quarterPast = "2026-12-02T09:15:00+01:00"
    static let halfPast = "2026-12-02T09:30:00+01:00"

    @Test func bookingAnswers201WithReferenceAndManageToken() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let r = try live.book(LiveServer.bookingBody(start: Self.nine, persons: 2))
        #expect(r.status == 201, "\(r.text)")
        let o = try r.object()
        let reference = try #require(o["reference"] as? String)
        #expect(reference.wholeMatch(of: /[2-9A-HJ-NP-Z]{3}-[2-9A-HJ-NP-Z]{3}/) != nil, "reference \(reference)")
        let token = try #require(o["manageToken"] as? String)
        #expect(token.count >= 20)
        #expect(o["status"] as? String == "booked")
        #expect(o["start"] as? String == Self.nine)
        // Two persons x 15 minutes.
        #expect(o["end"] as? String == Self.halfPast)
        #expect(o["durationMinutes"] as? Int == 30)
        #expect(o["persons"] as? Int == 2)
        #expect(o["location"] as? String == "hal")
        #expect(o["service"] as? String == "id-kaart")
        #expect(r.header("location") == "/api/v1/appointments/\(reference)")
    }

    @Test func startWrittenInUTCBooksTheSameSlot() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let r = try live.book(LiveServer.bookingBody(start: "2026-12-02T08:00:00Z"))
        #expect(r.status == 201, "\(r.text)")
        #expect(try r.object()["start"] as? String == Self.nine)
    }

    @Test func itemsBookOneBlockAsLongAsTheirSum() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let r = try live.book(["items": [["service": "id-kaart", "persons": 2], ["service": "rijbewijs", "persons": 1]],
                               "location": "hal", "start": Self.nine, "name": "Familie Peeters", "email": "peeters@example.be"])
        #expect(r.status == 201, "\(r.text)")
        let o = try r.object()
        #expect(o["durationMinutes"] as? Int == 45)
        #expect(o["end"] as? String == "2026-12-02T09:45:00+01:00")
        #expect(o["persons"] as? Int == 3)
        #expect((o["items"] as? [[String: Any]])?.compactMap { $0["service"] as? String } == ["id-kaart", "rijbewijs"])
        // The block occupies 09:00-09:45: every start that overlaps it has one desk less.
        let free = try live.freeSlots(date: "2026-12-02")
        #expect(free[Self.nine] == 2)
        #expect(free["2026-12-02T09:30:00+01:00"] == 2)
        #expect(free["2026-12-02T09:45:00+01:00"] == 3)
    }

    @Test func readBackNeedsTheTokenAndWrongOnesAllLookTheSame() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let b = try live.mustBook(start: Self.nine, name: "An Janssens")
        let r = try live.appointment(b)
        #expect(r.status == 200)
        let o = try r.object()
        #expect(o["reference"] as? String == b.reference)
        #expect(o["name"] as? String == "An Janssens")
        #expect(o["status"] as? String == "booked")
        #expect(o["manageToken"] == nil, "the token is shown once, at booking")
        #expect(o["address"] as? String == Fixture.address)
        // Lowercase and without the dash, as people type it.
        let typed = b.reference.lowercased().replacingOccurrences(of: "-", with: "")
        #expect(try live.client.get("/api/v1/appointments/\(typed)?token=\(q(b.token))").status == 200)

        let wrongToken = try live.client.get("/api/v1/appointments/\(b.reference)?token=\(q(b.token + "x"))")
        let otherBooking = try live.mustBook(start: Self.nine)
        let crossed = try live.client.get("/api/v1/appointments/\(b.reference)?token=\(q(otherBooking.token))")
        // A well-formed reference (valid check symbol) that nobody booked.
        let unknown = ReferenceCode.generate()
        let wrongReference = try live.client.get("/api/v1/appointments/\(unknown)?token=\(q(b.token))")
        let garbage = try live.client.get("/api/v1/appointments/not-a-reference?token=\(q(b.token))")
        let noToken = try live.client.get("/api/v1/appointments/\(b.reference)")
        for answer in [wrongToken, crossed, wrongReference, garbage, noToken] {
            #expect(answer.status == 404)
            #expect(answer.body == wrongToken.body, "bodies differ: \(answer.text) vs \(wrongToken.text)")
            #expect(!answer.text.contains("An Janssens"))
        }
        #expect(wrongToken.problemCode == "not_found")
    }

    @Test func invalidBookingsAnswer422NamingTheField() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let valid = LiveServer.bookingBody(start: Self.nine)
        let cases: [(label: String, change: (inout [String: Any]) -> Void, field: String)] = [
            ("missing name", { $0["name"] = nil }, "name"),
            ("blank name", { $0["name"] = "   " }, "name"),
            ("overlong name", { $0["name"] = String(repeating: "Ö", count: 101) }, "name"),
            ("bad e-mail", { $0["email"] = "jan.example.be" }, "email"),
            ("e-mail with a space", { $0["email"] = "jan peeters@example.be" }, "email"),
            ("bad phone", { $0["email"] = nil; $0["phone"] = "bel me maar" }, "phone"),
            ("too short phone", { $0["email"] = nil; $0["phone"] = "12345" }, "phone"),
            ("no contact at all", { $0["email"] = nil }, "email"),
            ("unknown language", { $0["lang"] = "xx" }, "lang"),
            ("zero persons", { $0["persons"] = 0 }, "persons"),
            ("more persons than the service allows", { $0["persons"] = 4 }, "persons"),
            ("start not a date-time", { $0["start"] = "morgen om negen" }, "start"),
            ("start without offset", { $0["start"] = "2026-12-02T09:00:00" }, "start"),
            ("missing start", { $0["start"] = nil }, "start"),
            ("missing location", { $0["location"] = nil }, "location"),
            ("service not bookable (walk-in only)", { $0["service"] = "afhalen" }, "service"),
        ]
        for c in cases {
            var body = valid
            c.change(&body)
            let r = try live.book(body)
            #expect(r.status == 422, "\(c.label): \(r.status) \(r.text)")
            #expect(r.problemCode == "validation_failed", "\(c.label)")
            #expect(r.problemFields[c.field] != nil, "\(c.label): fields \(r.problemFields)")
        }
        // A phone alone is enough contact.
        var phoneOnly = valid
        phoneOnly["email"] = nil
        phoneOnly["phone"] = "+32 470 12 34 56"
        #expect(try live.book(phoneOnly).status == 201)
        // None of the refused bookings took a desk.
        #expect(try live.freeSlots(date: "2026-12-02")[Self.nine] == 2)
    }

    @Test
    func blankContactIsNoContact() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        for blank in ["", "   "] {
            var body = LiveServer.bookingBody(start: Self.nine)
            body["email"] = blank
            let r = try live.book(body)
            #expect(r.status == 422, "email '\(blank)' answered \(r.status): \(r.text)")
            #expect(r.problemFields["email"] != nil)
        }
        var phone = LiveServer.bookingBody(start: Self.nine)
        phone["email"] = nil
        phone["phone"] = ""
        #expect(try live.book(phone).status == 422)
    }

    @Test func unicodeNamesAreKeptVerbatim() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        // Composed, and decomposed (e + combining diaeresis): both must come back scalar for scalar.
        for name in ["Zoë Ņ 李 🙂", "Zoe\u{0308} Ña\u{0303}o 👩🏽‍🔬"] {
            let r = try live.book(LiveServer.bookingBody(start: Self.nine, name: name))
            #expect(r.status == 201, "\(r.text)")
            let o = try r.object()
            let echoed = try #require(o["name"] as? String)
            #expect(Array(echoed.unicodeScalars) == Array(name.unicodeScalars))
            let b = Booking(reference: try #require(o["reference"] as? String), token: try #require(o["manageToken"] as? String))
            let read = try #require(try live.appointment(b).object()["name"] as? String)
            #expect(Array(read.unicodeScalars) == Array(name.unicodeScalars))
        }
    }

    @Test func startOffTheGridInThePastOrBeyondTheHorizonIs422OnStart() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(horizonDays: 30), clock: Self.clock)
        defer { live.stop() }
        let cases = [
            ("2026-12-02T09:05:00+01:00", "off the 15-minute grid"),
            ("2026-12-02T13:00:00+01:00", "after closing"),
            ("2026-12-05T09:00:00+01:00", "a Saturday"), // 2026-12-05 is a Saturday
            ("2026-11-30T09:00:00+01:00", "in the past"),
            ("2026-12-01T07:45:00+01:00", "earlier today"),
            ("2027-01-06T09:00:00+01:00", "beyond the 30-day horizon"), // a Wednesday
        ]
        for (start, label) in cases {
            let r = try live.book(LiveServer.bookingBody(start: start))
            #expect(r.status == 422, "\(label): \(r.status) \(r.text)")
            #expect(r.problemFields["start"] != nil, "\(label): \(r.text)")
        }
    }

    @Test func aFullSlotAnswers409() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(desks: 1), clock: Self.clock)
        defer { live.stop() }
        _ = try live.mustBook(start: Self.nine)
        let r = try live.book(LiveServer.bookingBody(start: Self.nine))
        #expect(r.status == 409)
        #expect(r.problemCode == "slot_unavailable")
        #expect(try live.freeSlots(date: "2026-12-02")[Self.nine] == nil)
        // The next slot is unaffected.
        #expect(try live.book(LiveServer.bookingBody(start: Self.quarterPast)).status == 201)
    }

    @Test func cancellingWithDeleteFreesTheDeskAtOnce() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(desks: 2), clock: Self.clock)
        defer { live.stop() }
        #expect(try live.freeSlots(date: "2026-12-02")[Self.nine] == 2)
        let b = try live.mustBook(start: Self.nine)
        #expect(try live.freeSlots(date: "2026-12-02")[Self.nine] == 1)

        let r = try live.client.delete("/api/v1/appointments/\(b.reference)?token=\(q(b.token))")
        #expect(r.status == 200)
        #expect(try r.object()["status"] as? String == "cancelled")
        #expect(try live.freeSlots(date: "2026-12-02")[Self.nine] == 2)
        #expect(try live.appointment(b).object()["status"] as? String == "cancelled")
        // Cancelling again changes nothing and says so.
        let again = try live.client.delete("/api/v1/appointments/\(b.reference)?token=\(q(b.token))")
        #expect(again.status == 200)
        #expect(try again.object()["status"] as? String == "cancelled")
        // A wrong token cancels nothing.
        let other = try live.mustBook(start: Self.nine)
        let refused = try live.client.delete("/api/v1/appointments/\(other.reference)?token=\(q(b.token))")
        #expect(refused.status == 404)
        #expect(try live.appointment(other).object()["status"] as? String == "booked")
    }

    @Test func noGetRequestCancels() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let b = try live.mustBook(start: Self.nine)
        // What a mail scanner would follow: GET and HEAD on the cancel address.
        for method in ["GET", "HEAD"] {
            let r = try live.client.send(method, "/api/v1/appointments/\(b.reference)/cancel?token=\(q(b.token))")
            #expect(r.status == 405, "\(method) answered \(r.status)")
            #expect(r.header("allow")?.contains("POST") == true)
        }
        #expect(try live.client.get("/api/v1/appointments/\(b.reference)?token=\(q(b.token))&action=cancel").status == 200)
        #expect(try live.appointment(b).object()["status"] as? String == "booked")
        // The form's POST does cancel.
        let post = try live.client.post("/api/v1/appointments/\(b.reference)/cancel?token=\(q(b.token))")
        #expect(post.status == 200)
        #expect(try post.object()["status"] as? String == "cancelled")
    }

    @Test func cancelCooldownHoldsTheSlotBack() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(desks: 1, cancelCooldownMinutes: 30), clock: Self.clock)
        defer { live.stop() }
        let b = try live.mustBook(start: Self.nine)
        #expect(try live.client.delete("/api/v1/appointments/\(b.reference)?token=\(q(b.token))").status == 200)
        // Not offered again for 30 minutes, so a scalper cannot cancel and rebook elsewhere at once.
        #expect(try live.freeSlots(date: "2026-12-02")[Self.nine] == nil)
        let r = try live.book(LiveServer.bookingBody(start: Self.nine))
        #expect(r.status == 409)
        #expect(r.problemCode == "slot_unavailable")
    }

    @Test func rescheduleMovesTheBookingAndFreesTheOldSlot() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(desks: 1), clock: Self.clock)
        defer { live.stop() }
        let a = try live.mustBook(start: Self.nine)
        let b = try live.mustBook(start: Self.halfPast)
        let moved = try live.client.post("/api/v1/appointments/\(a.reference)/reschedule?token=\(q(a.token))",
                                         json: ["start": Self.quarterPast])
        #expect(moved.status == 200, "\(moved.text)")
        #expect(try moved.object()["start"] as? String == Self.quarterPast)
        #expect(try moved.object()["end"] as? String == Self.halfPast)
        let free = try live.freeSlots(date: "2026-12-02")
        #expect(free[Self.nine] == 1)
        #expect(free[Self.quarterPast] == nil)

        // Onto b's full slot: refused, and a keeps its start.
        let full = try live.client.post("/api/v1/appointments/\(a.reference)/reschedule?token=\(q(a.token))",
                                        json: ["start": Self.halfPast])
        #expect(full.status == 409)
        #expect(full.problemCode == "slot_unavailable")
        #expect(try live.appointment(a).object()["start"] as? String == Self.quarterPast)
        #expect(try live.appointment(b).object()["start"] as? String == Self.halfPast)
        // Off the grid: 422 on start, nothing moves.
        let off = try live.client.post("/api/v1/appointments/\(a.reference)/reschedule?token=\(q(a.token))",
                                       json: ["start": "2026-12-02T09:20:00+01:00"])
        #expect(off.status == 422)
        #expect(off.problemFields["start"] != nil)
        // Someone else's token moves nothing.
        let foreign = try live.client.post("/api/v1/appointments/\(a.reference)/reschedule?token=\(q(b.token))",
                                           json: ["start": Self.nine])
        #expect(foreign.status == 404)
        #expect(try live.appointment(a).object()["start"] as? String == Self.quarterPast)
        // A cancelled appointment cannot be moved.
        #expect(try live.client.delete("/api/v1/appointments/\(b.reference)?token=\(q(b.token))").status == 200)
        let late = try live.client.post("/api/v1/appointments/\(b.reference)/reschedule?token=\(q(b.token))",
                                        json: ["start": Self.nine])
        #expect(late.status == 409)
        #expect(late.problemCode == "illegal_transition")
    }

    @Test func calendarFileIsValidRFC5545() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let b = try live.mustBook(start: Self.nine)
        let r = try live.client.get("/api/v1/appointments/\(b.reference)/calendar.ics?token=\(q(b.token))")
        #expect(r.status == 200)
        #expect(r.header("content-type")?.hasPrefix("text/calendar") == true)
        let text = r.text
        #expect(text.hasSuffix("\r\n"))
        let lines = text.components(separatedBy: "\r\n").dropLast()
        for line in lines {
            #expect(!line.contains("\n") && !line.contains("\r"), "bare line break in \(line.debugDescription)")
            #expect(line.utf8.count <= 75, "line of \(line.utf8.count) octets: \(line)")
        }
        #expect(lines.contains { $0.hasPrefix(" ") }, "the long LOCATION line should have been folded")
        let unfolded = text.replacingOccurrences(of: "\r\n ", with: "").components(separatedBy: "\r\n")
        #expect(unfolded.first == "BEGIN:VCALENDAR")
        #expect(unfolded.contains("BEGIN:VEVENT"))
        #expect(unfolded.contains("END:VEVENT"))
        #expect(unfolded.contains("VERSION:2.0"))
        // 09:00 in Brussels (winter) is 08:00 UTC.
        #expect(unfolded.contains("DTSTART:20261202T080000Z"))
        #expect(unfolded.contains("DTEND:20261202T081500Z"))
        #expect(unfolded.contains { $0.hasPrefix("UID:\(b.reference)") })
        let location = try #require(unfolded.first { $0.hasPrefix("LOCATION:") })
        let escapedAddress = Fixture.address.replacingOccurrences(of: ",", with: "\\,")
        #expect(location.contains(escapedAddress), "\(location)")

        let wrong = try live.client.get("/api/v1/appointments/\(b.reference)/calendar.ics?token=nope")
        #expect(wrong.status == 404)
        // After cancelling, the file says so (calendar apps remove the event).
        #expect(unfolded.contains("STATUS:CONFIRMED"))
        #expect(try live.client.delete("/api/v1/appointments/\(b.reference)?token=\(q(b.token))").status == 200)
        let cancelled = try live.client.get("/api/v1/appointments/\(b.reference)/calendar.ics?token=\(q(b.token))")
        #expect(cancelled.text.contains("STATUS:CANCELLED"))
    }

    @Test func oneContactMayHoldOnlyTheConfiguredNumberOfAppointments() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(maxActivePerContact: 3), clock: Self.clock)
        defer { live.stop() }
        // The same address in different spellings counts as one contact.
        let first = try live.mustBook(start: Self.nine, email: "Scalper@Example.be")
        _ = try live.mustBook(start: Self.quarterPast, email: "scalper@example.be")
        _ = try live.mustBook(start: Self.halfPast, email: "SCALPER@EXAMPLE.BE")
        let fourth = try live.book(LiveServer.bookingBody(start: "2026-12-02T09:45:00+01:00", email: "scalper@example.be"))
        #expect(fourth.status == 409)
        #expect(fourth.problemCode == "contact_limit")
        // Cancelling one makes room again.
        #expect(try live.client.delete("/api/v1/appointments/\(first.reference)?token=\(q(first.token))").status == 200)
        #expect(try live.book(LiveServer.bookingBody(start: "2026-12-02T09:45:00+01:00", email: "scalper@example.be")).status == 201)
    }

    @Test func onlineBookingsLeaveTheStaffAndWalkInShareFree() throws {
        // Demo town hall: 5 desks, 1 held for walk-ins, 80 % of the other 4 online (3); staff may book the 4th.
        let live = try LiveServer(catalogue: try Demo.catalogue(), clock: "2026-12-01T09:00:00+01:00")
        defer { live.stop() }
        let slot = "2026-12-03T08:30:00+01:00" // 2026-12-03 is a Thursday
        for _ in 0..<3 { _ = try live.mustBook(start: slot, service: "eid-aanvraag", location: "stadhuis") }
        let online = try live.book(LiveServer.bookingBody(start: slot, service: "eid-aanvraag", location: "stadhuis"))
        #expect(online.status == 409)
        #expect(online.problemCode == "slot_unavailable")
        let clerk = try live.token(.clerk)
        let body = try JSONSerialization.data(withJSONObject: LiveServer.bookingBody(start: slot, service: "eid-aanvraag", location: "stadhuis"))
        func staffBooking() throws -> HTTPResponse {
            try live.client.send("POST", "/api/v1/appointments", headers: [("Content-Type", "application/json")],
                                 body: Array(body), token: clerk)
        }
        #expect(try staffBooking().status == 201, "staff may fill the fourth desk")
        let full = try staffBooking()
        #expect(full.status == 409, "the fifth desk is for walk-ins")
        #expect(full.problemCode == "slot_unavailable")
    }

    @Test func rateLimitAnswers429WithRetryAfter() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(rateLimitPerMinute: 5), clock: Self.clock, rateLimits: true)
        defer { live.stop() }
        let path = "/api/v1/availability?service=id-kaart&location=hal&from=2026-12-02&to=2026-12-02"
        for i in 1...5 {
            let r = try live.client.get(path)
            #expect(r.status == 200, "request \(i) answered \(r.status)")
        }
        let limited = try live.client.get(path)
        #expect(limited.status == 429)
        #expect(limited.problemCode == "rate_limited")
        let retry = try #require(limited.header("retry-after").flatMap { Int($0) }, "no Retry-After: \(limited.headers)")
        #expect((1...60).contains(retry))
        // Made-up X-Forwarded-For headers do not make a new client (no trusted proxy is configured).
        let spoofed = try live.client.get(path, headers: [("X-Forwarded-For", "203.0.113.\(Int.random(in: 1...254))")])
        #expect(spoofed.status == 429)
        // Booking is limited too; the health check is not.
        #expect(try live.book(LiveServer.bookingBody(start: Self.nine)).status == 429)
        #expect(try live.client.get("/api/v1/health").status == 200)
    }
}
