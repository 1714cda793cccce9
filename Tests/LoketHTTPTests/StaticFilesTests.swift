// Static files through a `{path...}` route: content types, ETags, and no way out of the root.
import Foundation
import Testing
@testable import LoketHTTP

/// A temp folder with a web root and a secret file beside it; removed by `remove()`.
final class StaticFixture: @unchecked Sendable {
    // @unchecked: the paths are set once in init.
    let base: String
    let root: String
    let secretPath: String
    static let secret = "TOP-SECRET-\(UUID().uuidString)"

    init() throws {
        let fm = FileManager.default
        base = NSTemporaryDirectory() + "loket-static-\(UUID().uuidString)"
        root = base + "/www"
        try fm.createDirectory(atPath: root + "/css", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: root + "/empty-dir", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: base + "/outside", withIntermediateDirectories: true)
        secretPath = base + "/outside/secret.txt"
        try Self.secret.write(toFile: secretPath, atomically: true, encoding: .utf8)
        // A sibling whose name starts like the root: a naive prefix check would let it through.
        try fm.createDirectory(atPath: base + "/www-private", withIntermediateDirectories: true)
        try Self.secret.write(toFile: base + "/www-private/secret.txt", atomically: true, encoding: .utf8)

        let files: [(String, String)] = [
            ("index.html", "<!doctype html><title>Loket</title>"),
            ("css/site.css", "body { color: #000 }"),
            ("app.js", "console.log('loket')"),
            ("nl.json", "{\"hello\":\"hallo\"}"),
            ("logo.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
            ("manifest.webmanifest", "{}"),
            ("notes.txt", "Zoë Ņ 李"),
            ("blob.bin", "\u{1}\u{2}"),
            ("Page.HTML", "<p>upper case</p>"),
        ]
        for (name, content) in files {
            try content.write(toFile: root + "/" + name, atomically: true, encoding: .utf8)
        }
        try Data([0x89, 0x50, 0x4E, 0x47]).write(to: URL(fileURLWithPath: root + "/icon.png"))
        try fm.createSymbolicLink(atPath: root + "/leak.txt", withDestinationPath: secretPath)
        try fm.createSymbolicLink(atPath: root + "/outside-dir", withDestinationPath: base + "/outside")
        try fm.createSymbolicLink(atPath: root + "/inside-link.css", withDestinationPath: root + "/css/site.css")
    }

    func remove() { try? FileManager.default.removeItem(atPath: base) }

    /// A server whose `/static/{path...}` route serves the root.
    func server() throws -> LiveServer {
        let files = StaticFiles(root: root)
        var table = RouteTable<Void>()
        table.add(.GET, "/static/{path...}") { _, r in files.response(for: r.parameter("path"), request: r) }
        return try LiveServer(router: Router(table))
    }
}

@Suite("Static files")
struct StaticFilesTests {
    @Test("files are served with the content type of their extension", arguments: [
        ("index.html", "text/html; charset=utf-8"),
        ("css/site.css", "text/css; charset=utf-8"),
        ("app.js", "text/javascript; charset=utf-8"),
        ("nl.json", "application/json"),
        ("logo.svg", "image/svg+xml"),
        ("icon.png", "image/png"),
        ("manifest.webmanifest", "application/manifest+json"),
        ("notes.txt", "text/plain; charset=utf-8"),
        ("blob.bin", "application/octet-stream"),
        ("Page.HTML", "text/html; charset=utf-8"),
        ("inside-link.css", "text/css; charset=utf-8"),
    ])
    func contentTypes(file: String, type: String) throws {
        let fixture = try StaticFixture()
        defer { fixture.remove() }
        let live = try fixture.server()
        defer { live.stop() }
        let reply = try get(port: live.port, "/static/" + file)
        #expect(reply.status == 200)
        #expect(reply.header("Content-Type") == type)
        #expect(reply.header("X-Content-Type-Options") == "nosniff")
        #expect(reply.header("Cache-Control") == "public, max-age=60")
        let expected = try Data(contentsOf: URL(fileURLWithPath: fixture.root + "/" + file))
        #expect(reply.body == Array(expected))
    }

    @Test("an ETag is sent and If-None-Match with it answers 304 without a body")
    func etag() throws {
        let fixture = try StaticFixture()
        defer { fixture.remove() }
        let live = try fixture.server()
        defer { live.stop() }
        let first = try get(port: live.port, "/static/app.js")
        let etag = try #require(first.header("ETag"))
        #expect(etag.hasPrefix("\"") && etag.hasSuffix("\""))
        let again = try get(port: live.port, "/static/app.js")
        #expect(again.header("ETag") == etag, "the ETag is stable")

        let c = try RawConnection(port: live.port)
        defer { c.close() }
        try c.send("GET /static/app.js HTTP/1.1\r\nHost: t\r\nIf-None-Match: \(etag)\r\n\r\n")
        let notModified = try c.readResponse()
        #expect(notModified.status == 304)
        #expect(notModified.body.isEmpty)
        #expect(notModified.header("ETag") == etag)
        // The connection is still in sync: the next answer parses.
        try c.send("GET /static/app.js HTTP/1.1\r\nHost: t\r\nIf-None-Match: \"other\"\r\n\r\n")
        let modified = try c.readResponse()
        #expect(modified.status == 200)
        #expect(modified.text == "console.log('loket')")
    }

    @Test("a changed file gets a new ETag")
    func etagChanges() throws {
        let fixture = try StaticFixture()
        defer { fixture.remove() }
        let files = StaticFiles(root: fixture.root)
        let before = files.response(for: "notes.txt", request: Request(method: .GET, path: "/")).header("ETag")
        try "something longer than before".write(toFile: fixture.root + "/notes.txt", atomically: true, encoding: .utf8)
        let after = files.response(for: "notes.txt", request: Request(method: .GET, path: "/")).header("ETag")
        #expect(before != nil)
        #expect(before != after)
    }

    @Test("If-None-Match with a list of ETags that includes the current one answers 304")
    func etagList() throws {
        let fixture = try StaticFixture()
        defer { fixture.remove() }
        let files = StaticFiles(root: fixture.root)
        let etag = try #require(files.response(for: "app.js", request: Request(method: .GET, path: "/")).header("ETag"))
        let listed = files.response(for: "app.js", request: Request(method: .GET, path: "/", headers: ["if-none-match": "\"old\", \(etag)"]))
        let star = files.response(for: "app.js", request: Request(method: .GET, path: "/", headers: ["if-none-match": "*"]))
        #expect(listed.status == 304)
        #expect(star.status == 304)
    }

    @Test("traversal attempts answer 404 and never the outside file", arguments: [
        "/static/../outside/secret.txt",
        "/static/../../outside/secret.txt",
        "/static/css/../../outside/secret.txt",
        "/static/%2e%2e/outside/secret.txt",
        "/static/%2E%2E/outside/secret.txt",
        "/static/..%2foutside%2fsecret.txt",
        "/static/..%2Foutside/secret.txt",
        "/static/%2e%2e%2f%2e%2e%2foutside/secret.txt",
        "/static/..%5coutside%5csecret.txt",
        "/static/....//outside/secret.txt",
        "/static/../www-private/secret.txt",
        "/static/%2e%2e/www-private/secret.txt",
        "/static/leak.txt",
        "/static/outside-dir/secret.txt",
        "/static/outside-dir",
        "/static/css/",
        "/static/empty-dir",
        "/static/css",
        "/static/.",
        "/static/..",
        "/static/%00index.html",
        "/static/nonexistent.css",
        "/static//etc/passwd",
        "/static/%2fetc%2fpasswd",
    ])
    func traversal(target: String) throws {
        let fixture = try StaticFixture()
        defer { fixture.remove() }
        let live = try fixture.server()
        defer { live.stop() }
        let reply = try get(port: live.port, target)
        #expect(reply.status == 404, "\(target) answered \(reply.status)")
        #expect(!reply.text.contains(StaticFixture.secret))
        #expect(!reply.text.contains("root:"))
        if reply.status == 404 { #expect(reply.header("Content-Type") == "application/problem+json") }
    }

    @Test("a NUL in the path never reaches outside the root")
    func nulInPath() throws {
        let fixture = try StaticFixture()
        defer { fixture.remove() }
        let live = try fixture.server()
        defer { live.stop() }
        // MHD decodes %00 and the path is read as a C string, so the path ends at the NUL:
        // `index.html%00.txt` is `index.html`. Whatever is answered, it is never the outside file.
        for target in ["/static/index.html%00.txt", "/static/leak.txt%00.png", "/static/..%00/outside/secret.txt"] {
            let reply = try get(port: live.port, target)
            #expect(!reply.text.contains(StaticFixture.secret), "\(target)")
            #expect(reply.status == 200 || reply.status == 404, "\(target)")
        }
    }

    @Test("an absolute or escaping relative path is refused by StaticFiles itself", arguments: [
        "/etc/passwd", "../outside/secret.txt", "leak.txt", "outside-dir/secret.txt", "", "css", ".", "a\u{0}b",
    ])
    func traversalDirect(relative: String) throws {
        let fixture = try StaticFixture()
        defer { fixture.remove() }
        let files = StaticFiles(root: fixture.root)
        let response = files.response(for: relative, request: Request(method: .GET, path: "/"))
        #expect(response.status == 404)
        if case .bytes(let b) = response.body { #expect(!String(decoding: b, as: UTF8.self).contains(StaticFixture.secret)) }
        // An absolute path to the secret itself, as a client might hope:
        #expect(files.response(for: fixture.secretPath, request: Request(method: .GET, path: "/")).status == 404)
    }

    @Test("a root given through a symlink still serves its files")
    func symlinkedRoot() throws {
        let fixture = try StaticFixture()
        defer { fixture.remove() }
        let link = fixture.base + "/www-link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: fixture.root)
        let files = StaticFiles(root: link)
        #expect(files.response(for: "index.html", request: Request(method: .GET, path: "/")).status == 200)
        #expect(files.response(for: "leak.txt", request: Request(method: .GET, path: "/")).status == 404)
    }
}
