// The Loket API: wires the catalogue, the store, the live-event hub and the clock into routes.
//
// Handlers are grouped by concern in `App+*.swift` files. Each reads the clock once
// (`let now = clock.now()`) and passes `now` down; nothing below reads the time itself.
import Crypto
import Foundation
import LoketConfig
import LoketCore
import LoketHTTP
import LoketStore
import Logging

/// Options for the API that do not come from the config files.
public struct AppOptions: Sendable {
    /// Folder of the web pages (`kiosk/`).
    public var pagesDirectory: String
    /// Peers whose `X-Forwarded-For` is believed.
    public var trustedProxies: Set<String>
    public var rateLimits: Bool
    public var version: String

    public init(pagesDirectory: String = "kiosk", trustedProxies: Set<String> = [], rateLimits: Bool = true, version: String = "dev") {
        self.pagesDirectory = pagesDirectory
        self.trustedProxies = trustedProxies
        self.rateLimits = rateLimits
        self.version = version
    }
}

/// The application: everything a request handler needs, shared read-only between threads.
public final class App: Sendable {
    public let catalogue: Catalogue
    public let store: Store
    public let hub: EventHub
    public let clock: LoketClock
    public let options: AppOptions
    public let router: Router<App>
    let logger: Logger
    let search: ServiceSearchIndex
    let calendars: [String: OpeningCalendar]
    let pages: StaticFiles
    let limiter: RateLimiter
    let metrics = Metrics()
    let backgroundTimer = LockedBox<DispatchSourceTimer?>(nil)
    /// The civil day up to which each location's old tickets are closed (see `closeStaleTickets`).
    let rolledOver = LockedBox<[String: CivilDate]>([:])
    /// Each service's JSON object per language, by catalogue index, encoded once (the search answer is their concatenation).
    let serviceJSON: [Language: [[UInt8]]]

    public init(catalogue: Catalogue, store: Store, hub: EventHub, clock: LoketClock, options: AppOptions, logger: Logger) {
        self.catalogue = catalogue
        self.store = store
        self.hub = hub
        self.clock = clock
        self.options = options
        self.logger = logger
        self.search = ServiceSearchIndex(catalogue: catalogue)
        self.calendars = Dictionary(uniqueKeysWithValues: catalogue.locations.map { ($0.id, OpeningCalendar(location: $0)) })
        self.pages = StaticFiles(root: options.pagesDirectory)
        self.limiter = RateLimiter(perMinute: catalogue.settings.rateLimitPerMinute, enabled: options.rateLimits)
        var json: [Language: [[UInt8]]] = [:]
        for lang in Language.allCases {
            json[lang] = catalogue.services.map { (try? Array(JSONOut.encoder.encode(App.serviceDTO($0, lang, catalogue)))) ?? Array("{}".utf8) }
        }
        self.serviceJSON = json
        self.router = Router(App.routes())
    }

    /// Every route of the API and the pages, in matching order.
    static func routes() -> RouteTable<App> {
        var table = RouteTable<App>()
        registerCatalogueRoutes(&table)
        registerBookingRoutes(&table)
        registerQueueRoutes(&table)
        registerAdminRoutes(&table)
        registerPageRoutes(&table)
        return table
    }

    /// The handler to give the HTTP server.
    public func handle(_ request: Request) throws -> Response {
        let (handler, parameters) = try router.resolve(request)
        var request = request
        request.parameters = parameters
        let response = try handler(self, request)
        metrics.count(status: response.status)
        return response
    }

    // MARK: shared pieces for handlers

    func location(_ id: String?, field: String = "location") throws -> Location {
        guard let id, !id.isEmpty else { throw LoketError(.invalid, "Say which location.", fields: [field: "is required"]) }
        guard let l = catalogue.location(id) else { throw LoketError(.unknownLocation, "There is no location '\(id.prefix(60))'.") }
        return l
    }

    func service(_ id: String?, field: String = "service") throws -> Service {
        guard let id, !id.isEmpty else { throw LoketError(.invalid, "Say which service.", fields: [field: "is required"]) }
        guard let s = catalogue.service(id) else { throw LoketError(.unknownService, "There is no service '\(id.prefix(60))'.") }
        return s
    }

    func counter(_ id: String) throws -> Counter {
        guard let c = catalogue.counter(id) else { throw LoketError(.unknownCounter, "There is no counter '\(id.prefix(60))'.") }
        return c
    }

    func language(_ request: Request) -> Language {
        if let q = request.query["lang"], let l = Language(tag: q) { return l }
        if let accept = request.header("accept-language") {
            for part in accept.split(separator: ",") {
                if let l = Language(tag: part.split(separator: ";").first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? "") {
                    return l
                }
            }
        }
        return catalogue.settings.defaultLanguage
    }

    /// The client's address, taking `X-Forwarded-For` only from trusted proxies.
    func clientAddress(_ request: Request) -> String {
        if options.trustedProxies.contains(request.peerAddress), let forwarded = request.header("x-forwarded-for"),
           let last = forwarded.split(separator: ",").last?.trimmingCharacters(in: .whitespaces), !last.isEmpty {
            return last
        }
        return request.peerAddress
    }

    /// Who is calling, checked against `roles` (admin may do everything).
    ///
    /// - Throws: `unauthorized` without a valid token, `forbidden` with the wrong role.
    @discardableResult
    func authorize(_ request: Request, _ roles: Set<Role>) throws -> TokenRecord {
        guard let header = request.header("authorization"), header.lowercased().hasPrefix("bearer "),
              case let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces), !token.isEmpty, token.count < 200 else {
            throw LoketError(.unauthorized, "Sign in: this needs a bearer token.")
        }
        let hash = App.hashToken(token)
        guard let record = try store.read({ try $0.token(hash: hash) }), !record.revoked else {
            throw LoketError(.unauthorized, "This token is not valid (unknown or revoked).")
        }
        guard record.role == .admin || roles.contains(record.role) else {
            throw LoketError(.forbidden, "A \(record.role.rawValue) token may not do this.")
        }
        return record
    }

    /// SHA-256 of a token or secret; only hashes are stored.
    public static func hashToken(_ token: String) -> [UInt8] {
        Array(SHA256.hash(data: Data(token.utf8)))
    }

    /// A random URL-safe secret of `bytes` random bytes (base64url without padding).
    public static func randomSecret(bytes: Int = 24) -> String {
        var g = SystemRandomNumberGenerator()
        let raw = (0..<bytes).map { _ in UInt8.random(in: 0...255, using: &g) }
        var out: [UInt8] = []
        out.reserveCapacity((bytes * 4 + 2) / 3)
        var i = 0
        while i < raw.count {
            let chunk = raw[i..<min(i + 3, raw.count)]
            let n = chunk.enumerated().reduce(0) { $0 | Int($1.element) << (16 - 8 * $1.offset) }
            for k in 0...chunk.count { out.append(base64url[(n >> (18 - 6 * k)) & 63]) }
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let base64url = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Applies the per-client limit for public endpoints.
    func limitRate(_ request: Request, cost: Int = 1, now: Date) throws {
        if let retry = limiter.take(client: clientAddress(request), cost: cost, now: now) {
            throw LoketError(.rateLimited, "Too many requests from your address; try again in \(retry) seconds.",
                             extra: ["retryAfter": "\(retry)"])
        }
    }

    /// Runs a write transaction; events it records are published to live streams after the commit, in order.
    func transact<T>(now: Date, _ body: (Connection, inout EventBatch) throws -> T) throws -> T {
        try store.write({ db -> (T, [(String, StoredEvent)]) in
            var batch = EventBatch(db: db, now: now)
            let result = try body(db, &batch)
            return (result, batch.events)
        }, afterCommit: { [hub] result in
            for (topic, e) in result.1 {
                hub.publish(e, topic: topic)
            }
        }).0
    }
}

/// Live events recorded inside a write transaction.
struct EventBatch {
    let db: Connection
    let now: Date
    private(set) var events: [(String, StoredEvent)] = []

    init(db: Connection, now: Date) {
        self.db = db
        self.now = now
    }

    /// Stores the event (so a reconnecting display can replay it) and queues it for publishing.
    mutating func record<T: Encodable>(_ name: String, topic: String, _ payload: T) throws {
        let data = String(decoding: try JSONOut.encoder.encode(payload), as: UTF8.self)
        events.append((topic, try db.appendEvent(topic: topic, name: name, data: data, at: now)))
    }
}
