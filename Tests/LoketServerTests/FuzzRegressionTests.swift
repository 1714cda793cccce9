// Inputs that crashed Loket, found while fuzzing (`make fuzz`, Fuzz/Sources/loket-fuzz), each kept
// inline with the answer it must get now. A crash here took the whole server down with it.
import Foundation
import LoketCore
import LoketHTTP
import LoketServer
import Testing
import LoketTestKit

@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    static let clock = "2026-12-01T08:00:00+01:00"

    /// A whole-number field of -2^63: `abs` of it overflowed and trapped, in every body with a number
    /// (`persons`, `desks`), so one request stopped the server.
    static let smallestInt = "-9223372036854775808"

    @Test func theSmallestIntegerIsRefusedNotACrash() throws {
        let body = Array("{\"location\":\"hal\",\"service\":\"id-kaart\",\"persons\":\(Self.smallestInt)}".utf8)
        let answers = ParseEntry.decodeBodies(body)
        for route in ["POST /api/v1/appointments", "POST /api/v1/waitlist"] {
            let problem = try #require(answers[route] ?? nil, "\(route) accepted persons \(Self.smallestInt)")
            #expect(problem.status == 422 && problem.code == "validation_failed", "\(route): \(problem.status) \(problem.code)")
        }
        let closure = ParseEntry.decodeBodies(Array("{\"desks\":\(Self.smallestInt)}".utf8))["POST /api/v1/admin/closures"] ?? nil
        #expect(closure?.status == 422, "closures: \(String(describing: closure))")
    }

    @Test func theSmallestIntegerOverHTTPLeavesTheServerUp() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let raw = """
            {"location":"hal","service":"id-kaart","start":"2026-12-02T09:00:00+01:00","name":"Jan Peeters",
             "email":"jan@example.be","persons":\(Self.smallestInt)}
            """
        let r = try live.client.post("/api/v1/appointments", raw: raw)
        #expect(r.status == 422, "\(r.status) \(r.text.prefix(200))")
        let fields = (try? r.object())?["fields"] as? [String: Any]
        #expect(fields?["persons"] as? String == "must be a whole number", "\(fields ?? [:])")
        #expect(try live.client.get("/api/v1/health").status == 200)
    }
}
