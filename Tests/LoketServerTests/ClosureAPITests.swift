// Runtime closures through the API, against a live server with a manual clock: the dry run lists
// exactly what the capacity sweep says no longer fits, cancel writes the office's mail to the
// outbox, keep writes the audit log with the admin's name, availability, booking, the kiosk, the
// services list and the display reflect a closure at once and again after its lift, bad input
// stores nothing, and admins closing while citizens book never leave a minute overbooked.
import Foundation
import LoketCore
import LoketMail
import LoketServer
import LoketStore
import Testing
import LoketTestKit

@Suite("Closures")
struct ClosureAPITests {
    // 2026-12-01 is a Tuesday; the fixture's hal takes appointments 09:00-12:00 on weekdays, walk-in 08:00-12:00.
    static let clock = "2026-12-01T08:00:00+01:00"

    static func close(_ live: LiveServer, admin: String, from: String, to: String, desks: Int? = nil, dryRun: Bool = false,
                      affected: String? = nil, reason: Any? = nil) throws -> HTTPResponse {
        var body: [String: Any] = ["location": "hal", "from": from, "to": to]
        if let desks { body["desks"] = desks }
        if dryRun { body["dryRun"] = true }
        if let affected { body["affected"] = affected }
        if let reason { body["reason"] = reason }
        return try live.client.post("/api/v1/admin/closures", json: body, token: admin)
    }

    /// Books `persons` persons of id-kaart (15 minutes each) at `start`; returns the reference and token.
    static func book(_ live: LiveServer, _ start: String, persons: Int = 1) throws -> Booking {
        live.clock.advance(by: 1) // booking order is createdAt order
        let r = try live.book(LiveServer.bookingBody(start: start, persons: persons))
        try #require(r.status == 201, "booking \(start) answered \(r.status): \(r.text)")
        let o = try r.object()
        return Booking(reference: try #require(o["reference"] as? String), token: try #require(o["manageToken"] as? String))
    }

    static func references(_ r: HTTPResponse, _ key: String = "affected") throws -> [String] {
        try #require(try r.object()[key] as? [Any]).map { ($0 as? [String: Any])?["reference"] as? String ?? ($0 as? String ?? "?") }
    }

    @Test func aDryRunListsExactlyWhatNoLongerFitsAndStoresNothing() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(desks: 3), clock: Self.clock)
        defer { live.stop() }
        let admin = try live.token(.admin)
        // Booked in this order: C, then A and B, which overlap C; at 09:15-09:30 all three desks are taken.
        let c = try Self.book(live, "2026-12-02T09:15:00+01:00")
        let a = try Self.book(live, "2026-12-02T09:00:00+01:00", persons: 2)
        let b = try Self.book(live, "2026-12-02T09:15:00+01:00", persons: 2)
        let g = try Self.book(live, "2026-12-02T09:45:00+01:00")
        let e = try Self.book(live, "2026-12-02T10:15:00+01:00")
        let f = try Self.book(live, "2026-12-02T11:00:00+01:00")

        let reduced = try Self.close(live, admin: admin, from: "2026-12-02T08:00:00+01:00", to: "2026-12-02T12:30:00+01:00",
                                     desks: 1, dryRun: true)
        #expect(reduced.status == 200, "\(reduced.text)")
        #expect(try Self.references(reduced) == [a.reference, b.reference], "the two booked last where they overlap C")
        let first = try #require(try reduced.object()["affected"] as? [[String: Any]]).first ?? [:]
        #expect(Set(first.keys) == ["reference", "start", "end", "service", "persons"], "no name or contact")
        #expect(first["start"] as? String == "2026-12-02T09:00:00+01:00" && first["end"] as? String == "2026-12-02T09:30:00+01:00")
        #expect(first["persons"] as? Int == 2 && first["service"] as? String == "id-kaart")
        #expect(!reduced.text.contains("Peeters"))

        let closed = try Self.close(live, admin: admin, from: "2026-12-02T10:00:00+01:00", to: "2026-12-02T12:00:00+01:00", dryRun: true)
        #expect(try Self.references(closed) == [e.reference, f.reference], "those inside; \(g.reference) at 09:45-10:00 is not")
        #expect(try Self.references(try Self.close(live, admin: admin, from: "2026-12-03T09:00:00+01:00",
                                                   to: "2026-12-03T12:00:00+01:00", dryRun: true)).isEmpty)
        _ = c
        #expect(try live.client.get("/api/v1/admin/closures", token: admin).array().isEmpty, "a dry run stores nothing")
        #expect(try live.freeSlots(date: "2026-12-02")["2026-12-02T10:30:00+01:00"] == 3)
    }

    @Test func cancelNeedsTheChoiceThenWritesTheOfficeMailWithTheReason() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(desks: 2), clock: Self.clock)
        defer { live.stop() }
        let admin = try live.token(.admin)
        let one = try Self.book(live, "2026-12-02T10:00:00+01:00"), two = try Self.book(live, "2026-12-02T10:15:00+01:00")
        let outside = try Self.book(live, "2026-12-02T11:00:00+01:00")
        let reason: [String: String] = ["nl": "Stroompanne", "fr": "Panne de courant"]

        let unchosen = try Self.close(live, admin: admin, from: "2026-12-02T10:00:00+01:00", to: "2026-12-02T11:00:00+01:00", reason: reason)
        #expect(unchosen.status == 409)
        #expect(try unchosen.object()["code"] as? String == "affected_choice_required")
        #expect(try Self.references(unchosen) == [one.reference, two.reference])
        #expect(try live.client.get("/api/v1/admin/closures", token: admin).array().isEmpty, "nothing stored")
        #expect(try live.appointment(one).object()["status"] as? String == "booked")

        let applied = try Self.close(live, admin: admin, from: "2026-12-02T10:00:00+01:00", to: "2026-12-02T11:00:00+01:00",
                                     affected: "cancel", reason: reason)
        #expect(applied.status == 201, "\(applied.text)")
        let o = try applied.object()
        #expect(o["cancelled"] as? [String] == [one.reference, two.reference])
        #expect(o["kept"] as? [String] == [])
        #expect(o["desks"] as? Int == 0)
        #expect((o["reason"] as? [String: String]) == reason)
        for b in [one, two] {
            #expect(try live.appointment(b).object()["status"] as? String == "cancelled")
            let rows = try live.store.read { try $0.outbox(reference: b.reference) }
            let last = try JSONDecoder().decode(AppointmentMail.self, from: Data(try #require(rows.last?.payload).utf8))
            #expect(rows.count == 2 && last.kind == .cancelled && last.cancelledByOffice, "\(b.reference): \(rows.map(\.kind))")
            #expect(last.reason == "Stroompanne", "the reason in the citizen's language (nl)")
        }
        #expect(try live.appointment(outside).object()["status"] as? String == "booked")
        #expect(try live.store.read { try $0.outbox(reference: outside.reference) }.count == 1, "only its confirmation")

        let list = try live.client.get("/api/v1/admin/closures?location=hal", token: admin).array()
        #expect(list.count == 1)
        #expect(list.first?["affected"] as? String == "cancel")
        #expect(list.first?["id"] as? String == o["id"] as? String)
    }

    @Test func keepIsAuditedWithTheAdminsName() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(desks: 2), clock: Self.clock)
        defer { live.stop() }
        let admin = try live.token(.admin, name: "els-admin")
        let first = try Self.book(live, "2026-12-02T09:30:00+01:00"), second = try Self.book(live, "2026-12-02T09:30:00+01:00")
        let r = try Self.close(live, admin: admin, from: "2026-12-02T09:00:00+01:00", to: "2026-12-02T12:00:00+01:00", desks: 1,
                               affected: "keep")
        #expect(r.status == 201, "\(r.text)")
        let o = try r.object()
        #expect(o["kept"] as? [String] == [second.reference] && o["cancelled"] as? [String] == [])
        #expect(try live.appointment(second).object()["status"] as? String == "booked")
        #expect(try live.appointment(first).object()["status"] as? String == "booked")
        let audit = try live.client.get("/api/v1/audit?date=2026-12-01", token: admin).array()
        let keep = try #require(audit.first { $0["action"] as? String == "closure.keep" })
        #expect(keep["actor"] as? String == "els-admin")
        #expect(keep["subject"] as? String == o["id"] as? String)
        #expect((keep["detail"] as? String)?.contains(second.reference) == true)
        #expect(!(keep["detail"] as? String ?? "").contains("Peeters"))
        #expect(audit.contains { $0["action"] as? String == "closure.add" && $0["actor"] as? String == "els-admin" })
        // With one desk left and it taken twice over, nobody can book 09:30 any more.
        #expect(try live.freeSlots(date: "2026-12-02")["2026-12-02T09:30:00+01:00"] == nil)
        #expect(try live.freeSlots(date: "2026-12-02")["2026-12-02T09:00:00+01:00"] == 1)
    }

    @Test func availabilityAndBookingSeeAClosedMorningAndItsLift() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(desks: 2), clock: Self.clock)
        defer { live.stop() }
        let admin = try live.token(.admin)
        #expect(try live.freeSlots(date: "2026-12-02").count == 12)
        let r = try Self.close(live, admin: admin, from: "2026-12-02T08:00:00+01:00", to: "2026-12-02T12:00:00+01:00")
        #expect(r.status == 201)
        let id = try #require(try r.object()["id"] as? String)
        #expect(try live.freeSlots(date: "2026-12-02").isEmpty)
        #expect(try live.freeSlots(date: "2026-12-03").count == 12, "the next day is untouched")
        let refused = try live.book(LiveServer.bookingBody(start: "2026-12-02T10:00:00+01:00"))
        #expect(refused.status == 409)
        #expect(try refused.object()["code"] as? String == "slot_unavailable")
        // A booked visit cannot move into the closure either.
        let moving = try Self.book(live, "2026-12-03T10:00:00+01:00")
        let moved = try live.client.post("/api/v1/appointments/\(moving.reference)/reschedule?token=\(q(moving.token))",
                                         json: ["start": "2026-12-02T10:00:00+01:00"])
        #expect(moved.status == 409)

        let lifted = try live.client.delete("/api/v1/admin/closures/\(id)", token: admin)
        #expect(lifted.status == 200, "\(lifted.text)")
        #expect(try lifted.object()["liftedAt"] as? String == CivilClock(timeZone: .brussels).iso8601(live.clock.now()))
        #expect(try live.freeSlots(date: "2026-12-02").count == 12)
        #expect(try live.client.get("/api/v1/admin/closures", token: admin).array().isEmpty)
        #expect(try live.client.delete("/api/v1/admin/closures/\(id)", token: admin).status == 200, "lifting twice answers the same")
        let unknown = try live.client.delete("/api/v1/admin/closures/cl-nope", token: admin)
        #expect(unknown.status == 404)
        #expect(try unknown.object()["code"] as? String == "not_found")
    }

    @Test func theKioskTheServicesListAndTheDisplayShowTheClosureLive() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: "2026-12-01T09:30:00+01:00")
        defer { live.stop() }
        let admin = try live.token(.admin), kiosk = try live.token(.kiosk)
        _ = try live.mustIssue(kiosk: kiosk)
        let stream = try EventStreamClient(port: live.server.port, path: "/api/v1/locations/hal/events")
        defer { stream.shutdown() }
        #expect(try stream.waitUntilOpen(timeout: 5))
        #expect(try live.client.get("/api/v1/locations/hal/display").object()["closure"] is NSNull)

        let r = try Self.close(live, admin: admin, from: "2026-12-01T09:00:00+01:00", to: "2026-12-01T11:00:00+01:00",
                               reason: ["nl": "Verbouwing", "fr": "Travaux"])
        #expect(r.status == 201, "\(r.text)")
        let id = try #require(try r.object()["id"] as? String)
        var added: ReceivedEvent?
        while added == nil, let e = try stream.next(timeout: 3) { if e.name == "closure" { added = e } }
        let event = try #require(added, "no closure event")
        #expect(event.object["change"] as? String == "added" && event.object["id"] as? String == id)
        #expect(event.object["to"] as? String == "2026-12-01T11:00:00+01:00")
        #expect((event.object["reason"] as? [String: String])?["fr"] == "Travaux")

        let ticket = try live.client.post("/api/v1/tickets", json: ["location": "hal", "service": "id-kaart"], token: kiosk)
        #expect(ticket.status == 409)
        #expect(try ticket.object()["code"] as? String == "service_closed")
        #expect(try ticket.object()["nextOpening"] as? String == "2026-12-01T11:00:00+01:00")
        let services = try live.client.get("/api/v1/services?location=hal").array()
        #expect(services.first { $0["id"] as? String == "id-kaart" }?["walkInOpenNow"] as? Bool == false)
        let display = try live.client.get("/api/v1/locations/hal/display?lang=fr").object()
        let notice = try #require(display["closure"] as? [String: Any])
        #expect(notice["until"] as? String == "2026-12-01T11:00:00+01:00")
        #expect(notice["reason"] as? String == "Travaux")

        #expect(try live.client.delete("/api/v1/admin/closures/\(id)", token: admin).status == 200)
        var lifted: ReceivedEvent?
        while lifted == nil, let e = try stream.next(timeout: 3) { if e.name == "closure" { lifted = e } }
        #expect(lifted?.object["change"] as? String == "lifted")
        #expect(try live.client.get("/api/v1/locations/hal/display").object()["closure"] is NSNull)
        #expect(try live.client.get("/api/v1/services?location=hal").array()
            .first { $0["id"] as? String == "id-kaart" }?["walkInOpenNow"] as? Bool == true)
        _ = try live.mustIssue(kiosk: kiosk)
    }

    @Test func badInputIsAClearProblemAndStoresNothing() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(desks: 3), clock: Self.clock)
        defer { live.stop() }
        let admin = try live.token(.admin), clerk = try live.token(.clerk)
        _ = try Self.book(live, "2026-12-02T10:00:00+01:00")
        let good: [String: Any] = ["location": "hal", "from": "2026-12-02T09:00:00+01:00", "to": "2026-12-02T12:00:00+01:00"]
        func with(_ changes: [String: Any?]) -> [String: Any] {
            var body = good
            for (k, v) in changes { body[k] = v }
            return body
        }
        let cases: [(String, Any, Int, String)] = [
            ("unknown location", with(["location": "nergens"]), 404, "unknown_location"),
            ("from after to", with(["from": "2026-12-02T12:00:00+01:00", "to": "2026-12-02T09:00:00+01:00"]), 400, "invalid_range"),
            ("from equals to", with(["to": "2026-12-02T09:00:00+01:00"]), 400, "invalid_range"),
            ("over already", with(["from": "2026-11-30T09:00:00+01:00", "to": "2026-11-30T12:00:00+01:00"]), 400, "invalid_range"),
            ("too long", with(["to": "2027-03-01T09:00:00+01:00"]), 400, "invalid_range"),
            ("desks below zero", with(["desks": -1]), 422, "validation_failed"),
            ("more desks than the location has", with(["desks": 4]), 422, "validation_failed"),
            ("desks not a number", with(["desks": "two"]), 422, "validation_failed"),
            ("bad affected", with(["affected": "maybe"]), 422, "validation_failed"),
            ("reason a number", with(["reason": 5]), 422, "validation_failed"),
            ("reason in an unknown language", with(["reason": ["xx": "nee"]]), 422, "validation_failed"),
            ("from missing", with(["from": nil]), 422, "validation_failed"),
            ("from not an instant", with(["from": "morgen"]), 422, "validation_failed"),
            ("not an object", [1, 2], 400, "bad_request"),
        ]
        for (name, body, status, code) in cases {
            let r = try live.client.post("/api/v1/admin/closures", json: body, token: admin)
            #expect(r.status == status, "\(name): \(r.status) \(r.text)")
            #expect(try r.object()["code"] as? String == code, "\(name): \(r.text)")
            #expect(r.header("content-type")?.hasPrefix("application/problem+json") == true, "\(name)")
        }
        #expect(try live.client.post("/api/v1/admin/closures", json: good).status == 401)
        #expect(try live.client.post("/api/v1/admin/closures", json: good, token: clerk).status == 403)
        #expect(try live.client.get("/api/v1/admin/closures", token: clerk).status == 403)
        #expect(try live.client.delete("/api/v1/admin/closures/x", token: clerk).status == 403)
        #expect(try live.client.get("/api/v1/admin/closures?location=nergens", token: admin).status == 404)
        #expect(try live.client.get("/api/v1/admin/closures", token: admin).array().isEmpty, "nothing stored")

        let stored = try live.client.post("/api/v1/admin/closures", json: with(["desks": 2]), token: admin)
        #expect(stored.status == 201, "\(stored.text)")
        let overlap = try live.client.post("/api/v1/admin/closures",
                                           json: with(["from": "2026-12-02T11:00:00+01:00", "to": "2026-12-02T14:00:00+01:00"]),
                                           token: admin)
        #expect(overlap.status == 409)
        #expect(try overlap.object()["code"] as? String == "closure_overlap")
        #expect(try overlap.object()["closure"] as? String == stored.object()["id"] as? String)
        #expect(try live.client.get("/api/v1/admin/closures", token: admin).array().count == 1)
    }

    @Test func adminsClosingWhileCitizensBookNeverOverbook() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(desks: 3), clock: Self.clock)
        defer { live.stop() }
        let admins = [try live.token(.admin, name: "admin-1"), try live.token(.admin, name: "admin-2")]
        // Two closures that do not overlap each other, each applied, lifted and applied again while 8 citizens book.
        let ranges = [("2026-12-02T09:00:00+01:00", "2026-12-02T10:30:00+01:00", 1),
                      ("2026-12-02T10:30:00+01:00", "2026-12-02T12:00:00+01:00", 2)]
        let outcomes = Collected<(Int, Int)>()
        // Real threads (each mostly waits on its socket), released together, so the writes truly interleave.
        let done = DispatchGroup(), go = DispatchSemaphore(value: 0)
        let work: @Sendable (Int) -> Void = { worker in
            if worker < 2 {
                let (from, to, desks) = ranges[worker]
                for round in 0..<3 {
                    guard let r = try? Self.close(live, admin: admins[worker], from: from, to: to, desks: desks, affected: "cancel") else { continue }
                    outcomes.append((worker, r.status))
                    if round < 2, let id = (try? r.object())?["id"] as? String {
                        _ = try? live.client.delete("/api/v1/admin/closures/\(id)", token: admins[worker])
                    }
                }
            } else {
                for k in 0..<18 {
                    let minute = ((worker * 7 + k * 5) % 12) * 15
                    let start = try! instant("2026-12-02T09:00:00+01:00").addingTimeInterval(Double(minute * 60))
                    let text = CivilClock(timeZone: .brussels).iso8601(start)
                    if let r = try? live.book(LiveServer.bookingBody(start: text)) { outcomes.append((worker, r.status)) }
                }
            }
        }
        for worker in 0..<10 {
            done.enter()
            Thread {
                go.wait()
                work(worker)
                done.leave()
            }.start()
        }
        for _ in 0..<10 { go.signal() }
        done.wait()
        let statuses = outcomes.all
        #expect(statuses.filter { $0.0 < 2 }.allSatisfy { $0.1 == 201 }, "every closure applied: \(statuses.filter { $0.0 < 2 })")
        #expect(statuses.filter { $0.0 >= 2 }.allSatisfy { [201, 409].contains($0.1) })
        #expect(statuses.contains { $0.0 >= 2 && $0.1 == 201 } && statuses.contains { $0.0 >= 2 && $0.1 == 409 })

        // Per minute, what is booked never exceeds what the closures in force leave.
        let admin = admins[0]
        let closures = try live.client.get("/api/v1/admin/closures?location=hal", token: admin).array()
        #expect(closures.count == 2)
        let limits = try closures.map { (try instant($0["from"] as? String ?? ""), try instant($0["to"] as? String ?? ""), $0["desks"] as? Int ?? -1) }
        let booked = try live.store.read {
            try $0.appointments(location: "hal", from: try instant("2026-12-02T00:00:00+01:00"), to: try instant("2026-12-03T00:00:00+01:00"))
        }.filter { $0.status == .booked }
        #expect(!booked.isEmpty)
        var t = try instant("2026-12-02T09:00:00+01:00")
        while t < (try instant("2026-12-02T12:00:00+01:00")) {
            let count = booked.filter { $0.start <= t && t < $0.end }.count
            let capacity = limits.filter { $0.0 <= t && t < $0.1 }.map(\.2).min() ?? 3
            #expect(count <= capacity, "\(count) booked at \(t), \(capacity) desks left")
            t = t.addingTimeInterval(60)
        }
    }
}
