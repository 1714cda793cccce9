// GET /api/v1/stats/range and /api/v1/stats/export.csv: shapes, every bad input, roles, the CSV's
// bytes, and no personal data in either answer.
import Foundation
import LoketCore
import LoketStore
import Testing
import LoketTestKit

@Suite("Stats range API")
struct StatsRangeAPITests {
    static let clock = "2026-12-01T09:00:00+01:00"  // 2026-12-01 is a Tuesday
    static let monday = CivilDate(year: 2026, month: 11, day: 30)!

    /// The fixture catalogue with a service name a CSV must quote.
    static func catalogue() -> Catalogue {
        let c = Fixture.catalogue()
        var services = c.services
        services[0].name = LocalizedText([.nl: "Kaart; \"eID\"", .fr: "Carte d'identité"])
        return Catalogue(settings: c.settings, categories: c.categories, locations: c.locations, services: services, counters: c.counters)
    }

    /// Monday 30 November at `hal`, id-kaart: one served ticket (wait 7.5 min, service 10), one no-show
    /// (wait 12), one appointment booked, one cancelled.
    static func seeded() throws -> LiveServer {
        let live = try LiveServer(catalogue: catalogue(), clock: clock)
        let t0 = try instant("2026-11-30T09:00:00+01:00")
        try live.store.write { db in
            try db.insertTicket(Ticket(id: "s1", location: "hal", day: monday, number: "A001", service: "id-kaart", origin: .appointment,
                                       status: .done, issuedAt: t0, waitingSince: t0, calledAt: t0 + 450, startedAt: t0 + 450,
                                       finishedAt: t0 + 1050, appointmentReference: "REF-111"))
            try db.insertTicket(Ticket(id: "s2", location: "hal", day: monday, number: "A002", service: "id-kaart", origin: .walkin,
                                       status: .noShow, issuedAt: t0, waitingSince: t0, calledAt: t0 + 720))
        }
        try live.insertAppointment(reference: "REF-111", start: "2026-11-30T10:00:00+01:00", status: .done, name: "Zoë Peeters")
        try live.insertAppointment(reference: "REF-222", start: "2026-11-30T10:15:00+01:00", status: .cancelled, name: "Zoë Peeters")
        return live
    }

    @Test func rangeAnswersRowsAndTotalsWithoutPersonalData() throws {
        let live = try Self.seeded()
        defer { live.stop() }
        let admin = try live.token(.admin)
        let r = try live.client.get("/api/v1/stats/range?from=2026-11-30&to=2026-12-01", token: admin)
        #expect(r.status == 200)
        let o = try r.object()
        #expect(o["from"] as? String == "2026-11-30")
        #expect(o["to"] as? String == "2026-12-01")
        #expect(o["by"] as? String == "day")
        // Written by hand, byte for byte what JSONOut's sorted-keys encoder writes.
        #expect(r.text.hasPrefix("{\"by\":\"day\",\"from\":\"2026-11-30\",\"rows\":[{\"appointments\":1,\"location\":\"hal\","
                                 + "\"noShows\":1,\"period\":\"2026-11-30\",\"served\":1,\"service\":\"id-kaart\",\"serviceMinutesP50\":10,"
                                 + "\"tickets\":2,\"waitMinutesP50\":7.5,\"waitMinutesP90\":12}],\"to\":\"2026-12-01\",\"totals\":[{"))
        #expect(r.header("content-type") == "application/json")
        let rows = try #require(o["rows"] as? [[String: Any]])
        #expect(rows.count == 1)
        let row = try #require(rows.first)
        #expect(row["location"] as? String == "hal")
        #expect(row["period"] as? String == "2026-11-30")
        #expect(row["service"] as? String == "id-kaart")
        #expect(row["tickets"] as? Int == 2)
        #expect(row["appointments"] as? Int == 1)
        #expect(row["served"] as? Int == 1)
        #expect(row["noShows"] as? Int == 1)
        #expect(row["waitMinutesP50"] as? Double == 7.5)
        #expect(row["waitMinutesP90"] as? Double == 12)
        #expect(row["serviceMinutesP50"] as? Double == 10)
        // Every period of the range for every location; percentiles null where nothing was measured.
        let totals = try #require(o["totals"] as? [[String: Any]])
        #expect(totals.map { "\($0["location"]!) \($0["period"]!)" } == ["hal 2026-11-30", "hal 2026-12-01", "annex 2026-11-30", "annex 2026-12-01"])
        #expect(totals[0]["tickets"] as? Int == 2)
        #expect(totals[0]["service"] == nil)
        #expect(totals[1]["waitMinutesP50"] is NSNull)
        #expect(totals[1]["serviceMinutesP50"] is NSNull)
        for secret in ["Peeters", "example.be", "REF-111", "REF-222", "A001"] { #expect(!r.text.contains(secret), "\(secret)") }

        let week = try live.client.get("/api/v1/stats/range?from=2026-11-30&to=2026-12-06&by=week&location=hal", token: admin).object()
        let weekTotals = try #require(week["totals"] as? [[String: Any]])
        #expect(weekTotals.map { $0["period"] as? String } == ["2026-11-30"])
        #expect(weekTotals.first?["location"] as? String == "hal")
        #expect(week["by"] as? String == "week")
    }

    @Test func badInputAndRolesAnswerClearProblems() throws {
        let live = try Self.seeded()
        defer { live.stop() }
        let admin = try live.token(.admin), clerk = try live.token(.clerk), kiosk = try live.token(.kiosk)
        for base in ["/api/v1/stats/range", "/api/v1/stats/export.csv"] {
            let table: [(String, Int, String)] = [
                ("", 400, "invalid_date"),
                ("?to=2026-12-01", 400, "invalid_date"),
                ("?from=2026-11-30", 400, "invalid_date"),
                ("?from=2026-02-30&to=2026-03-01", 400, "invalid_date"),
                ("?from=30-11-2026&to=2026-12-01", 400, "invalid_date"),
                ("?from=2026-12-01&to=2026-11-30", 400, "invalid_range"),
                ("?from=2026-01-01&to=2027-01-02", 400, "invalid_range"),  // 367 days
                ("?from=2026-11-30&to=2026-12-01&location=nowhere", 404, "unknown_location"),
            ]
            for (query, status, code) in table {
                let r = try live.client.get(base + query, token: admin)
                #expect(r.status == status, "\(base)\(query)")
                #expect(r.problemCode == code, "\(base)\(query)")
                #expect(r.isProblem, "\(base)\(query)")
            }
            #expect(try live.client.get(base + "?from=2026-01-01&to=2027-01-01", token: admin).status == 200)  // 366 days
            let ok = base + "?from=2026-11-30&to=2026-12-01"
            #expect(try live.client.get(ok).problemCode == "unauthorized")
            #expect(try live.client.get(ok, token: clerk).problemCode == "forbidden")
            #expect(try live.client.get(ok, token: kiosk).status == 403)
        }
        let by = try live.client.get("/api/v1/stats/range?from=2026-11-30&to=2026-12-01&by=month", token: admin)
        #expect(by.status == 422)
        #expect(by.problemCode == "validation_failed")
    }

    @Test func csvIsWhatABelgianSpreadsheetOpens() throws {
        let live = try Self.seeded()
        defer { live.stop() }
        let admin = try live.token(.admin)
        let r = try live.client.get("/api/v1/stats/export.csv?from=2026-11-30&to=2026-12-01", token: admin)
        #expect(r.status == 200)
        #expect(r.header("content-type") == "text/csv; charset=utf-8")
        #expect(r.header("content-disposition") == "attachment; filename=\"loket-stats-2026-11-30-2026-12-01.csv\"")
        #expect(Array(r.body.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let text = String(decoding: r.body.dropFirst(3), as: UTF8.self)
        #expect(text == "Datum;Locatie;Locatienaam;Dienst;Dienstnaam;Tickets;Afspraken;Geholpen;Niet opgedaagd;"
                + "Wachttijd p50 (min);Wachttijd p90 (min);Behandeltijd p50 (min)\r\n"
                + "2026-11-30;hal;Testhuis;id-kaart;\"Kaart; \"\"eID\"\"\";2;1;1;1;7,5;12,0;10,0\r\n")
        for secret in ["Peeters", "example.be", "REF-111", "REF-222"] { #expect(!r.text.contains(secret), "\(secret)") }

        let fr = try live.client.get("/api/v1/stats/export.csv?from=2026-11-30&to=2026-11-30&location=hal&lang=fr", token: admin)
        let frLines = String(decoding: fr.body.dropFirst(3), as: UTF8.self).components(separatedBy: "\r\n")
        #expect(frLines.first?.hasPrefix("Date;Site;Nom du site;Service;Nom du service;") == true)
        #expect(frLines.dropFirst().first == "2026-11-30;hal;Maison de test;id-kaart;Carte d'identité;2;1;1;1;7,5;12,0;10,0")

        // A range with nothing in it: the header row only.
        let empty = try live.client.get("/api/v1/stats/export.csv?from=2026-12-01&to=2026-12-01", token: admin)
        #expect(String(decoding: empty.body, as: UTF8.self).components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 1)
    }
}
