// Bad input on the wire: oversized bodies and URLs, malformed requests, header floods, random bytes.
// Each test ends by checking that the server still answers a normal request.
import Foundation
import LoketCore
import Testing
@testable import LoketHTTP

/// True when the server still answers `/hello` on a new connection.
private func stillServes(_ live: LiveServer) -> Bool {
    (try? get(port: live.port, "/hello", timeout: 5))?.text == "hello"
}

/// What the server did with one bad request: its status, or nil if it closed without answering.
private func statusOrClose(_ c: RawConnection, timeout: Double = 5) -> Int? {
    do {
        return try c.readResponse(timeout: timeout).status
    } catch {
        return nil
    }
}

@Suite("Bad input")
struct BadInputTests {
    static let limit = 1024

    private func server() throws -> LiveServer {
        try LiveServer(router: demoRouter()) { $0.maxBodyBytes = BadInputTests.limit; $0.maxURLBytes = 512 }
    }

    @Test("a body over maxBodyBytes announced by Content-Length answers 413")
    func bodyTooLargeContentLength() throws {
        let live = try server()
        defer { live.stop() }
        let c = try RawConnection(port: live.port)
        defer { c.close() }
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: Self.limit + 1)
        try c.send(Array("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
        let reply = try c.readResponse()
        #expect(reply.status == 413)
        #expect(reply.header("Content-Type") == "application/problem+json")
        #expect(reply.json?["code"] as? String == "body_too_large")
        #expect(stillServes(live))
    }

    @Test("a body of exactly maxBodyBytes is accepted")
    func bodyAtLimit() throws {
        let live = try server()
        defer { live.stop() }
        let c = try RawConnection(port: live.port)
        defer { c.close() }
        let body = [UInt8](repeating: UInt8(ascii: "y"), count: Self.limit)
        try c.send(Array("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
        let reply = try c.readResponse()
        #expect(reply.status == 200)
        #expect(reply.body == body)
    }

    @Test("a chunked body that grows over maxBodyBytes answers 413; a small chunked body is assembled")
    func bodyTooLargeChunked() throws {
        let live = try server()
        defer { live.stop() }
        let c = try RawConnection(port: live.port)
        defer { c.close() }
        var wire = "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
        for _ in 0..<5 { wire += "100\r\n" + String(repeating: "z", count: 256) + "\r\n" } // 1280 bytes in all
        wire += "0\r\n\r\n"
        try c.send(wire)
        let reply = try c.readResponse()
        #expect(reply.status == 413)
        #expect(reply.json?["code"] as? String == "body_too_large")

        // The same connection (or a new one if MHD closed it) takes a small chunked body.
        let d = try RawConnection(port: live.port)
        defer { d.close() }
        try d.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
        let ok = try d.readResponse()
        #expect(ok.status == 200)
        #expect(ok.text == "hello world")
    }

    @Test("a huge Content-Length is refused without reading the body first")
    func hugeContentLengthEarly() throws {
        let live = try server()
        defer { live.stop() }
        let c = try RawConnection(port: live.port)
        defer { c.close() }
        // A client that announces 1 GB and waits for permission (Expect: 100-continue), as curl does.
        try c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000000\r\nExpect: 100-continue\r\n\r\n")
        let first = try? c.readResponse(timeout: 3, skipInterim: false)
        #expect(first?.status == 413)
        #expect(stillServes(live))
    }

    @Test("a URL over maxURLBytes answers a 414 problem", arguments: ["path", "query"])
    func uriTooLong(part: String) throws {
        let live = try server()
        defer { live.stop() }
        let long = String(repeating: "a", count: 600)
        let target = part == "path" ? "/items/\(long)" : "/query?q=\(long)"
        let reply = try get(port: live.port, target)
        #expect(reply.status == 414)
        #expect(reply.header("Content-Type") == "application/problem+json")
        #expect(reply.json?["code"] as? String == "uri_too_long")
        // Just under the limit still routes.
        #expect(try get(port: live.port, "/items/" + String(repeating: "b", count: 400)).status == 200)
    }

    @Test("a URL larger than MHD's buffer gets a 4xx or a close, and the server lives on")
    func enormousURL() throws {
        let live = try server()
        defer { live.stop() }
        let c = try RawConnection(port: live.port)
        defer { c.close() }
        try? c.send("GET /" + String(repeating: "u", count: 200_000) + " HTTP/1.1\r\nHost: t\r\n\r\n")
        if let status = statusOrClose(c) {
            #expect((400..<500).contains(status))
        }
        #expect(stillServes(live))
    }

    @Test("malformed requests get a 4xx (or a close) and others are still served", arguments: [
        "GARBAGE\r\n\r\n",
        "GET\r\n\r\n",
        "GET /hello HTTP/1.1 extra\r\nHost: t\r\n\r\n",
        "GET /hello HTTP/1.1\r\nNo colon here\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: -5\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nxx\r\n0\r\n\r\n",
        "\u{0}\u{1}\u{2}\u{3}\r\n\r\n",
    ])
    func malformed(request: String) throws {
        let live = try server()
        defer { live.stop() }
        let c = try RawConnection(port: live.port)
        defer { c.close() }
        try c.send(request)
        c.shutdownWrite()
        let status = statusOrClose(c)
        if let status {
            #expect((400..<500).contains(status), "\(request.debugDescription) answered \(status)")
        }
        #expect(stillServes(live))
    }

    @Test("a flood of headers is refused, and the server lives on")
    func headerFlood() throws {
        let live = try server()
        defer { live.stop() }
        let c = try RawConnection(port: live.port)
        defer { c.close() }
        var wire = "GET /hello HTTP/1.1\r\nHost: t\r\n"
        for i in 0..<20_000 { wire += "X-Flood-\(i): \(String(repeating: "v", count: 20))\r\n" }
        wire += "\r\n"
        try? c.send(wire)
        let status = statusOrClose(c)
        #expect(status != 200, "600 kB of headers must not be accepted")
        if let status { #expect((400..<500).contains(status)) }
        #expect(stillServes(live))
    }

    @Test("random byte sequences never crash the server")
    func randomBytes() throws {
        let seed = UInt64.random(in: 0..<UInt64.max)
        print("BadInputTests.randomBytes seed: \(seed)")
        var generator = SplitMix64(seed: seed)
        let live = try server()
        defer { live.stop() }
        let prefixes = ["", "GET ", "GET /hello HTTP/1.1\r\n", "POST /echo HTTP/1.1\r\nContent-Length: 10\r\n\r\n",
                        "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", "HEAD /files/"]
        var answered = 0
        for round in 0..<150 {
            let prefix = prefixes[Int.random(in: 0..<prefixes.count, using: &generator)]
            let length = Int.random(in: 0...2000, using: &generator)
            var bytes = Array(prefix.utf8)
            // Mostly printable noise with CR/LF sprinkled in, sometimes raw binary.
            let binary = Bool.random(using: &generator)
            for _ in 0..<length {
                if binary {
                    bytes.append(UInt8.random(in: 0...255, using: &generator))
                } else {
                    let pick = Int.random(in: 0..<40, using: &generator)
                    bytes.append(pick == 0 ? 13 : pick == 1 ? 10 : pick == 2 ? 58 : UInt8.random(in: 32...126, using: &generator))
                }
            }
            let c = try RawConnection(port: live.port)
            try? c.send(bytes)
            c.shutdownWrite()
            if let status = statusOrClose(c, timeout: 3) {
                answered += 1
                #expect((200..<600).contains(status), "round \(round) (seed \(seed))")
            }
            c.close()
            if round % 25 == 0 { #expect(stillServes(live), "round \(round) (seed \(seed))") }
        }
        print("BadInputTests.randomBytes: \(answered) of 150 sequences got an HTTP answer")
        #expect(stillServes(live))
    }
}
