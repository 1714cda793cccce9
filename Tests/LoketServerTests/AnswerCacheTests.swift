// Answers encoded once and handed out again (the services search per query, the health answer)
// are byte for byte what a fresh encoding gives, follow the clock, and never outlive a reload.
import Foundation
import LoketCore
import LoketServer
import Testing
import LoketTestKit

@Suite("Answers encoded once")
struct AnswerCacheTests {
    static let clock = "2026-12-01T09:00:00+01:00" // a Tuesday, walk-in open at the town hall

    /// Searches whose keys differ in every part (language, channel, category, location, spelling that
    /// folds alike), asked in this order, so later ones may be served from what earlier ones left.
    static let searches = [
        "/api/v1/services?q=identiteit&lang=nl",
        "/api/v1/services?q=IDENTITEIT&lang=nl",
        "/api/v1/services?q=%20Identiteit%20",
        "/api/v1/services?q=identiteit&lang=fr",
        "/api/v1/services?q=identiteit",
        "/api/v1/services?q=identiteit&channel=appointment",
        "/api/v1/services?q=identiteit&category=burgerzaken",
        "/api/v1/services?q=identiteit&location=stadhuis",
        "/api/v1/services?q=identit%C3%A9it",
        "/api/v1/services?q=",
        "/api/v1/services?q=reis&lang=en",
    ]

    @Test func aKeptSearchAnswerIsTheSameBytesAsAFreshSearch() throws {
        let kept = try LiveServer(catalogue: try Demo.catalogue(), clock: Self.clock)
        defer { kept.stop() }
        // Twice through: the second round is served from the cache wherever a key repeats.
        var answers: [String: [UInt8]] = [:]
        for _ in 0..<2 {
            for path in Self.searches {
                let r = try kept.client.get(path)
                #expect(r.status == 200, "\(path): \(r.text)")
                if let first = answers[path] { #expect(r.body == first, "\(path) changed between two asks") }
                answers[path] = r.body
            }
        }
        // Each search asked first on a server of its own is computed, not kept.
        for path in Self.searches {
            let fresh = try LiveServer(catalogue: try Demo.catalogue(), clock: Self.clock)
            defer { fresh.stop() }
            let r = try fresh.client.get(path)
            #expect(r.body == answers[path], "\(path): kept \(String(decoding: answers[path] ?? [], as: UTF8.self).prefix(200)) fresh \(r.text.prefix(200))")
            #expect(r.header("Cache-Control") == "no-store")
        }
        // The keys must keep apart what differs: the language and the channel change these answers.
        #expect(answers[Self.searches[0]] != answers[Self.searches[3]], "nl and fr answers are the same")
        #expect(answers[Self.searches[4]] != answers[Self.searches[5]], "the channel filter changed nothing")
    }

    @Test func aReloadDropsTheKeptSearchAnswers() throws {
        let (live, folder) = try LiveServer.onDemoConfigCopy(clock: Self.clock)
        defer { live.stop(); try? FileManager.default.removeItem(atPath: folder) }
        let admin = try live.token(.admin, name: "it-team")
        let path = "/api/v1/services?q=identiteitskaart&lang=nl"
        let before = try live.client.get(path)
        #expect(before.text.contains("\"Identiteitskaart (eID) aanvragen\""), "\(before.text.prefix(300))")
        #expect(try live.client.get(path).body == before.body)

        let services = folder + "/services/01-burgerzaken.yaml"
        let text = try String(contentsOfFile: services, encoding: .utf8)
        let old = "nl: \"Identiteitskaart (eID) aanvragen\""
        try #require(text.contains(old))
        try text.replacingOccurrences(of: old, with: "nl: \"Identiteitskaart (eID) aanvragen of vernieuwen\"")
            .write(toFile: services, atomically: true, encoding: .utf8)
        let reload = try live.client.post("/api/v1/admin/reload", token: admin)
        #expect(reload.status == 200, "\(reload.text)")

        let after = try live.client.get(path)
        #expect(after.text.contains("\"Identiteitskaart (eID) aanvragen of vernieuwen\""), "\(after.text.prefix(300))")
        #expect(!after.text.contains("\"Identiteitskaart (eID) aanvragen\""))
    }

    @Test func theHealthAnswerFollowsTheClock() throws {
        let live = try LiveServer(catalogue: try Demo.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let first = try live.client.get("/api/v1/health")
        let again = try live.client.get("/api/v1/health")
        #expect(first.status == 200 && again.status == 200)
        #expect(again.body == first.body, "the clock stood still, so the answer should too")
        #expect(try first.object()["now"] as? String == "2026-12-01T09:00:00+01:00")

        live.clock.advance(by: 61)
        let later = try live.client.get("/api/v1/health")
        #expect(try later.object()["now"] as? String == "2026-12-01T09:01:01+01:00")
        #expect(try later.object()["status"] as? String == "ok")
        #expect(later.header("Cache-Control") == "no-store")
        // Same members and order as before, only the time differs.
        #expect(later.text == first.text.replacingOccurrences(of: "09:00:00+01:00", with: "09:01:01+01:00"))
    }

    /// The kept health answer is reused only for the same inputs: a request in another language
    /// (by `lang` or by Accept-Language) gets its own municipality name, never the last one asked.
    @Test func theHealthAnswerIsKeptPerLanguage() throws {
        let live = try LiveServer(catalogue: try Demo.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let asks: [(target: String, headers: [(String, String)], municipality: String)] = [
            ("/api/v1/health", [], "Gemeente Wilgendaal"),
            ("/api/v1/health?lang=fr", [], "Commune de Wilgendaal"),
            ("/api/v1/health", [("Accept-Language", "de-BE, fr;q=0.5")], "Gemeinde Wilgendaal"),
            ("/api/v1/health?lang=en", [("Accept-Language", "de")], "Municipality of Wilgendaal"),
            ("/api/v1/health", [], "Gemeente Wilgendaal"),
        ]
        // Twice through, so that every answer is once built and once perhaps kept.
        for _ in 0..<2 {
            for ask in asks {
                let r = try live.client.get(ask.target, headers: ask.headers)
                #expect(r.status == 200)
                #expect(try r.object()["municipality"] as? String == ask.municipality, "\(ask.target) \(ask.headers): \(r.text)")
                #expect(r.header("Cache-Control") == "no-store")
                #expect(r.header("Content-Security-Policy") == "default-src 'none'; frame-ancestors 'none'; sandbox")
            }
        }
    }
}
