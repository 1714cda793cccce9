// `GET /metrics` against a live server: the body parses as Prometheus text, requests are counted
// by route pattern (never the raw path), the gauges match the queue and the outbox, the wait
// histogram counts calls, mail rounds are counted, no personal data or link leaks into it, and
// two apps in one process keep their own registries.
import Foundation
import LoketCore
import LoketServer
import Testing
import LoketTestKit

/// One sample line: `name{label="value",...} value`.
struct PrometheusSample {
    var name: String
    var labels: [String: String]
    var value: Double
}

/// A Prometheus text exposition, parsed strictly: every line is a HELP, a TYPE or a sample whose
/// family was typed; a line that is none of these is an error naming it.
struct PrometheusText {
    var samples: [PrometheusSample] = []
    var types: [String: String] = [:]
    var helps: [String: String] = [:]

    struct Malformed: Error, CustomStringConvertible {
        var line: String
        var description: String { "not a Prometheus text line: \(line)" }
    }

    init(_ text: String) throws {
        for line in text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) {
            if line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ", maxSplits: 3).map(String.init)
                guard parts.count == 4, Self.isName(parts[2]) else { throw Malformed(line: line) }
                if parts[1] == "TYPE" {
                    guard ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3]) else { throw Malformed(line: line) }
                    types[parts[2]] = parts[3]
                } else {
                    helps[parts[2]] = parts[3]
                }
                continue
            }
            guard !line.hasPrefix("#") else { continue }
            samples.append(try Self.sample(line))
        }
        for s in samples {
            let family = [("_bucket", "histogram"), ("_sum", "histogram"), ("_count", "histogram")]
                .first { s.name.hasSuffix($0.0) && types[String(s.name.dropLast($0.0.count))] == $0.1 }
                .map { String(s.name.dropLast($0.0.count)) } ?? s.name
            guard types[family] != nil else { throw Malformed(line: "\(s.name) has no TYPE line") }
        }
    }

    static func isName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, first == "_" || first == ":" || CharacterSet.letters.contains(first) else { return false }
        return s.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == ":") }
    }

    /// `name{a="x",b="y"} 1.5` (label values may hold `{`, `}`, `,` and escaped quotes).
    static func sample(_ line: String) throws -> PrometheusSample {
        var rest = Substring(line)
        let nameEnd = rest.firstIndex { $0 == "{" || $0 == " " } ?? rest.endIndex
        let name = String(rest[..<nameEnd])
        guard isName(name) else { throw Malformed(line: line) }
        rest = rest[nameEnd...]
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                guard let eq = rest.firstIndex(of: "=") else { throw Malformed(line: line) }
                let key = String(rest[..<eq])
                guard isName(key), rest[rest.index(after: eq)...].first == "\"" else { throw Malformed(line: line) }
                rest = rest[rest.index(eq, offsetBy: 2)...]
                var value = ""
                var escaped = false
                while let c = rest.first {
                    rest = rest.dropFirst()
                    if escaped { value.append(c == "n" ? "\n" : c); escaped = false }
                    else if c == "\\" { escaped = true }
                    else if c == "\"" { break }
                    else { value.append(c) }
                }
                labels[key] = value
                if rest.first == "," { rest = rest.dropFirst() }
                guard !rest.isEmpty else { throw Malformed(line: line) }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { throw Malformed(line: line) }
        let valueText = rest.dropFirst().split(separator: " ").first.map(String.init) ?? ""
        let value: Double? = switch valueText {
        case "+Inf": .infinity
        case "-Inf": -.infinity
        case "NaN": .nan
        default: Double(valueText)
        }
        guard let value else { throw Malformed(line: line) }
        return PrometheusSample(name: name, labels: labels, value: value)
    }

    /// The value of the one sample `name` with exactly `labels`; nil when there is none.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }
}

@Suite("Metrics")
struct MetricsTests {
    static let clock = "2026-12-01T09:00:00+01:00" // 2026-12-01 is a Tuesday; walk-in 08:00-12:00

    func scrape(_ live: LiveServer) throws -> (text: String, parsed: PrometheusText) {
        let r = try live.client.get("/metrics")
        try #require(r.status == 200, "metrics answered \(r.status): \(r.text)")
        #expect(r.header("content-type") == "text/plain; version=0.0.4")
        return (r.text, try PrometheusText(r.text))
    }

    @Test func metricsCountRoutesQueueCallsAndOutboxWithoutPersonalData() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let kiosk = try live.token(.kiosk)
        let clerk = try live.token(.clerk)
        let issued = try (0..<5).map { _ in try live.mustIssue(kiosk: kiosk) }
        let ids = issued.compactMap { $0["id"] as? String }
        try #require(ids.count == 5)
        #expect(try live.counter("c1", "open", clerk: clerk).status == 200)
        #expect(try live.counter("c2", "open", clerk: clerk).status == 200)
        live.clock.advance(by: 300)
        #expect(try live.counter("c1", "call-next", clerk: clerk).status == 200)
        live.clock.advance(by: 600)
        let out = try live.client.post("/api/v1/counters/c2/call", json: ["ticket": ids[4]], token: clerk)
        #expect(out.status == 200, "\(out.text)")
        let booking = try live.mustBook(start: "2026-12-03T10:00:00+01:00", email: "mieke.vermeulen@example.be",
                                        name: "Mieke Vermeulen")
        #expect(try live.client.get("/api/v1/tickets/\(ids[0])").status == 200)
        #expect(try live.client.get("/api/v1/tickets/no-such-ticket").status == 404)
        #expect(try live.client.get("/api/v1/no/such/route/\(ids[1])").status == 404)

        let (text, m) = try scrape(live)
        let requests = "loket_http_requests_total"
        #expect(m.types[requests] == "counter")
        #expect(m.helps[requests]?.isEmpty == false)
        #expect(m.value(requests, ["route": "/api/v1/tickets", "method": "POST", "status": "201"]) == 5)
        #expect(m.value(requests, ["route": "/api/v1/tickets/{id}", "method": "GET", "status": "200"]) == 1)
        #expect(m.value(requests, ["route": "/api/v1/tickets/{id}", "method": "GET", "status": "404"]) == 1)
        #expect(m.value(requests, ["route": "unmatched", "method": "GET", "status": "404"]) == 1)
        #expect(m.value(requests, ["route": "/api/v1/counters/{id}/call-next", "method": "POST", "status": "200"]) == 1)
        let routes = Set(m.samples.filter { $0.name == requests }.compactMap { $0.labels["route"] })
        #expect(routes.allSatisfy { $0 == "unmatched" || $0.hasPrefix("/") }, "\(routes)")

        let duration = "loket_http_request_duration_seconds"
        #expect(m.types[duration] == "histogram")
        let tickets = ["route": "/api/v1/tickets", "method": "POST"]
        var infinite = tickets
        infinite["le"] = "+Inf"
        #expect(m.value(duration + "_count", tickets) == 5)
        #expect(m.value(duration + "_bucket", infinite) == m.value(duration + "_count", tickets))
        let buckets = m.samples.filter { $0.name == duration + "_bucket" && $0.labels["route"] == "/api/v1/tickets" }
        #expect(buckets.map(\.value) == buckets.map(\.value).sorted(), "buckets are cumulative")
        #expect((m.value(duration + "_sum", tickets) ?? -1) >= 0)

        // Five issued, two called: three wait, as the clerk's queue says.
        let queue = try live.client.get("/api/v1/locations/hal/queue", token: clerk).object()
        let waitingInQueue = try #require(queue["waiting"] as? [[String: Any]]).count
        #expect(waitingInQueue == 3)
        #expect(m.types["loket_tickets_waiting"] == "gauge")
        #expect(m.value("loket_tickets_waiting", ["location": "hal", "service": "id-kaart"]) == Double(waitingInQueue))

        // One call after 300 s, one after 900 s.
        #expect(m.types["loket_ticket_wait_seconds"] == "histogram")
        #expect(m.value("loket_ticket_wait_seconds_count", ["location": "hal"]) == 2)
        #expect(m.value("loket_ticket_wait_seconds_sum", ["location": "hal"]) == 1200)
        #expect(m.value("loket_ticket_wait_seconds_bucket", ["location": "hal", "le": "300.0"]) == 1)
        #expect(m.value("loket_ticket_wait_seconds_bucket", ["location": "hal", "le": "+Inf"]) == 2)

        // No transport: the booking's confirmation waits in the outbox.
        #expect(m.value("loket_outbox_messages", ["status": "pending"]) == 1)
        #expect(m.value("loket_outbox_messages", ["status": "failed"]) == 0)
        #expect(m.value("loket_sse_streams") == 0)
        let size = (try FileManager.default.attributesOfItem(atPath: live.dbPath)[.size] as? Int) ?? 0
        #expect((m.value("loket_database_bytes") ?? 0) >= Double(size))
        #expect(size > 0)

        for secret in ids + [booking.reference, booking.token, "Mieke", "Vermeulen", "mieke.vermeulen@example.be", "@"] {
            #expect(!text.contains(secret), "the metrics show \(secret)")
        }
        let numbers = issued.compactMap { $0["number"] as? String }
        #expect(numbers.count == 5)
        for n in numbers { #expect(!text.contains("\"\(n)\""), "the metrics show ticket number \(n)") }

        // The scrape counts itself on the next one.
        let again = try scrape(live).parsed
        #expect(again.value(requests, ["route": "/metrics", "method": "GET", "status": "200"]) == 1)
        #expect(again.value(requests, ["route": "/api/v1/tickets", "method": "POST", "status": "201"]) == 5)
    }

    @Test func waitingGaugeFallsToZeroWhenTheQueueEmpties() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let kiosk = try live.token(.kiosk)
        let clerk = try live.token(.clerk)
        _ = try live.mustIssue(service: "rijbewijs", kiosk: kiosk)
        #expect(try scrape(live).parsed.value("loket_tickets_waiting", ["location": "hal", "service": "rijbewijs"]) == 1)
        #expect(try live.counter("c1", "open", clerk: clerk).status == 200)
        #expect(try live.counter("c1", "call-next", clerk: clerk).status == 200)
        let after = try scrape(live).parsed
        #expect(after.value("loket_tickets_waiting", ["location": "hal", "service": "rijbewijs"]) == 0)
        #expect(after.value("loket_ticket_wait_seconds_count", ["location": "hal"]) == 1)
    }

    @Test func mailRoundsCountSentAndFailedDeliveries() throws {
        let transport = ScriptedTransport()
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock, mail: transport)
        defer { live.stop() }
        _ = try live.mustBook(start: "2026-12-03T10:00:00+01:00")
        _ = try live.mustBook(start: "2026-12-03T10:15:00+01:00")
        transport.fail(with: [.temporary("connection refused"), .permanent("550 no such user")])
        let round = live.app.mailer.runRound()
        #expect(round.retried == 1 && round.failed == 1)
        var m = try scrape(live).parsed
        #expect(m.value("loket_mail_failures_total", ["kind": "temporary"]) == 1)
        #expect(m.value("loket_mail_failures_total", ["kind": "permanent"]) == 1)
        #expect(m.value("loket_mail_sent_total") == 0)
        #expect(m.value("loket_outbox_messages", ["status": "pending"]) == 1)
        #expect(m.value("loket_outbox_messages", ["status": "failed"]) == 1)
        live.clock.advance(by: 3600)
        #expect(live.app.mailer.runRound().sent == 1)
        m = try scrape(live).parsed
        #expect(m.value("loket_mail_sent_total") == 1)
        #expect(m.value("loket_outbox_messages", ["status": "pending"]) == 0)
    }

    @Test func twoAppsInOneProcessKeepTheirOwnRegistries() throws {
        let first = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { first.stop() }
        let second = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { second.stop() }
        _ = try first.mustIssue(kiosk: try first.token(.kiosk))
        _ = try first.mustIssue(kiosk: try first.token(.kiosk))
        _ = try second.mustIssue(kiosk: try second.token(.kiosk))
        let key = ["route": "/api/v1/tickets", "method": "POST", "status": "201"]
        #expect(try scrape(first).parsed.value("loket_http_requests_total", key) == 2)
        #expect(try scrape(second).parsed.value("loket_http_requests_total", key) == 1)
        #expect(try scrape(first).parsed.value("loket_tickets_waiting", ["location": "hal", "service": "id-kaart"]) == 2)
        #expect(try scrape(second).parsed.value("loket_tickets_waiting", ["location": "hal", "service": "id-kaart"]) == 1)
    }
}

extension MetricsTests {
    @Test func openAPIDescribesMetricsAsPrometheusText() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let doc = try live.client.get("/api/v1/openapi.json").object()
        let paths = try #require(doc["paths"] as? [String: Any])
        let get = try #require((paths["/metrics"] as? [String: Any])?["get"] as? [String: Any])
        let ok = try #require((get["responses"] as? [String: Any])?["200"] as? [String: Any])
        #expect((ok["content"] as? [String: Any])?["text/plain; version=0.0.4"] != nil)
        #expect(live.app.router.patterns.contains { $0.method == .GET && $0.pattern == "/metrics" })
    }
}
