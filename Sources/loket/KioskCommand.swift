// `loket kiosk`: the terminal kiosk (see LoketKiosk). Reads the options, the kiosk token (from a
// file or the environment, never from the command line), checks them before the terminal is taken
// over, then hands everything to `KioskRunner`.
import ArgumentParser
import Foundation
import LoketCore
import LoketKiosk

extension Language: ExpressibleByArgument {}

struct KioskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kiosk",
        abstract: "The kiosk on a plain terminal, with an optional receipt printer.",
        discussion: """
        Shows the walk-in services open now at the location, numbered and grouped by category. Type a number and press Enter for a ticket, or type or scan a booking reference (e.g. K7M-3QX) and press Enter to check in. Keys: + next page, - previous page, * back, / language. Ctrl-C goes back to the start screen; Ctrl-C twice within 2 seconds quits (so does SIGTERM or SIGHUP).

        The kiosk token (made with `loket token add --role kiosk`) is read from --token-file or from the environment variable LOKET_KIOSK_TOKEN; it is never given on the command line.

        With --printer, tickets are printed as ESC/POS (a device such as /dev/usb/lp0, or a file that is appended to); without it, the ticket is shown on screen only.
        """)

    @Option(help: "Loket server, e.g. http://127.0.0.1:8080") var server: String
    @Option(help: "Location id, e.g. stadhuis") var location: String
    @Option(name: .customLong("token-file"), help: "File holding the kiosk token (else env LOKET_KIOSK_TOKEN).")
    var tokenFile: String?
    @Option(help: "Language to start in and return to: nl, fr, en or de.") var lang: Language = .nl
    @Option(help: "ESC/POS receipt printer: a device such as /dev/usb/lp0, or a file.") var printer: String?
    @Option(name: .customLong("reset-seconds"), help: "Seconds a ticket or message stays on screen.")
    var resetSeconds: Double = 15
    @Option(name: .customLong("refresh-seconds"), help: "Seconds between refreshes of the open services.")
    var refreshSeconds: Double = 30
    @Option(name: .customLong("log-file"), help: "Append diagnostics here instead of discarding them (the screen stays clean).")
    var logFile: String?

    func validate() throws {
        guard KioskClient.isValidServer(server) else {
            throw ValidationError("--server must be an http or https URL, e.g. http://127.0.0.1:8080")
        }
        guard !location.isEmpty, location.count <= 64 else { throw ValidationError("--location must be a location id, e.g. stadhuis") }
        guard resetSeconds >= 3, resetSeconds <= 600 else { throw ValidationError("--reset-seconds must be between 3 and 600") }
        guard refreshSeconds >= 1, refreshSeconds <= 3600 else { throw ValidationError("--refresh-seconds must be between 1 and 3600") }
    }

    func run() throws {
        let initialToken = try readToken()
        let tokenFile = self.tokenFile
        // Read the file again for each ticket, so a replaced token works without a restart.
        let token: @Sendable () -> String? = {
            if let tokenFile, let fresh = try? KioskCommand.token(fromFile: tokenFile) { return fresh }
            return initialToken
        }
        let terminal: Terminal
        do {
            terminal = try Terminal()
        } catch {
            throw ValidationError("loket kiosk needs a terminal: \(error)")
        }
        let settings = KioskSettings(server: server, location: location, language: lang, resetSeconds: resetSeconds,
                                     refreshSeconds: refreshSeconds, hasPrinter: printer != nil)
        let runner = KioskRunner(settings: settings, terminal: terminal, client: KioskClient(server: server, token: token),
                                 printer: printer.map(ReceiptPrinter.init(path:)),
                                 style: TerminalStyle(environment: ProcessInfo.processInfo.environment), logPath: logFile)
        try runner.run()
    }

    private func readToken() throws -> String {
        if let tokenFile {
            do {
                return try KioskCommand.token(fromFile: tokenFile)
            } catch let error as ValidationError {
                throw error
            } catch {
                throw ValidationError("cannot read --token-file \(tokenFile): \(error.localizedDescription)")
            }
        }
        guard let value = ProcessInfo.processInfo.environment["LOKET_KIOSK_TOKEN"] else {
            throw ValidationError("give the kiosk token with --token-file PATH or the environment variable LOKET_KIOSK_TOKEN")
        }
        return try KioskCommand.checked(value, source: "LOKET_KIOSK_TOKEN")
    }

    /// The token in a file: its first line, trimmed.
    static func token(fromFile path: String) throws -> String {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try checked(text.split(whereSeparator: \.isNewline).first.map(String.init) ?? "", source: path)
    }

    private static func checked(_ raw: String, source: String) throws -> String {
        let token = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty, token.count < 200, token.allSatisfy({ $0.isASCII && !$0.isWhitespace && $0.asciiValue.map { $0 >= 0x21 && $0 < 0x7F } == true }) else {
            throw ValidationError("the kiosk token in \(source) is empty or not a token")
        }
        return token
    }
}
