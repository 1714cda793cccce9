// Config reload over the API, against a live server on an editable copy of the demo config: a
// config with problems is refused with every problem's place and changes nothing; a good one is
// swapped in whole (names, search, bookability) and the answer lists the booked appointments the
// new rules no longer fit; only admins may reload, and reloads never overlap.
import Foundation
import LoketCore
import LoketServer
import Testing
import LoketTestKit

@Suite("Config reload")
struct ReloadAPITests {
    static let clock = "2026-12-01T09:00:00+01:00" // a Tuesday

    /// A live server on its own copy of `config/`, with the folder's path.
    func server() throws -> (LiveServer, String) { try LiveServer.onDemoConfigCopy(clock: Self.clock) }

    func edit(_ file: String, _ old: String, _ new: String) throws {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try #require(text.contains(old), "\(file) has no \(old)")
        try text.replacingOccurrences(of: old, with: new).write(toFile: file, atomically: true, encoding: .utf8)
    }

    func name(_ live: LiveServer, _ service: String) throws -> String? {
        try live.client.get("/api/v1/services/\(service)?lang=nl").object()["name"] as? String
    }

    @Test func aConfigWithProblemsIsRefusedWithEveryPlaceAndTheOldOneKeepsServing() throws {
        let (live, folder) = try server()
        defer { live.stop(); try? FileManager.default.removeItem(atPath: folder) }
        let admin = try live.token(.admin, name: "it-team")
        let services = folder + "/services/01-burgerzaken.yaml"
        try edit(services, "  durationMinutes: 15\n  maxPersons: 6", "  durationMinutes: fifteen\n  maxPersons: 6")
        try edit(services, "nl: \"Identiteitskaart (eID) aanvragen\"", "nl: \"Nieuwe naam\"")
        try edit(folder + "/counters.yaml", "\"service:eid-afhalen\"", "\"service:bestaat-niet\"")

        let r = try live.client.post("/api/v1/admin/reload", token: admin)
        #expect(r.status == 422)
        #expect(r.problemCode == "invalid_config")
        let errors = try #require(try r.object()["errors"] as? [[String: Any]])
        #expect(errors.count >= 2, "\(r.text)")
        for e in errors {
            #expect((e["file"] as? String)?.hasSuffix(".yaml") == true)
            #expect((e["line"] as? Int ?? 0) > 0 && (e["column"] as? Int ?? 0) > 0, "\(e)")
            #expect(!(e["message"] as? String ?? "").isEmpty)
        }
        #expect(errors.contains { ($0["file"] as? String)?.hasSuffix("01-burgerzaken.yaml") == true })
        #expect(errors.contains { ($0["file"] as? String)?.hasSuffix("counters.yaml") == true })
        // Nothing changed: the old name is served and the old duration still books.
        #expect(try name(live, "eid-aanvraag") == "Identiteitskaart (eID) aanvragen")
        #expect(try live.client.get("/api/v1/audit", token: admin).array().allSatisfy { $0["action"] as? String != "config.reload" })
    }

    @Test func aGoodConfigIsSwappedWholeAndTheAnswerListsOrphanedAppointments() throws {
        let (live, folder) = try server()
        defer { live.stop(); try? FileManager.default.removeItem(atPath: folder) }
        let admin = try live.token(.admin, name: "it-team")
        let eid = try live.mustBook(start: "2026-12-02T10:00:00+01:00", service: "eid-aanvraag", location: "stadhuis")
        let passport = try live.mustBook(start: "2026-12-02T10:00:00+01:00", service: "reispas-aanvraag", location: "stadhuis")

        // The eID is renamed and no longer booked by appointment; the passport is untouched.
        let services = folder + "/services/01-burgerzaken.yaml"
        try edit(services, "nl: \"Identiteitskaart (eID) aanvragen\"", "nl: \"Identiteitskaart (eID) aanvragen of vernieuwen\"")
        try edit(services, "  maxPersons: 6\n  channels: [appointment, walkin]\n  prefix: A\n  locations: [stadhuis, deelgemeente-oost, mobiel-loket]",
                 "  maxPersons: 6\n  channels: [walkin]\n  prefix: A\n  locations: [stadhuis, deelgemeente-oost, mobiel-loket]")
        let r = try live.client.post("/api/v1/admin/reload", token: admin)
        #expect(r.status == 200, "\(r.text)")
        let orphaned = try #require(try r.object()["orphaned"] as? [[String: Any]])
        #expect(orphaned.map { $0["reference"] as? String } == [eid.reference])
        #expect(orphaned.first?["reason"] as? String == "not_offered")
        #expect(orphaned.first?["start"] as? String == "2026-12-02T10:00:00+01:00")
        #expect(!r.text.contains("Jan Peeters"), "the answer shows a citizen's name")
        #expect(!orphaned.contains { $0["reference"] as? String == passport.reference })

        // Names, search and booking rules all come from the new config.
        #expect(try name(live, "eid-aanvraag") == "Identiteitskaart (eID) aanvragen of vernieuwen")
        let found = try live.client.get("/api/v1/services?q=vernieuwen").array()
        #expect(found.contains { $0["id"] as? String == "eid-aanvraag" })
        let book = try live.book(LiveServer.bookingBody(start: "2026-12-03T10:00:00+01:00", service: "eid-aanvraag", location: "stadhuis"))
        #expect(book.status == 422, "\(book.text)")
        // The orphan stays booked: the admin decides what to do with it.
        #expect(try live.appointment(eid).object()["status"] as? String == "booked")
        let audit = try live.client.get("/api/v1/audit", token: admin).array()
        #expect(audit.contains { $0["action"] as? String == "config.reload" && $0["actor"] as? String == "it-team" })
    }

    @Test func fewerDesksOrphanTheLastBookedAndTheAuditSaysTheyWereKept() throws {
        let (live, folder) = try server()
        defer { live.stop(); try? FileManager.default.removeItem(atPath: folder) }
        let admin = try live.token(.admin, name: "it-team")
        // Wednesday 2 December: 5 desks, one held back for walk-ins, so 4 appointments may overlap.
        let first = try live.mustBook(start: "2026-12-02T10:00:00+01:00", service: "eid-aanvraag", location: "stadhuis")
        live.clock.advance(by: 60)
        let second = try live.mustBook(start: "2026-12-02T10:00:00+01:00", service: "reispas-aanvraag", location: "stadhuis")
        live.clock.advance(by: 60)
        let apart = try live.mustBook(start: "2026-12-02T11:00:00+01:00", service: "eid-aanvraag", location: "stadhuis")

        // Two desks, one held back: one appointment at a time. The later booking at 10:00 no longer fits.
        try edit(folder + "/locations.yaml", "      hours: [\"08:30-12:00\", \"13:00-16:00\"]\n      desks: 5",
                 "      hours: [\"08:30-12:00\", \"13:00-16:00\"]\n      desks: 2")
        let r = try live.client.post("/api/v1/admin/reload", token: admin)
        #expect(r.status == 200, "\(r.text)")
        let orphaned = try #require(try r.object()["orphaned"] as? [[String: Any]])
        #expect(orphaned.map { $0["reference"] as? String } == [second.reference])
        #expect(orphaned.first?["reason"] as? String == "capacity")
        #expect(![first.reference, apart.reference].contains { ref in orphaned.contains { $0["reference"] as? String == ref } })
        // The same sweep as a closure's dry run: a closure to the desks the new config already has lists the same one.
        let dry = try live.client.post("/api/v1/admin/closures", json: [
            "location": "stadhuis", "from": "2026-12-02T08:30:00+01:00", "to": "2026-12-02T12:00:00+01:00", "desks": 2, "dryRun": true,
        ], token: admin)
        #expect(dry.status == 200, "\(dry.text)")
        #expect((try dry.object()["affected"] as? [[String: Any]])?.map { $0["reference"] as? String } == [second.reference])
        let audit = try live.client.get("/api/v1/audit", token: admin).array()
        let line = try #require(audit.first { $0["action"] as? String == "config.reload" })
        #expect((line["detail"] as? String)?.contains("kept \(second.reference)") == true, "\(line)")
        #expect(line["actor"] as? String == "it-team")
    }

    @Test func onlyAdminsReloadAndConcurrentReloadsNeverOverlap() throws {
        let (live, folder) = try server()
        defer { live.stop(); try? FileManager.default.removeItem(atPath: folder) }
        #expect(try live.client.post("/api/v1/admin/reload").status == 401)
        #expect(try live.client.post("/api/v1/admin/reload", token: try live.token(.clerk)).status == 403)
        let admin = try live.token(.admin, name: "it-team")
        let answers = Collected<(Int, String?)>()
        DispatchQueue.concurrentPerform(iterations: 6) { _ in
            let r = try? live.client.post("/api/v1/admin/reload", token: admin)
            answers.append((r?.status ?? 0, r?.problemCode))
        }
        #expect(answers.all.allSatisfy { $0.0 == 200 || ($0.0 == 409 && $0.1 == "reload_running") }, "\(answers.all)")
        #expect(answers.all.contains { $0.0 == 200 })
    }

    @Test func aServerWithoutAConfigFolderRefusesToReload() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let r = try live.client.post("/api/v1/admin/reload", token: try live.token(.admin))
        #expect(r.status == 422)
        #expect(r.problemCode == "invalid_config")
    }
}
