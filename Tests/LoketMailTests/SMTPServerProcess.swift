// A real SMTP server for the transport tests: tests/smtp_sink.py (aiosmtpd) in a child process.
//
// The Python comes from LOKET_TEST_PYTHON, which `make test` sets to the project's venv (where
// tests/requirements.txt installed aiosmtpd). Without it the SMTP tests are skipped with a reason,
// so `swift test` alone still works for a developer; with CI set they run and fail instead, so a
// broken Makefile cannot turn them off unseen.
import Foundation
import Testing

/// One running sink; `stop()` ends it and removes its folder (tests call it in `defer`).
final class SMTPServerProcess: @unchecked Sendable {
    // @unchecked: made, read and stopped by one test on its own task.

    /// The Python with aiosmtpd, or nil when the SMTP tests cannot run.
    static let python: String? = {
        guard let path = ProcessInfo.processInfo.environment["LOKET_TEST_PYTHON"], !path.isEmpty else { return nil }
        return path
    }()
    /// True on CI, where the SMTP tests may not be skipped.
    static let onCI = !(ProcessInfo.processInfo.environment["CI"] ?? "").isEmpty
    /// Whether the SMTP suites run: with a Python, or on CI (where a missing Python fails them).
    static let enabled = python != nil || onCI
    /// Why they are skipped otherwise.
    static let skipReason: Comment = "LOKET_TEST_PYTHON is not set: `make test` runs the SMTP tests against a real server"

    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let script = repositoryRoot.appendingPathComponent("tests/smtp_sink.py").path

    /// The port on 127.0.0.1 it listens on.
    let port: Int
    /// Where it saves what it accepts.
    let folder: URL
    private let process: Process
    private let input: Pipe

    /// Starts the sink with extra `arguments` (`--starttls CERT KEY`, `--reject-rcpt 550`, …).
    init(_ arguments: [String] = []) throws {
        let python = try Self.requirePython()
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("loket-smtp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [Self.script, "--dir", folder.path] + arguments
        let output = Pipe()
        input = Pipe()
        process.standardOutput = output
        process.standardInput = input
        try process.run()

        // A sink that never prints its port is ended after 30 s, so the read below returns.
        let started = process
        let watchdog = DispatchWorkItem { if started.isRunning { started.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 30, execute: watchdog)
        defer { watchdog.cancel() }
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("PORT "), let port = Int(text.dropFirst(5)) else {
            try? input.fileHandleForWriting.close()
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            try? FileManager.default.removeItem(at: folder)
            throw SMTPServerError("tests/smtp_sink.py did not start (printed \(text.debugDescription)); is aiosmtpd installed?")
        }
        self.port = port
    }

    /// Ends the sink and removes its folder.
    func stop() {
        stopProcess()
        try? FileManager.default.removeItem(at: folder)
    }

    private func stopProcess() {
        try? input.fileHandleForWriting.close() // the sink also stops when its stdin closes
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    /// One accepted message: its envelope and the DATA bytes as the server stored them.
    struct Received {
        var from: String
        var to: [String]
        var data: [UInt8]
    }

    /// What the sink accepted so far, oldest first.
    func received() throws -> [Received] {
        var result: [Received] = []
        var number = 1
        while FileManager.default.fileExists(atPath: folder.appendingPathComponent("\(number).json").path) {
            let envelope = try JSONSerialization.jsonObject(
                with: Data(contentsOf: folder.appendingPathComponent("\(number).json"))) as? [String: Any] ?? [:]
            let data = try Data(contentsOf: folder.appendingPathComponent("\(number).eml"))
            result.append(Received(from: envelope["from"] as? String ?? "", to: envelope["to"] as? [String] ?? [],
                                   data: Array(data)))
            number += 1
        }
        return result
    }

    /// A self-signed certificate for 127.0.0.1 and its key, made once per test run: (cert, key) paths.
    static func certificate() throws -> (cert: String, key: String) {
        try madeCertificate.get()
    }

    private static let madeCertificate: Result<(cert: String, key: String), any Error> = Result {
        let python = try requirePython()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("loket-smtp-cert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let cert = folder.appendingPathComponent("cert.pem").path
        let key = folder.appendingPathComponent("key.pem").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, "--write-self-signed", cert, key]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SMTPServerError("tests/smtp_sink.py --write-self-signed failed; is cryptography installed?")
        }
        return (cert, key)
    }

    private static func requirePython() throws -> String {
        guard let python else {
            throw SMTPServerError("LOKET_TEST_PYTHON is not set, and CI is: `make test` sets it to the venv's python")
        }
        return python
    }
}

/// The sink could not be started.
struct SMTPServerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
