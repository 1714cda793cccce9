// Replayed answers: the server gives a handler's replayable answer again, without the handler, only
// to a GET with the same path, query as sent and varying headers, and only while the answer holds.
import Foundation
import Logging
import LoketTestKit
import Testing
@testable import LoketHTTP

@Suite("Replayed answers")
struct ReplayTests {
    /// What the handler of `/echo` sees and says: how often it ran, and whether its answer holds.
    final class Echo: @unchecked Sendable {
        let runs = LockedBox(0)
        let holding = LockedBox(true)
        let counted = LockedBox<[Double]>([])

        /// `/echo` answers its query and Accept-Language, replayable; `/plain` the same, not replayable.
        func router() -> Router<Void> {
            var table = RouteTable<Void>()
            table.add(.GET, "/echo") { _, request in
                let n = self.runs.withLock { $0 += 1; return $0 }
                var answer = self.answer(request, run: n).replayable(varyingOn: ["Accept-Language"]) {
                    self.holding.withLock { $0 }
                }
                answer.replay?.counted = { seconds in self.counted.withLock { $0.append(seconds) } }
                return answer
            }
            table.add(.GET, "/plain") { _, request in
                let n = self.runs.withLock { $0 += 1; return $0 }
                return self.answer(request, run: n).kept()
            }
            table.add(.GET, "/refused") { _, request in
                self.runs.withLock { $0 += 1 }
                var answer = self.answer(request, run: 0).replayable { true }
                answer.status = 404   // a changed answer is no longer vouched for
                return answer
            }
            return Router(table)
        }

        func answer(_ request: Request, run: Int) -> Response {
            let query = request.query.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
            return Response(contentType: "text/plain", text: "run \(run) \(query) lang=\(request.header("accept-language") ?? "-")",
                            headers: [("X-Echo", "yes")])
        }
    }

    @Test("the same GET is answered again without the handler, byte for byte, and counted")
    func sameRequestIsReplayed() throws {
        let echo = Echo()
        let live = try LiveServer(router: echo.router())
        defer { live.stop() }
        let client = HTTPClient(port: live.port)
        let first = try client.get("/echo?q=a&lang=nl")
        let again = try client.get("/echo?q=a&lang=nl")
        #expect(first.status == 200 && again.status == 200)
        #expect(first.text == "run 1 lang=nl&q=a lang=-")
        #expect(again.body == first.body)
        #expect(again.header("x-echo") == "yes")
        #expect(again.header("x-content-type-options") == "nosniff", "the security headers come with the replay")
        #expect(echo.runs.withLock { $0 } == 1)
        #expect(echo.counted.withLock { $0.count } == 1)
        #expect(live.server.replays.count == 1)
    }

    @Test("another path, query, order of the query, or varying header runs the handler")
    func differentRequestsRunTheHandler() throws {
        let echo = Echo()
        let live = try LiveServer(router: echo.router())
        defer { live.stop() }
        let client = HTTPClient(port: live.port)
        _ = try client.get("/echo?q=a&lang=nl")
        var runs = 1
        for (target, headers) in [("/echo?q=b&lang=nl", []), ("/echo?lang=nl&q=a", []), ("/echo?q=a&lang=nl&x=", []),
                                  ("/echo?q=a&lang=nl", [("Accept-Language", "fr")]),
                                  ("/echo?q=a&lang=nl", [("accept-language", "fr, nl")])] as [(String, [(String, String)])] {
            let r = try client.get(target, headers: headers)
            runs += 1
            #expect(r.text.hasPrefix("run \(runs) "), "\(target) \(headers): \(r.text)")
        }
        // Each is kept, one answer per path and query: the last one's, replayed when asked again
        // (the varying header's name matches without case).
        let again = try client.get("/echo?q=a&lang=nl", headers: [("ACCEPT-LANGUAGE", "fr, nl")])
        #expect(again.text == "run 6 lang=nl&q=a lang=fr, nl")
        #expect(try client.get("/echo?q=b&lang=nl").text == "run 2 lang=nl&q=b lang=-")
        #expect(echo.runs.withLock { $0 } == runs)
    }

    @Test("a path or value holding the key's separators never meets another request's answer")
    func keysDoNotCollide() throws {
        let echo = Echo()
        let live = try LiveServer(router: echo.router())
        defer { live.stop() }
        let client = HTTPClient(port: live.port)
        let targets = ["/echo?a=1:b", "/echo?a%3D1=b", "/echo?a=1&b", "/echo?a=1%26b", "/echo?a1=b", "/echo?a=&1=b", "/echo?1:a=b"]
        var first: [String: String] = [:]
        for target in targets + targets {
            let text = try client.get(target).text
            if let earlier = first[target] { #expect(text == earlier, "\(target) is replayed") } else { first[target] = text }
        }
        // A key shared by two of them would have replayed the first's answer to the second.
        #expect(echo.runs.withLock { $0 } == targets.count)
        #expect(Set(first.values).count == targets.count)
    }

    @Test("an answer that no longer holds is made again by the handler")
    func stopsWhenItNoLongerHolds() throws {
        let echo = Echo()
        let live = try LiveServer(router: echo.router())
        defer { live.stop() }
        let client = HTTPClient(port: live.port)
        _ = try client.get("/echo")
        echo.holding.withLock { $0 = false }
        #expect(try client.get("/echo").text.hasPrefix("run 2 "))
        #expect(try client.get("/echo").text.hasPrefix("run 3 "))
        echo.holding.withLock { $0 = true }
        #expect(try client.get("/echo").text.hasPrefix("run 3 "), "the last answer, kept again, is replayed")
    }

    @Test("only a GET without a body is replayed, and only an answer the handler vouches for")
    func onlyGETAndVouchedAnswers() throws {
        let echo = Echo()
        let live = try LiveServer(router: echo.router())
        defer { live.stop() }
        let client = HTTPClient(port: live.port)
        _ = try client.get("/echo")
        let head = try client.send("HEAD", "/echo")
        #expect(head.status == 200 && head.body.isEmpty)
        #expect(echo.runs.withLock { $0 } == 2, "HEAD runs the handler")
        let withBody = try client.send("GET", "/echo", headers: [("Content-Type", "text/plain")], body: Array("x".utf8))
        #expect(withBody.text.hasPrefix("run 3 "))
        _ = try client.get("/plain")
        #expect(try client.get("/plain").text.hasPrefix("run 5 "), "a kept answer not marked replayable")
        _ = try client.get("/refused")
        #expect(try client.get("/refused").status == 404)
        #expect(echo.runs.withLock { $0 } == 7, "a changed answer is not replayed")
    }

    @Test("many threads asking while the answer stops holding: every answer is one the handler would give")
    func concurrentReplays() throws {
        let echo = Echo()
        let live = try LiveServer(router: echo.router())
        defer { live.stop() }
        let wrong = LockedBox<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { t in
            let client = HTTPClient(port: live.port)
            for i in 0..<150 {
                if t == 0, i % 25 == 0 { echo.holding.withLock { $0.toggle() } }
                let lang = i % 3 == 0 ? [("Accept-Language", "fr")] : []
                guard let r = try? client.get("/echo?t=\(i % 4)", headers: lang) else { wrong.withLock { $0.append("no answer") }; continue }
                let expected = "t=\(i % 4) lang=\(lang.isEmpty ? "-" : "fr")"
                if r.status != 200 || !r.text.hasSuffix(" " + expected) { wrong.withLock { $0.append("\(expected): \(r.text)") } }
            }
        }
        #expect(wrong.withLock { $0 }.isEmpty)
        #expect(echo.runs.withLock { $0 } < 8 * 150, "some were replayed")
    }

    @Test("the table is bounded: past its limit it starts again empty")
    func bounded() {
        let table = ReplayTable(entryLimit: 3, byteLimit: 800)
        func entry(_ bytes: Int) -> ReplayTable.Entry {
            ReplayTable.Entry(response: OpaquePointer(bitPattern: 1)!, answer: .noContent, replay: Replay(vary: []) { true },
                              varied: [], bytes: bytes)
        }
        for i in 0..<3 { table.keep(entry(10), for: [UInt8(i)]) }
        #expect(table.count == 3)
        table.keep(entry(10), for: [9])
        #expect(table.count == 1)
        table.keep(entry(90), for: [10])
        table.keep(entry(200), for: [11])   // over an eighth of the bytes: never kept
        #expect(table.count == 2)
        #expect(table.entry([11]) == nil && table.entry([9]) != nil)
    }
}
