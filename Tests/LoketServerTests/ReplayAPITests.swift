// Health and the catalogue search are replayed by the server (LoketHTTP's Replay.swift): after random
// changes (the clock, a reload that renames things, a full database and room again) every answer
// over HTTP equals what the handler says at that moment, and the replays are counted as requests.
import Foundation
import LoketCore
import Testing
import LoketTestKit
@testable import LoketStore
@testable import LoketHTTP
@testable import LoketServer

@Suite("Replayed health and search")
struct ReplayAPITests {
    @Test("after random changes, every replayable answer equals the handler's own", arguments: [UInt64(11), 12, 13])
    func replaysEqualFreshAnswers(seed: UInt64) throws {
        let (live, folder) = try LiveServer.onDemoConfigCopy(clock: "2026-12-01T09:00:00+01:00")
        defer { live.stop(); try? FileManager.default.removeItem(atPath: folder) }
        let settings = folder + "/settings.yaml", services = folder + "/services/01-burgerzaken.yaml"
        var generator = SplitMix64(seed: seed)
        let targets = ["/api/v1/health", "/api/v1/health?lang=fr", "/api/v1/services?q=paspoort&lang=nl",
                       "/api/v1/services?q=paspoort", "/api/v1/services?q=reispas&channel=appointment",
                       "/api/v1/services?q=identiteit&lang=en"]
        let languages: [String?] = [nil, "fr", "de, nl;q=0.5", "en"]
        var asked = [String: Int](), renames = 0, faults = 0, full = false
        let kiosk = try live.token(.kiosk)
        for step in 0..<240 {
            switch Int.random(in: 0..<20, using: &generator) {
            case 0..<3:
                live.clock.advance(by: Double.random(in: 0...1.6, using: &generator))
            case 3:
                // A reload that renames the municipality and the passport: health and the search both change.
                renames += 1
                try rewrite(settings, pattern: #"nl: Gemeente [^,]*,"#, with: "nl: Gemeente Wilgendaal \(renames),")
                try rewrite(services, pattern: #"nl: "Reispas aanvragen[^"]*""#, with: "nl: \"Reispas aanvragen \(renames)\"")
                #expect(try live.app.reload(by: "test").services > 0)
            case 4 where !full:
                // The database fills up for real (as in StorageFaultTests): health stays degraded,
                // since its own probe write fails too, until there is room again.
                faults += 1
                full = true
                let pages = try live.store.write { try $0.one("PRAGMA page_count", table: "pragma").int(0) }
                try live.store.write { try $0.exec("PRAGMA max_page_count = \(pages)") }
                var refused = false
                for _ in 0..<200 where !refused {
                    refused = try live.client.post("/api/v1/tickets", json: ["location": "stadhuis", "service": "eid-aanvraag"],
                                                   token: kiosk).status == 503
                }
                try #require(refused, "the database never filled up")
            case 5 where full:
                full = false
                try live.store.write { try $0.exec("PRAGMA max_page_count = 1073741823") }
            default:
                let target = targets.randomElement(using: &generator)!
                let language = languages.randomElement(using: &generator)!
                let headers = language.map { [("Accept-Language", $0)] } ?? []
                let answer = try live.client.get(target, headers: headers)
                let own = try handled(live.app, target, language: language)
                #expect(answer.status == own.status, "step \(step): \(target) \(language ?? "-")")
                #expect(answer.text == own.text, "step \(step): \(target) \(language ?? "-")")
                let route = target.hasPrefix("/api/v1/health") ? "health" : "services"
                asked[route, default: 0] += 1
            }
        }
        #expect(renames > 0 && faults > 0)
        #expect(live.server.replays.count > 0, "some answers were kept for replay")
        // Every request is counted once, replayed or not: the HTTP ones and the handler's own.
        let metrics = try live.client.get("/metrics").text
        for (route, n) in asked {
            let line = "loket_http_requests_total{route=\"/api/v1/\(route)\",method=\"GET\",status=\"200\"} "
            let counted = metrics.split(separator: "\n").filter { $0.hasPrefix(line) }.compactMap { Int($0.dropFirst(line.count)) }.first ?? 0
            let failed = metrics.split(separator: "\n")
                .filter { $0.hasPrefix("loket_http_requests_total{route=\"/api/v1/\(route)\",method=\"GET\",status=\"503\"} ") }
                .compactMap { $0.split(separator: " ").last.flatMap { Int($0) } }.first ?? 0
            #expect(counted + failed == 2 * n, "\(route): \(counted) + \(failed) counted for \(n) asked twice")
        }
    }

    /// What the handler answers `target` right now, not through the server (and so never replayed).
    func handled(_ app: App, _ target: String, language: String?) throws -> (status: Int, text: String) {
        let parts = target.split(separator: "?", maxSplits: 1)
        var query: [String: String] = [:]
        for pair in parts.count > 1 ? parts[1].split(separator: "&") : [] {
            let kv = pair.split(separator: "=", maxSplits: 1)
            query[String(kv[0])] = kv.count > 1 ? String(kv[1]) : ""
        }
        let request = Request(method: .GET, path: String(parts[0]), query: query,
                              headers: language.map { ["accept-language": $0] } ?? [:])
        let response = try app.handle(request)
        guard case .bytes(let body) = response.body else { return (response.status, "") }
        return (response.status, String(decoding: body, as: UTF8.self))
    }

    func rewrite(_ file: String, pattern: String, with replacement: String) throws {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let changed = text.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
        try #require(changed != text, "\(file) has no \(pattern)")
        try changed.write(toFile: file, atomically: true, encoding: .utf8)
    }
}
