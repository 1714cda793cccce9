// Drives the built `loket` binary: one-shot commands with their exit status and output, and
// `loket serve` as a child process that is always killed when the test is done.
//
// The binary is `.build/debug/loket`, found from this file; build it first (`swift build`).
// Children run in a temporary working directory with no `LOKET_*` variables, with the repo's
// `config/` and `kiosk/` passed explicitly, so nothing depends on where the tests are started.
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
import LoketTestKit
#endif

/// Paths in the repository, found from this file.
enum Repo {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var binary: String { root.appendingPathComponent(".build/debug/loket").path }
    static var config: String { root.appendingPathComponent("config").path }
    static var pages: String { root.appendingPathComponent("kiosk").path }

    /// The binary's path, or a test failure telling how to get it.
    static func loket(sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try #require(FileManager.default.isExecutableFile(atPath: binary),
                     "the loket binary is missing at \(binary): run `swift build` first", sourceLocation: sourceLocation)
        return binary
    }
}

/// A temporary folder, removed by `remove()`.
struct Scratch {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("loket-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Bytes a child writes to one pipe, collected on a background thread.
final class PipeCollector: @unchecked Sendable {
    // @unchecked: `data` and `closed` are only touched under `lock`.
    private let lock = NSCondition()
    private var data = Data()
    private var closed = false
    let pipe = Pipe()

    func start() {
        let handle = pipe.fileHandleForReading
        let thread = Thread { [self] in
            while true {
                let chunk = handle.availableData
                lock.lock()
                if chunk.isEmpty { closed = true } else { data.append(chunk) }
                lock.broadcast()
                lock.unlock()
                if chunk.isEmpty { return }
            }
        }
        thread.start()
    }

    var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }

    /// Waits until the text holds a full line matching `predicate`, at most `timeout`; returns the line.
    func waitForLine(timeout: TimeInterval, where predicate: (String) -> Bool) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        lock.lock()
        defer { lock.unlock() }
        while true {
            let text = String(decoding: data, as: UTF8.self)
            if let line = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().first(where: { predicate(String($0)) }) {
                return String(line)
            }
            if closed || !lock.wait(until: deadline) { return nil }
        }
    }

    /// Waits until the writer closed its end (the child exited), at most `timeout`.
    func waitForClose(timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        lock.lock()
        defer { lock.unlock() }
        while !closed {
            if !lock.wait(until: deadline) { return closed }
        }
        return true
    }
}

/// What a finished command did.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Starts `loket` with `arguments` in `directory`.
func launch(_ arguments: [String], in directory: URL, stdout: PipeCollector, stderr: PipeCollector) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try Repo.loket())
    process.arguments = arguments
    process.currentDirectoryURL = directory
    process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("LOKET_") }
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = stdout.pipe
    process.standardError = stderr.pipe
    try process.run()
    stdout.start()
    stderr.start()
    return process
}

/// Waits until `process` exits, at most `timeout`; false if it is still running.
func waitForExit(_ process: Process, timeout: TimeInterval) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { usleep(10_000) }
    return !process.isRunning
}

/// Runs one command to its end (killed after `timeout`).
func loket(_ arguments: [String], in directory: URL, timeout: TimeInterval = 30,
           sourceLocation: SourceLocation = #_sourceLocation) throws -> CommandResult {
    let out = PipeCollector(), err = PipeCollector()
    let process = try launch(arguments, in: directory, stdout: out, stderr: err)
    if !waitForExit(process, timeout: timeout) {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        Issue.record("loket \(arguments.joined(separator: " ")) did not finish within \(timeout) s", sourceLocation: sourceLocation)
    }
    _ = out.waitForClose(timeout: 5)
    _ = err.waitForClose(timeout: 5)
    return CommandResult(status: process.terminationStatus, stdout: out.text, stderr: err.text)
}

/// `loket serve` on port 0, running until `stop`/`kill` (and killed in any case on deinit).
final class ServerProcess {
    let process: Process
    let stdout = PipeCollector()
    let stderr = PipeCollector()
    let port: UInt16
    let client: HTTPClient
    /// The line announcing the address.
    let banner: String

    /// Starts the server on `db` with the clock at `clock` (nil: the real clock); waits for its banner.
    init(db: String, clock: String?, in directory: URL, config: String = Repo.config, extra: [String] = []) throws {
        var args = ["serve", "--port", "0", "--db", db, "--config", config, "--pages", Repo.pages, "--no-rate-limits",
                    "--log-level", "warning"]
        if let clock { args += ["--clock", clock] }
        process = try launch(args + extra, in: directory, stdout: stdout, stderr: stderr)
        guard let line = stdout.waitForLine(timeout: 20, where: { $0.hasPrefix("loket listening on ") }) else {
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw HTTPTestError(description: "loket serve did not announce itself; stderr: \(stderr.text.suffix(2000))")
        }
        banner = line
        guard let portText = line.split(separator: ":").last, let port = UInt16(portText) else {
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw HTTPTestError(description: "no port in \(line)")
        }
        self.port = port
        client = HTTPClient(port: port)
    }

    deinit { kill(signal: SIGKILL) }

    /// Sends `signal` if the server still runs; for SIGKILL also waits for the end.
    func kill(signal: Int32) {
        guard process.isRunning else { return }
        Glibc.kill(process.processIdentifier, signal)
        if signal == SIGKILL { process.waitUntilExit() }
    }

    /// Kills the server (SIGKILL) and waits for it.
    func stop() { kill(signal: SIGKILL) }

    /// A credential made with the CLI against the same database.
    static func token(role: String, name: String, db: String, in directory: URL) throws -> String {
        let r = try loket(["token", "add", "--role", role, "--name", name, "--db", db], in: directory)
        try #require(r.status == 0, "token add failed: \(r.stderr)")
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// ISO 8601 with the Brussels offset for `date` at 09:00 local time.
func brusselsMorning(_ date: Date) -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "Europe/Brussels")!
    let c = calendar.dateComponents([.year, .month, .day], from: date)
    let nine = calendar.date(from: DateComponents(year: c.year, month: c.month, day: c.day, hour: 9))!
    let offset = calendar.timeZone.secondsFromGMT(for: nine) / 60
    return String(format: "%04d-%02d-%02dT09:00:00+%02d:%02d", c.year!, c.month!, c.day!, offset / 60, offset % 60)
}

/// Books the first free slot of `service` at `location` within two weeks after the server's today; returns the answer.
func bookFirstSlot(_ client: HTTPClient, from: String, service: String = "eid-aanvraag", location: String = "stadhuis",
                   name: String = "Jan Peeters", email: String = "jan.peeters@example.be") throws -> [String: Any] {
    let r = try client.get("/api/v1/availability?service=\(service)&location=\(location)&from=\(from)")
    try #require(r.status == 200, "availability: \(r.status) \(r.text)")
    let slots = try #require(try r.object()["slots"] as? [[String: Any]])
    let start = try #require(slots.first?["start"] as? String, "no free slot from \(from)")
    let b = try client.post("/api/v1/appointments", json: ["service": service, "location": location, "start": start,
                                                            "name": name, "email": email])
    try #require(b.status == 201, "booking: \(b.status) \(b.text)")
    return try b.object()
}
