// A raw-socket Server-Sent Events client: sends the request, de-chunks, splits events.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One block of an event stream (the lines between blank lines).
struct SSEBlock: Equatable {
    var id: Int64?
    var event: String?
    var data: [String] = []
    var retry: Int?
    /// A comment-only block, such as the heartbeat `:`.
    var isComment = false
}

/// A client of one `text/event-stream` answer.
final class SSEClient {
    let connection: RawConnection
    private(set) var status: Int?
    private(set) var headers: [(String, String)] = []
    private var chunked = false
    private var decoder = ChunkedDecoder()
    private var text: [UInt8] = []
    /// Every byte of the event stream received so far (de-chunked), as the server sent it.
    private(set) var received: [UInt8] = []
    /// Every block received, in order.
    private(set) var blocks: [SSEBlock] = []
    /// When each event id arrived (first arrival).
    private(set) var arrivals: [Int64: Date] = [:]
    /// True when the stream ended: end of chunked body or connection closed.
    private(set) var ended = false

    /// Connects and sends `GET path`, with `Last-Event-ID` when given.
    init(port: UInt16, path: String, lastEventID: Int64? = nil, http10: Bool = false, receiveBuffer: Int32? = nil) throws {
        connection = try RawConnection(port: port, receiveBuffer: receiveBuffer)
        var request = "GET \(path) HTTP/\(http10 ? "1.0" : "1.1")\r\nHost: t\r\nAccept: text/event-stream\r\n"
        if let lastEventID { request += "Last-Event-ID: \(lastEventID)\r\n" }
        try connection.send(request + "\r\n")
    }

    /// Events with an id, in arrival order.
    var events: [SSEBlock] { blocks.filter { $0.id != nil } }
    var eventIDs: [Int64] { events.compactMap(\.id) }
    var heartbeats: Int { blocks.filter(\.isComment).count }
    /// True once the stream's opening `retry:` block arrived (the replay is done by then).
    var isOpen: Bool { blocks.contains { $0.retry != nil } }

    func close() { connection.close() }

    /// Reads what has arrived without blocking and parses it.
    func pump() {
        connection.receiveAvailable()
        process()
    }

    /// Reads and parses until `condition` holds; false on timeout.
    @discardableResult
    func wait(timeout: Double, _ condition: (SSEClient) -> Bool) -> Bool {
        SSEClient.pumpAll([self], timeout: timeout) { condition(self) }
    }

    private func process() {
        if status == nil {
            guard let head = try? connection.readHead(deadline: Date()) else {
                if connection.peerClosed { ended = true }
                return
            }
            status = head.status
            headers = head.headers
            chunked = head.headers.contains {
                $0.0.caseInsensitiveCompare("Transfer-Encoding") == .orderedSame && $0.1.lowercased().contains("chunked")
            }
        }
        if !connection.buffer.isEmpty {
            let bytes = chunked ? decoder.feed(connection.buffer) : connection.buffer
            if chunked, decoder.isFinished || decoder.malformed { ended = true }
            text += bytes
            received += bytes
            connection.buffer.removeAll()
        }
        if connection.peerClosed { ended = true }
        parseBlocks()
    }

    /// Splits the complete blocks off `text`. One pass, and one removal at the end: a client that
    /// reads megabytes at once must not shift the rest of its buffer after every block.
    private func parseBlocks() {
        let newline = UInt8(ascii: "\n")
        var start = 0
        var i = 0
        while i + 1 < text.count {
            guard text[i] == newline, text[i + 1] == newline else {
                i += 1
                continue
            }
            let raw = String(decoding: text[start..<i], as: UTF8.self)
            i += 2
            start = i
            var block = SSEBlock()
            var onlyComments = true
            for line in raw.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix(":") { continue }
                onlyComments = false
                var field = String(line)
                var value = ""
                if let colon = line.firstIndex(of: ":") {
                    field = String(line[..<colon])
                    value = String(line[line.index(after: colon)...])
                    if value.hasPrefix(" ") { value.removeFirst() }
                }
                switch field {
                case "id": block.id = Int64(value)
                case "event": block.event = value
                case "data": block.data.append(value)
                case "retry": block.retry = Int(value)
                default: break
                }
            }
            block.isComment = onlyComments
            if let id = block.id, arrivals[id] == nil { arrivals[id] = Date() }
            blocks.append(block)
        }
        text.removeSubrange(..<start)
    }

    /// Pumps every client whose socket is readable until `done` holds; false on timeout.
    static func pumpAll(_ clients: [SSEClient], timeout: Double, until done: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        for c in clients { c.process() }
        while !done() {
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { return false }
            var fds = clients.map { pollfd(fd: $0.connection.fd, events: Int16(POLLIN), revents: 0) }
            let n = poll(&fds, nfds_t(fds.count), Int32(min(50, max(1, remaining * 1000))))
            if n > 0 {
                for (i, p) in fds.enumerated() where p.revents != 0 { clients[i].pump() }
            }
        }
        return true
    }
}
