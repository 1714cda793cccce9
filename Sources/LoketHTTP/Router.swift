// Routes requests to handlers by method and path pattern (`/api/v1/tickets/{id}/recall`).
//
// Patterns are split into literal and `{name}` segments once at registration; matching walks
// the segments without allocation beyond the parameter dictionary. A path that matches a
// pattern under another method answers 405 with `Allow`; no match at all answers 404.

/// A request handler: runs on one of the server's threads and must not block for long.
public typealias Handler = @Sendable (Request) throws -> Response

/// Maps (method, path) to handlers.
public final class Router: Sendable {
    private struct Route: Sendable {
        let method: HTTPMethod
        let segments: [Segment]
        let handler: Handler
    }

    private enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
        /// Matches the rest of the path (`{name...}`), possibly several segments.
        case rest(String)
    }

    private let routes: LockedBox<[Route]> = LockedBox([])

    public init() {}

    /// Registers `handler` for `method` and `pattern`; `{name}` captures one segment, `{name...}` the rest.
    public func add(_ method: HTTPMethod, _ pattern: String, _ handler: @escaping Handler) {
        let segments: [Segment] = pattern.split(separator: "/").map { part in
            if part.hasPrefix("{"), part.hasSuffix("...}") { return .rest(String(part.dropFirst().dropLast(4))) }
            if part.hasPrefix("{"), part.hasSuffix("}") { return .parameter(String(part.dropFirst().dropLast())) }
            return .literal(String(part))
        }
        routes.withLock { $0.append(Route(method: method, segments: segments, handler: handler)) }
    }

    /// Every registered (method, pattern), for documentation checks.
    public var patterns: [(method: HTTPMethod, pattern: String)] {
        routes.withLock { list in
            list.map { r in
                (r.method, "/" + r.segments.map { s -> String in
                    switch s {
                    case .literal(let l): return l
                    case .parameter(let p): return "{\(p)}"
                    case .rest(let p): return "{\(p)...}"
                    }
                }.joined(separator: "/"))
            }
        }
    }

    /// Finds the handler for a request; throws a 404 or 405 problem when there is none.
    public func resolve(_ request: Request) throws -> (Handler, [String: String]) {
        let parts = request.path.split(separator: "/", omittingEmptySubsequences: true)
        let method = request.method == .HEAD ? .GET : request.method
        var allowed: [HTTPMethod] = []
        let table = routes.withLock { $0 }
        for route in table {
            guard let params = match(route.segments, parts) else { continue }
            if route.method == method { return (route.handler, params) }
            allowed.append(route.method)
        }
        if !allowed.isEmpty {
            let allow = Set(allowed + (allowed.contains(.GET) ? [.HEAD] : [])).map(\.rawValue).sorted()
            throw Problem.methodNotAllowed(request.method.rawValue, allowed: allow)
        }
        throw Problem.notFound()
    }

    private func match(_ segments: [Segment], _ parts: [Substring]) -> [String: String]? {
        var params: [String: String] = [:]
        var i = 0
        for (k, segment) in segments.enumerated() {
            switch segment {
            case .literal(let l):
                guard i < parts.count, parts[i] == l else { return nil }
            case .parameter(let name):
                guard i < parts.count, !parts[i].isEmpty else { return nil }
                params[name] = String(parts[i])
            case .rest(let name):
                guard k == segments.count - 1, i < parts.count else { return nil }
                params[name] = parts[i...].joined(separator: "/")
                return params
            }
            i += 1
        }
        return i == parts.count ? params : nil
    }
}
