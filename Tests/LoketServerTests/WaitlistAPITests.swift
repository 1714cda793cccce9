// The waitlist against a live server with a manual clock: joining (and every bad input), a
// cancel that frees a slot after its cooldown, the round that holds it for the first in line,
// the offer mail, the held slot gone from availability and refused to others, accept, the
// offer lapsing to the next in line, leaving, wrong tokens and the admin list without contacts.
import Foundation
import LoketCore
import LoketMail
import LoketServer
import LoketStore
import Testing
import LoketTestKit

@Suite("Waitlist")
struct WaitlistAPITests {
    static let clock = "2026-12-01T09:00:00+01:00" // 2026-12-01 is a Tuesday
    static let wednesday = "2026-12-02"

    /// One desk, a cancel cooldown of 10 minutes, Wednesday fully booked; returns the bookings by start.
    func fullWednesday(_ live: LiveServer) throws -> [String: Booking] {
        var bookings: [String: Booking] = [:]
        for slot in 0..<12 {
            let h = 9 + slot / 4, m = (slot % 4) * 15
            let start = String(format: "2026-12-02T%02d:%02d:00+01:00", h, m)
            bookings[start] = try live.mustBook(start: start)
        }
        #expect(try live.freeSlots(date: Self.wednesday).isEmpty)
        return bookings
    }

    func join(_ live: LiveServer, email: String, name: String? = nil, from: String = wednesday, to: String = wednesday,
              persons: Int = 1) throws -> (id: String, token: String) {
        var body: [String: Any] = ["service": "id-kaart", "location": "hal", "from": from, "to": to, "persons": persons,
                                   "email": email, "lang": "nl"]
        if let name { body["name"] = name }
        let r = try live.client.post("/api/v1/waitlist", json: body)
        try #require(r.status == 201, "join answered \(r.status): \(r.text)")
        let o = try r.object()
        #expect(o["status"] as? String == "waiting")
        #expect(o.keys.sorted() == ["id", "status", "token"])
        return (try #require(o["id"] as? String), try #require(o["token"] as? String))
    }

    func entry(_ live: LiveServer, _ e: (id: String, token: String)) throws -> [String: Any] {
        let r = try live.client.get("/api/v1/waitlist/\(e.id)?token=\(q(e.token))")
        try #require(r.status == 200, "read answered \(r.status): \(r.text)")
        return try r.object()
    }

    func kinds(_ live: LiveServer, _ id: String) throws -> [String] {
        try live.store.read { try $0.outbox(reference: id) }.map(\.kind)
    }

    @Test func joinRefusesEveryBadInputAndStoresNothing() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(desks: 1), clock: Self.clock)
        defer { live.stop() }
        let good: [String: Any] = ["service": "id-kaart", "location": "hal", "from": "2026-12-02", "to": "2026-12-03",
                                   "persons": 1, "email": "an@example.be"]
        func with(_ changes: [String: Any?]) -> [String: Any] {
            var b = good
            for (k, v) in changes { b[k] = v }
            return b
        }
        let cases: [(String, [String: Any], Int, String)] = [
            ("no email", with(["email": nil]), 422, "validation_failed"),
            ("bad email", with(["email": "an@"]), 422, "validation_failed"),
            ("no service", with(["service": nil]), 422, "validation_failed"),
            ("no location", with(["location": nil]), 422, "validation_failed"),
            ("persons 0", with(["persons": 0]), 422, "validation_failed"),
            ("persons above maxPersons", with(["persons": 4]), 422, "validation_failed"),
            ("persons not a number", with(["persons": "two"]), 422, "validation_failed"),
            ("impossible date", with(["from": "2026-02-30"]), 422, "validation_failed"),
            ("no to", with(["to": nil]), 422, "validation_failed"),
            ("bad lang", with(["lang": "xx"]), 422, "validation_failed"),
            ("walk-in only service", with(["service": "afhalen"]), 422, "validation_failed"),
            ("not offered here", with(["service": "bouwen", "location": "annex"]), 422, "validation_failed"),
            ("to before from", with(["from": "2026-12-03", "to": "2026-12-02"]), 400, "invalid_range"),
            ("in the past", with(["from": "2026-11-20", "to": "2026-11-30"]), 400, "invalid_range"),
            ("beyond the horizon", with(["from": "2027-01-20", "to": "2027-01-21"]), 400, "invalid_range"),
            ("unknown service", with(["service": "nope"]), 404, "unknown_service"),
            ("unknown location", with(["location": "nope"]), 404, "unknown_location"),
        ]
        for (what, body, status, code) in cases {
            let r = try live.client.post("/api/v1/waitlist", json: body)
            #expect(r.status == status && r.problemCode == code, "\(what): \(r.status) \(r.text)")
        }
        #expect(try live.client.post("/api/v1/waitlist", raw: "{not json").status == 400)
        #expect(try live.client.post("/api/v1/waitlist", raw: "[1,2]").status == 400)
        let admin = try live.token(.admin)
        #expect(try live.client.get("/api/v1/admin/waitlist", token: admin).array().isEmpty, "nothing stored on failure")

        // The cap per contact (3 in the fixture's defaults), case-insensitive.
        for _ in 0..<3 { _ = try join(live, email: "An@Example.be") }
        let fourth = try live.client.post("/api/v1/waitlist", json: good)
        #expect(fourth.status == 409 && fourth.problemCode == "waitlist_limit", "\(fourth.text)")
        #expect(try live.client.get("/api/v1/admin/waitlist", token: admin).array().count == 3)
    }

    @Test func aFreedSlotIsHeldForTheFirstInLineWhoAcceptsIt() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("loket-wl-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let live = try LiveServer(catalogue: Fixture.catalogue(desks: 1, cancelCooldownMinutes: 10), clock: Self.clock,
                                  mail: MailDirectory(directory: folder))
        defer { live.stop() }
        let bookings = try fullWednesday(live)
        let first = try join(live, email: "first@example.be", name: "Eerste Burger")
        live.clock.advance(by: 1)
        let second = try join(live, email: "second@example.be")
        #expect(try kinds(live, first.id) == ["waitlist-joined"])
        #expect(try entry(live, first)["position"] as? Int == 1)
        #expect(try entry(live, second)["position"] as? Int == 2)
        #expect(try live.app.waitlistRound(now: live.clock.now()) == WaitlistRoundResult(), "nothing free")

        // A cancel frees 10:00, but only after the cooldown.
        let ten = "2026-12-02T10:00:00+01:00"
        let b = try #require(bookings[ten])
        #expect(try live.client.delete("/api/v1/appointments/\(b.reference)?token=\(q(b.token))").status == 200)
        #expect(try live.app.waitlistRound(now: live.clock.now()).offered == 0, "still in its cooldown")
        live.clock.advance(by: 10 * 60)
        #expect(try live.app.waitlistRound(now: live.clock.now()) == WaitlistRoundResult(expired: 0, offered: 1))

        let offered = try entry(live, first)
        #expect(offered["status"] as? String == "offered")
        let offer = try #require(offered["offer"] as? [String: Any])
        #expect(offer["start"] as? String == ten)
        #expect(offer["expiresAt"] as? String == "2026-12-01T09:40:01+01:00", "held for holdMinutes (30)")
        #expect(try entry(live, second)["offer"] is NSNull, "one offer: the second waits")
        #expect(offered["email"] == nil && offered["name"] == nil)

        // The offer mail, with a link to the page (never a link that accepts by being opened).
        #expect(try kinds(live, first.id) == ["waitlist-joined", "waitlist-offer"])
        #expect(live.app.mailer.runRound().sent >= 3)
        #expect(try live.store.read { try $0.outbox(reference: first.id) }.allSatisfy { $0.status == .sent })
        let texts = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".eml") }
            .map { try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8) }
            // Undo quoted-printable's soft line breaks and escaped `=`, to read the links.
            .map { $0.replacingOccurrences(of: "=\r\n", with: "").replacingOccurrences(of: "=3D", with: "=") }
        let offerMail = try #require(texts.first { $0.contains("To: Eerste Burger <first@example.be>") && $0.contains("Vastgehouden tot") })
        #expect(offerMail.contains("https://loket.test/w/\(first.id)?token=\(q(first.token))&lang=nl"))
        #expect(!offerMail.contains("/accept"))

        // Held: not in availability, and another citizen's booking of it is refused.
        #expect(try live.freeSlots(date: Self.wednesday)[ten] == nil)
        let other = try live.book(LiveServer.bookingBody(start: ten))
        #expect(other.status == 409 && other.problemCode == "slot_unavailable", "\(other.text)")

        // Accept: the wrong token is a 404, another start a 422, the offered start books it once.
        let wrong = try live.client.post("/api/v1/waitlist/\(first.id)/accept?token=nope", json: ["start": ten])
        #expect(wrong.status == 404 && wrong.problemCode == "not_found")
        let elsewhere = try live.client.post("/api/v1/waitlist/\(first.id)/accept?token=\(q(first.token))",
                                             json: ["start": "2026-12-02T10:15:00+01:00"])
        #expect(elsewhere.status == 422, "\(elsewhere.text)")
        #expect(try live.client.post("/api/v1/waitlist/\(second.id)/accept?token=\(q(second.token))", json: ["start": ten])
            .problemCode == "offer_expired", "no offer for the second")
        let accepted = try live.client.post("/api/v1/waitlist/\(first.id)/accept?token=\(q(first.token))", json: ["start": ten])
        #expect(accepted.status == 201, "\(accepted.text)")
        let appointment = try accepted.object()
        #expect(appointment["start"] as? String == ten && appointment["status"] as? String == "booked")
        let reference = try #require(appointment["reference"] as? String)
        let manage = try #require(appointment["manageToken"] as? String)
        #expect(try live.appointment(Booking(reference: reference, token: manage)).status == 200)
        let again = try live.client.post("/api/v1/waitlist/\(first.id)/accept?token=\(q(first.token))", json: ["start": ten])
        #expect(again.status == 409 && again.problemCode == "illegal_transition")
        let booked = try entry(live, first)
        #expect(booked["status"] as? String == "booked" && booked["appointment"] as? String == reference)
        #expect(try live.store.read { try $0.outbox(reference: reference) }.map(\.kind) == ["booked"], "the usual confirmation")
        #expect(try live.freeSlots(date: Self.wednesday).isEmpty)
        #expect(try live.app.waitlistRound(now: live.clock.now()) == WaitlistRoundResult(), "nothing free for the second")
    }

    @Test func anUnansweredOfferLapsesToTheNextInLineAndLeavingIsFinal() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(desks: 1), clock: Self.clock)
        defer { live.stop() }
        let bookings = try fullWednesday(live)
        let a = try join(live, email: "a@example.be")
        live.clock.advance(by: 1)
        let b = try join(live, email: "b@example.be")
        live.clock.advance(by: 1)
        let c = try join(live, email: "c@example.be", from: "2026-12-02", to: "2026-12-04")
        let slot = "2026-12-02T11:45:00+01:00"
        let booking = try #require(bookings[slot])
        #expect(try live.client.delete("/api/v1/appointments/\(booking.reference)?token=\(q(booking.token))").status == 200)
        // The third entry's range has free Thursday slots, so it gets one too; the first gets the freed slot.
        #expect(try live.app.waitlistRound(now: live.clock.now()) == WaitlistRoundResult(expired: 0, offered: 2))
        #expect((try entry(live, a)["offer"] as? [String: Any])?["start"] as? String == slot)
        #expect((try entry(live, c)["offer"] as? [String: Any])?["start"] as? String == "2026-12-03T09:00:00+01:00")
        #expect(try entry(live, b)["status"] as? String == "waiting")

        live.clock.advance(by: 29 * 60)
        #expect(try live.app.waitlistRound(now: live.clock.now()) == WaitlistRoundResult(), "still held")
        live.clock.advance(by: 60)
        #expect(try live.app.waitlistRound(now: live.clock.now()) == WaitlistRoundResult(expired: 2, offered: 1))
        #expect(try entry(live, a)["status"] as? String == "expired")
        #expect(try entry(live, c)["status"] as? String == "expired")
        #expect((try entry(live, b)["offer"] as? [String: Any])?["start"] as? String == slot, "passed to the next in line")
        #expect(try kinds(live, a.id) == ["waitlist-joined", "waitlist-offer", "waitlist-expired"])
        let late = try live.client.post("/api/v1/waitlist/\(a.id)/accept?token=\(q(a.token))", json: ["start": slot])
        #expect(late.status == 409 && late.problemCode == "offer_expired")

        // The admin list: waiting and offered only, in line, with no name or address.
        let admin = try live.token(.admin)
        let clerk = try live.token(.clerk)
        #expect(try live.client.get("/api/v1/admin/waitlist", token: clerk).status == 403)
        #expect(try live.client.get("/api/v1/admin/waitlist").status == 401)
        #expect(try live.client.get("/api/v1/admin/waitlist?location=nope", token: admin).status == 404)
        let list = try live.client.get("/api/v1/admin/waitlist?location=hal&service=id-kaart", token: admin).array()
        #expect(list.map { $0["id"] as? String } == [b.id])
        #expect(list.first?["position"] as? Int == 1 && list.first?["status"] as? String == "offered")
        #expect(Set(list.first?.keys.map { $0 } ?? []) == ["id", "service", "location", "from", "to", "persons", "status", "position",
                                                             "joinedAt", "offer"])

        // Leaving releases the held slot at once; leaving again answers the same; a wrong token is the same 404 as an unknown id.
        let left = try live.client.delete("/api/v1/waitlist/\(b.id)?token=\(q(b.token))")
        #expect(try left.status == 200 && left.object()["status"] as? String == "left")
        #expect(try live.freeSlots(date: Self.wednesday)[slot] == 1)
        #expect(try live.client.delete("/api/v1/waitlist/\(b.id)?token=\(q(b.token))").status == 200)
        let wrong = try live.client.get("/api/v1/waitlist/\(b.id)?token=\(q(a.token))")
        let unknown = try live.client.get("/api/v1/waitlist/nope?token=\(q(b.token))")
        #expect(wrong.status == 404 && unknown.status == 404 && wrong.problemCode == unknown.problemCode)
        #expect(try live.client.get("/api/v1/waitlist/\(b.id)").status == 404, "no token")
        #expect(try live.client.get("/api/v1/admin/waitlist", token: admin).array().isEmpty)
    }

    @Test func thePurgeErasesEndedEntriesAfterTheRetention() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(desks: 1), clock: Self.clock)
        defer { live.stop() }
        let e = try join(live, email: "gone@example.be", name: "Weg Gegaan")
        #expect(try live.client.delete("/api/v1/waitlist/\(e.id)?token=\(q(e.token))").status == 200)
        let now = live.clock.now()
        #expect(try live.store.write { try $0.purgeWaitlist(endedBefore: now.addingTimeInterval(-1), now: now) } == 0, "not yet")
        #expect(try live.store.write { try $0.purgeWaitlist(endedBefore: now.addingTimeInterval(1), now: now) } == 1)
        let row = try #require(try live.store.read { try $0.waitlistEntry(id: e.id) })
        #expect(row.entry.email.isEmpty && row.entry.name == nil)
        #expect(try live.store.read { try $0.outbox(reference: e.id) }.allSatisfy { $0.payload == nil })
    }
}
