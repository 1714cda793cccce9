// The `loket` command: the only place that builds real clocks, databases and servers.
import ArgumentParser
import Foundation
import LoketConfig
import LoketCore
import LoketHTTP
import LoketMail
import LoketServer
import LoketStore
import Logging

let loketVersion = "0.1.0"

@main
struct Loket: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loket",
        abstract: "The front desk of a municipality: bookings, queue tickets, counters and lobby displays.",
        version: loketVersion,
        subcommands: [Serve.self, KioskCommand.self, CheckConfig.self, Reload.self, TokenCommand.self, Stats.self, Purge.self, Backup.self, Restore.self]
    )
}

/// Options every command that reads config or data shares.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: "Config folder (env LOKET_CONFIG).")
    var config: String = ProcessInfo.processInfo.environment["LOKET_CONFIG"] ?? "config"

    @Option(name: .long, help: "SQLite database file (env LOKET_DB).")
    var db: String = ProcessInfo.processInfo.environment["LOKET_DB"] ?? "./var/loket.sqlite"

    /// The file beside the database that holds the key manage tokens are derived from.
    var keyPath: String { db + ".key" }

    func loadCatalogue() throws -> Catalogue {
        do {
            return try ConfigLoader.load(directory: config)
        } catch let error as ConfigError {
            for issue in error.issues { FileHandle.standardError.write(Data("\(issue)\n".utf8)) }
            throw ExitCode(2)
        }
    }

    func openStore(logger: Logger) throws -> Store {
        do {
            return try Store(path: db, logger: logger)
        } catch let error as StoreError {
            // Names the file already, and what to do (a damaged file, a newer schema).
            FileHandle.standardError.write(Data("loket: \(error)\n".utf8))
            throw ExitCode(1)
        } catch {
            FileHandle.standardError.write(Data("loket: cannot open database \(db): \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

func makeLogger(_ label: String, level: Logger.Level) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = level
    return logger
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

extension String {
    /// The string without one trailing `suffix`.
    func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP server (API, pages, live events).")

    @OptionGroup var data: DataOptions

    @Option(help: "Address to listen on (env LOKET_HOST).")
    var host: String = ProcessInfo.processInfo.environment["LOKET_HOST"] ?? "127.0.0.1"

    @Option(help: "Port; 0 picks any free port (env LOKET_PORT).")
    var port: UInt16 = UInt16(ProcessInfo.processInfo.environment["LOKET_PORT"] ?? "") ?? 8080

    @Option(help: "Start the clock at this instant, e.g. 2026-12-01T09:00:00+01:00; it runs on at real speed (env LOKET_CLOCK).")
    var clock: String = ProcessInfo.processInfo.environment["LOKET_CLOCK"] ?? ""

    @Option(name: .customLong("trusted-proxy"), help: "A reverse proxy whose X-Forwarded-For is believed (repeatable).")
    var trustedProxies: [String] = []

    @Flag(name: .customLong("no-rate-limits"), help: "Switch per-client rate limits off (load tests, or a proxy that limits).")
    var noRateLimits = false

    @Flag(name: .customLong("no-availability-cache"), help: "Compute every availability answer afresh (to measure what the cache buys).")
    var noAvailabilityCache = false

    @Option(help: "Folder of the web pages (env LOKET_PAGES).")
    var pages: String = ProcessInfo.processInfo.environment["LOKET_PAGES"] ?? "kiosk"

    @Option(name: .customLong("max-connections"),
            help: "Open connections at most, display streams included (env LOKET_MAX_CONNECTIONS; default: the descriptor limit, raised to its hard limit at start, less 256 kept for the database, log, mail and listening sockets, at most 65536).")
    var maxConnections: Int?

    @Option(name: .customLong("max-connections-per-address"),
            help: "Open connections at most from one client address, 0 for no cap; a --trusted-proxy is exempt, so cap per client in the proxy (nginx limit_conn) (env LOKET_MAX_CONNECTIONS_PER_ADDRESS; default 2500, never more than half of --max-connections: room for the benchmark's 2000 display streams from 127.0.0.1 and a town hall's displays, kiosks and staff browsers behind one NAT address).")
    var maxConnectionsPerAddress: Int?

    @Option(name: .customLong("request-deadline"),
            help: "Seconds a connection has to send a whole request (headers and body) after it opens or after its previous answer, 0 for none; open event streams are not affected (env LOKET_REQUEST_DEADLINE; default 10).")
    var requestDeadline: Int = Int(ProcessInfo.processInfo.environment["LOKET_REQUEST_DEADLINE"] ?? "") ?? 10

    @Option(help: "Worker threads (default: one per core).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .customLong("write-workers"),
            help: "Threads that answer writes, so that this many share one commit and its fsync (0: on the worker threads; default 64).")
    var writeWorkers: Int = 64

    @Option(name: .customLong("public-url"), help: "Base of the links in mail, e.g. https://loket.wilgendaal.be (env LOKET_PUBLIC_URL; default: settings' publicBaseURL, else the listening address).")
    var publicURL: String = ProcessInfo.processInfo.environment["LOKET_PUBLIC_URL"] ?? ""

    @Option(name: .customLong("smtp"), help: "Send citizen mail through this SMTP server: smtp://host:port (STARTTLS when offered), smtps://host:port, user in the URL (env LOKET_SMTP_URL).")
    var smtp: String = ProcessInfo.processInfo.environment["LOKET_SMTP_URL"] ?? ""

    @Option(name: .customLong("smtp-password-file"), help: "File holding the SMTP password (else env LOKET_SMTP_PASSWORD).")
    var smtpPasswordFile: String?

    @Option(name: .customLong("mail-dir"), help: "Write citizen mail as .eml files into this folder instead of sending it (env LOKET_MAIL_DIR).")
    var mailDir: String = ProcessInfo.processInfo.environment["LOKET_MAIL_DIR"] ?? ""

    @Option(name: .customLong("mail-retry-seconds"), help: "First pause before mail the server could not take is tried again; it doubles up to an hour (default 15; short for tests).")
    var mailRetrySeconds: Double = 15

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (env LOKET_LOG_LEVEL).")
    var logLevel: Logger.Level = Logger.Level(rawValue: ProcessInfo.processInfo.environment["LOKET_LOG_LEVEL"] ?? "") ?? .info

    /// The transport `--smtp` or `--mail-dir` asks for; nil when neither is given.
    func mailTransport(clock: any Clock) throws -> (any MailTransport)? {
        if !smtp.isEmpty && !mailDir.isEmpty { throw ValidationError("give --smtp or --mail-dir, not both") }
        if !mailDir.isEmpty { return MailDirectory(directory: URL(fileURLWithPath: mailDir), clock: clock) }
        guard !smtp.isEmpty else { return nil }
        var password = ProcessInfo.processInfo.environment["LOKET_SMTP_PASSWORD"]
        if let file = smtpPasswordFile {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw ValidationError("cannot read --smtp-password-file \(file)")
            }
            password = text.trimmingCharacters(in: .newlines)
        }
        do {
            return try SMTPTransport(url: smtp, password: password)
        } catch {
            throw ValidationError("--smtp: \(error)")
        }
    }

    func run() throws {
        // SIGTERM and SIGINT stay blocked until the main thread waits for signals in dispatchMain(),
        // so one that arrives early is held pending rather than taking its default action.
        var shutdownSignals = sigset_t()
        sigemptyset(&shutdownSignals)
        sigaddset(&shutdownSignals, SIGTERM)
        sigaddset(&shutdownSignals, SIGINT)
        sigaddset(&shutdownSignals, SIGHUP)
        pthread_sigmask(SIG_BLOCK, &shutdownSignals, nil)

        var start: Date?
        if !clock.isEmpty {
            guard let instant = parseInstant(clock) else {
                throw ValidationError("--clock must look like 2026-12-01T09:00:00+01:00")
            }
            start = instant
        }
        if !publicURL.isEmpty {
            guard let url = URL(string: publicURL), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
                throw ValidationError("--public-url must be an http(s) URL such as https://loket.wilgendaal.be")
            }
        }
        // Optional flags read their environment variable here: ArgumentParser wants no default on an Optional.
        let environment = ProcessInfo.processInfo.environment
        let maxConnections = self.maxConnections ?? environment["LOKET_MAX_CONNECTIONS"].flatMap { Int($0) }
        let maxConnectionsPerAddress = self.maxConnectionsPerAddress ?? environment["LOKET_MAX_CONNECTIONS_PER_ADDRESS"].flatMap { Int($0) }
        if let n = maxConnections, n < 1 { throw ValidationError("--max-connections must be at least 1") }
        if let n = maxConnectionsPerAddress, n < 0 { throw ValidationError("--max-connections-per-address must be 0 (no cap) or more") }
        if requestDeadline < 0 { throw ValidationError("--request-deadline must be 0 (none) or more seconds") }
        let serverClock: any Clock = start.map { StartedClock(startingAt: $0) } ?? SystemClock()
        guard mailRetrySeconds >= 0.1, mailRetrySeconds <= 3600 else {
            throw ValidationError("--mail-retry-seconds must be between 0.1 and 3600")
        }
        let transport = try mailTransport(clock: serverClock)
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        let logger = makeLogger("loket", level: logLevel)
        let catalogue = try data.loadCatalogue()
        let store = try data.openStore(logger: logger)
        let hub = EventHub()
        var options = AppOptions(pagesDirectory: pages, trustedProxies: Set(trustedProxies),
                                 rateLimits: !noRateLimits, version: loketVersion,
                                 publicURL: publicURL.isEmpty ? nil : publicURL.trimmingSuffix("/"), mailTransport: transport,
                                 manageKey: try Secret.key(at: data.keyPath), configDirectory: data.config)
        options.mailRetrySeconds = mailRetrySeconds
        options.availabilityCache = !noAvailabilityCache
        let app = App(catalogue: catalogue, store: store, hub: hub, clock: serverClock, options: options, logger: logger)
        let descriptors = HTTPServerConfiguration.raiseDescriptorLimit()
        let connections = maxConnections ?? HTTPServerConfiguration.connectionLimit(descriptorLimit: descriptors)
        var configuration = HTTPServerConfiguration(
            host: host, port: port, threads: threads, connectionLimit: connections,
            perAddressConnectionLimit: maxConnectionsPerAddress, uncappedAddresses: Set(trustedProxies),
            requestDeadlineSeconds: requestDeadline)
        configuration.writeWorkers = max(0, writeWorkers)
        logger.info("connections: \(configuration.connectionLimit) at most, \(configuration.perAddressConnectionLimit) per address (0: no cap), requests due within \(configuration.requestDeadlineSeconds) s; descriptor limit \(descriptors)")
        if configuration.connectionLimit > descriptors - 64 {
            logger.warning("--max-connections \(configuration.connectionLimit) leaves fewer than 64 of the \(descriptors) descriptors for the database, log and mail")
        }
        let server = HTTPServer(configuration: configuration, hub: hub, logger: logger, handler: app.handle)
        do {
            try server.start()
        } catch {
            FileHandle.standardError.write(Data("loket: \(error)\n".utf8))
            throw ExitCode(1)
        }
        // Watched before the listening line, since whoever reads that line may send SIGTERM at once:
        // libdispatch installs its handler asynchronously, so wait until both sources are registered.
        let signalQueue = DispatchQueue(label: "loket.signals")
        let registered = DispatchGroup()
        for sig in [SIGTERM, SIGINT] {
            let source = DispatchSource.makeSignalSource(signal: sig, queue: signalQueue)
            source.setEventHandler {
                logger.notice("shutting down")
                app.stopBackgroundWork()
                server.stop()
                // The clean mark spares the next start the full check of the file (Store+Check.swift).
                do {
                    if try !store.close() { logger.notice("database left without a clean mark; the next start checks it in full") }
                } catch {
                    logger.error("closing the database failed", metadata: ["error": "\(error)"])
                }
                Foundation.exit(0)
            }
            registered.enter()
            source.setRegistrationHandler { registered.leave() }
            source.resume()
            signalSources.append(source)
        }
        // SIGHUP re-reads the config, like `loket reload`; problems and orphaned appointments go to the log.
        let hangUp = DispatchSource.makeSignalSource(signal: SIGHUP, queue: signalQueue)
        hangUp.setEventHandler {
            // A SIGHUP while another reload runs (an admin's POST) waits for it and then reads the config
            // again, so no reload asked for is lost; signals that come meanwhile make one more.
            for attempt in 1... {
                do {
                    let result = try app.reload(by: "SIGHUP")
                    for o in result.orphaned {
                        logger.warning("appointment \(o.reference) at \(o.location) \(o.start) no longer fits the config (\(o.reason))")
                    }
                } catch let running as LoketError where running.code == .reloadRunning && attempt < 600 {
                    Thread.sleep(forTimeInterval: 0.05)
                    continue
                } catch let refused as ConfigRefused {
                    for issue in refused.issues { logger.error("config: \(issue)") }
                } catch {
                    logger.error("reload failed: \(error)")
                }
                return
            }
        }
        registered.enter()
        hangUp.setRegistrationHandler { registered.leave() }
        hangUp.resume()
        signalSources.append(hangUp)
        _ = registered.wait(timeout: .now() + 5)
        let shownHost = host.contains(":") ? "[\(host)]" : host
        if publicURL.isEmpty && catalogue.settings.publicBaseURL == nil {
            app.mailer.usePublicURL("http://\(shownHost):\(server.port)")
        }
        app.startBackgroundWork()
        print("loket listening on http://\(shownHost):\(server.port)")
        fflush(nil)
        SystemdNotify.send("READY=1\nSTATUS=listening on port \(server.port)")
        dispatchMain()
    }
}

nonisolated(unsafe) var signalSources: [DispatchSourceSignal] = []

struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config", abstract: "Check the config files; print every problem with its file and line.")

    @OptionGroup var data: DataOptions

    func run() throws {
        let catalogue = try data.loadCatalogue()
        print("config OK: \(catalogue.locations.count) locations, \(catalogue.services.count) services, \(catalogue.counters.count) counters, \(catalogue.categories.count) categories")
    }
}

struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Manage credentials for kiosks, clerks and admins.",
        subcommands: [Add.self, Revoke.self, List.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a token; prints it once, alone on standard output. Only its hash is stored.")
        @OptionGroup var data: DataOptions
        @Option(help: "kiosk, clerk or admin.") var role: String
        @Option(help: "Who or what uses it, e.g. kiosk-stadhuis-1 or an employee's name.") var name: String

        func run() throws {
            guard let role = Role(rawValue: role) else { throw ValidationError("--role must be kiosk, clerk or admin") }
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, trimmed.count <= 100 else { throw ValidationError("--name must be 1 to 100 characters") }
            let store = try data.openStore(logger: makeLogger("loket", level: .warning))
        defer { _ = try? store.close() }
            let token = Secret.random(bytes: 24)
            try store.write { db in
                try db.insertToken(hash: Secret.hash(token), role: role, name: trimmed, now: Date())
                try db.audit(actor: "cli", action: "token.add", subject: trimmed, detail: role.rawValue, at: Date())
            }
            print(token)
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke every token with this name; works at once, also on a running server.")
        @OptionGroup var data: DataOptions
        @Option(help: "The name given at `token add`.") var name: String

        func run() throws {
            let store = try data.openStore(logger: makeLogger("loket", level: .warning))
        defer { _ = try? store.close() }
            let n = try store.write { db in
                let n = try db.revokeTokens(name: name, now: Date())
                try db.audit(actor: "cli", action: "token.revoke", subject: name, at: Date())
                return n
            }
            guard n > 0 else {
                FileHandle.standardError.write(Data("loket: no live token named \(name)\n".utf8))
                throw ExitCode(1)
            }
            print("revoked \(n) token(s) named \(name)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (names and roles; the tokens themselves are not stored).")
        @OptionGroup var data: DataOptions

        func run() throws {
            let store = try data.openStore(logger: makeLogger("loket", level: .warning))
        defer { _ = try? store.close() }
            for t in try store.read({ try $0.tokens() }) {
                print("\(t.name)\t\(t.role.rawValue)\t\(CivilClock(timeZone: .brussels).iso8601(t.createdAt))\(t.revoked ? "\trevoked" : "")")
            }
        }
    }
}

struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a day's figures per location: tickets, waiting and service times, appointments.")
    @OptionGroup var data: DataOptions
    @Option(help: "The day, YYYY-MM-DD (default today).") var date: String?

    func run() throws {
        let catalogue = try data.loadCatalogue()
        let store = try data.openStore(logger: makeLogger("loket", level: .warning))
        defer { _ = try? store.close() }
        let day = try date.map { d -> CivilDate in
            guard let c = CivilDate(d) else { throw ValidationError("--date must be YYYY-MM-DD") }
            return c
        } ?? CivilClock(timeZone: .brussels).date(of: Date())
        for location in catalogue.locations {
            let s = try store.read { try DayStatistics.compute(db: $0, location: location, day: day) }
            print(s.text(locationName: location.name.resolve(.nl)))
        }
    }
}

struct Purge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Erase names and contact details of appointments older than the retention period in settings.yaml.")
    @OptionGroup var data: DataOptions

    func run() throws {
        let catalogue = try data.loadCatalogue()
        let store = try data.openStore(logger: makeLogger("loket", level: .warning))
        defer { _ = try? store.close() }
        let now = Date()
        let n = try store.write { db in
            let n = try db.purgeExpired(retentionDays: catalogue.settings.retentionDays, now: now).appointments
            try db.audit(actor: "cli", action: "purge", subject: nil, detail: "\(n) appointments", at: now)
            return n
        }
        try store.checkpoint()
        print("erased personal data of \(n) appointment(s) that ended more than \(catalogue.settings.retentionDays) days ago")
    }
}

struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a consistent copy of the database (safe while the server runs), and of its key file as <destination>.key.")
    @OptionGroup var data: DataOptions
    @Argument(help: "Destination file (default: var/backup-<time>.sqlite).") var destination: String?

    func run() throws {
        let store = try data.openStore(logger: makeLogger("loket", level: .warning))
        defer { _ = try? store.close() }
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
        let target = destination ?? "var/backup-\(stamp).sqlite"
        guard !FileManager.default.fileExists(atPath: target) else { throw ValidationError("\(target) exists; choose another name") }
        try store.backup(to: target)
        // Manage links (in mail already sent) are derived from this key: a restore without it breaks them.
        if let key = FileManager.default.contents(atPath: data.keyPath) {
            try writePrivateFile(key, to: target + ".key")
        }
        print(target)
    }
}
