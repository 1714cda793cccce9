// `loket serve` as a process: its announcement, the pinned clock, credentials made by the CLI while
// it runs, durability across `kill -9`, a clean SIGTERM, and the purge and backup commands.
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
import LoketTestKit
#endif

@Suite("loket serve")
struct ServeTests {
    // 2026-12-01 is a Tuesday: the town hall takes walk-ins 08:30-12:00.
    static let clock = "2026-12-01T09:00:00+01:00"

    @Test func announcesOneLineAndRunsOnThePinnedClock() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let server = try ServerProcess(db: scratch.path("loket.sqlite"), clock: Self.clock, in: scratch.url)
        defer { server.stop() }
        #expect(server.port > 0)
        #expect(server.banner == "loket listening on http://127.0.0.1:\(server.port)")
        let health = try server.client.get("/api/v1/health")
        #expect(health.status == 200)
        let now = try #require(try health.object()["now"] as? String)
        #expect(now.hasPrefix("2026-12-01T09:00:0"), "health now: \(now)")
        // Requests, good and bad, write nothing more on standard output.
        _ = try server.client.get("/api/v1/locations")
        _ = try server.client.get("/nothing")
        _ = try server.client.post("/api/v1/appointments", raw: "{")
        #expect(server.stdout.text == server.banner + "\n", "stdout: \(server.stdout.text.debugDescription)")
        // The database was made where --db said.
        #expect(FileManager.default.fileExists(atPath: scratch.path("loket.sqlite")))
    }

    @Test func tokensMadeByTheCLIWorkAtOnceAndOnlyTheirHashIsStored() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = scratch.path("loket.sqlite")
        let server = try ServerProcess(db: db, clock: Self.clock, in: scratch.url)
        defer { server.stop() }

        let add = try loket(["token", "add", "--role", "kiosk", "--name", "k1", "--db", db], in: scratch.url)
        #expect(add.status == 0, "\(add.stderr)")
        let lines = add.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 2 && lines[1].isEmpty, "token add printed more than one line: \(add.stdout.debugDescription)")
        let token = String(lines[0])
        #expect(token.wholeMatch(of: /[A-Za-z0-9_-]{24,}/) != nil, "token: \(token)")

        let me = try server.client.get("/api/v1/me", token: token)
        #expect(me.status == 200)
        #expect(try me.object()["role"] as? String == "kiosk")
        #expect(try me.object()["name"] as? String == "k1")
        let ticket = try server.client.post("/api/v1/tickets", json: ["location": "stadhuis", "service": "eid-aanvraag"], token: token)
        #expect(ticket.status == 201, "\(ticket.text)")

        let revoke = try loket(["token", "revoke", "--name", "k1", "--db", db], in: scratch.url)
        #expect(revoke.status == 0, "\(revoke.stderr)")
        #expect(try server.client.get("/api/v1/me", token: token).status == 401)
        #expect(try server.client.post("/api/v1/tickets", json: ["location": "stadhuis", "service": "eid-aanvraag"],
                                       token: token).status == 401)
        #expect(try loket(["token", "revoke", "--name", "k1", "--db", db], in: scratch.url).status != 0, "nothing left to revoke")

        // Neither the database nor its journal holds the token itself.
        let needle = Array(token.utf8)
        for file in [db, db + "-wal", db + "-shm"] where FileManager.default.fileExists(atPath: file) {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
            #expect(TestSocket.find(needle, in: bytes) == nil, "\(file) contains the token")
        }
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3") {
            let dump = try sqlite(db, ".dump")
            #expect(!dump.contains(token))
            #expect(try sqlite(db, "SELECT length(hash), role, name, revoked_at IS NOT NULL FROM tokens;") == "32|kiosk|k1|1\n")
        }
    }

    @Test func whatWasAcknowledgedSurvivesKillDashNine() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = scratch.path("loket.sqlite")
        let kiosk = try ServerProcess.token(role: "kiosk", name: "kiosk-stadhuis", db: db, in: scratch.url)
        let first = try ServerProcess(db: db, clock: Self.clock, in: scratch.url)
        defer { first.stop() }
        let appointment = try bookFirstSlot(first.client, from: "2026-12-02", name: "Zoë Durable")
        let reference = try #require(appointment["reference"] as? String)
        let manage = try #require(appointment["manageToken"] as? String)
        let ticketAnswer = try first.client.post("/api/v1/tickets", json: ["location": "stadhuis", "service": "eid-aanvraag"], token: kiosk)
        try #require(ticketAnswer.status == 201)
        let ticket = try ticketAnswer.object()
        let ticketID = try #require(ticket["id"] as? String)
        first.kill(signal: SIGKILL)
        #expect(first.process.terminationReason == .uncaughtSignal)

        let second = try ServerProcess(db: db, clock: Self.clock, in: scratch.url)
        defer { second.stop() }
        let read = try second.client.get("/api/v1/appointments/\(reference)?token=\(q(manage))")
        #expect(read.status == 200)
        let o = try read.object()
        #expect(o["start"] as? String == appointment["start"] as? String)
        #expect(o["name"] as? String == "Zoë Durable")
        #expect(o["status"] as? String == "booked")
        let t = try second.client.get("/api/v1/tickets/\(ticketID)")
        #expect(t.status == 200)
        #expect(try t.object()["number"] as? String == ticket["number"] as? String)
        #expect(try t.object()["status"] as? String == "waiting")
        // Numbering goes on after the restart.
        let next = try second.client.post("/api/v1/tickets", json: ["location": "stadhuis", "service": "eid-aanvraag"], token: kiosk)
        #expect(try next.object()["number"] as? String == "A002")
    }

    @Test func sigtermEndsPromptlyWithExitZeroEvenWithAnOpenEventStream() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let server = try ServerProcess(db: scratch.path("loket.sqlite"), clock: Self.clock, in: scratch.url)
        defer { server.stop() }
        let stream = try EventStreamClient(port: server.port, path: "/api/v1/locations/stadhuis/events")
        defer { stream.shutdown() }
        #expect(stream.status == 200)
        #expect(try stream.waitUntilOpen(timeout: 5))

        let sent = Date()
        server.kill(signal: SIGTERM)
        let exited = waitForExit(server.process, timeout: 5)
        try #require(exited, "still running 5 s after SIGTERM")
        let took = Date().timeIntervalSince(sent)
        #expect(took < 5)
        #expect(server.process.terminationReason == .exit)
        #expect(server.process.terminationStatus == 0)
        #expect(stream.waitForEnd(timeout: 2), "the event stream was left open")
    }

    @Test func purgeErasesOldPersonalDataAndBackupCopiesTheDatabase() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = scratch.path("loket.sqlite")
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Brussels")!

        // One appointment booked now, for the coming days ...
        let present = try ServerProcess(db: db, clock: nil, in: scratch.url)
        let tomorrow = brusselsMorning(Date().addingTimeInterval(86400)).prefix(10)
        let recent = try bookFirstSlot(present.client, from: String(tomorrow), name: "Nieuw Dossier", email: "nieuw@example.be")
        present.stop()
        // ... and one on a clock 200 days back, long past the 90-day retention. (Last: a server on
        // today's clock would purge it by itself, in its housekeeping.)
        var day = Date().addingTimeInterval(-200 * 86400)
        while calendar.component(.weekday, from: day) != 3 { day = day.addingTimeInterval(86400) } // 3 = Tuesday
        let wednesday = brusselsMorning(day.addingTimeInterval(86400)).prefix(10)
        let past = try ServerProcess(db: db, clock: brusselsMorning(day), in: scratch.url)
        let old = try bookFirstSlot(past.client, from: String(wednesday), name: "Oud Dossier", email: "oud@example.be")
        past.stop()

        let purge = try loket(["purge", "--config", Repo.config, "--db", db], in: scratch.url)
        #expect(purge.status == 0, "\(purge.stderr)")
        #expect(purge.stdout.contains("erased personal data of 1 appointment"), "\(purge.stdout)")

        let server = try ServerProcess(db: db, clock: nil, in: scratch.url)
        defer { server.stop() }
        func read(_ a: [String: Any], via client: HTTPClient) throws -> [String: Any] {
            let r = try client.get("/api/v1/appointments/\(a["reference"] as? String ?? "")?token=\(q(a["manageToken"] as? String ?? ""))")
            try #require(r.status == 200, "\(r.status) \(r.text)")
            return try r.object()
        }
        let erased = try read(old, via: server.client)
        #expect((erased["name"] as? String ?? "").isEmpty, "name kept: \(erased["name"] ?? "")")
        #expect(erased["email"] == nil || erased["email"] is NSNull)
        #expect(erased["start"] as? String == old["start"] as? String, "only personal data goes")
        let kept = try read(recent, via: server.client)
        #expect(kept["name"] as? String == "Nieuw Dossier")
        #expect(kept["email"] as? String == "nieuw@example.be")
        // Purging again finds nothing more.
        #expect(try loket(["purge", "--config", Repo.config, "--db", db], in: scratch.url).stdout.contains("of 0 appointment"))

        // A backup taken while the server runs opens as a database of its own with the appointment in it.
        let copy = scratch.path("copy.sqlite")
        let backup = try loket(["backup", "--db", db, copy], in: scratch.url)
        #expect(backup.status == 0, "\(backup.stderr)")
        #expect(backup.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == copy)
        #expect(FileManager.default.fileExists(atPath: copy))
        #expect(try loket(["backup", "--db", db, copy], in: scratch.url).status != 0, "a backup must not overwrite a file")
        let restored = try ServerProcess(db: copy, clock: nil, in: scratch.url)
        defer { restored.stop() }
        let fromBackup = try read(recent, via: restored.client)
        #expect(fromBackup["name"] as? String == "Nieuw Dossier")
        #expect(fromBackup["start"] as? String == recent["start"] as? String)
    }

    /// Runs the sqlite3 shell read-only on `db`.
    func sqlite(_ db: String, _ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = ["-readonly", db, sql]
        let out = PipeCollector(), err = PipeCollector()
        process.standardOutput = out.pipe
        process.standardError = err.pipe
        try process.run()
        out.start()
        err.start()
        if !waitForExit(process, timeout: 10) {
            Issue.record("sqlite3 did not finish within 10 s")
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        _ = out.waitForClose(timeout: 5)
        return out.text
    }
}
