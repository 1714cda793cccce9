// Public catalogue API against a live server with the demo municipality: health, locations,
// categories, the services search and the OpenAPI document.
import Foundation
import LoketCore
import LoketServer
import Testing
import LoketTestKit

@Suite("Catalogue API")
struct CatalogueAPITests {
    // 2026-12-01 is a Tuesday; the town hall's walk-in runs 08:30-12:00 on weekdays.
    static let clock = "2026-12-01T09:00:00+01:00"

    @Test func healthSaysOkWithVersionAndThePinnedClock() throws {
        let live = try LiveServer(catalogue: try Demo.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let r = try live.client.get("/api/v1/health")
        #expect(r.status == 200)
        #expect(r.header("content-type")?.hasPrefix("application/json") == true)
        let o = try r.object()
        #expect(o["status"] as? String == "ok")
        #expect(o["version"] as? String == "test")
        let now = try #require(o["now"] as? String)
        #expect(now.hasPrefix("2026-12-01T09:00:0"), "clock not pinned: \(now)")
        #expect(now.hasSuffix("+01:00"))
    }

    @Test func locationsListsTheFourPlacesInTheAskedLanguage() throws {
        let live = try LiveServer(catalogue: try Demo.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let list = try live.client.get("/api/v1/locations").array()
        #expect(Set(list.compactMap { $0["id"] as? String }) == ["stadhuis", "deelgemeente-oost", "mobiel-loket", "video-loket"])
        let town = try #require(list.first { $0["id"] as? String == "stadhuis" })
        #expect(town["name"] as? String == "Stadhuis Wilgendaal")
        #expect(town["address"] as? String == "Markt 1, 9999 Wilgendaal")
        #expect(town["timeZone"] as? String == "Europe/Brussels")

        let french = try live.client.get("/api/v1/locations?lang=fr").array()
        #expect(french.first { $0["id"] as? String == "stadhuis" }?["name"] as? String == "Hôtel de ville de Wilgendaal")
        let german = try live.client.get("/api/v1/locations", headers: [("Accept-Language", "de-BE,de;q=0.9")]).array()
        #expect(german.first { $0["id"] as? String == "stadhuis" }?["name"] as? String == "Rathaus Wilgendaal")

        let one = try live.client.get("/api/v1/locations/video-loket")
        #expect(one.status == 200)
        #expect(try one.object()["kind"] as? String == "remote")
        let missing = try live.client.get("/api/v1/locations/atlantis")
        #expect(missing.status == 404)
        #expect(missing.problemCode == "unknown_location")
    }

    @Test func metricsAreInPrometheusTextFormat() throws {
        let live = try LiveServer(catalogue: try Demo.catalogue(), clock: Self.clock)
        defer { live.stop() }
        _ = try live.client.get("/api/v1/health")
        _ = try live.client.get("/api/v1/nothing")
        let r = try live.client.get("/metrics")
        #expect(r.status == 200)
        #expect(r.header("content-type")?.hasPrefix("text/plain") == true)
        #expect(r.text.contains("# TYPE loket_http_requests_total counter"))
        #expect(r.text.contains("loket_http_requests_total{route=\"/api/v1/health\",method=\"GET\",status=\"200\"} 1\n"))
        #expect(r.text.contains("loket_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 1\n"))
        #expect(!r.text.contains("loket_tickets_waiting{"), "no queue has had a ticket")
        #expect(r.text.contains("loket_sse_streams 0.0\n"))
    }

    @Test func categoriesComeInConfiguredOrder() throws {
        let live = try LiveServer(catalogue: try Demo.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let list = try live.client.get("/api/v1/categories").array()
        #expect(list.count == 8)
        #expect(list.first?["id"] as? String == "burgerzaken")
        #expect(list.first?["name"] as? String == "Burgerzaken")
    }

    @Test func searchFindsIdentityCardAndPassportBySynonyms() throws {
        let live = try LiveServer(catalogue: try Demo.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let identity = try live.client.get("/api/v1/services?q=identiteit").array().compactMap { $0["id"] as? String }
        let rank = try #require(identity.firstIndex(of: "eid-aanvraag"), "identiteit did not find eid-aanvraag: \(identity)")
        #expect(rank < 3, "eid-aanvraag is result \(rank + 1): \(identity.prefix(5))")

        let passport = try live.client.get("/api/v1/services?q=paspoort").array()
        let ids = passport.compactMap { $0["id"] as? String }
        #expect(ids.contains("reispas-aanvraag"), "paspoort did not find the Reispas service: \(ids)")
        let reispas = try #require(passport.first { $0["id"] as? String == "reispas-aanvraag" })
        #expect(reispas["name"] as? String == "Reispas aanvragen")
        #expect(reispas["category"] as? String == "burgerzaken")
        #expect(reispas["durationMinutes"] as? Int == 15)
        #expect(reispas["maxPersons"] as? Int == 6)
        #expect(reispas["channels"] as? [String] == ["appointment", "walkin"])
        #expect(Set(reispas["locations"] as? [String] ?? []) == ["stadhuis", "deelgemeente-oost"])
    }

    @Test func searchIgnoresCaseAndDiacritics() throws {
        let live = try LiveServer(catalogue: try Demo.catalogue(), clock: Self.clock)
        defer { live.stop() }
        func ids(_ query: String, lang: String = "nl") throws -> [String] {
            try live.client.get("/api/v1/services?q=\(q(query))&lang=\(lang)").array().compactMap { $0["id"] as? String }
        }
        let lower = try ids("burgerlijke stand")
        #expect(!lower.isEmpty)
        #expect(lower.contains("huwelijk-aangifte"))
        #expect(try ids("Burgerlijke Stand") == lower)
        #expect(try ids("BÜRGERLIJKE  stand") == lower)
        let accented = try ids("État civil", lang: "fr")
        #expect(!accented.isEmpty)
        #expect(try ids("etat civil", lang: "fr") == accented)
    }

    @Test func searchWithoutMatchIsAnEmptyList() throws {
        let live = try LiveServer(catalogue: try Demo.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let r = try live.client.get("/api/v1/services?q=xyzzyplugh")
        #expect(r.status == 200)
        #expect(r.text == "[]")
        let everything = try live.client.get("/api/v1/services").array()
        #expect(everything.count == (try Demo.catalogue()).services.count)
    }

    @Test func searchRejectsUnknownLocationAndOverlongText() throws {
        let live = try LiveServer(catalogue: try Demo.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let r = try live.client.get("/api/v1/services?q=eid&location=atlantis")
        #expect(r.status == 404)
        #expect(r.isProblem)
        let p = try r.object()
        #expect(p["code"] as? String == "unknown_location")
        #expect(p["status"] as? Int == 404)
        #expect(p["title"] is String)
        #expect(p["detail"] is String)
        let long = try live.client.get("/api/v1/services?q=\(String(repeating: "a", count: 101))")
        #expect(long.status == 422)
        #expect(long.problemFields["q"] != nil)
    }

    @Test func walkInOpenNowOnlyWhenALocationIsGiven() throws {
        let live = try LiveServer(catalogue: try Demo.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let plain = try live.client.get("/api/v1/services?q=eid").array()
        #expect(!plain.isEmpty)
        #expect(plain.allSatisfy { $0["walkInOpenNow"] == nil })

        let here = try live.client.get("/api/v1/services?q=eid&location=stadhuis").array()
        #expect(!here.isEmpty)
        #expect(here.allSatisfy { $0["walkInOpenNow"] is Bool })
        // Tuesday 09:00: the town hall's walk-in is open, and eid-aanvraag takes walk-ins.
        #expect(here.first { $0["id"] as? String == "eid-aanvraag" }?["walkInOpenNow"] as? Bool == true)
        // Only services offered at the location are listed.
        #expect(here.allSatisfy { ($0["locations"] as? [String])?.contains("stadhuis") == true })
        // The video desk has no walk-in at all.
        let video = try live.client.get("/api/v1/services?location=video-loket").array()
        #expect(!video.isEmpty)
        #expect(video.allSatisfy { $0["walkInOpenNow"] as? Bool == false })
    }

    @Test
    func openAPIDocumentDescribesEveryRoute() throws {
        let live = try LiveServer(catalogue: try Demo.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let r = try live.client.get("/api/v1/openapi.json")
        #expect(r.status == 200)
        let doc = try r.object()
        #expect((doc["openapi"] as? String)?.hasPrefix("3.1") == true)
        let paths = try #require(doc["paths"] as? [String: Any])
        let routes = live.app.router.patterns.filter { $0.pattern.hasPrefix("/api/v1/") }
        #expect(routes.count > 20)
        for route in routes {
            guard let item = paths[route.pattern] as? [String: Any] else {
                Issue.record("openapi.json has no path \(route.pattern)")
                continue
            }
            #expect(item[route.method.rawValue.lowercased()] != nil, "openapi.json has no \(route.method.rawValue) for \(route.pattern)")
        }
    }

    /// The statuses every operation of a kind can answer are documented: a path id can be unknown (404),
    /// a role-protected one is refused without a token (401) or with the wrong one (403), a body can be
    /// malformed (400) or invalid (422); each problem answer names the codes it carries.
    @Test func openAPIDocumentsTheStatusesEachKindOfOperationCanAnswer() throws {
        let live = try LiveServer(catalogue: try Demo.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let doc = try live.client.get("/api/v1/openapi.json").object()
        let paths = try #require(doc["paths"] as? [String: [String: [String: Any]]])
        var checked = 0
        for (path, item) in paths where path.hasPrefix("/api/v1/") {
            for (method, op) in item {
                let name = "\(method.uppercased()) \(path)"
                let responses = try #require(op["responses"] as? [String: [String: Any]], "\(name): no responses")
                let statuses = Set(responses.keys)
                if path.contains("{") { #expect(statuses.contains("404"), "\(name) takes an id but documents no 404") }
                if op["security"] != nil {
                    #expect(statuses.isSuperset(of: ["401", "403"]), "\(name) needs a role but does not document 401 and 403")
                }
                if op["requestBody"] != nil {
                    #expect(statuses.isSuperset(of: ["400", "413", "415", "422"]), "\(name) takes a body but lacks 400/413/415/422")
                }
                for (status, response) in responses where Int(status)! >= 400 {
                    let content = response["content"] as? [String: [String: Any]]
                    let schema = content?["application/problem+json"]?["schema"] as? [String: Any]
                    let parts = schema?["allOf"] as? [[String: Any]]
                    let code = (parts?.last?["properties"] as? [String: Any])?["code"] as? [String: Any]
                    let codes = code?["enum"] as? [String] ?? []
                    #expect(!codes.isEmpty || (path == "/api/v1/health" && status == "503"), "\(name) \(status) names no problem codes")
                    if status == "503" || status == "429" {
                        #expect((response["headers"] as? [String: Any])?["Retry-After"] != nil, "\(name) \(status) without Retry-After")
                    }
                }
                checked += 1
            }
        }
        #expect(checked > 50)
    }

    /// Every `/api/v1` route, asked with the id `nobody`, an empty body, and no token, then a kiosk
    /// token: the status it answers is one its operation documents, with a documented code. A new
    /// handler that answers something its documentation forgot fails here.
    @Test func everyRouteAnswersOnlyDocumentedStatusesToAStranger() throws {
        let live = try LiveServer(catalogue: try Demo.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let doc = try live.client.get("/api/v1/openapi.json").object()
        let paths = try #require(doc["paths"] as? [String: [String: [String: Any]]])
        let kiosk = try live.token(.kiosk)
        for route in live.app.router.patterns where route.pattern.hasPrefix("/api/v1/") {
            let method = route.method.rawValue
            let responses = try #require(paths[route.pattern]?[method.lowercased()]?["responses"] as? [String: [String: Any]],
                                         "\(method) \(route.pattern) is not documented")
            let target = route.pattern.replacingOccurrences(of: "\\{[a-z]+\\}", with: "nobody", options: .regularExpression)
            for token in [nil, kiosk] {
                let r = try live.client.send(method, target, headers: [("Content-Type", "application/json")],
                                             body: method == "GET" || method == "DELETE" ? nil : [], token: token)
                let name = "\(method) \(target) \(token == nil ? "without a token" : "as a kiosk")"
                guard let documented = responses[String(r.status)] else {
                    Issue.record("\(name) answered \(r.status), which its operation does not document")
                    continue
                }
                guard r.status >= 400, r.header("content-type") == "application/problem+json" else { continue }
                let content = documented["content"] as? [String: [String: Any]]
                let parts = content?["application/problem+json"]?["schema"] as? [String: Any]
                let codes = ((parts?["allOf"] as? [[String: Any]])?.last?["properties"] as? [String: Any])
                    .flatMap { ($0["code"] as? [String: Any])?["enum"] as? [String] } ?? []
                let code = try r.object()["code"] as? String ?? ""
                #expect(codes.contains(code), "\(name) answered \(r.status) \(code), not among its documented codes \(codes)")
            }
        }
    }
}
