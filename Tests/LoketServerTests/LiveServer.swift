// The test kit for API tests: a real `App` behind a real `HTTPServer` on port 0, over its own
// temporary SQLite file, with the clock pinned to a stated instant (running on at real speed).
//
// Two catalogues: the repository's demo municipality (`config/`, loaded once), and a small
// hand-made one (`Fixture.catalogue`) whose capacities are easy to reason about: one location
// `hal`, appointments on weekdays 09:00-12:00 with `desks` desks, a 15-minute grid, no lead time,
// everything online, no walk-in reserve, no cancel cooldown.
import Foundation
import Logging
import LoketConfig
import LoketCore
import LoketHTTP
import LoketMail
import LoketServer
import LoketStore
import Testing
import LoketTestKit

/// Paths in the repository, found from this file.
enum Repo {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var config: String { root.appendingPathComponent("config").path }
    static var pages: String { root.appendingPathComponent("kiosk").path }
}

/// The demo municipality from `config/`, loaded once for all tests.
enum Demo {
    private static let loaded: Result<Catalogue, any Error> = Result { try ConfigLoader.load(directory: Repo.config) }

    static func catalogue() throws -> Catalogue { try loaded.get() }
}

/// An instant from ISO 8601 with offset; a typo in a test is a test failure.
func instant(_ text: String) throws -> Date {
    try #require(parseInstant(text), "not an ISO 8601 instant: \(text)")
}

/// A hand-made municipality with capacities that are easy to count.
enum Fixture {
    static let workdays: Set<Weekday> = [.monday, .tuesday, .wednesday, .thursday, .friday]
    /// Long and non-ASCII, so that calendar lines must be folded without splitting a character.
    static let address = "Grote Markt 1, 9999 Teststad-Éénentwintig (ingang via de zijdeur naast café „De Ploeg”, 1ste verdieping)"

    /// - Parameters:
    ///   - desks: parallel desks on weekdays 09:00-12:00 (all bookable online).
    ///   - walkIn: walk-in hours (weekdays); default 08:00-12:00.
    ///   - walkInDays: weekdays of the walk-in hours.
    static func catalogue(desks: Int = 3, horizonDays: Int = 30, cancelCooldownMinutes: Int = 0,
                          walkIn: [String] = ["08:00-12:00"], walkInDays: Set<Weekday> = workdays,
                          rateLimitPerMinute: Int = 120, maxActivePerContact: Int = 3) -> Catalogue {
        let hal = Location(
            id: "hal", name: LocalizedText([.nl: "Testhuis", .fr: "Maison de test"]), address: address,
            appointmentHours: [OpeningRule(weekdays: workdays, ranges: [TimeRange("09:00-12:00")!], desks: desks)],
            walkInHours: [OpeningRule(weekdays: walkInDays, ranges: walkIn.map { TimeRange($0)! })],
            booking: BookingPolicy(slotMinutes: 15, leadMinutes: 0, horizonDays: horizonDays, walkInReserve: 0,
                                   onlineShare: 1, cancelCooldownMinutes: cancelCooldownMinutes))
        let annex = Location(
            id: "annex", name: LocalizedText([.nl: "Annex"]), address: "Kerkstraat 2",
            appointmentHours: [OpeningRule(weekdays: workdays, ranges: [TimeRange("09:00-12:00")!], desks: 1)],
            walkInHours: [OpeningRule(weekdays: workdays, ranges: [TimeRange("08:00-12:00")!])],
            booking: BookingPolicy(slotMinutes: 15, leadMinutes: 0, horizonDays: horizonDays))
        let services = [
            Service(id: "id-kaart", name: LocalizedText([.nl: "Identiteitskaart aanvragen", .fr: "Carte d'identité"]),
                    category: "burger", durationMinutes: 15, maxPersons: 3, channels: [.appointment, .walkin], prefix: "A",
                    locations: ["hal", "annex"], bring: LocalizedText([.nl: "Een pasfoto"])),
            Service(id: "rijbewijs", name: LocalizedText([.nl: "Rijbewijs"]), category: "burger", durationMinutes: 15,
                    maxPersons: 1, channels: [.appointment, .walkin], prefix: "R", locations: ["hal"]),
            Service(id: "afhalen", name: LocalizedText([.nl: "Document afhalen"]), category: "burger", durationMinutes: 5,
                    maxPersons: 1, channels: [.walkin], prefix: "AF", locations: ["hal"]),
            Service(id: "bouwen", name: LocalizedText([.nl: "Bouwvergunning"]), category: "omgeving", durationMinutes: 30,
                    maxPersons: 1, channels: [.appointment], prefix: "B", locations: ["hal"]),
        ]
        let counters = (1...3).map {
            Counter(id: "c\($0)", location: "hal", name: "Loket \($0)", profile: [.category("burger")])
        } + [Counter(id: "annex-1", location: "annex", name: "Annex 1", profile: [.category("burger")])]
        let settings = Settings(municipality: LocalizedText([.nl: "Teststad"]), defaultLanguage: .nl, displayLanguages: [.nl],
                                queue: QueuePolicy(), retentionDays: 90, maxActivePerContact: maxActivePerContact,
                                rateLimitPerMinute: rateLimitPerMinute)
        return Catalogue(settings: settings,
                         categories: [Category(id: "burger", name: LocalizedText([.nl: "Burgerzaken"])),
                                      Category(id: "omgeving", name: LocalizedText([.nl: "Omgeving"]))],
                         locations: [hal, annex], services: services, counters: counters)
    }
}

/// A running server for one test. Call `stop()` (use `defer`).
final class LiveServer: @unchecked Sendable {
    // @unchecked: every stored property is set once in init; `stop()` is called by the owning test only.
    let app: App
    let server: HTTPServer
    let store: Store
    let directory: URL
    let dbPath: String
    let client: HTTPClient
    private let ownsDirectory: Bool

    /// The server's clock: it stands at the instant the test gave until the test moves it.
    let clock: ManualClock

    /// Starts a server at `clock` (ISO 8601 with offset) on a fresh database, or on `dbPath` in `directory`.
    /// - Parameter mail: how citizen mail leaves; nil keeps it in the outbox.
    init(catalogue: Catalogue, clock: String, rateLimits: Bool = false, directory: URL? = nil,
         mail: (any MailTransport)? = nil, configDirectory: String? = nil) throws {
        if let directory {
            self.directory = directory
            ownsDirectory = false
        } else {
            self.directory = FileManager.default.temporaryDirectory.appendingPathComponent("loket-test-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
            ownsDirectory = true
        }
        dbPath = self.directory.appendingPathComponent("loket.sqlite").path
        var logger = Logger(label: "loket.test")
        logger.logLevel = .error
        store = try Store(path: dbPath, logger: logger)
        let hub = EventHub()
        self.clock = ManualClock(try instant(clock))
        app = App(catalogue: catalogue, store: store, hub: hub, clock: self.clock,
                  options: AppOptions(pagesDirectory: Repo.pages, rateLimits: rateLimits, version: "test",
                                      publicURL: "https://loket.test", mailTransport: mail,
                                      configDirectory: configDirectory), logger: logger)
        server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0, threads: 4), hub: hub,
                            logger: logger, handler: app.handle)
        try server.start()
        client = HTTPClient(port: server.port)
    }

    /// Stops the server and removes its temporary folder (when it made it).
    /// A server on its own copy of the demo config (`config/`), which the test may edit and reload,
    /// and the copy's path; the test removes the folder when done.
    static func onDemoConfigCopy(clock: String) throws -> (LiveServer, String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("loket-config-\(UUID().uuidString)").path
        try FileManager.default.copyItem(atPath: Repo.config, toPath: folder)
        return (try LiveServer(catalogue: try ConfigLoader.load(directory: folder), clock: clock, configDirectory: folder), folder)
    }

    func stop() {
        server.stop()
        if ownsDirectory { try? FileManager.default.removeItem(at: directory) }
    }

    /// Makes a credential of `role` directly in the store, as `loket token add` does.
    func token(_ role: Role, name: String? = nil) throws -> String {
        let token = Secret.random()
        try store.write { try $0.insertToken(hash: Secret.hash(token), role: role, name: name ?? "\(role)-\(UUID())", now: Date()) }
        return token
    }

    /// Stores an appointment directly (for states the API cannot reach at the pinned clock, e.g. in the past).
    func insertAppointment(reference: String, location: String = "hal", service: String = "id-kaart", start: String,
                           minutes: Int = 15, status: AppointmentStatus = .booked, name: String = "Jan Peeters",
                           token: String = "secret") throws {
        let s = try instant(start)
        let a = Appointment(reference: reference, location: location, items: [.init(service: service, persons: 1)], start: s,
                            end: s.addingTimeInterval(Double(minutes * 60)), status: status, name: name, email: "jan@example.be",
                            phone: nil, language: .nl, channel: .online, createdAt: s.addingTimeInterval(-86400))
        try store.write { try $0.insertAppointment(a, tokenHash: Secret.hash(token), group: nil, contactKey: nil) }
    }

    // MARK: booking helpers

    /// A booking body with a fresh e-mail address (so the per-contact cap never interferes).
    static func bookingBody(start: String, service: String = "id-kaart", location: String = "hal", persons: Int? = nil,
                            name: String = "Jan Peeters", email: String? = nil) -> [String: Any] {
        var body: [String: Any] = ["service": service, "location": location, "start": start, "name": name,
                                   "email": email ?? "burger-\(UUID().uuidString.prefix(12))@example.be"]
        if let persons { body["persons"] = persons }
        return body
    }

    func book(_ body: [String: Any]) throws -> HTTPResponse {
        try client.post("/api/v1/appointments", json: body)
    }

    /// Books and requires a 201; returns the reference and manage token.
    func mustBook(start: String, service: String = "id-kaart", location: String = "hal", email: String? = nil,
                  name: String = "Jan Peeters", sourceLocation: SourceLocation = #_sourceLocation) throws -> Booking {
        let r = try book(LiveServer.bookingBody(start: start, service: service, location: location, name: name, email: email))
        try #require(r.status == 201, "booking \(start) answered \(r.status): \(r.text)", sourceLocation: sourceLocation)
        let o = try r.object()
        return Booking(reference: try #require(o["reference"] as? String), token: try #require(o["manageToken"] as? String))
    }

    func appointment(_ b: Booking) throws -> HTTPResponse {
        try client.get("/api/v1/appointments/\(b.reference)?token=\(q(b.token))")
    }

    /// Free slots of a day (`from=to=date`), start -> free.
    func freeSlots(date: String, service: String = "id-kaart", location: String = "hal") throws -> [String: Int] {
        let r = try client.get("/api/v1/availability?service=\(service)&location=\(location)&from=\(date)&to=\(date)")
        try #require(r.status == 200, "availability answered \(r.status): \(r.text)")
        let slots = try #require(try r.object()["slots"] as? [[String: Any]])
        var result: [String: Int] = [:]
        for s in slots { result[s["start"] as? String ?? "?"] = s["free"] as? Int ?? -1 }
        return result
    }

    // MARK: queue helpers

    /// Issues a walk-in ticket and requires a 201; returns the ticket object.
    func mustIssue(service: String = "id-kaart", location: String = "hal", kiosk: String,
                   sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let r = try client.post("/api/v1/tickets", json: ["location": location, "service": service], token: kiosk)
        try #require(r.status == 201, "ticket answered \(r.status): \(r.text)", sourceLocation: sourceLocation)
        return try r.object()
    }

    func counter(_ id: String, _ action: String, clerk: String) throws -> HTTPResponse {
        try client.post("/api/v1/counters/\(id)/\(action)", token: clerk)
    }

    func ticketAction(_ id: String, _ action: String, clerk: String, json: Any? = nil) throws -> HTTPResponse {
        try client.post("/api/v1/tickets/\(id)/\(action)", json: json, token: clerk)
    }

    func ticket(_ id: String, token: String? = nil) throws -> [String: Any] {
        let r = try client.get("/api/v1/tickets/\(id)", token: token)
        try #require(r.status == 200, "ticket \(id) answered \(r.status): \(r.text)")
        return try r.object()
    }
}

/// What a citizen keeps after booking.
struct Booking: Sendable {
    var reference: String
    var token: String
}

/// Thread-safe collection for results gathered on several threads.
final class Collected<T>: @unchecked Sendable {
    // @unchecked: `items` is only touched under `lock`.
    private let lock = NSLock()
    private var items: [T] = []
    func append(_ item: T) { lock.withLock { items.append(item) } }
    var all: [T] { lock.withLock { items } }
}
