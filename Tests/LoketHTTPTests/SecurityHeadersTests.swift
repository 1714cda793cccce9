// Every answer carries the browser safety headers; pages get a policy without inline code, data none at all.
import Foundation
import Testing
@testable import LoketHTTP

@Suite("Security headers")
struct SecurityHeadersTests {
    private func server() throws -> (StaticFixture, LiveServer) {
        let fixture = try StaticFixture()
        let files = StaticFiles(root: fixture.root)
        var table = RouteTable<Void>()
        table.add(.GET, "/static/{path...}") { _, r in files.response(for: r.parameter("path"), request: r) }
        table.add(.GET, "/framed") { _, _ in
            Response(contentType: "text/html; charset=utf-8", text: "<p>ok</p>",
                     headers: [("Content-Security-Policy", "frame-ancestors 'self'")])
        }
        return (fixture, try LiveServer(router: Router(table)))
    }

    @Test("a page forbids inline script and style, framing and referrers")
    func page() throws {
        let (fixture, live) = try server()
        defer { live.stop(); fixture.remove() }
        let reply = try get(port: live.port, "/static/index.html")
        #expect(reply.status == 200)
        let policy = try #require(reply.header("Content-Security-Policy"))
        #expect(!policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"))
        #expect(policy.contains("script-src 'self'") && policy.contains("style-src 'self'"))
        #expect(policy.contains("frame-ancestors 'none'"))
        #expect(reply.header("Referrer-Policy") == "no-referrer")
        #expect(reply.header("X-Content-Type-Options") == "nosniff")
        #expect(reply.header("X-Frame-Options") == "DENY")
    }

    @Test("data and problems allow nothing to run", arguments: ["/static/nl.json", "/static/logo.svg", "/static/missing.txt", "/nowhere"])
    func data(path: String) throws {
        let (fixture, live) = try server()
        defer { live.stop(); fixture.remove() }
        let reply = try get(port: live.port, path)
        #expect(reply.header("Content-Security-Policy") == SecurityHeaders.dataPolicy)
        #expect(reply.header("X-Content-Type-Options") == "nosniff")
        #expect(reply.header("Referrer-Policy") == "no-referrer")
    }

    @Test("a header the handler set itself is kept, not doubled")
    func handlerWins() throws {
        let (fixture, live) = try server()
        defer { live.stop(); fixture.remove() }
        let reply = try get(port: live.port, "/framed")
        #expect(reply.header("Content-Security-Policy") == "frame-ancestors 'self'")
        #expect(reply.headers.filter { $0.0.caseInsensitiveCompare("Content-Security-Policy") == .orderedSame }.count == 1)
    }

    @Test("headers are found whatever the case of their names, and only the missing ones are added")
    func namesIgnoreCase() {
        let set: [(String, String)] = [("content-type", "TEXT/html"), ("x-frame-options", "SAMEORIGIN"),
                                       ("REFERRER-POLICY", "same-origin")]
        let extra = SecurityHeaders.missing(from: set, status: 200)
        #expect(extra.map(\.0) == ["X-Content-Type-Options", "Content-Security-Policy"])
        // The content type's value is compared as before (case-sensitive prefix): not a page.
        #expect(extra.last?.1 == SecurityHeaders.dataPolicy)
        let page = SecurityHeaders.missing(from: [("Content-TYPE", "text/html; charset=utf-8"), ("Content-Type", "application/json")], status: 200)
        #expect(page.first { $0.0 == "Content-Security-Policy" }?.1 == SecurityHeaders.pagePolicy)
        #expect(SecurityHeaders.missing(from: [], status: 304).map(\.0) == ["X-Content-Type-Options", "Referrer-Policy"])
        #expect(HeaderName.same("Cache-Control", "cache-control") && !HeaderName.same("Cache-Control", "Cache-Contro"))
        #expect(!HeaderName.same("a@", "a`") && !HeaderName.same("", "x") && HeaderName.same("", ""))
    }

    @Test("a 304 leaves the cached page's policy alone")
    func notModified() throws {
        let (fixture, live) = try server()
        defer { live.stop(); fixture.remove() }
        let first = try get(port: live.port, "/static/index.html")
        let etag = try #require(first.header("ETag"))
        let again = try get(port: live.port, "/static/index.html", headers: ["If-None-Match: \(etag)"])
        #expect(again.status == 304)
        #expect(again.header("Content-Security-Policy") == nil)
        #expect(again.header("X-Frame-Options") == nil)
        #expect(again.header("X-Content-Type-Options") == "nosniff")
    }
}
