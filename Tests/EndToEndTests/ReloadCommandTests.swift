// `loket reload` and SIGHUP against a running `loket serve`: a broken config is refused with
// file:line:column and exit status 2, a good one is swapped in, and an open display stream
// survives both.
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif
import LoketTestKit

@Suite("loket reload")
struct ReloadCommandTests {
    static let clock = "2026-12-01T09:00:00+01:00"

    /// A copy of the demo config that the test may edit.
    static func configCopy(in scratch: Scratch) throws -> String {
        let target = scratch.path("config")
        try FileManager.default.copyItem(atPath: Repo.config, toPath: target)
        return target
    }

    static func edit(_ file: String, _ old: String, _ new: String) throws {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try #require(text.contains(old), "\(file) has no \(old)")
        try text.replacingOccurrences(of: old, with: new).write(toFile: file, atomically: true, encoding: .utf8)
    }

    func serviceName(_ client: HTTPClient) throws -> String? {
        try client.get("/api/v1/services/eid-aanvraag?lang=nl").object()["name"] as? String
    }

    @Test func reloadRefusesABrokenConfigThenSwapsAGoodOneAndSighupDoesTheSame() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let config = try Self.configCopy(in: scratch)
        let db = scratch.path("loket.sqlite")
        let server = try ServerProcess(db: db, clock: Self.clock, in: scratch.url, config: config)
        defer { server.stop() }
        let admin = try ServerProcess.token(role: "admin", name: "it-team", db: db, in: scratch.url)
        let tokenFile = scratch.path("admin.token")
        try admin.write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let stream = try EventStreamClient(port: server.port, path: "/api/v1/locations/stadhuis/events")
        defer { stream.shutdown() }
        #expect(try stream.waitUntilOpen(timeout: 5))
        let reload = ["reload", "--server", "http://127.0.0.1:\(server.port)", "--token-file", tokenFile]

        // Unchanged config: reloaded, nothing orphaned.
        let same = try loket(reload, in: scratch.url)
        #expect(same.status == 0, "\(same.stderr)")
        #expect(same.stdout.contains("config reloaded"), "\(same.stdout)")
        #expect(same.stdout.contains("every booked appointment still fits"), "\(same.stdout)")

        // Two problems: both reported with their place, exit 2, the old config keeps serving.
        let services = config + "/services/01-burgerzaken.yaml"
        try Self.edit(services, "  durationMinutes: 15\n  maxPersons: 6", "  durationMinutes: fifteen\n  maxPersons: 6")
        try Self.edit(config + "/locations.yaml", "slotMinutes: 10, leadMinutes: 120", "slotMinutes: 0, leadMinutes: 120")
        let broken = try loket(reload, in: scratch.url)
        #expect(broken.status == 2)
        let places = broken.stderr.split(separator: "\n").filter { $0.wholeMatch(of: /.*\.yaml:\d+:\d+: .+/) != nil }
        #expect(places.count >= 2, "stderr: \(broken.stderr)")
        #expect(places.contains { $0.contains("01-burgerzaken.yaml:") })
        #expect(places.contains { $0.contains("locations.yaml:") })
        #expect(try serviceName(server.client) == "Identiteitskaart (eID) aanvragen")

        // Fixed and renamed, then SIGHUP: the new name is served without a restart.
        try Self.edit(services, "durationMinutes: fifteen", "durationMinutes: 15")
        try Self.edit(config + "/locations.yaml", "slotMinutes: 0, leadMinutes: 120", "slotMinutes: 10, leadMinutes: 120")
        try Self.edit(services, "nl: \"Identiteitskaart (eID) aanvragen\"", "nl: \"Identiteitskaart (eID) aanvragen of vernieuwen\"")
        server.kill(signal: SIGHUP)
        let deadline = Date().addingTimeInterval(10)
        var name = try serviceName(server.client)
        while name != "Identiteitskaart (eID) aanvragen of vernieuwen" && Date() < deadline {
            usleep(50_000)
            name = try serviceName(server.client)
        }
        #expect(name == "Identiteitskaart (eID) aanvragen of vernieuwen")
        #expect(server.process.isRunning, "SIGHUP ended the server")
        let found = try server.client.get("/api/v1/services?q=vernieuwen").array()
        #expect(found.contains { $0["id"] as? String == "eid-aanvraag" }, "the search index was not rebuilt")
        #expect(!stream.waitForEnd(timeout: 0.2), "a reload closed the display stream")
    }

    @Test func reloadWithoutATokenOrWithAClerkTokenFails() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = scratch.path("loket.sqlite")
        let server = try ServerProcess(db: db, clock: Self.clock, in: scratch.url)
        defer { server.stop() }
        let none = try loket(["reload", "--server", "http://127.0.0.1:\(server.port)"], in: scratch.url)
        #expect(none.status != 0)
        #expect(none.stderr.contains("token"), "\(none.stderr)")
        let clerk = try ServerProcess.token(role: "clerk", name: "balie", db: db, in: scratch.url)
        let tokenFile = scratch.path("clerk.token")
        try clerk.write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let refused = try loket(["reload", "--server", "http://127.0.0.1:\(server.port)", "--token-file", tokenFile], in: scratch.url)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("403"), "\(refused.stderr)")
    }
}
