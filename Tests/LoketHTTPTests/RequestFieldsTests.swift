// Headers and query arguments as a handler reads them: header names without case, every pair
// there (the tables are sized from MHD's own count), none when a request has none.
import Foundation
import Testing
@testable import LoketHTTP

@Suite("Request headers and query")
struct RequestFieldsTests {
    @Test("a header is found whatever the case of the name asked for")
    func headerCase() {
        let request = Request(method: .GET, path: "/", headers: ["accept-language": "fr", "x-ä": "umlaut"])
        for name in ["accept-language", "Accept-Language", "ACCEPT-LANGUAGE", "aCCEPT-lANGUAGE"] {
            #expect(request.header(name) == "fr", "\(name)")
        }
        #expect(request.header("X-Ä") == "umlaut", "a name outside ASCII is lowered as before")
        #expect(request.header("x-ä") == "umlaut")
        #expect(request.header("accept") == nil)
        #expect(request.header("Accept") == nil, "a name missed as it is is still looked up lowered, and missed")
    }

    @Test("every header and query pair reaches the handler, and a request without a query has an empty one")
    func everyPair() throws {
        var table = RouteTable<Void>()
        table.add(.GET, "/fields") { _, r in
            let names = (0..<12).map { "x-field-\($0)" }
            let text = names.map { "\($0)=\(r.header($0.uppercased()) ?? "-")" }.joined(separator: "&")
                + "|" + r.query.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
                + "|" + (r.header("X-Mixed-Case") ?? "-")
            return Response(contentType: "text/plain", text: text)
        }
        let live = try LiveServer(router: Router(table))
        defer { live.stop() }
        var head = "GET /fields HTTP/1.1\r\nHost: t\r\nConnection: close\r\nX-MiXeD-cAsE: yes\r\n"
        for i in 0..<12 { head += "X-Field-\(i): v\(i)\r\n" }
        let bare = try exchange(port: live.port, head + "\r\n")
        let fields = (0..<12).map { "x-field-\($0)=v\($0)" }.joined(separator: "&")
        #expect(bare.text == fields + "||yes")
        let query = (0..<10).map { "k\($0)=\($0)" }.joined(separator: "&")
        let asked = try exchange(port: live.port, head.replacingOccurrences(of: "/fields", with: "/fields?" + query + "&k3=again") + "\r\n")
        let expected = (0..<10).map { "k\($0)=\($0)" }.sorted().joined(separator: "&")
        #expect(asked.text == fields + "|" + expected + "|yes", "the first value of k3 wins")
    }
}

@Suite("Kept answers")
struct KeptAnswerTests {
    @Test("a change to a kept answer drops its prepared form")
    func changeDropsPrepared() {
        let kept = Response(contentType: "text/plain", text: "x").kept()
        #expect(kept.prepared != nil)
        var headers = kept
        headers.headers.append(("X-Extra", "1"))
        #expect(headers.prepared == nil)
        var status = kept
        status.status = 503
        #expect(status.prepared == nil)
        var body = kept
        body.body = .bytes([1])
        #expect(body.prepared == nil)
    }

    @Test("a kept answer is built once and answers many requests, on many connections at once, whole")
    func keptAnswerServesMany() throws {
        let answer = Response(contentType: "application/json", text: "{\"kept\":true}", headers: [("Cache-Control", "no-store")]).kept()
        var table = RouteTable<Void>()
        table.add(.GET, "/kept") { _, _ in answer }
        let live = try LiveServer(router: Router(table))
        defer { live.stop() }
        let port = live.port
        let replies = LockedBox<[HTTPReply]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<25 {
                if let reply = try? get(port: port, "/kept") { replies.withLock { $0.append(reply) } }
            }
        }
        let all = replies.withLock { $0 }
        #expect(all.count == 200)
        for reply in all {
            #expect(reply.status == 200 && reply.text == "{\"kept\":true}")
            #expect(reply.header("Cache-Control") == "no-store")
            #expect(reply.header("Content-Security-Policy") == SecurityHeaders.dataPolicy)
            #expect(reply.header("X-Content-Type-Options") == "nosniff")
        }
        #expect(answer.prepared?.isMade == true)
        let head = try exchange(port: port, "HEAD /kept HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", isHead: true)
        #expect(head.status == 200 && head.body.isEmpty && head.header("Content-Length") == "13")
    }
}
