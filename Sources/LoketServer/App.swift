// The Loket API: wires the catalogue, the use cases, the store, the live-event hub and the clock
// into routes.
//
// A request that changes something flows one way:
//   handler: decode the body (`RequestBody`), read the clock once
//   -> use case in LoketCore (`QueueDesk`, `BookingDesk`): (now, reading, command) -> Outcome
//   -> `write`: one transaction applies the changes, logs the events and builds the answer
//   -> after the commit the hub publishes the same events to displays and ticket pages.
// Handlers are grouped by concern in `App+*.swift` files; answers are shaped in `*DTO.swift`.
import Foundation
import LoketConfig
import LoketCore
import LoketHTTP
import LoketMail
import LoketStore
import Logging
import Synchronization

/// Counts what replayable answers (LoketHTTP's Replay.swift) are made from: every change of the
/// config in force (`App.putInForce`) and of the storage fault (`App.noteWrite`) moves a number on.
/// An answer holds while the numbers it read before it read anything else are still the same. Its
/// own object, so an answer's `holds` captures only this, not the app.
final class Generations: Sendable {
    let config = Atomic<UInt64>(0)
    let fault = Atomic<UInt64>(0)

    /// Both numbers, read before what an answer is made from.
    struct Reading: Equatable, Sendable {
        var config: UInt64
        var fault: UInt64
    }

    func read() -> Reading {
        Reading(config: config.load(ordering: .acquiring), fault: fault.load(ordering: .acquiring))
    }

    /// Whether nothing counted has changed since `reading`.
    func unchanged(since reading: Reading) -> Bool { read() == reading }

    /// Whether the config in force is still the one of `reading`.
    func sameConfig(as reading: Reading) -> Bool { config.load(ordering: .acquiring) == reading.config }
}

/// The application: everything a request handler needs, shared read-only between threads.
public final class App: Sendable {
    /// The config in force; swapped whole by `reload`.
    let office: LockedBox<Office>
    /// The catalogue in force. A handler that reads it several times may see a reload in between;
    /// the write paths read it once per use case (through `queueDesk`/`bookingDesk`).
    public var catalogue: Catalogue { office.withLock { $0 }.catalogue }
    var queueDesk: QueueDesk { office.withLock { $0 }.queueDesk }
    var bookingDesk: BookingDesk { office.withLock { $0 }.bookingDesk }
    var search: ServiceSearchIndex { office.withLock { $0 }.search }
    var serviceJSON: [Language: [[UInt8]]] { office.withLock { $0 }.serviceJSON }
    /// Set while a reload reads and checks the config, so two never run at once.
    let reloading = LockedBox(false)
    public let store: Store
    public let hub: EventHub
    public let clock: any Clock
    public let options: AppOptions
    /// The routes, built once; handlers get the app as their context.
    public let router: Router<App>
    let logger: Logger
    let pages: StaticFiles
    let limiter: RateLimiter
    /// This app's Prometheus registry and metrics (`App+Metrics.swift`), its own even beside other apps.
    let metrics: Metrics
    let backgroundTimer = LockedBox<DispatchSourceTimer?>(nil)
    /// The waitlist round's queue and timer (`App+Waitlist.swift`).
    let waitlistWork = WaitlistWork()
    /// The last health answer, its encoding and the last free-space reading (`App+Health.swift`).
    let healthMemo = LockedBox(HealthMemo())
    /// What is wrong with storage writes, from the last write that hit a storage fault; nil while they work.
    let storageFault = LockedBox<String?>(nil)
    /// Counts the changes of the config in force and of `storageFault`, for replayable answers.
    let generations = Generations()
    /// Whether no mail transport is configured, for health: read once, as copying the optional
    /// transport out of `options` on every health request showed in its profile (1.3%).
    let mailTransportMissing: Bool
    /// The civil day up to which each location's old tickets are closed (see `rollover`).
    let rolledOver = LockedBox<[String: CivilDate]>([:])
    /// The key manage tokens are derived from (`Secret.manageToken`), kept beside the database.
    let manageKey: [UInt8]
    /// Sends the outbox's citizen mail in the background.
    public let mailer: Mailer
    /// Token uses noted since the last flush (`App+Tokens.swift`).
    let tokenUse = TokenUse()
    /// Encoded availability answers, dropped after each commit that touches their location (`AvailabilityCache.swift`).
    let availabilityCache: AvailabilityCache

    public init(catalogue: Catalogue, store: Store, hub: EventHub, clock: any Clock, options: AppOptions, logger: Logger) {
        self.office = LockedBox(Office(catalogue))
        self.store = store
        self.hub = hub
        self.clock = clock
        self.options = options
        self.mailTransportMissing = options.mailTransport == nil
        self.logger = logger
        self.pages = StaticFiles(root: options.pagesDirectory)
        self.limiter = RateLimiter(perMinute: catalogue.settings.rateLimitPerMinute, enabled: options.rateLimits)
        var g = SystemRandomNumberGenerator()
        self.manageKey = options.manageKey ?? (0..<32).map { _ in UInt8.random(in: 0...255, using: &g) }
        let metrics = Metrics()
        self.metrics = metrics
        self.mailer = Mailer(store: store, catalogue: catalogue, clock: clock, transport: options.mailTransport,
                             publicURL: options.publicURL ?? catalogue.settings.publicBaseURL ?? "http://localhost:8080",
                             manageKey: manageKey, logger: logger, firstPause: options.mailRetrySeconds,
                             report: { metrics.mailRound($0) })
        self.router = Router(App.routes())
        self.availabilityCache = AvailabilityCache(enabled: options.availabilityCache)
    }

    /// Every route of the API and the pages.
    static func routes() -> RouteTable<App> {
        var table = RouteTable<App>()
        registerCatalogueRoutes(&table)
        registerMetricsRoutes(&table)
        registerBookingRoutes(&table)
        registerTicketRoutes(&table)
        registerCounterRoutes(&table)
        registerDisplayRoutes(&table)
        registerAdminRoutes(&table)
        registerStatsRangeRoutes(&table)
        registerReloadRoutes(&table)
        registerClosureRoutes(&table)
        registerWaitlistRoutes(&table)
        registerTokenRoutes(&table)
        registerPageRoutes(&table)
        return table
    }

    /// The handler to give the HTTP server. Counts and times every request by its route pattern
    /// (on the monotonic clock: the app's `clock` may be pinned, and stands still in tests).
    public func handle(_ request: Request) throws -> Response {
        let started = DispatchTime.now()
        var route = Metrics.unmatched
        var routeID = Metrics.unmatchedID
        var status = 500
        defer {
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
            metrics.request(route: route, id: routeID, method: request.method, status: status, seconds: seconds)
        }
        do {
            let found = try router.route(request)
            route = found.pattern
            routeID = found.id
            // Copied only to carry path parameters: a copy retains and releases each of the request's
            // strings and tables (about 1% of a health request in the profile), and most routes have none.
            let response: Response
            if found.parameters.isEmpty {
                response = try found.handler(self, request)
            } else {
                var request = request
                request.parameters = found.parameters
                response = try found.handler(self, request)
            }
            status = response.status
            guard response.replay != nil else { return response }
            // The server counts the answer's replays itself, under this route, as if it ran again.
            var counted = response
            counted.replay?.counted = metrics.replayCounter(route: found.pattern, id: found.id, method: request.method,
                                                             status: response.status)
            return counted
        } catch {
            status = (error as? any ProblemConvertible)?.problem.status ?? 500
            throw error
        }
    }

    // MARK: shared pieces for handlers

    /// The location `id`; a 422 naming `field` when absent, a 404 when unknown.
    func location(_ id: String?, field: String = "location") throws -> Location {
        guard let id, !id.isEmpty else { throw LoketError(.invalid, "Say which location.", fields: [field: "is required"]) }
        guard let l = catalogue.location(id) else { throw LoketError(.unknownLocation, "There is no location '\(id.prefix(60))'.") }
        return l
    }

    /// The service `id`; a 422 naming `field` when absent, a 404 when unknown.
    func service(_ id: String?, field: String = "service") throws -> Service {
        guard let id, !id.isEmpty else { throw LoketError(.invalid, "Say which service.", fields: [field: "is required"]) }
        guard let s = catalogue.service(id) else { throw LoketError(.unknownService, "There is no service '\(id.prefix(60))'.") }
        return s
    }

    /// The counter `id`; a 404 when unknown.
    func counter(_ id: String) throws -> Counter {
        guard let c = catalogue.counter(id) else { throw LoketError(.unknownCounter, "There is no counter '\(id.prefix(60))'.") }
        return c
    }

    /// The answer's language: `?lang=`, else the first known `Accept-Language`, else the municipality's default.
    func language(_ request: Request) -> Language {
        if let q = request.query["lang"], let l = Language(tag: q) { return l }
        // The table's keys are lower case: a miss through `header(_:)` (most requests send no
        // Accept-Language) checked the name's case on every request, in the profile of health.
        if let accept = request.headers["accept-language"] {
            for part in accept.split(separator: ",") {
                if let l = Language(tag: part.split(separator: ";").first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? "") {
                    return l
                }
            }
        }
        return office.withLock { $0.catalogue.settings.defaultLanguage }  // not `catalogue`: that copies it whole
    }

    /// A `YYYY-MM-DD` query value; a 400 `invalid_date` naming `field` otherwise.
    func date(_ text: String, field: String) throws -> CivilDate {
        guard let d = CivilDate(text) else {
            throw LoketError(.invalidDate, "`\(field)` must be a real date written YYYY-MM-DD.", fields: [field: "not a valid date"])
        }
        return d
    }

    // MARK: changes

    /// Runs one change in one write transaction: `body` applies use-case outcomes through the
    /// transaction and builds the answer from the same connection. The events are logged in the
    /// transaction and published to live streams after the commit, in commit order.
    /// Appointment events also become outbox rows in the transaction, for the mailer to send.
    func write<T>(now: Date, _ body: (inout Transaction) throws -> T) throws -> T {
        let written: Written<T>
        do {
            written = try writeTransaction(now: now, body)
            noteWrite(failure: nil)
        } catch {
            noteWrite(failure: error)
            throw error
        }
        // Committed: what the transaction learned may now be remembered. The publisher drops the
        // availability answers it changed too, but asynchronously: drop them here as well, so that
        // the caller's own next read (after its answer) never meets a stale one.
        availabilityCache.invalidate(written.availability)
        for remember in written.committed { remember() }
        if written.mail { mailer.wake() }
        return written.answer
    }

    /// What one write transaction returns to `write`.
    private struct Written<T> {
        var answer: T
        var events: [(topic: String, event: StoredEvent)]
        var mail: Bool
        var committed: [() -> Void]
        var availability: AvailabilityScope
    }

    private func writeTransaction<T>(now: Date, _ body: (inout Transaction) throws -> T) throws -> Written<T> {
        // The events go to the hub after the commit, outside the write lock, in commit order (Store.write).
        try store.write({ db -> Written<T> in
            var tx = Transaction(db: db, now: now)
            let answer = try body(&tx)
            let mail = try mailer.enqueue(tx.events, db: db, now: now)
            return Written(answer: answer, events: try db.append(tx.events, now: now), mail: mail, committed: tx.committed,
                           availability: tx.availability)
        }, afterCommit: { [hub, availabilityCache] result in
            // Durable now: drop the answers it changed before any display hears of it.
            availabilityCache.invalidate(result.availability)
            for (topic, e) in result.events { hub.publish(e, topic: topic) }
        })
    }

    /// Day rollover for `location` inside `tx`: tickets of earlier days still open are closed.
    ///
    /// Once a day per location is enough. The day is remembered only when nothing was left to
    /// close, and only once this transaction committed: its batch may still be lost, or an earlier
    /// write of the batch that closed the tickets rolled back, and then the next write must retry.
    func rollover(_ location: Location, in tx: inout Transaction) throws {
        let today = CivilClock(timeZone: location.timeZone).date(of: tx.now)
        if rolledOver.withLock({ $0[location.id] == today }) { return }
        if try !tx.apply(queueDesk.rollover(location, now: tx.now, reading: tx.db)) {
            tx.afterCommit { [rolledOver] in rolledOver.withLock { $0[location.id] = today } }
        }
    }
}

/// One write transaction as handlers see it: apply outcomes, read back through `db`.
struct Transaction {
    /// The writer connection, inside the transaction.
    let db: Connection
    /// The request's one instant.
    let now: Date
    /// Every event of the outcomes applied so far, in order.
    private(set) var events: [LiveEvent] = []
    /// Changes to the app's memory that hold only once this transaction committed (run by `App.write`).
    private(set) var committed: [() -> Void] = []
    /// The availability answers the outcomes applied so far may have changed.
    private(set) var availability = AvailabilityScope()

    init(db: Connection, now: Date) {
        self.db = db
        self.now = now
    }

    /// Writes the outcome's changes and keeps its events; returns its value.
    mutating func apply<V>(_ outcome: Outcome<V>) throws -> V {
        try db.apply(outcome.changes, now: now)
        events += outcome.events
        availability.note(outcome.changes, events: outcome.events)
        return outcome.value
    }

    /// Runs `remember` once the transaction committed; never if it is rolled back.
    mutating func afterCommit(_ remember: @escaping () -> Void) {
        committed.append(remember)
    }
}
