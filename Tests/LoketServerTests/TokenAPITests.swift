// Tokens from the admin page: list with last use, add (shown once), revoke by name; admins only,
// audited, and the token never in a list or the audit log. Also the audit log's filters.
import Foundation
import LoketCore
import Testing
import LoketTestKit

@Suite("Token API")
struct TokenAPITests {
    static let clock = "2026-12-01T09:00:00+01:00" // 2026-12-01 is a Tuesday

    @Test func everyRouteIsForAdminsOnly() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let clerk = try live.token(.clerk), kiosk = try live.token(.kiosk)
        for token in [nil, clerk, kiosk] {
            let expected = token == nil ? 401 : 403
            #expect(try live.client.get("/api/v1/admin/tokens", token: token).status == expected)
            #expect(try live.client.post("/api/v1/admin/tokens", json: ["role": "admin", "name": "x"], token: token).status == expected)
            #expect(try live.client.delete("/api/v1/admin/tokens/x", token: token).status == expected)
        }
        // Nothing was made by the refused requests.
        #expect(try live.store.read { try $0.tokenListing() }.map(\.name).contains("x") == false)
    }

    @Test func addShowsTheTokenOnceAndItWorks() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let admin = try live.token(.admin, name: "beheer")
        let made = try live.client.post("/api/v1/admin/tokens", json: ["role": "kiosk", "name": "  kiosk-hal  "], token: admin)
        #expect(made.status == 201)
        let body = try made.object()
        let token = try #require(body["token"] as? String)
        #expect(token.count >= 20)
        #expect(body["name"] as? String == "kiosk-hal")
        #expect(body["role"] as? String == "kiosk")
        #expect(made.header("cache-control") == "no-store")

        // The new token works with its role, and only that role.
        let ticket = try live.client.post("/api/v1/tickets", json: ["location": "hal", "service": "id-kaart"], token: token)
        #expect(ticket.status == 201)
        #expect(try live.client.get("/api/v1/admin/tokens", token: token).status == 403)

        // Listed without the token or any hash; audited with who made it, never the token.
        let list = try live.client.get("/api/v1/admin/tokens", token: admin)
        #expect(list.status == 200)
        #expect(!list.text.contains(token))
        let row = try #require(try list.array().first { $0["name"] as? String == "kiosk-hal" })
        #expect(Set(row.keys) == ["name", "role", "createdAt", "lastUsedAt", "revoked"])
        #expect(row["role"] as? String == "kiosk")
        #expect(row["revoked"] as? Bool == false)
        #expect(row["createdAt"] as? String == "2026-12-01T09:00:00+01:00")
        #expect(row["lastUsedAt"] is NSNull)
        let audit = try live.client.get("/api/v1/audit?date=2026-12-01&action=token.", token: admin)
        #expect(!audit.text.contains(token))
        let lines = try audit.array()
        #expect(lines.map { $0["action"] as? String } == ["token.add"])
        #expect(lines.first?["actor"] as? String == "beheer")
        #expect(lines.first?["subject"] as? String == "kiosk-hal")
        #expect(lines.first?["detail"] as? String == "kiosk")
    }

    @Test(arguments: [
        (#"{"role":"root","name":"a"}"#, 422, "role"),
        (#"{"role":"clerk","name":"   "}"#, 422, "name"),
        (#"{"role":"clerk","name":""}"#, 422, "name"),
        (#"{"role":"clerk"}"#, 422, "name"),
        (#"{"name":"a"}"#, 422, "role"),
        (#"{"role":"clerk","name":"a/b"}"#, 422, "name"),
        (#"{"role":"clerk","name":"a\nb"}"#, 422, "name"),
        (#"{"role":7,"name":"a"}"#, 422, "role"),
        (#"[1,2]"#, 400, ""),
        (#"{"role":"clerk","#, 400, ""),
    ])
    func badInputIsRefusedAndNothingIsMade(body: String, status: Int, field: String) throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let admin = try live.token(.admin, name: "beheer")
        let answer = try live.client.post("/api/v1/admin/tokens", raw: body, token: admin)
        #expect(answer.status == status, "\(body): \(answer.text)")
        #expect(answer.isProblem)
        if !field.isEmpty {
            let fields = try #require(try answer.object()["fields"] as? [String: Any])
            #expect(fields[field] != nil, "\(body): \(answer.text)")
        }
        #expect(try live.store.read { try $0.tokenListing() }.map(\.name) == ["beheer"])
        #expect(try live.client.get("/api/v1/audit?action=token.", token: admin).array().isEmpty)
    }

    @Test func nameOfAHundredCharactersIsTheLimit() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let admin = try live.token(.admin)
        #expect(try live.client.post("/api/v1/admin/tokens", json: ["role": "clerk", "name": String(repeating: "é", count: 100)],
                                     token: admin).status == 201)
        #expect(try live.client.post("/api/v1/admin/tokens", json: ["role": "clerk", "name": String(repeating: "é", count: 101)],
                                     token: admin).status == 422)
        #expect(try live.client.post("/api/v1/admin/tokens", raw: "{}", contentType: "application/xml", token: admin).status == 415)
    }

    @Test func revokeEndsEveryTokenWithTheNameAndIsAudited() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let admin = try live.token(.admin, name: "beheer")
        let first = try live.client.post("/api/v1/admin/tokens", json: ["role": "clerk", "name": "balie noord"], token: admin).object()
        let second = try live.client.post("/api/v1/admin/tokens", json: ["role": "clerk", "name": "balie noord"], token: admin).object()
        let other = try live.token(.clerk, name: "balie zuid")
        let tokens = [first, second].compactMap { $0["token"] as? String }
        #expect(tokens.count == 2)
        for t in tokens { #expect(try live.client.get("/api/v1/locations/hal/queue", token: t).status == 200) }

        let revoked = try live.client.delete("/api/v1/admin/tokens/balie%20noord", token: admin)
        #expect(revoked.status == 200, "\(revoked.text)")
        #expect(try revoked.object()["revoked"] as? Int == 2)
        for t in tokens { #expect(try live.client.get("/api/v1/locations/hal/queue", token: t).status == 401) }
        #expect(try live.client.get("/api/v1/locations/hal/queue", token: other).status == 200)

        // Again: none live by that name any more; an unknown name likewise.
        #expect(try live.client.delete("/api/v1/admin/tokens/balie%20noord", token: admin).problemCode == "not_found")
        #expect(try live.client.delete("/api/v1/admin/tokens/niemand", token: admin).status == 404)

        let list = try live.client.get("/api/v1/admin/tokens", token: admin).array()
        #expect(list.filter { $0["name"] as? String == "balie noord" }.map { $0["revoked"] as? Bool } == [true, true])
        #expect(list.first { $0["name"] as? String == "balie zuid" }?["revoked"] as? Bool == false)
        let audit = try live.client.get("/api/v1/audit?action=token.revoke", token: admin)
        let lines = try audit.array()
        #expect(lines.count == 1)
        #expect(lines.first?["subject"] as? String == "balie noord")
        #expect(lines.first?["actor"] as? String == "beheer")
        for t in tokens { #expect(!audit.text.contains(t)) }
    }

    @Test func lastUseIsWrittenByTheFlushNotByTheRequest() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let admin = try live.token(.admin, name: "beheer")
        let clerk = try live.token(.clerk, name: "an")
        func lastUse(_ name: String) throws -> Any? {
            try live.client.get("/api/v1/admin/tokens", token: admin).array().first { $0["name"] as? String == name }?["lastUsedAt"]
        }
        live.clock.advance(by: 60) // 09:01
        #expect(try live.client.get("/api/v1/locations/hal/queue", token: clerk).status == 200)
        // Not yet written: the use is kept in memory until the housekeeping round.
        #expect(try lastUse("an") is NSNull)
        live.app.flushTokenUse()
        #expect(try lastUse("an") as? String == "2026-12-01T09:01:00+01:00")

        // A later use moves it on after the next flush, and only then.
        live.clock.advance(by: 3600) // 10:01
        #expect(try live.client.get("/api/v1/locations/hal/counters", token: clerk).status == 200)
        #expect(try lastUse("an") as? String == "2026-12-01T09:01:00+01:00")
        live.app.flushTokenUse()
        #expect(try lastUse("an") as? String == "2026-12-01T10:01:00+01:00")
        // The admin's own list requests count as uses too.
        #expect(try lastUse("beheer") is String)

        // An unknown token is no use of anything and adds no row.
        #expect(try live.client.get("/api/v1/admin/tokens", token: "no-such-token").status == 401)
        #expect(try live.store.read { try $0.tokenListing() }.count == 2)
    }

    @Test func auditFiltersByActorAndActionPrefix() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let admin = try live.token(.admin, name: "beheer")
        let kiosk = try live.token(.kiosk, name: "kiosk-hal")
        _ = try live.mustIssue(kiosk: kiosk)
        #expect(try live.client.post("/api/v1/admin/tokens", json: ["role": "clerk", "name": "an"], token: admin).status == 201)
        #expect(try live.client.delete("/api/v1/admin/tokens/an", token: admin).status == 200)

        func actions(_ query: String) throws -> [String] {
            try live.client.get("/api/v1/audit?date=2026-12-01\(query)", token: admin).array().compactMap { $0["action"] as? String }
        }
        let all = try actions("")
        #expect(all.contains("ticket.issue") && all.contains("token.add") && all.contains("token.revoke"))
        #expect(try actions("&action=token.") == ["token.add", "token.revoke"])
        #expect(try actions("&action=token.add") == ["token.add"])
        #expect(try actions("&actor=beheer") == ["token.add", "token.revoke"])
        #expect(try actions("&actor=kiosk-hal").allSatisfy { $0.hasPrefix("ticket.") })
        #expect(try actions("&actor=kiosk-hal").isEmpty == false)
        #expect(try actions("&actor=beheer&action=ticket.").isEmpty)
        // A prefix is plain text, not a pattern.
        #expect(try actions("&action=%25").isEmpty)
        #expect(try actions("&action=token_").isEmpty)
        #expect(try actions("&actor=beh").isEmpty)
        // Another day has none of it.
        #expect(try live.client.get("/api/v1/audit?date=2026-12-02&actor=beheer", token: admin).array().isEmpty)
        let long = try live.client.get("/api/v1/audit?action=\(String(repeating: "a", count: 101))", token: admin)
        #expect(long.status == 422)
        #expect(long.problemCode == "validation_failed")
    }
}
