// Routing against a live server: known routes, parameters, 404, 405 with Allow, HEAD.
import Foundation
import LoketCore
import Testing
@testable import LoketHTTP

/// The router used by most live tests: a few literal, parameter and rest routes.
func demoRouter() -> Router<Void> {
    var table = RouteTable<Void>()
    table.add(.GET, "/hello") { _, _ in Response(contentType: "text/plain; charset=utf-8", text: "hello") }
    table.add(.GET, "/items/{id}") { _, r in Response(contentType: "text/plain", text: "item=\(r.parameter("id"))") }
    table.add(.POST, "/items/{id}/recall") { _, r in Response(contentType: "text/plain", text: "recalled=\(r.parameter("id"))") }
    table.add(.GET, "/files/{path...}") { _, r in Response(contentType: "text/plain", text: "path=\(r.parameter("path"))") }
    table.add(.DELETE, "/items/{id}") { _, _ in .noContent }
    table.add(.POST, "/echo") { _, r in
        Response(contentType: "application/octet-stream", bytes: r.body, headers: [("X-Body-Length", "\(r.body.count)")])
    }
    table.add(.GET, "/query") { _, r in
        Response(contentType: "text/plain", text: r.query.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&"))
    }
    return Router(table)
}

@Suite("Routing on a live server")
struct RoutingTests {
    @Test("a known route answers 200 with its body")
    func knownRoute() throws {
        let live = try LiveServer(router: demoRouter())
        defer { live.stop() }
        let reply = try get(port: live.port, "/hello")
        #expect(reply.status == 200)
        #expect(reply.text == "hello")
        #expect(reply.header("Content-Type") == "text/plain; charset=utf-8")
        #expect(reply.header("Content-Length") == "5")
    }

    @Test("path parameters are captured and percent-decoded")
    func pathParameter() throws {
        let live = try LiveServer(router: demoRouter())
        defer { live.stop() }
        #expect(try get(port: live.port, "/items/K7M-3QX").text == "item=K7M-3QX")
        #expect(try get(port: live.port, "/items/Zo%C3%AB").text == "item=Zoë")
        let post = try exchange(port: live.port, "POST /items/42/recall HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        #expect(post.status == 200)
        #expect(post.text == "recalled=42")
    }

    @Test("a {rest...} parameter takes every remaining segment")
    func restParameter() throws {
        let live = try LiveServer(router: demoRouter())
        defer { live.stop() }
        #expect(try get(port: live.port, "/files/a/b/c.css").text == "path=a/b/c.css")
        #expect(try get(port: live.port, "/files/one").text == "path=one")
        // The rest needs at least one segment.
        #expect(try get(port: live.port, "/files/").status == 404)
    }

    @Test("query arguments reach the handler, decoded")
    func queryArguments() throws {
        let live = try LiveServer(router: demoRouter())
        defer { live.stop() }
        let reply = try get(port: live.port, "/query?q=identiteit&lang=fr&x=a%20b")
        #expect(reply.text == "lang=fr&q=identiteit&x=a b")
        #expect(try get(port: live.port, "/query?q=first&q=second").text == "q=first", "the first value wins")
    }

    @Test("an unknown path answers a 404 problem")
    func unknownPath() throws {
        let live = try LiveServer(router: demoRouter())
        defer { live.stop() }
        for target in ["/nope", "/hello/extra", "/items", "/items/1/2/3", "/"] {
            let reply = try get(port: live.port, target)
            #expect(reply.status == 404, "\(target)")
            #expect(reply.header("Content-Type") == "application/problem+json", "\(target)")
            #expect(reply.json?["code"] as? String == "not_found", "\(target)")
            #expect(reply.json?["status"] as? Int == 404, "\(target)")
        }
    }

    @Test("a wrong method answers 405 with Allow listing the right ones")
    func wrongMethod() throws {
        let live = try LiveServer(router: demoRouter())
        defer { live.stop() }
        let put = try exchange(port: live.port, "PUT /items/7 HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        #expect(put.status == 405)
        #expect(put.header("Allow") == "DELETE, GET, HEAD")
        #expect(put.header("Content-Type") == "application/problem+json")
        #expect(put.json?["code"] as? String == "method_not_allowed")

        let getRecall = try get(port: live.port, "/items/7/recall")
        #expect(getRecall.status == 405)
        #expect(getRecall.header("Allow") == "POST")
    }

    @Test("a method outside HTTPMethod answers a 501 problem before routing, on any path",
          arguments: ["BREW /hello", "PROPFIND /nope", "get /hello"])
    func unknownMethod(requestLine: String) throws {
        let live = try LiveServer(router: demoRouter())
        defer { live.stop() }
        let c = try RawConnection(port: live.port)
        defer { c.close() }
        try c.send("\(requestLine) HTTP/1.1\r\nHost: t\r\n\r\n")
        let reply = try c.readResponse()
        #expect(reply.status == 501)
        #expect(reply.header("Content-Type") == "application/problem+json")
        #expect(reply.json?["code"] as? String == "not_implemented")
        #expect(reply.json?["status"] as? Int == 501)
        // The connection stays usable.
        try c.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try c.readResponse().text == "hello")
    }

    @Test("a known method with no route on the path answers 405 with Allow")
    func knownMethodNotRouted() throws {
        let live = try LiveServer(router: demoRouter())
        defer { live.stop() }
        let reply = try exchange(port: live.port, "OPTIONS /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        #expect(reply.status == 405)
        #expect(reply.header("Allow") == "GET, HEAD")
        #expect(reply.json?["code"] as? String == "method_not_allowed")
    }

    @Test("TRACE and QUERY, standard methods no route takes, answer 405 with Allow on a known path and 404 elsewhere (found by schemathesis)",
          arguments: ["TRACE", "QUERY"])
    func traceIsNotAllowed(method: String) throws {
        let live = try LiveServer(router: demoRouter())
        defer { live.stop() }
        let reply = try exchange(port: live.port, "\(method) /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        #expect(reply.status == 405)
        #expect(reply.header("Allow") == "GET, HEAD")
        #expect(reply.json?["code"] as? String == "method_not_allowed")
        let nowhere = try exchange(port: live.port, "\(method) /nope HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        #expect(nowhere.status == 404)
    }

    @Test("HEAD on a GET route answers the headers without a body")
    func head() throws {
        let live = try LiveServer(router: demoRouter())
        defer { live.stop() }
        let c = try RawConnection(port: live.port)
        defer { c.close() }
        // Two HEADs then a GET on one connection: a body sent after a HEAD answer would corrupt the next reply.
        try c.send("HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        let reply = try c.readResponse(isHead: true)
        #expect(reply.status == 200)
        #expect(reply.header("Content-Type") == "text/plain; charset=utf-8")
        try c.send("HEAD /nope HTTP/1.1\r\nHost: t\r\n\r\n")
        let missing = try c.readResponse(isHead: true)
        #expect(missing.status == 404)
        #expect(missing.header("Content-Type") == "application/problem+json")
        try c.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        let next = try c.readResponse()
        #expect(next.status == 200)
        #expect(next.text == "hello")
        #expect(c.buffer.isEmpty, "no stray body bytes after the HEAD answers")
    }

    @Test("HEAD announces the same Content-Length as GET")
    func headContentLength() throws {
        let live = try LiveServer(router: demoRouter())
        defer { live.stop() }
        let getReply = try get(port: live.port, "/hello")
        let headReply = try exchange(port: live.port, "HEAD /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", isHead: true)
        #expect(getReply.header("Content-Length") == "5")
        #expect(headReply.header("Content-Length") == getReply.header("Content-Length"))
    }

    @Test("a POST body reaches the handler intact")
    func postBody() throws {
        let live = try LiveServer(router: demoRouter())
        defer { live.stop() }
        var generator = SplitMix64(seed: 7)
        let body = (0..<10_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let c = try RawConnection(port: live.port)
        defer { c.close() }
        try c.send(Array("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
        let reply = try c.readResponse()
        #expect(reply.status == 200)
        #expect(reply.body == body)
    }
}
