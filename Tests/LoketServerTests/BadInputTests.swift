// Hostile and clumsy input: every kind gets a clear 4xx problem answer, the server stays up, and
// what was stored before is untouched.
import Foundation
import LoketCore
import Testing
import LoketTestKit

@Suite("Bad input")
struct BadInputTests {
    // 2026-12-01 is a Tuesday; the appointment is on Wednesday 2026-12-02 at 09:00.
    static let clock = "2026-12-01T08:00:00+01:00"
    static let start = "2026-12-02T09:00:00+01:00"

    /// Every answer to bad input: a 4xx with a problem body whose `status` matches.
    func expectProblem(_ r: HTTPResponse, _ status: Int, _ code: String? = nil, _ label: String,
                       sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.status == status, "\(label): \(r.status) \(r.text.prefix(200))", sourceLocation: sourceLocation)
        #expect(r.isProblem, "\(label): content type \(r.header("content-type") ?? "none")", sourceLocation: sourceLocation)
        let o = (try? r.object()) ?? [:]
        #expect(o["status"] as? Int == r.status, "\(label)", sourceLocation: sourceLocation)
        #expect(o["detail"] is String && o["title"] is String, "\(label)", sourceLocation: sourceLocation)
        if let code { #expect(o["code"] as? String == code, "\(label): \(o["code"] ?? "no code")", sourceLocation: sourceLocation) }
    }

    @Test func nothingBadGetsThroughAndNothingStoredChanges() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let booking = try live.mustBook(start: Self.start, name: "Zoë Ņ 李")
        let before = try live.appointment(booking)
        try #require(before.status == 200)
        let book = "/api/v1/appointments"

        // Malformed or non-object JSON: 400.
        for (label, raw) in [("malformed", "{\"service\": \"id-kaart\","), ("array", "[1, 2, 3]"), ("null", "null"),
                             ("string", "\"id-kaart\""), ("number", "42"), ("trailing garbage", "{} {}"),
                             ("empty", ""), ("deep nesting", String(repeating: "[", count: 20_000)),
                             ("single quotes", "{'service': 'id-kaart'}")] {
            expectProblem(try live.client.post(book, raw: raw), 400, "bad_request", label)
        }
        var invalidUTF8 = Array("{\"name\": \"".utf8)
        invalidUTF8 += [0xC3, 0x28, 0xFF]
        invalidUTF8 += Array("\"}".utf8)
        expectProblem(try live.client.send("POST", book, headers: [("Content-Type", "application/json")], body: invalidUTF8),
                      400, "bad_request", "invalid UTF-8")
        expectProblem(try live.client.post(book, raw: "<appointment/>", contentType: "application/xml"), 415, nil, "XML")

        // Wrong types, huge numbers and control characters: 422 naming the field.
        let valid = LiveServer.bookingBody(start: Self.start)
        let wrong: [(String, String, Any)] = [
            ("service as number", "service", 5), ("service as list", "service", ["id-kaart"]),
            ("name as object", "name", ["first": "Jan"]), ("persons as text", "persons", "two"),
            ("persons as bool", "persons", true), ("persons fractional", "persons", 2.5),
            ("persons huge", "persons", 1e300), ("persons hugely negative", "persons", -1e300),
            ("persons beyond Int64", "persons", Double(UInt64.max) * 10), ("start as number", "start", 1_764_662_400),
            ("items as text", "items", "id-kaart:2"), ("items of numbers", "items", [1, 2]),
            ("null byte in name", "name", "Jan\u{0}Peeters"), ("null byte in service", "service", "id-kaart\u{0}"),
            ("escape in email", "email", "jan\u{1B}@example.be"), ("huge name", "name", String(repeating: "x", count: 50_000)),
        ]
        for (label, field, value) in wrong {
            var body = valid
            body[field] = value
            let r = try live.book(body)
            expectProblem(r, 422, "validation_failed", label)
            #expect(r.problemFields[field] != nil, "\(label): fields \(r.problemFields)")
        }
        // A number too long for any integer type, written out in the JSON text.
        let giant = "{\"service\":\"id-kaart\",\"location\":\"hal\",\"start\":\"\(Self.start)\",\"name\":\"Jan\",\"email\":\"j@example.be\",\"persons\":123456789012345678901234567890}"
        let r = try live.client.post(book, raw: giant)
        expectProblem(r, 422, "validation_failed", "giant integer")
        #expect(r.problemFields["persons"] != nil)

        // Too big: 413, whether announced by Content-Length or not.
        let big = "{\"name\": \"\(String(repeating: "a", count: 70 * 1024))\"}"
        expectProblem(try live.client.post(book, raw: big), 413, "body_too_large", "70 KB body")
        var chunked = Array("POST \(book) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
        for piece in stride(from: 0, to: big.utf8.count, by: 8192) {
            let part = Array(big.utf8)[piece..<min(piece + 8192, big.utf8.count)]
            chunked += Array(String(part.count, radix: 16).utf8) + [13, 10] + part + [13, 10]
        }
        chunked += Array("0\r\n\r\n".utf8)
        expectProblem(try live.client.exchange(chunked, method: "POST"), 413, "body_too_large", "70 KB chunked body")
        // Too long an address: 414.
        expectProblem(try live.client.get("/api/v1/services?q=\(String(repeating: "a", count: 5000))"), 414, nil, "long URL")

        // Path traversal never leaves the pages folder.
        for path in ["/static/../../etc/passwd", "/static/../../../../../../../../etc/passwd",
                     "/static/%2e%2e/%2e%2e/etc/passwd", "/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
                     "/static/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd", "/static//etc/passwd",
                     "/static/%00/etc/passwd", "/static/../Package.swift", "/static/../../main/Package.swift"] {
            let r = try live.client.get(path)
            #expect(r.status == 404, "\(path) answered \(r.status)")
            #expect(!r.text.contains("root:") && !r.text.contains("PackageDescription"), "\(path) leaked a file")
        }

        // Wrong methods: 405 with Allow; unknown paths: 404.
        for (method, path, allowed) in [("PUT", "/api/v1/health", "GET"), ("DELETE", "/api/v1/appointments", "POST"),
                                        ("PATCH", "/api/v1/tickets", "POST"), ("POST", "/api/v1/locations", "GET"),
                                        ("GET", "/api/v1/counters/c1/call-next", "POST")] {
            let r = try live.client.send(method, path)
            expectProblem(r, 405, "method_not_allowed", "\(method) \(path)")
            #expect(r.header("allow")?.contains(allowed) == true, "\(method) \(path): Allow \(r.header("allow") ?? "none")")
        }
        expectProblem(try live.client.get("/api/v1/nothing-here"), 404, "not_found", "unknown path")
        expectProblem(try live.client.get("/api/v2/health"), 404, "not_found", "unknown version")

        // Unknown ids and odd references in paths.
        let nul = try live.client.get("/api/v1/appointments/%00%00%00?token=x")
        #expect((400..<500).contains(nul.status) && nul.isProblem, "NUL reference answered \(nul.status)")
        for path in ["/api/v1/appointments/\(String(repeating: "K", count: 300))?token=x",
                     "/api/v1/appointments/K7M-3QX?token=\(String(repeating: "t", count: 500))",
                     "/api/v1/tickets/%27%20OR%201=1--", "/api/v1/services/%2e%2e"] {
            let r = try live.client.get(path)
            #expect(r.status == 404, "\(path) answered \(r.status)")
        }

        // The server is still up, and the appointment is exactly as it was.
        #expect(try live.client.get("/api/v1/health").status == 200)
        let after = try live.appointment(booking)
        #expect(after.status == 200)
        #expect(after.body == before.body, "the appointment changed:\n\(before.text)\n\(after.text)")
        #expect(try live.freeSlots(date: "2026-12-02")[Self.start] == 2, "a refused request took a desk")
    }

    @Test func queueEndpointsRejectBadBodiesToo() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: "2026-12-01T09:00:00+01:00")
        defer { live.stop() }
        let kiosk = try live.token(.kiosk), clerk = try live.token(.clerk)
        expectProblem(try live.client.post("/api/v1/tickets", raw: "{", token: kiosk), 400, "bad_request", "ticket malformed")
        expectProblem(try live.client.post("/api/v1/tickets", json: ["location": "hal"], token: kiosk), 422, "validation_failed",
                      "ticket without service")
        expectProblem(try live.client.post("/api/v1/tickets", json: ["location": "hal", "service": "id-kaart", "priority": "yes"],
                                           token: kiosk), 422, "validation_failed", "priority as text")
        expectProblem(try live.client.post("/api/v1/checkins", json: ["reference": 42], token: kiosk), 422, "validation_failed",
                      "reference as number")
        expectProblem(try live.client.post("/api/v1/checkins", raw: "[]", token: kiosk), 400, "bad_request", "check-in array")
        let ticket = try #require(try live.mustIssue(kiosk: kiosk)["id"] as? String)
        expectProblem(try live.ticketAction(ticket, "transfer", clerk: clerk, json: ["service": 7]), 422, "validation_failed",
                      "transfer service as number")
        expectProblem(try live.client.send("POST", "/api/v1/tickets", headers: [("Authorization", "Basic a2lvc2s6")]), 401,
                      "unauthorized", "basic auth")
        expectProblem(try live.client.send("POST", "/api/v1/tickets", headers: [("Authorization", "Bearer \(String(repeating: "x", count: 300))")]),
                      401, "unauthorized", "overlong token")
        #expect(try live.ticket(ticket)["status"] as? String == "waiting")
    }
}
