// Every error leaves as application/problem+json with status, title, detail and code.
import Foundation
import Testing
@testable import LoketHTTP

private struct Unexpected: Error {}

private struct Conflict: ProblemConvertible {
    var problem: Problem { Problem(status: 409, code: "slot_unavailable", detail: "That slot was just taken.") }
}

private func failingRouter() -> Router<Void> {
    var table = RouteTable<Void>()
    table.add(.GET, "/crash") { _, _ in throw Unexpected() }
    table.add(.GET, "/conflict") { _, _ in
        throw Problem(status: 409, code: "slot_unavailable", detail: "That slot was just taken.",
                      extra: ["nextOpening": .string("2026-12-01T08:30:00+01:00")], headers: [("Retry-After", "5")])
    }
    table.add(.GET, "/convertible") { _, _ in throw Conflict() }
    table.add(.GET, "/unavailable") { _, _ in throw Problem(status: 503, code: "maintenance", detail: "Back soon.") }
    table.add(.POST, "/only-post") { _, _ in .noContent }
    return Router(table)
}

/// Checks the members every problem must carry.
private func expectProblem(_ reply: HTTPReply, status: Int, code: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(reply.status == status, sourceLocation: sourceLocation)
    #expect(reply.header("Content-Type") == "application/problem+json", sourceLocation: sourceLocation)
    let json = reply.json
    #expect(json?["status"] as? Int == status, sourceLocation: sourceLocation)
    #expect(json?["code"] as? String == code, sourceLocation: sourceLocation)
    #expect((json?["title"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
    #expect((json?["detail"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
}

@Suite("Problem answers")
struct ProblemTests {
    @Test("404 and 405 from the router are problems")
    func routerProblems() throws {
        let live = try LiveServer(router: failingRouter())
        defer { live.stop() }
        expectProblem(try get(port: live.port, "/missing"), status: 404, code: "not_found")
        expectProblem(try get(port: live.port, "/only-post"), status: 405, code: "method_not_allowed")
    }

    @Test("an unknown Swift error becomes a 500 with the request id, never the error's text")
    func unknownError() throws {
        let live = try LiveServer(router: failingRouter())
        defer { live.stop() }
        let first = try get(port: live.port, "/crash")
        let second = try get(port: live.port, "/crash")
        expectProblem(first, status: 500, code: "internal_error")
        let id = try #require(first.json?["requestId"] as? String)
        #expect(!id.isEmpty)
        #expect((first.json?["detail"] as? String)?.contains(id) == true)
        #expect(!first.text.contains("Unexpected"))
        #expect(second.json?["requestId"] as? String != id, "each request has its own id")
    }

    @Test("a thrown 409 Problem is answered as is, with its extra members and headers, without request id")
    func thrownProblem() throws {
        let live = try LiveServer(router: failingRouter())
        defer { live.stop() }
        let reply = try get(port: live.port, "/conflict")
        expectProblem(reply, status: 409, code: "slot_unavailable")
        #expect(reply.json?["title"] as? String == "Conflict")
        #expect(reply.json?["detail"] as? String == "That slot was just taken.")
        #expect(reply.json?["nextOpening"] as? String == "2026-12-01T08:30:00+01:00")
        #expect(reply.json?["requestId"] == nil)
        #expect(reply.header("Retry-After") == "5")
    }

    @Test("any ProblemConvertible error maps to its problem")
    func convertible() throws {
        let live = try LiveServer(router: failingRouter())
        defer { live.stop() }
        expectProblem(try get(port: live.port, "/convertible"), status: 409, code: "slot_unavailable")
    }

    @Test("a thrown 5xx Problem carries the request id")
    func thrown5xx() throws {
        let live = try LiveServer(router: failingRouter())
        defer { live.stop() }
        let reply = try get(port: live.port, "/unavailable")
        expectProblem(reply, status: 503, code: "maintenance")
        #expect((reply.json?["requestId"] as? String)?.isEmpty == false)
    }

    @Test("Problem.response encodes members as JSON", arguments: [400, 401, 403, 404, 409, 413, 414, 422, 429, 500, 503, 418])
    func responseEncoding(status: Int) throws {
        let response = Problem(status: status, code: "c", detail: "d \"quoted\" / slash", extra: ["fields": .object(["name": "is required"])])
            .response(requestID: status >= 500 ? "abc-1" : nil)
        #expect(response.status == status)
        #expect(response.header("content-type") == "application/problem+json")
        guard case .bytes(let bytes) = response.body else {
            Issue.record("a problem has a byte body")
            return
        }
        let json = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(json["status"] as? Int == status)
        #expect(json["title"] as? String == Problem.reasonPhrase(status))
        #expect(json["detail"] as? String == "d \"quoted\" / slash")
        #expect((json["fields"] as? [String: String])?["name"] == "is required")
        #expect((json["requestId"] as? String) == (status >= 500 ? "abc-1" : nil))
    }
}
