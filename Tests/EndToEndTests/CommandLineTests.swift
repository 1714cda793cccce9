// The `loket` command line, run as a user would: version, help, and checking the config files.
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
import LoketTestKit
#endif

@Suite("Command line")
struct CommandLineTests {
    @Test func versionAndHelp() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let version = try loket(["--version"], in: scratch.url)
        #expect(version.status == 0)
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines).wholeMatch(of: /\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?/) != nil,
                "version: \(version.stdout)")

        let help = try loket(["--help"], in: scratch.url)
        #expect(help.status == 0)
        for command in ["serve", "kiosk", "check-config", "token", "stats", "purge", "backup", "restore"] {
            #expect(help.stdout.contains(command), "--help does not mention \(command)")
        }

        let serve = try loket(["serve", "--help"], in: scratch.url)
        #expect(serve.status == 0)
        for option in ["--port", "--host", "--db", "--config", "--clock", "--trusted-proxy", "--no-rate-limits"] {
            #expect(serve.stdout.contains(option), "serve --help does not mention \(option)")
        }

        // Every command has help, and those that read config or data take --config and --db.
        for command in [["check-config"], ["token", "add"], ["token", "revoke"], ["stats"], ["purge"], ["backup"], ["restore"]] {
            let r = try loket(command + ["--help"], in: scratch.url)
            #expect(r.status == 0, "\(command) --help exited \(r.status)")
            #expect(r.stdout.contains("--db"), "\(command) --help has no --db")
            if command != ["token", "add"] && command != ["token", "revoke"] && command != ["backup"] {
                #expect(r.stdout.contains("--config"), "\(command) --help has no --config")
            }
        }
        #expect(try loket(["kiosk", "--help"], in: scratch.url).status == 0)
        #expect(try loket(["no-such-command"], in: scratch.url).status != 0)
    }

    @Test func checkConfigAcceptsTheDemoMunicipality() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let r = try loket(["check-config", "--config", Repo.config], in: scratch.url)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout.contains("4 locations"), "\(r.stdout)")
    }

    @Test func checkConfigPointsAtEveryProblemByFileAndLine() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let broken = scratch.url.appendingPathComponent("config")
        try FileManager.default.copyItem(atPath: Repo.config, toPath: broken.path)

        // A service at a location that does not exist ...
        let services = broken.appendingPathComponent("services/01-burgerzaken.yaml")
        var text = try String(contentsOf: services, encoding: .utf8)
        text += """

        - id: toverdrank
          name: {nl: Toverdrank}
          category: burgerzaken
          durationMinutes: 10
          maxPersons: 1
          channels: [appointment]
          prefix: A
          locations: [atlantis]

        """
        try text.write(to: services, atomically: true, encoding: .utf8)
        let serviceLine = text.components(separatedBy: "\n").firstIndex { $0.contains("[atlantis]") }! + 1

        // ... and an hour that does not exist.
        let locations = broken.appendingPathComponent("locations.yaml")
        var hours = try String(contentsOf: locations, encoding: .utf8)
        let good = "hours: [\"08:30-12:00\", \"13:00-16:00\"]"
        let range = try #require(hours.range(of: good))
        hours.replaceSubrange(range, with: "hours: [\"08:30-25:00\", \"13:00-16:00\"]")
        try hours.write(to: locations, atomically: true, encoding: .utf8)
        let hourLine = hours.components(separatedBy: "\n").firstIndex { $0.contains("25:00") }! + 1

        let r = try loket(["check-config", "--config", broken.path], in: scratch.url)
        #expect(r.status != 0)
        #expect(r.stdout.isEmpty || !r.stdout.contains("config OK"))
        let lines = r.stderr.components(separatedBy: "\n")
        #expect(lines.contains { $0.hasPrefix("\(services.path):\(serviceLine):") && $0.contains("atlantis") },
                "expected \(services.path):\(serviceLine): ... atlantis in:\n\(r.stderr)")
        #expect(lines.contains { $0.hasPrefix("\(locations.path):\(hourLine):") && $0.contains("25:00") },
                "expected \(locations.path):\(hourLine): ... 25:00 in:\n\(r.stderr)")
    }

    @Test func serveRefusesABadClock() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let badClock = try loket(["serve", "--port", "0", "--db", scratch.path("a.sqlite"), "--config", Repo.config,
                                  "--clock", "1 december"], in: scratch.url)
        #expect(badClock.status != 0)
        #expect(badClock.stderr.contains("--clock"), "\(badClock.stderr)")
        #expect(!badClock.stdout.contains("listening"))
    }

    @Test
    func serveRefusesAPortInUse() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let first = try ServerProcess(db: scratch.path("b.sqlite"), clock: "2026-12-01T09:00:00+01:00", in: scratch.url)
        defer { first.stop() }
        let out = PipeCollector(), err = PipeCollector()
        let second = try launch(["serve", "--port", "\(first.port)", "--db", scratch.path("c.sqlite"), "--config", Repo.config,
                                 "--pages", Repo.pages], in: scratch.url, stdout: out, stderr: err)
        defer {
            if second.isRunning {
                kill(second.processIdentifier, SIGKILL)
                second.waitUntilExit()
            }
        }
        // It must give up with an error instead of announcing itself on the same port.
        let exited = waitForExit(second, timeout: 10)
        #expect(exited, "a second server is running on port \(first.port)")
        if exited { #expect(second.terminationStatus != 0) }
        #expect(!out.text.contains("listening"), "\(out.text)")
        // Every request still reaches the first server (its clock is pinned; the second one's is not).
        for _ in 0..<20 {
            let now = try first.client.get("/api/v1/health").object()["now"] as? String ?? ""
            #expect(now.hasPrefix("2026-12-01"), "a request reached another server: now \(now)")
        }
    }
}
