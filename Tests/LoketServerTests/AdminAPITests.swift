// Admin routes: the day's appointments, statistics and the audit log; admins only.
import Foundation
import LoketCore
import Testing
import LoketTestKit

@Suite("Admin API")
struct AdminAPITests {
    static let clock = "2026-12-01T09:00:00+01:00" // 2026-12-01 is a Tuesday

    @Test func adminsSeeTheDayAndOthersDoNot() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let admin = try live.token(.admin), clerk = try live.token(.clerk), kiosk = try live.token(.kiosk)
        let booked = try live.mustBook(start: "2026-12-01T10:00:00+01:00")
        _ = try live.mustIssue(kiosk: kiosk)

        for path in ["/api/v1/appointments?location=hal&date=2026-12-01", "/api/v1/stats/day", "/api/v1/audit"] {
            #expect(try live.client.get(path).status == 401, "\(path)")
            #expect(try live.client.get(path, token: clerk).status == 403, "\(path)")
        }

        let list = try live.client.get("/api/v1/appointments?location=hal&date=2026-12-01", token: admin)
        #expect(list.status == 200)
        #expect(try list.array().map { $0["reference"] as? String } == [booked.reference])
        #expect(try live.client.get("/api/v1/appointments?location=hal&date=2026-12-02", token: admin).array().isEmpty)
        #expect(try live.client.get("/api/v1/appointments?location=hal&date=2026-02-30", token: admin).problemCode == "invalid_date")

        let stats = try live.client.get("/api/v1/stats/day?date=2026-12-01", token: admin).array()
        let hal = try #require(stats.first { $0["location"] as? String == "hal" })
        #expect(hal["tickets"] as? Int == 1)
        #expect(hal["appointments"] as? Int == 1)

        // The audit log says who did what, and never a citizen's name.
        let audit = try live.client.get("/api/v1/audit?date=2026-12-01", token: admin)
        let actions = try audit.array().compactMap { $0["action"] as? String }
        #expect(actions.contains("appointment.book"))
        #expect(actions.contains("ticket.issue"))
        #expect(!audit.text.contains("Peeters"))
    }
}
