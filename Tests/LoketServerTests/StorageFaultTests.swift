// A storage fault is a 503 the client may retry, never a 500: the database is made full for real
// (SQLite's max_page_count on the writer), a kiosk's ticket is refused with 503
// `storage_unavailable` and Retry-After, nothing stored changes, health says `degraded` until
// there is room again, and then writes resume, without a restart.
import Foundation
import LoketCore
import Testing
import LoketTestKit
@testable import LoketStore

@Suite("Storage faults")
struct StorageFaultTests {
    @Test func aFullDatabaseAnswers503AndWritesResumeWhenThereIsRoom() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: "2026-12-01T09:00:00+01:00") // a Tuesday
        defer { live.stop() }
        let kiosk = try live.token(.kiosk)
        let first = try live.mustIssue(kiosk: kiosk)
        let pages = try live.store.write { try $0.one("PRAGMA page_count", table: "pragma").int(0) }
        try live.store.write { try $0.exec("PRAGMA max_page_count = \(pages)") }

        var refused: HTTPResponse?
        for _ in 0..<200 {   // fill the last free room, then the next write must fail
            let r = try live.client.post("/api/v1/tickets", json: ["location": "hal", "service": "id-kaart"], token: kiosk)
            if r.status != 201 { refused = r; break }
        }
        let r = try #require(refused, "the database never filled up")
        #expect(r.status == 503)
        #expect(r.problemCode == "storage_unavailable")
        #expect(r.header("retry-after") == "30")
        #expect(try live.ticket(try #require(first["id"] as? String))["number"] as? String == "A001", "what was stored is still there")
        let sick = try live.client.get("/api/v1/health")
        #expect(sick.status == 503)
        #expect(try sick.object()["status"] as? String == "degraded")
        #expect(((try sick.object()["checks"] as? [String: String])?["storage"])?.hasPrefix("writes fail") == true)

        // Room again: health sees it by itself (no write needed first), and writes go through.
        try live.store.write { try $0.exec("PRAGMA max_page_count = 1073741823") }
        let well = try live.client.get("/api/v1/health")
        #expect(well.status == 200)
        #expect((try well.object()["checks"] as? [String: String])?["storage"] == "ok")
        #expect(try live.client.post("/api/v1/tickets", json: ["location": "hal", "service": "id-kaart"], token: kiosk).status == 201)
    }
}
