// A raw-socket HTTP/1.1 client shared by the live-server and end-to-end tests: it sends paths and
// bytes exactly as written, which URLSession would normalize.
//
// It sends exactly the bytes it is given (no path normalization, so `/static/../..` reaches the
// server as written), opens one connection per request with `Connection: close`, and bounds every
// wait with `poll(2)`, so a hung server fails a test instead of hanging it. `EventStreamClient`
// keeps one connection open and parses Server-Sent Events as they arrive (chunked or not).
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a test request failed below HTTP.
public struct HTTPTestError: Error, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
}

/// One answer, fully read.
public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names in lower case (the last value wins when a name repeats).
    public var headers: [String: String]
    public var body: [UInt8]

    public var text: String { String(decoding: body, as: UTF8.self) }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// The body as any JSON value.
    public func json() throws -> Any {
        do {
            return try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
        } catch {
            throw HTTPTestError(description: "status \(status): body is not JSON: \(text.prefix(300))")
        }
    }

    /// The body as a JSON object.
    public func object() throws -> [String: Any] {
        guard let o = try json() as? [String: Any] else {
            throw HTTPTestError(description: "status \(status): body is not a JSON object: \(text.prefix(300))")
        }
        return o
    }

    /// The body as a JSON array of objects.
    public func array() throws -> [[String: Any]] {
        guard let a = try json() as? [[String: Any]] else {
            throw HTTPTestError(description: "status \(status): body is not a JSON array of objects: \(text.prefix(300))")
        }
        return a
    }

    /// The problem `code`, when this is an `application/problem+json` answer.
    public var problemCode: String? {
        guard isProblem else { return nil }
        return (try? object())?["code"] as? String
    }

    /// Whether the content type is RFC 9457 problem details.
    public var isProblem: Bool { header("content-type")?.hasPrefix("application/problem+json") == true }

    /// The `fields` member of a problem (field -> message).
    public var problemFields: [String: String] {
        ((try? object())?["fields"] as? [String: String]) ?? [:]
    }
}

/// Low-level socket helpers shared by the request client and the event-stream client.
public enum TestSocket {
    /// A connected TCP socket to 127.0.0.1:`port`.
    public static func connect(port: UInt16) throws -> Int32 {
        #if os(Linux)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw HTTPTestError(description: "socket() failed: errno \(errno)") }
        #if !os(Linux)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                #if os(Linux)
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                #else
                Darwin.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                #endif
            }
        }
        guard rc == 0 else {
            let e = errno
            close(fd)
            throw HTTPTestError(description: "connect to port \(port) failed: errno \(e)")
        }
        return fd
    }

    /// Writes all of `bytes`; returns false when the peer closed (EPIPE/ECONNRESET) before all was sent.
    @discardableResult
    public static func sendAll(_ fd: Int32, _ bytes: [UInt8], deadline: Date) throws -> Bool {
        var offset = 0
        while offset < bytes.count {
            var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let ms = Int32(max(0, min(Double(Int32.max), deadline.timeIntervalSinceNow * 1000)))
            guard poll(&p, 1, ms) > 0 else { throw HTTPTestError(description: "timed out sending the request") }
            #if os(Linux)
            let flags = Int32(MSG_NOSIGNAL)
            #else
            let flags: Int32 = 0
            #endif
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, bytes.count - offset, flags) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                if errno == EPIPE || errno == ECONNRESET { return false }
                throw HTTPTestError(description: "send failed: errno \(errno)")
            }
            offset += n
        }
        return true
    }

    /// Reads what is available, waiting until `deadline`; nil at end of stream.
    /// - Throws: on timeout.
    public static func receive(_ fd: Int32, deadline: Date) throws -> [UInt8]? {
        while true {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ms = Int32(max(0, min(Double(Int32.max), deadline.timeIntervalSinceNow * 1000)))
            let r = poll(&p, 1, ms)
            if r < 0, errno == EINTR { continue }
            guard r > 0 else { throw HTTPTestError(description: "timed out waiting for the server") }
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                if errno == ECONNRESET { return nil }
                throw HTTPTestError(description: "recv failed: errno \(errno)")
            }
            if n == 0 { return nil }
            return Array(buffer[0..<n])
        }
    }

    public static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int = 0) -> Int? {
        guard needle.count <= haystack.count, start <= haystack.count - needle.count else { return nil }
        var i = start
        while i <= haystack.count - needle.count {
            if haystack[i] == needle[0] && Array(haystack[i..<(i + needle.count)]) == needle { return i }
            i += 1
        }
        return nil
    }

    /// Parses `HTTP/1.1 200 OK` plus header lines.
    public static func parseHead(_ head: [UInt8]) throws -> (status: Int, headers: [String: String]) {
        let lines = String(decoding: head, as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/"), let status = Int(statusParts[1]) else {
            throw HTTPTestError(description: "malformed status line: \(lines.first ?? "")")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return (status, headers)
    }
}

/// Decodes `Transfer-Encoding: chunked` incrementally.
public struct ChunkDecoder {
    private var raw: [UInt8] = []
    private var remaining: Int? = nil
    /// The terminating zero-size chunk was seen.
    private(set) var finished = false

    /// Feeds bytes; returns the payload bytes they complete.
    public mutating func feed(_ bytes: [UInt8]) throws -> [UInt8] {
        raw += bytes
        var out: [UInt8] = []
        while !finished {
            if let n = remaining {
                guard raw.count >= n + 2 else { break }
                out += raw[0..<n]
                raw.removeFirst(n + 2)
                remaining = nil
            } else {
                guard let eol = TestSocket.find([13, 10], in: raw) else { break }
                let line = String(decoding: raw[0..<eol], as: UTF8.self)
                let sizeText = line.split(separator: ";").first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
                guard let size = Int(sizeText, radix: 16) else { throw HTTPTestError(description: "bad chunk size '\(line)'") }
                raw.removeFirst(eol + 2)
                if size == 0 { finished = true } else { remaining = size }
            }
        }
        return out
    }
}

/// Sends requests to one live server.
public struct HTTPClient: Sendable {
    public var port: UInt16

    public init(port: UInt16, timeout: TimeInterval = 20) {
        self.port = port
        self.timeout = timeout
    }
    /// Longest wait for one whole exchange.
    public var timeout: TimeInterval = 20

    /// One exchange; `target` is sent verbatim (path plus query).
    public func send(_ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
              token: String? = nil) throws -> HTTPResponse {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        return try exchange(Array(head.utf8) + (body ?? []), method: method, target: target)
    }

    /// Sends `request` byte for byte (head and body, as the caller wrote them) and reads the answer.
    public func exchange(_ request: [UInt8], method: String = "GET", target: String = "") throws -> HTTPResponse {
        let deadline = Date().addingTimeInterval(timeout)
        let fd = try TestSocket.connect(port: port)
        defer { close(fd) }
        try TestSocket.sendAll(fd, request, deadline: deadline)

        var buffer: [UInt8] = []
        var parsed: (status: Int, headers: [String: String])?
        var bodyStart = 0
        var decoder: ChunkDecoder?
        var payload: [UInt8] = []
        while true {
            if parsed == nil, let end = TestSocket.find([13, 10, 13, 10], in: buffer) {
                parsed = try TestSocket.parseHead(Array(buffer[0..<end]))
                bodyStart = end + 4
                if parsed!.headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
                    decoder = ChunkDecoder()
                    payload = try decoder!.feed(Array(buffer[bodyStart...]))
                }
            }
            if let p = parsed {
                let noBody = method == "HEAD" || p.status == 204 || p.status == 304 || (100..<200).contains(p.status)
                if noBody { return HTTPResponse(status: p.status, headers: p.headers, body: []) }
                if let d = decoder, d.finished { return HTTPResponse(status: p.status, headers: p.headers, body: payload) }
                if decoder == nil, let length = p.headers["content-length"].flatMap({ Int($0) }), buffer.count - bodyStart >= length {
                    return HTTPResponse(status: p.status, headers: p.headers, body: Array(buffer[bodyStart..<(bodyStart + length)]))
                }
            }
            guard let more = try TestSocket.receive(fd, deadline: deadline) else { break }
            if decoder != nil {
                payload += try decoder!.feed(more)
            } else {
                buffer += more
            }
        }
        guard let p = parsed else {
            throw HTTPTestError(description: "connection closed before a complete answer to \(method) \(target)")
        }
        if decoder != nil { return HTTPResponse(status: p.status, headers: p.headers, body: payload) }
        return HTTPResponse(status: p.status, headers: p.headers, body: Array(buffer[bodyStart...]))
    }

    public func get(_ target: String, token: String? = nil, headers: [(String, String)] = []) throws -> HTTPResponse {
        try send("GET", target, headers: headers, token: token)
    }

    public func delete(_ target: String, token: String? = nil) throws -> HTTPResponse {
        try send("DELETE", target, token: token)
    }

    /// POST with a JSON body made from `json` (an object, array or nil for no body).
    public func post(_ target: String, json: Any? = nil, token: String? = nil) throws -> HTTPResponse {
        guard let json else { return try send("POST", target, token: token) }
        let data = try JSONSerialization.data(withJSONObject: json, options: [])
        return try send("POST", target, headers: [("Content-Type", "application/json")], body: Array(data), token: token)
    }

    /// POST with a body given as raw text.
    public func post(_ target: String, raw: String, contentType: String = "application/json", token: String? = nil) throws -> HTTPResponse {
        try send("POST", target, headers: [("Content-Type", contentType)], body: Array(raw.utf8), token: token)
    }
}

/// Percent-encodes a query value (everything but unreserved characters).
public func q(_ s: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
}

/// One Server-Sent Event as received.
public struct ReceivedEvent: Sendable {
    public var id: Int64?
    public var name: String?
    public var data: String
    public var receivedAt: Date

    /// `data` parsed as a JSON object (empty when it is not one).
    public var object: [String: Any] {
        ((try? JSONSerialization.jsonObject(with: Data(data.utf8))) as? [String: Any]) ?? [:]
    }
}

/// A client holding one `text/event-stream` connection open.
public final class EventStreamClient {
    private let fd: Int32
    private var decoder: ChunkDecoder?
    /// Decoded stream bytes not yet parsed into events.
    private var pending: [UInt8] = []
    private var closed = false
    public let status: Int
    public let headers: [String: String]
    /// The `retry:` field was seen (the server sends it first, once the stream is set up).
    private(set) var sawRetry = false
    /// The server ended the stream.
    private(set) var ended = false

    /// Opens `path` with extra headers (e.g. `Last-Event-ID`); waits at most `timeout` for the answer's head.
    public init(port: UInt16, path: String, headers extra: [(String, String)] = [], timeout: TimeInterval = 5) throws {
        let deadline = Date().addingTimeInterval(timeout)
        fd = try TestSocket.connect(port: port)
        var head = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAccept: text/event-stream\r\n"
        for (k, v) in extra { head += "\(k): \(v)\r\n" }
        head += "\r\n"
        do {
            try TestSocket.sendAll(fd, Array(head.utf8), deadline: deadline)
            var buffer: [UInt8] = []
            while TestSocket.find([13, 10, 13, 10], in: buffer) == nil {
                guard let more = try TestSocket.receive(fd, deadline: deadline) else {
                    throw HTTPTestError(description: "event stream closed before its head")
                }
                buffer += more
            }
            let end = TestSocket.find([13, 10, 13, 10], in: buffer)!
            let parsed = try TestSocket.parseHead(Array(buffer[0..<end]))
            status = parsed.status
            headers = parsed.headers
            let rest = Array(buffer[(end + 4)...])
            if parsed.headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
                var d = ChunkDecoder()
                pending = try d.feed(rest)
                decoder = d
            } else {
                pending = rest
            }
        } catch {
            close(fd)
            throw error
        }
    }

    deinit { shutdown() }

    public func shutdown() {
        if !closed {
            closed = true
            close(fd)
        }
    }

    /// Reads more bytes; false at end of stream.
    private func fill(deadline: Date) throws -> Bool {
        guard let more = try TestSocket.receive(fd, deadline: deadline) else {
            ended = true
            return false
        }
        if decoder != nil {
            pending += try decoder!.feed(more)
            if decoder!.finished { ended = true }
        } else {
            pending += more
        }
        return true
    }

    /// The next event with data, or nil when none arrives before `timeout` or the stream ends.
    public func next(timeout: TimeInterval) throws -> ReceivedEvent? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            while let end = TestSocket.find([10, 10], in: pending) {
                let block = String(decoding: pending[0..<end], as: UTF8.self)
                pending.removeFirst(end + 2)
                var event = ReceivedEvent(id: nil, name: nil, data: "", receivedAt: Date())
                var dataLines: [String] = []
                for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
                    if line.hasPrefix(":") { continue }
                    let (field, value): (Substring, Substring)
                    if let colon = line.firstIndex(of: ":") {
                        field = line[..<colon]
                        var v = line[line.index(after: colon)...]
                        if v.hasPrefix(" ") { v = v.dropFirst() }
                        value = v
                    } else {
                        (field, value) = (line, "")
                    }
                    switch field {
                    case "id": event.id = Int64(value)
                    case "event": event.name = String(value)
                    case "data": dataLines.append(String(value))
                    case "retry": sawRetry = true
                    default: break
                    }
                }
                if !dataLines.isEmpty {
                    event.data = dataLines.joined(separator: "\n")
                    return event
                }
            }
            if ended || deadline.timeIntervalSinceNow <= 0 { return nil }
            do {
                if try !fill(deadline: deadline) { continue }
            } catch let e as HTTPTestError where e.description.contains("timed out") {
                return nil
            }
        }
    }

    /// Waits until the server's first `retry:` line has arrived (the stream is registered).
    public func waitUntilOpen(timeout: TimeInterval) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !sawRetry {
            if TestSocket.find(Array("retry:".utf8), in: pending) != nil {
                sawRetry = true
                break
            }
            if ended || deadline.timeIntervalSinceNow <= 0 { return false }
            do {
                _ = try fill(deadline: deadline)
            } catch let e as HTTPTestError where e.description.contains("timed out") {
                return false
            }
        }
        return true
    }

    /// Whether the server closes the stream within `timeout` (events still arriving are skipped).
    public func waitForEnd(timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !ended && deadline.timeIntervalSinceNow > 0 {
            do { _ = try fill(deadline: deadline) } catch { return ended }
            pending.removeAll()
        }
        return ended
    }
}

/// Runs `body(i)` for `i` in `0..<count`, each on its own thread, all released at the same moment.
///
/// Returns false when they did not all finish within `timeout`.
public func onThreads(_ count: Int, timeout: TimeInterval, _ body: @escaping @Sendable (Int) -> Void) -> Bool {
    let ready = DispatchGroup()
    let done = DispatchGroup()
    let gate = DispatchSemaphore(value: 0)
    for i in 0..<count {
        ready.enter()
        done.enter()
        let thread = Thread {
            ready.leave()
            gate.wait()
            body(i)
            done.leave()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }
    _ = ready.wait(timeout: .now() + 10)
    for _ in 0..<count { gate.signal() }
    return done.wait(timeout: .now() + timeout) == .success
}
