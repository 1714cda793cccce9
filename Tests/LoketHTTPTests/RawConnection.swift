// A blocking TCP client over POSIX sockets that sends exact bytes and reads with deadlines.
//
// URLSession cannot send a malformed request line, stop halfway through a request or keep
// 300 streams open cheaply, so the live tests talk to the server through this instead.
// Every read takes a deadline; nothing here can hang a test.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failure of the test client itself (connect, send, timeout, malformed answer).
struct RawHTTPError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// One HTTP answer as read off the wire.
struct HTTPReply {
    var status: Int
    /// Header fields in wire order, names as sent.
    var headers: [(String, String)]
    /// The body after de-chunking.
    var body: [UInt8]

    /// A header by case-insensitive name (first one wins).
    func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as a JSON object, nil when it is not one.
    var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }
}

/// Incremental decoder of `Transfer-Encoding: chunked` bodies.
struct ChunkedDecoder {
    private enum State {
        case size([UInt8])
        case data(Int)
        case dataEnd(Int)
        case trailer([UInt8])
        case done
    }
    private var state = State.size([])
    /// Set when a chunk-size line does not parse.
    private(set) var malformed = false

    /// True once the last (zero-size) chunk and the trailer were read.
    var isFinished: Bool { if case .done = state { return true } else { return false } }

    /// Feeds wire bytes; returns the payload bytes they carried. Bytes after the end are ignored.
    mutating func feed(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        for b in bytes {
            switch state {
            case .size(var line):
                if b == UInt8(ascii: "\n") {
                    if line.last == UInt8(ascii: "\r") { line.removeLast() }
                    let text = String(decoding: line, as: UTF8.self).split(separator: ";").first.map(String.init) ?? ""
                    guard let n = Int(text.trimmingCharacters(in: .whitespaces), radix: 16) else {
                        malformed = true
                        state = .done
                        continue
                    }
                    state = n == 0 ? .trailer([]) : .data(n)
                } else {
                    line.append(b)
                    state = .size(line)
                }
            case .data(let remaining):
                out.append(b)
                state = remaining == 1 ? .dataEnd(2) : .data(remaining - 1)
            case .dataEnd(let k):
                state = k == 1 ? .size([]) : .dataEnd(k - 1)
            case .trailer(var line):
                if b == UInt8(ascii: "\n") {
                    if line.last == UInt8(ascii: "\r") { line.removeLast() }
                    state = line.isEmpty ? .done : .trailer([])
                } else {
                    line.append(b)
                    state = .trailer(line)
                }
            case .done:
                break
            }
        }
        return out
    }
}

/// One client connection to 127.0.0.1.
final class RawConnection {
    let fd: Int32
    private var isOpen = true
    /// Received bytes not yet consumed by a read method.
    var buffer: [UInt8] = []
    /// True once recv returned 0 (orderly close) or an error such as ECONNRESET.
    private(set) var peerClosed = false

    /// Connects to 127.0.0.1:`port`; `receiveBuffer` shrinks SO_RCVBUF (a slow reader fills up sooner).
    init(port: UInt16, receiveBuffer: Int32? = nil) throws {
        signal(SIGPIPE, SIG_IGN)
        #if canImport(Glibc)
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw RawHTTPError("socket: errno \(errno)") }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else {
            let e = errno
            sysClose(fd)
            isOpen = false
            throw RawHTTPError("connect to port \(port): errno \(e)")
        }
    }

    deinit { close() }

    func close() {
        if isOpen {
            isOpen = false
            sysClose(fd)
        }
    }

    /// Closes with an RST instead of a FIN (SO_LINGER 0), like a client that vanishes.
    func abort() {
        var l = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, socklen_t(MemoryLayout<linger>.size))
        close()
    }

    /// Sends every byte; throws when the server closed the connection.
    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                sysSend(fd, raw.baseAddress!.advanced(by: offset), bytes.count - offset)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw RawHTTPError("send: errno \(errno)")
            }
            offset += n
        }
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Half-closes: the server sees end of input, we can still read.
    func shutdownWrite() { _ = shutdown(fd, Int32(SHUT_WR)) }

    /// Reads what is available into `buffer`, waiting at most until `deadline`.
    /// Returns false on timeout; sets `peerClosed` on EOF or a reset.
    @discardableResult
    func fill(until deadline: Date) -> Bool {
        if peerClosed { return false }
        let ms = Int32(max(0, min(Double(Int32.max), deadline.timeIntervalSinceNow * 1000)).rounded(.up))
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&p, 1, ms)
        if ready <= 0 { return false }
        return receiveAvailable() > 0 || peerClosed
    }

    /// Non-blocking read of whatever is buffered in the kernel, 1 MiB at most (callers loop: a reader
    /// polling against a deadline regains control while a fast server keeps the socket full);
    /// returns the byte count.
    @discardableResult
    func receiveAvailable() -> Int {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var total = 0
        while total < 1 << 20 {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n > 0 {
                buffer.append(contentsOf: chunk[0..<n])
                total += n
                continue
            }
            if n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) { peerClosed = true }
            return total
        }
        return total
    }

    /// Waits until the server closes the connection; true if it did before `timeout`.
    func waitForClose(timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !peerClosed && Date() < deadline {
            fill(until: deadline)
            buffer.removeAll()
        }
        return peerClosed
    }

    /// Reads one response (status line, headers, body). 1xx interim answers are returned too
    /// unless `skipInterim`. `isHead` means the body is absent whatever the headers say.
    func readResponse(timeout: Double = 5, isHead: Bool = false, skipInterim: Bool = true) throws -> HTTPReply {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let reply = try readOneResponse(deadline: deadline, isHead: isHead)
            if skipInterim && (100..<200).contains(reply.status) { continue }
            return reply
        }
    }

    /// Reads the status line and headers only, leaving the body in `buffer`.
    func readHead(deadline: Date) throws -> (status: Int, headers: [(String, String)]) {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        while true {
            if let range = firstRange(of: separator, in: buffer) {
                let head = String(decoding: buffer[..<range.lowerBound], as: UTF8.self)
                buffer.removeSubrange(..<range.upperBound)
                var lines = head.components(separatedBy: "\r\n")
                let statusLine = lines.removeFirst()
                let parts = statusLine.split(separator: " ", maxSplits: 2)
                guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]) else {
                    throw RawHTTPError("bad status line: \(statusLine.prefix(80))")
                }
                let headers: [(String, String)] = lines.compactMap { line in
                    guard let colon = line.firstIndex(of: ":") else { return nil }
                    return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
                }
                return (status, headers)
            }
            if peerClosed { throw RawHTTPError("connection closed before a response head (\(buffer.count) bytes)") }
            if Date() >= deadline { throw RawHTTPError("timed out waiting for a response head") }
            fill(until: deadline)
        }
    }

    private func readOneResponse(deadline: Date, isHead: Bool) throws -> HTTPReply {
        let (status, headers) = try readHead(deadline: deadline)
        var reply = HTTPReply(status: status, headers: headers, body: [])
        if isHead || (100..<200).contains(status) || status == 204 || status == 304 { return reply }
        if reply.header("Transfer-Encoding")?.lowercased().contains("chunked") == true {
            var decoder = ChunkedDecoder()
            while true {
                // Feed one byte at a time so bytes after the last chunk stay in `buffer`.
                var consumed = 0
                for b in buffer {
                    reply.body += decoder.feed(CollectionOfOne(b))
                    consumed += 1
                    if decoder.isFinished { break }
                }
                buffer.removeFirst(consumed)
                if decoder.malformed { throw RawHTTPError("malformed chunked body") }
                if decoder.isFinished { return reply }
                if peerClosed { throw RawHTTPError("connection closed inside a chunked body") }
                if Date() >= deadline { throw RawHTTPError("timed out inside a chunked body") }
                fill(until: deadline)
            }
        }
        if let lengthText = reply.header("Content-Length"), let length = Int(lengthText) {
            while buffer.count < length {
                if peerClosed { throw RawHTTPError("connection closed after \(buffer.count) of \(length) body bytes") }
                if Date() >= deadline { throw RawHTTPError("timed out after \(buffer.count) of \(length) body bytes") }
                fill(until: deadline)
            }
            reply.body = Array(buffer[..<length])
            buffer.removeFirst(length)
            return reply
        }
        // Neither: the body runs until the server closes.
        while !peerClosed {
            if Date() >= deadline { throw RawHTTPError("timed out reading a body delimited by close") }
            fill(until: deadline)
        }
        reply.body = buffer
        buffer = []
        return reply
    }
}

private func sysClose(_ fd: Int32) {
    #if canImport(Glibc)
    _ = Glibc.close(fd)
    #else
    _ = Darwin.close(fd)
    #endif
}

private func sysSend(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.send(fd, p, n, Int32(MSG_NOSIGNAL))
    #else
    return Darwin.send(fd, p, n, 0)
    #endif
}

func firstRange(of needle: [UInt8], in haystack: [UInt8]) -> Range<Int>? {
    guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
    var i = 0
    while i + needle.count <= haystack.count {
        if haystack[i] == needle[0] && Array(haystack[i..<(i + needle.count)]) == needle { return i..<(i + needle.count) }
        i += 1
    }
    return nil
}

/// Sends one request on a fresh connection and reads the answer.
func exchange(port: UInt16, _ request: String, timeout: Double = 5, isHead: Bool = false) throws -> HTTPReply {
    let c = try RawConnection(port: port)
    defer { c.close() }
    try c.send(request)
    return try c.readResponse(timeout: timeout, isHead: isHead)
}

/// A plain `GET` on a fresh connection.
func get(port: UInt16, _ target: String, headers: [String] = [], timeout: Double = 5) throws -> HTTPReply {
    let extra = headers.map { $0 + "\r\n" }.joined()
    return try exchange(port: port, "GET \(target) HTTP/1.1\r\nHost: test\r\n\(extra)Connection: close\r\n\r\n", timeout: timeout)
}

