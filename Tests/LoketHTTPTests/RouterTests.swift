// Router.resolve without a server: which route wins, parameters, 404, 405 with Allow, HEAD.
import Foundation
import Testing
@testable import LoketHTTP

/// A router whose handlers answer their own pattern, so a test can see which route won.
private func namedRouter(_ routes: [(HTTPMethod, String)]) -> Router<Void> {
    var table = RouteTable<Void>()
    for (method, pattern) in routes {
        table.add(method, pattern) { _, _ in Response(contentType: "text/plain", text: "\(method.rawValue) \(pattern)") }
    }
    return Router(table)
}

/// The route that answers `method path`, and its parameters; or the problem thrown.
private func resolve(_ router: Router<Void>, _ method: HTTPMethod, _ path: String) -> Result<(String, [String: String]), Problem> {
    do {
        let (handler, parameters) = try router.resolve(Request(method: method, path: path))
        guard case .bytes(let body) = try handler((), Request(method: method, path: path)).body else { return .failure(Problem.notFound()) }
        return .success((String(decoding: body, as: UTF8.self), parameters))
    } catch let problem as Problem {
        return .failure(problem)
    } catch {
        Issue.record("unexpected \(error)")
        return .failure(Problem.notFound())
    }
}

@Suite("Router")
struct RouterTests {
    static let routes: [(HTTPMethod, String)] = [
        (.GET, "/"),
        (.GET, "/items/{id}"),
        (.GET, "/items/new"),                 // registered after {id}: never chosen for GET
        (.POST, "/items/new"),
        (.DELETE, "/items/{id}"),
        (.POST, "/items/{id}/recall"),
        (.GET, "/files/{path...}"),
        (.PUT, "/files/{dir}/{name}"),
        (.GET, "/a/b/c/d/e/f"),
    ]

    @Test("the first matching route of the method wins, with its parameters", arguments: [
        (HTTPMethod.GET, "/", "GET /", [String: String]()),
        (.GET, "/items/42", "GET /items/{id}", ["id": "42"]),
        (.GET, "/items/new", "GET /items/{id}", ["id": "new"]),
        (.POST, "/items/new", "POST /items/new", [:]),
        (.DELETE, "/items/7", "DELETE /items/{id}", ["id": "7"]),
        (.POST, "/items/7/recall", "POST /items/{id}/recall", ["id": "7"]),
        (.HEAD, "/items/7", "GET /items/{id}", ["id": "7"]),
        (.GET, "/files/x", "GET /files/{path...}", ["path": "x"]),
        (.GET, "/files/x/y", "GET /files/{path...}", ["path": "x/y"]),
        (.PUT, "/files/x/y", "PUT /files/{dir}/{name}", ["dir": "x", "name": "y"]),
        (.GET, "/files/1/2/3/4/5/6/7/8/9", "GET /files/{path...}", ["path": "1/2/3/4/5/6/7/8/9"]),
        (.GET, "//items//9/", "GET /items/{id}", ["id": "9"]),
        (.GET, "/a/b/c/d/e/f", "GET /a/b/c/d/e/f", [:]),
    ])
    func found(method: HTTPMethod, path: String, route: String, parameters: [String: String]) throws {
        let result = resolve(namedRouter(Self.routes), method, path)
        let (name, got) = try result.get()
        #expect(name == route)
        #expect(got == parameters)
    }

    @Test("a path known only under other methods is a 405 listing them (HEAD with GET)", arguments: [
        (HTTPMethod.PUT, "/items/7", "DELETE, GET, HEAD"),
        (.GET, "/items/7/recall", "POST"),
        (.HEAD, "/items/7/recall", "POST"),
        (.PATCH, "/items/new", "DELETE, GET, HEAD, POST"),
        (.POST, "/files/x/y", "GET, HEAD, PUT"),
        (.OPTIONS, "/", "GET, HEAD"),
    ])
    func methodNotAllowed(method: HTTPMethod, path: String, allow: String) {
        guard case .failure(let problem) = resolve(namedRouter(Self.routes), method, path) else {
            Issue.record("\(method) \(path) was routed")
            return
        }
        #expect(problem.status == 405)
        #expect(problem.code == "method_not_allowed")
        #expect(problem.headers.first { $0.0 == "Allow" }?.1 == allow)
    }

    @Test("a path no route matches is a 404", arguments: [
        "/nope", "/items", "/items/1/2/3", "/files", "/files/", "/a/b/c/d/e", "/a/b/c/d/e/f/g", "/a/b/c/d/e/x",
    ])
    func notFound(path: String) {
        guard case .failure(let problem) = resolve(namedRouter(Self.routes), .GET, path) else {
            Issue.record("\(path) was routed")
            return
        }
        #expect(problem.status == 404)
        #expect(problem.code == "not_found")
    }

    @Test("an empty table answers 404 to everything")
    func empty() {
        let router = Router(RouteTable<Void>())
        guard case .failure(let problem) = resolve(router, .GET, "/") else {
            Issue.record("routed")
            return
        }
        #expect(problem.status == 404)
        #expect(router.patterns.isEmpty)
    }

    /// The routing rule stated plainly: the first route of the method (HEAD as GET) whose segments
    /// match, else 405 when other methods match, else 404. Returns the route's name or the status.
    private static func oracle(_ routes: [(HTTPMethod, String)], _ method: HTTPMethod, _ path: String) -> String {
        let parts = path.split(separator: "/")
        func matches(_ pattern: String) -> Bool {
            let segments = pattern.split(separator: "/")
            if let last = segments.last, last.hasSuffix("...}") {
                guard parts.count >= segments.count else { return false }
            } else if parts.count != segments.count {
                return false
            }
            return zip(segments, parts).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }
        let wanted = method == .HEAD ? HTTPMethod.GET : method
        if let hit = routes.first(where: { $0.0 == wanted && matches($0.1) }) { return "\(hit.0.rawValue) \(hit.1)" }
        return routes.contains { matches($0.1) } ? "405" : "404"
    }

    @Test("every method on every literal path (and its other spellings) routes as the plain rule says")
    func literalPathsFollowTheRule() {
        let routes: [(HTTPMethod, String)] = Self.routes + [
            (.GET, "/api/v1/health"), (.GET, "/api/v1/{thing}"), (.POST, "/api/v1/services"), (.GET, "/api/v1/services"),
            (.DELETE, "/api/v1/services"), (.GET, "/x/{rest...}"), (.GET, "/x/y"), (.PUT, "/x/y"),
        ]
        let router = namedRouter(routes)
        let literal = routes.map(\.1).filter { !$0.contains("{") }
        let paths = literal + literal.map { $0 + "/" } + literal.map { "/" + $0 } + ["/api/v1/other", "/x/y/z", "/api/v1"]
        for path in paths {
            for method in HTTPMethod.allCases {
                let got: String
                switch resolve(router, method, path) {
                case .success(let (name, _)): got = name
                case .failure(let problem): got = String(problem.status)
                }
                #expect(got == Self.oracle(routes, method, path), "\(method) \(path)")
            }
        }
    }

    @Test("a method's ordinal is its place in allCases (the exact table is indexed by it)")
    func ordinals() {
        #expect(HTTPMethod.allCases.map(\.ordinal) == Array(0..<HTTPMethod.allCases.count))
        #expect(HTTPMethod.ordinals == HTTPMethod.allCases.count)
    }

    @Test("patterns lists every route in registration order, normalised")
    func patterns() {
        let router = namedRouter([(.GET, "/b/{x}"), (.POST, "a/{rest...}"), (.GET, "/")])
        #expect(router.patterns.map { "\($0.method.rawValue) \($0.pattern)" } == ["GET /b/{x}", "POST /a/{rest...}", "GET /"])
    }
}
