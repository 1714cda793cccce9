// The backup drill: `loket backup` while citizens book, `loket restore` into a fresh path, and every
// booking acknowledged before the backup started is there (with working manage links: the key file
// travels with the backup). `loket restore` refuses what is not a Loket database, or is newer.
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
import LoketTestKit
#endif

@Suite("Backup and restore")
struct BackupRestoreTests {
    // 2026-12-01 is a Tuesday; bookings go into the following days.
    static let clock = "2026-12-01T09:00:00+01:00"

    /// A booking the server answered 201 to, and when the answer came.
    struct Acknowledged: Sendable {
        var reference: String
        var manageToken: String
        var start: String
        var at: Date
    }

    /// Thread-safe list of acknowledged bookings and the slots still to try.
    final class Ledger: @unchecked Sendable {
        // @unchecked: every field is touched only under `lock`.
        private let lock = NSLock()
        private var slots: [String]
        private var acknowledged: [Acknowledged] = []
        private var failures: [String] = []
        private var stopped = false

        init(slots: [String]) { self.slots = slots }

        func nextSlot() -> String? { lock.withLock { stopped || slots.isEmpty ? nil : slots.removeFirst() } }
        func record(_ a: Acknowledged) { lock.withLock { acknowledged.append(a) } }
        func fail(_ why: String) { lock.withLock { failures.append(why) } }
        func stop() { lock.withLock { stopped = true } }
        var snapshot: (acknowledged: [Acknowledged], failures: [String]) { lock.withLock { (acknowledged, failures) } }
    }

    @Test func backupUnderBookingLoadRestoresEveryAcknowledgedBooking() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = scratch.path("loket.sqlite")
        let server = try ServerProcess(db: db, clock: Self.clock, in: scratch.url)
        defer { server.stop() }

        // Every free place in the next days, each as often as it is free.
        let r = try server.client.get("/api/v1/availability?service=eid-aanvraag&location=stadhuis&from=2026-12-02&to=2026-12-09")
        try #require(r.status == 200, "availability: \(r.text)")
        let slots = try #require(try r.object()["slots"] as? [[String: Any]]).flatMap { slot in
            Array(repeating: slot["start"] as? String ?? "", count: slot["free"] as? Int ?? 1)
        }
        try #require(slots.count >= 100, "only \(slots.count) free places")
        let ledger = Ledger(slots: slots)

        let threads = 4
        let port = server.port
        let done = DispatchGroup()
        for worker in 0..<threads {
            done.enter()
            Thread {
                defer { done.leave() }
                let client = HTTPClient(port: port)
                var n = 0
                while let start = ledger.nextSlot() {
                    n += 1
                    do {
                        let b = try client.post("/api/v1/appointments", json: [
                            "service": "eid-aanvraag", "location": "stadhuis", "start": start, "persons": 1,
                            "name": "Burger \(worker)-\(n)", "email": "burger\(worker)-\(n)@example.be"])
                        let at = Date()
                        if b.status == 201, let o = try? b.object(), let reference = o["reference"] as? String,
                           let manage = o["manageToken"] as? String {
                            ledger.record(Acknowledged(reference: reference, manageToken: manage, start: start, at: at))
                        } else if b.status != 409 {
                            ledger.fail("\(b.status) \(b.text.prefix(200))")
                        }
                    } catch {
                        ledger.fail("\(error)")
                    }
                }
            }.start()
        }

        // Let the load run, then back up in the middle of it.
        let deadline = Date().addingTimeInterval(20)
        while ledger.snapshot.acknowledged.count < 20 && Date() < deadline { usleep(10_000) }
        let backupFile = scratch.path("backup.sqlite")
        let backupStarted = Date()
        let backup = try loket(["backup", "--db", db, backupFile], in: scratch.url)
        let backupEnded = Date()
        // Keep booking a little after the backup, then stop.
        while ledger.snapshot.acknowledged.filter({ $0.at > backupEnded }).count < 5 && Date() < deadline { usleep(10_000) }
        ledger.stop()
        #expect(done.wait(timeout: .now() + 30) == .success)
        #expect(backup.status == 0, "backup: \(backup.stderr)")
        let (acknowledged, failures) = ledger.snapshot
        #expect(failures.isEmpty, "bookings failed: \(failures.prefix(5))")
        let before = acknowledged.filter { $0.at < backupStarted }
        try #require(before.count >= 20, "only \(before.count) bookings before the backup")
        #expect(acknowledged.contains { $0.at > backupEnded }, "no booking went on after the backup")
        #expect(FileManager.default.fileExists(atPath: backupFile + ".key"), "backup left the key file behind")

        // Restore into a fresh path and serve it.
        let restoredDB = scratch.path("restored/loket.sqlite")
        let restore = try loket(["restore", backupFile, "--db", restoredDB], in: scratch.url)
        #expect(restore.status == 0, "restore: \(restore.stderr)")
        #expect(restore.stdout.contains("restored"), "\(restore.stdout)")
        #expect(!restore.stderr.contains("warning"), "restore warned: \(restore.stderr)")
        let restoredKey = try Data(contentsOf: URL(fileURLWithPath: restoredDB + ".key"))
        #expect(restoredKey == (try Data(contentsOf: URL(fileURLWithPath: db + ".key"))))
        #expect(((try FileManager.default.attributesOfItem(atPath: restoredDB + ".key"))[.posixPermissions] as? Int) == 0o600)

        server.stop()
        let restored = try ServerProcess(db: restoredDB, clock: Self.clock, in: scratch.url)
        defer { restored.stop() }
        var missing: [String] = []
        for a in before {
            let read = try restored.client.get("/api/v1/appointments/\(a.reference)?token=\(q(a.manageToken))")
            if read.status != 200 || (try? read.object()["start"] as? String) != a.start { missing.append(a.reference) }
        }
        #expect(missing.isEmpty, "\(missing.count) of \(before.count) acknowledged bookings are missing after restore: \(missing.prefix(5))")

        // A second restore onto the same path needs --force.
        let again = try loket(["restore", backupFile, "--db", restoredDB], in: scratch.url)
        #expect(again.status != 0)
        #expect(again.stderr.contains("--force"), "\(again.stderr)")
    }

    @Test func restoreRefusesWhatIsNotALoketDatabaseOrIsNewer() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let fresh = scratch.path("fresh.sqlite")

        let text = scratch.path("notes.txt")
        try "Gemeente Wilgendaal, back-up van maandag\n".write(toFile: text, atomically: true, encoding: .utf8)
        let notText = try loket(["restore", text, "--db", fresh], in: scratch.url)
        #expect(notText.status != 0)
        #expect(notText.stderr.contains("not a Loket database"), "\(notText.stderr)")
        #expect(!FileManager.default.fileExists(atPath: fresh))

        let missing = try loket(["restore", scratch.path("nothing.sqlite"), "--db", fresh], in: scratch.url)
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("cannot read"), "\(missing.stderr)")

        // A real database, with one step this loket does not know.
        let db = scratch.path("loket.sqlite")
        _ = try ServerProcess.token(role: "admin", name: "beheer", db: db, in: scratch.url)
        let backupFile = scratch.path("newer.sqlite")
        try #require(try loket(["backup", "--db", db, backupFile], in: scratch.url).status == 0)
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3"),
                     "needs the sqlite3 shell (scripts/install-deps.sh test installs it)")
        try sqliteShell(backupFile, """
            INSERT INTO loket_migrations (position, name, applied_at)
                SELECT max(position) + 1, '999-from-the-future', 0 FROM loket_migrations;
            """)
        let steps = try sqliteShell(backupFile, "SELECT count(*) FROM loket_migrations;").trimmingCharacters(in: .whitespacesAndNewlines)
        try sqliteShell(backupFile, "PRAGMA user_version = \(steps);")
        let newer = try loket(["restore", backupFile, "--db", fresh], in: scratch.url)
        #expect(newer.status != 0)
        #expect(newer.stderr.contains("999-from-the-future") && newer.stderr.contains("newer than this loket"), "\(newer.stderr)")
        #expect(!FileManager.default.fileExists(atPath: fresh))

        // An SQLite file that is not Loket's.
        let foreign = scratch.path("foreign.sqlite")
        try sqliteShell(foreign, "CREATE TABLE recipes (name TEXT);")
        let notLoket = try loket(["restore", foreign, "--db", fresh], in: scratch.url)
        #expect(notLoket.status != 0)
        #expect(notLoket.stderr.contains("not a Loket database"), "\(notLoket.stderr)")
        #expect(!FileManager.default.fileExists(atPath: fresh))

        // Without the key file beside it, a restore works and says what that means.
        try FileManager.default.removeItem(atPath: backupFile)
        try #require(try loket(["backup", "--db", db, backupFile], in: scratch.url).status == 0)
        try? FileManager.default.removeItem(atPath: backupFile + ".key")   // `token add` made no key; `serve` would
        let keyless = try loket(["restore", backupFile, "--db", fresh], in: scratch.url)
        #expect(keyless.status == 0, "\(keyless.stderr)")
        #expect(keyless.stderr.contains("warning") && keyless.stderr.contains("manage links"), "\(keyless.stderr)")
    }

    /// Runs the sqlite3 shell on `db`; returns its output.
    @discardableResult
    func sqliteShell(_ db: String, _ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [db, sql]
        let out = PipeCollector(), err = PipeCollector()
        process.standardOutput = out.pipe
        process.standardError = err.pipe
        try process.run()
        out.start()
        err.start()
        process.waitUntilExit()
        _ = out.waitForClose(timeout: 5)
        try #require(process.terminationStatus == 0, "sqlite3: \(err.text)")
        return out.text
    }
}
