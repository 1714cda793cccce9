// Routes requests to handlers by method and path pattern (`/api/v1/tickets/{id}/recall`).
//
// A `RouteTable` collects routes in registration order, each pattern split once into literal,
// `{name}` and `{name...}` segments. A `Router` is built from a table once and never changes,
// so every server thread reads it without a lock. It indexes the routes by the number of path
// segments they match: a path of n segments is compared only with the routes of exactly n
// segments and the `{rest...}` routes of at most n. Among those candidates the first route
// registered under the request's method wins (HEAD is routed as GET); a path that matches only
// under other methods answers 405 with `Allow`; no match at all answers 404. The outcome of that
// scan for every literal route's own path is worked out when the router is built, so the common
// request (`/api/v1/health`, `/api/v1/services`) is one dictionary lookup.

/// A request handler: gets the application's context and the request (with its path parameters).
/// Runs on one of the server's threads and must not block for long.
public typealias Handler<Context> = @Sendable (Context, Request) throws -> Response

/// One segment of a route pattern.
private enum Segment: Sendable, Equatable {
    /// Matches exactly this text.
    case literal(String)
    /// `{name}`: matches any one segment and captures it.
    case parameter(String)
    /// `{name...}`: matches the rest of the path (one segment or more), joined with `/`.
    case rest(String)

    init(_ part: Substring) {
        if part.hasPrefix("{"), part.hasSuffix("...}") {
            self = .rest(String(part.dropFirst().dropLast(4)))
        } else if part.hasPrefix("{"), part.hasSuffix("}") {
            self = .parameter(String(part.dropFirst().dropLast()))
        } else {
            self = .literal(String(part))
        }
    }

    var text: String {
        switch self {
        case .literal(let l): return l
        case .parameter(let p): return "{\(p)}"
        case .rest(let p): return "{\(p)...}"
        }
    }
}

/// One registered route. A class: the router hands out a matched route on every request, and a
/// struct of five fields was copied field by field through its generic value witness
/// (`tuple_initializeWithCopy`, about 1% of a health request in the profile); a class is one retain.
private final class Route<Context>: Sendable {
    let method: HTTPMethod
    let segments: [Segment]
    let handler: Handler<Context>
    /// The pattern as registered, normalised (`/a/{b}`); kept, as metrics label every request with it.
    let pattern: String
    /// Its place in the table's registration order.
    let id: Int

    init(method: HTTPMethod, segments: [Segment], id: Int, handler: @escaping Handler<Context>) {
        self.method = method
        self.segments = segments
        self.id = id
        self.handler = handler
        self.pattern = "/" + segments.map(\.text).joined(separator: "/")
    }

    /// Whether the last segment is `{name...}`; then the route matches `segments.count` path segments or more.
    var hasRest: Bool {
        if case .rest = segments.last { return true }
        return false
    }

    /// The path parameters when `parts` matches; the router only asks with a fitting number of parts.
    func match(_ parts: [Substring]) -> [String: String]? {
        for (i, segment) in segments.enumerated() {
            if case .literal(let l) = segment, parts[i] != l { return nil }
        }
        var parameters: [String: String] = [:]
        for (i, segment) in segments.enumerated() {
            switch segment {
            case .literal: break
            case .parameter(let name): parameters[name] = String(parts[i])
            case .rest(let name): parameters[name] = parts[i...].joined(separator: "/")
            }
        }
        return parameters
    }
}

/// The routes of an application, collected before its `Router` is built.
///
/// ```swift
/// var table = RouteTable<App>()
/// table.add(.GET, "/api/v1/tickets/{id}") { app, request in try app.ticket(request.parameter("id")) }
/// let router = Router(table)
/// ```
public struct RouteTable<Context>: Sendable {
    fileprivate var routes: [Route<Context>] = []

    /// An empty table.
    public init() {}

    /// Registers `handler` for `method` and `pattern`.
    ///
    /// When two routes match the same request, the one added first wins. HEAD requests are
    /// routed to GET routes, so a HEAD route is never chosen.
    ///
    /// `{name}` captures one segment, `{name...}` the rest.
    public mutating func add(_ method: HTTPMethod, _ pattern: String, _ handler: @escaping Handler<Context>) {
        let segments = pattern.split(separator: "/").map(Segment.init)
        precondition(!segments.dropLast().contains { if case .rest = $0 { true } else { false } },
                     "a {name...} segment must come last in \(pattern)")
        routes.append(Route(method: method, segments: segments, id: routes.count, handler: handler))
    }
}

/// Maps (method, path) to handlers; built once from a `RouteTable`, then only read.
public final class Router<Context>: Sendable {
    /// Every route, in registration order.
    private let routes: [Route<Context>]
    /// At index n: the routes that can match a path of n segments, in registration order.
    private let bySegmentCount: [[Route<Context>]]
    /// The routes that can match a path longer than any index of `bySegmentCount`: the `{rest...}` ones.
    private let longer: [Route<Context>]
    /// For each path a literal route is registered under, as registered (`/api/v1/health`): the
    /// route the scan below picks for it under each method, worked out once by that scan. A request
    /// for exactly that text skips the split and the scan (they were a tenth of a search's CPU in the
    /// profile); any other spelling, method or miss takes the scan, so the answer is always the scan's.
    ///
    /// Kept as a table of concrete types (path to row) and a flat array of outcomes (row times the
    /// number of methods plus the method's ordinal): a `[String: [HTTPMethod: Match]]` was looked up
    /// through the generic dictionary code with `Match`'s metadata, and hashed the method a second
    /// time (the route lookup was 4% of a search's CPU in the profile).
    private let exactRows: [String: Int]
    private let exactMatches: [Match?]

    /// Indexes the routes of `table`.
    public init(_ table: RouteTable<Context>) {
        routes = table.routes
        let longest = routes.map(\.segments.count).max() ?? 0
        var buckets = [[Route<Context>]](repeating: [], count: longest + 1)
        for route in routes {
            let fewest = route.segments.count
            for n in (route.hasRest ? fewest...longest : fewest...fewest) { buckets[n].append(route) }
        }
        bySegmentCount = buckets
        longer = routes.filter(\.hasRest)
        var rows: [String: Int] = [:]
        var matches: [Match?] = []
        for route in routes where route.segments.allSatisfy({ if case .literal = $0 { true } else { false } }) {
            guard rows[route.pattern] == nil else { continue }
            let parts = route.pattern.split(separator: "/")
            let candidates = parts.count < buckets.count ? buckets[parts.count] : longer
            rows[route.pattern] = matches.count / HTTPMethod.ordinals
            for method in HTTPMethod.allCases {
                // HEAD is routed as GET and never looked up under its own ordinal.
                matches.append(method == .HEAD ? nil : Self.first(method, parts, in: candidates))
            }
        }
        exactRows = rows
        exactMatches = matches
    }

    /// A route that matched, with the path parameters it captured.
    private typealias Match = (route: Route<Context>, parameters: [String: String])

    /// The first route of `candidates` (in registration order) under `method` that matches `parts`.
    private static func first(_ method: HTTPMethod, _ parts: [Substring], in candidates: [Route<Context>]) -> Match? {
        for route in candidates where route.method == method {
            if let parameters = route.match(parts) { return (route, parameters) }
        }
        return nil
    }

    /// Finds the handler for a request and the path parameters it declared.
    ///
    /// - Throws: a 404 `not_found` problem when no route matches the path, a 405
    ///   `method_not_allowed` problem with `Allow` when routes match it only under other methods.
    public func resolve(_ request: Request) throws -> (handler: Handler<Context>, parameters: [String: String]) {
        let found = try route(request)
        return (found.handler, found.parameters)
    }

    /// Like `resolve`, with the matched route's pattern (`/api/v1/tickets/{id}`): a label of
    /// bounded cardinality for metrics, where the raw path is not (ids, and ticket ids are links),
    /// and its `id`, its place in registration order (metrics key their series by it: cheaper to
    /// hash than the pattern).
    ///
    /// - Throws: the problems of `resolve`.
    public func route(_ request: Request) throws
        -> (handler: Handler<Context>, parameters: [String: String], pattern: String, id: Int) {
        let method = request.method == .HEAD ? .GET : request.method
        if let row = exactRows[request.path], let found = exactMatches[row * HTTPMethod.ordinals + method.ordinal] {
            return (found.route.handler, found.parameters, found.route.pattern, found.route.id)
        }
        let parts = request.path.split(separator: "/")
        let candidates = parts.count < bySegmentCount.count ? bySegmentCount[parts.count] : longer
        if let found = Self.first(method, parts, in: candidates) {
            return (found.route.handler, found.parameters, found.route.pattern, found.route.id)
        }
        let others = Set(candidates.filter { $0.method != method && $0.match(parts) != nil }.map(\.method))
        guard !others.isEmpty else { throw Problem.notFound() }
        let allowed = others.contains(.GET) ? others.union([.HEAD]) : others
        throw Problem.methodNotAllowed(request.method, allowed: allowed)
    }

    /// Every registered (method, pattern) in registration order, for documentation checks.
    public var patterns: [(method: HTTPMethod, pattern: String)] {
        routes.map { ($0.method, $0.pattern) }
    }
}

extension HTTPMethod {
    /// How many methods there are: the number of ordinals.
    static let ordinals = allCases.count

    /// The method's place in `allCases`, without building that array (the router's exact table is indexed by it).
    var ordinal: Int {
        switch self {
        case .GET: 0
        case .HEAD: 1
        case .POST: 2
        case .PUT: 3
        case .PATCH: 4
        case .DELETE: 5
        case .OPTIONS: 6
        case .TRACE: 7
        case .QUERY: 8
        }
    }
}
