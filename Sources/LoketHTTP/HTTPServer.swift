// The embedded HTTP server: libmicrohttpd with an internal epoll thread pool.
//
// libmicrohttpd calls `accessHandler` several times per request: once when the headers
// are in (we only set up per-request state: answering here would drop keep-alive), once
// per body chunk, and once more with no data, when we answer. Per-request state is a
// retained `Exchange` object whose pointer sits in MHD's `req_cls` slot until the completion
// callback releases it. The server itself answers what never reaches the handler (too large,
// too long, a method outside `HTTPMethod`), repeats the answers a handler marked replayable to the
// same GET (Replay.swift), and turns thrown errors into problem answers. A
// handler that answers `.events` gets its stream opened by the server in the `EventHub`
// (see EventHub), drained by a content-reader callback (see EventStream).
import CMicroHTTPD
import Foundation
import Logging

/// One running libmicrohttpd daemon.
public final class HTTPServer: @unchecked Sendable {
    // @unchecked: `daemon` and `port` are set in start() and cleared in stop(), both called from one thread.
    /// The settings it was made with.
    public let configuration: HTTPServerConfiguration
    /// The hub that holds the event streams answered by the handler.
    public let hub: EventHub
    let handler: @Sendable (Request) throws -> Response
    let logger: Logger
    /// The logger's level, read once: asking the logger through its handler on every request was
    /// 0.8% of a replayed search's samples. Loket sets a logger's level only when it makes it.
    let logLevel: Logger.Level
    private var daemon: OpaquePointer?
    /// The per-address cap and the request deadline (see HTTPServer+Connections).
    let guardian: ConnectionGuard
    private var reaper: DispatchSourceTimer?
    /// The answers handlers marked replayable, given again to the same GET without the handler (Replay.swift).
    let replays = ReplayTable()
    /// The threads that answer writes off MHD's threads (HTTPServer+Deferred); nil when `writeWorkers` is 0.
    private(set) var writePool: WritePool?
    /// The last request number given out, moved by `loket_counter_next` (an atomic add, no lock: the
    /// lock was one of nine a health request took, each contended by MHD's two threads). Its own
    /// allocation, so its address is stable for the atomic; freed in deinit.
    private let requestCounter: UnsafeMutablePointer<UInt64> = {
        let counter = UnsafeMutablePointer<UInt64>.allocate(capacity: 1)
        counter.initialize(to: 0)
        return counter
    }()
    private let idPrefix = String(UInt32.random(in: 0..<UInt32.max), radix: 36)

    /// The bound port (after start).
    public private(set) var port: UInt16 = 0

    /// Makes a server that answers every request with `handler` (usually a `Router` lookup).
    ///
    /// A thrown `ProblemConvertible` error is answered as its problem; any other error as a 500
    /// problem with the request id, its text going only to the log.
    public convenience init(configuration: HTTPServerConfiguration, hub: EventHub, logger: Logger,
                            handler: @escaping @Sendable (Request) throws -> Response) {
        self.init(configuration: configuration, hub: hub, logger: logger,
                  uptime: { DispatchTime.now().uptimeNanoseconds }, handler: handler)
    }

    /// A server whose request deadline reads `uptime` (nanoseconds), so tests can move time.
    init(configuration: HTTPServerConfiguration, hub: EventHub, logger: Logger,
         uptime: @escaping @Sendable () -> UInt64, handler: @escaping @Sendable (Request) throws -> Response) {
        self.configuration = configuration
        self.hub = hub
        self.logger = logger
        self.logLevel = logger.logLevel
        self.handler = handler
        self.guardian = ConnectionGuard(perAddressLimit: configuration.perAddressConnectionLimit,
                                        uncapped: configuration.uncappedAddresses,
                                        deadlineSeconds: configuration.requestDeadlineSeconds,
                                        connectionLimit: configuration.connectionLimit, now: uptime)
    }

    /// Binds and starts serving; returns once the socket accepts connections.
    public func start() throws {
        let flags = UInt32(MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_EPOLL.rawValue
                           | MHD_ALLOW_SUSPEND_RESUME.rawValue | MHD_USE_ERROR_LOG.rawValue)
        // Before the daemon, which reads it on its threads from the first request on.
        writePool = configuration.writeWorkers > 0 ? WritePool(threads: configuration.writeWorkers) : nil
        let me = Unmanaged.passUnretained(self).toOpaque()
        let guardianPointer = Unmanaged.passUnretained(guardian).toOpaque()
        daemon = configuration.host.withCString { host in
            loket_mhd_start(flags, host, configuration.port, accessHandler, me, completedHandler, me,
                            UInt32(configuration.threads), UInt32(configuration.connectionLimit),
                            UInt32(configuration.connectionTimeoutSeconds), configuration.connectionMemoryBytes,
                            acceptPolicy, guardianPointer, connectionNotified, guardianPointer, guardianPointer)
        }
        guard let daemon else {
            _ = writePool?.close(waitingUpTo: 0)
            for (message, _) in guardian.takeCounts().messages { logger.error("libmicrohttpd: \(message)") }
            throw HTTPServerError(description: "cannot listen on \(configuration.host):\(configuration.port) (address in use, or not an IP address)")
        }
        port = loket_mhd_bound_port(daemon)
        hub.start()
        reaper = startGuarding()
    }

    /// Stops accepting, ends every event stream, then stops the daemon.
    ///
    /// > Warning: libmicrohttpd aborts the process if a connection is still suspended when the
    /// > daemon stops, so every stream is resumed and ended first.
    public func stop() {
        guard let daemon else { return }
        _ = MHD_quiesce_daemon(daemon)
        // Every deferred write answered and its connection resumed: MHD aborts on a suspended one.
        if let writePool, !writePool.close(waitingUpTo: 60) {
            logger.critical("deferred writes still unanswered after 60 s")
        }
        hub.closeAll()
        let deadline = Date().addingTimeInterval(3)
        while hub.openStreams > 0 && Date() < deadline {
            usleep(10_000)
        }
        // Streams opened meanwhile on kept-alive connections are born closed; wake any that parked.
        hub.closeAll()
        usleep(20_000)
        MHD_stop_daemon(daemon)
        self.daemon = nil
        reaper?.cancel()
        reaper = nil
        hub.stop()
    }

    deinit {
        requestCounter.deallocate()
    }

    func nextRequestID() -> String {
        let n = loket_counter_next(requestCounter)
        // Written into a stack buffer: the interpolation allocated and freed a buffer of its own on
        // every request (1% of a search in the profile); up to 15 bytes, the string needs no heap either.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 48) { buffer in
            var end = 0
            for byte in idPrefix.utf8 { buffer[end] = byte; end += 1 }
            buffer[end] = UInt8(ascii: "-"); end += 1
            let digitsStart = end
            var rest = n
            repeat {
                buffer[end] = UInt8(ascii: "0") + UInt8(rest % 10); end += 1
                rest /= 10
            } while rest > 0
            buffer[digitsStart..<end].reverse()
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[..<end]), as: UTF8.self)
        }
    }
}

/// State of one request while its body arrives.
final class Exchange {
    var body: [UInt8] = []
    var tooLarge = false
    let started = DispatchTime.now()
    /// The answer a write-pool thread kept (HTTPServer+Deferred), queued when MHD calls again.
    var deferred: DeferredAnswer?
}

private final class PairCollector {
    var pairs: [String: String] = [:]
    var bytes = 0
    let lowercaseKeys: Bool
    init(lowercaseKeys: Bool, count: Int) {
        self.lowercaseKeys = lowercaseKeys
        // Room for exactly the pairs MHD holds, so the table is never grown, and a request without a
        // query allocates none (a fixed room for eight was 2% of a health request's CPU). Made with
        // init(minimumCapacity:), which is inlinable and so specialised here: reserveCapacity is not,
        // and its generic body looked up the dictionary type's metadata on every request (3% of a
        // search's CPU in the profile, most of it in the runtime's metadata cache).
        if count > 0 { pairs = Dictionary(minimumCapacity: count) }
    }
}

private func collect(_ connection: OpaquePointer, _ kind: MHD_ValueKind, lowercase: Bool) -> PairCollector {
    let collector = PairCollector(lowercaseKeys: lowercase, count: Int(MHD_get_connection_values_n(connection, kind, nil, nil)))
    let cls = Unmanaged.passUnretained(collector).toOpaque()
    _ = MHD_get_connection_values_n(connection, kind, { cls, kind, key, keySize, value, valueSize in
        guard let cls, let key else { return .YES }
        let c = Unmanaged<PairCollector>.fromOpaque(cls).takeUnretainedValue()
        // Lowered byte by byte as the key is made: header names are ASCII tokens, and String.lowercased()
        // is a second pass and a second string per header.
        let lower = c.lowercaseKeys
        let k = String(unsafeUninitializedCapacity: keySize) { out in
            for i in 0..<keySize {
                let b = UInt8(bitPattern: key[i])
                out[i] = lower && b >= 0x41 && b <= 0x5A ? b + 0x20 : b
            }
            return keySize
        }
        let v = value.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: valueSize), as: UTF8.self) } ?? ""
        c.bytes += keySize + valueSize + 2
        if c.pairs[k] == nil { c.pairs[k] = v }
        return .YES
    }, cls)
    return collector
}

/// The key a GET is replayed by (see Replay.swift): its path, then its query's pairs as sent, in
/// order, each part led by its length (digits, lowest first, and a colon), so no two different
/// requests share a key. Read straight from MHD's list, without the query's table, which a replay
/// never needs.
private func replayKey(_ connection: OpaquePointer, path: String) -> [UInt8] {
    var key: [UInt8] = []
    key.reserveCapacity(path.utf8.count + 64)
    var n = path.utf8.count
    repeat { key.append(UInt8(ascii: "0") + UInt8(n % 10)); n /= 10 } while n > 0
    key.append(UInt8(ascii: ":"))
    key.append(contentsOf: path.utf8)
    withUnsafeMutablePointer(to: &key) { pointer in
        _ = MHD_get_connection_values_n(connection, .GET_ARGUMENT_KIND, { cls, _, name, nameSize, value, valueSize in
            guard let cls, let name else { return .YES }
            let key = cls.assumingMemoryBound(to: [UInt8].self)
            func part(_ bytes: UnsafePointer<CChar>?, _ size: Int) {
                var n = size
                repeat { key.pointee.append(UInt8(ascii: "0") + UInt8(n % 10)); n /= 10 } while n > 0
                key.pointee.append(UInt8(ascii: ":"))
                if let bytes, size > 0 {
                    bytes.withMemoryRebound(to: UInt8.self, capacity: size) {
                        key.pointee.append(contentsOf: UnsafeBufferPointer(start: $0, count: size))
                    }
                }
            }
            part(name, nameSize)
            part(value, value == nil ? 0 : valueSize)
            return .YES
        }, pointer)
    }
    return key
}

private let accessHandler: MHD_AccessHandlerCallback = { cls, connection, url, method, version, uploadData, uploadDataSize, reqCls in
    guard let cls, let connection, let reqCls, let uploadDataSize else { return .NO }
    let server = Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue()

    // First call: headers only. Set up state and wait for the body (or its absence).
    guard let existing = reqCls.pointee else {
        let exchange = Exchange()
        reqCls.pointee = Unmanaged.passRetained(exchange).toOpaque()
        // One lookup (MHD compares header names without case), not a copy of every header: they are
        // collected once, on the last call.
        if let length = MHD_lookup_connection_value(connection, .HEADER_KIND, "Content-Length").map({ String(cString: $0) }),
           let n = UInt64(length), n > UInt64(server.configuration.maxBodyBytes) {
            // Refuse before reading (and before MHD sends 100 Continue); the connection then closes.
            exchange.tooLarge = true
            server.guardian.answering(ConnectionGuard.clock(of: connection))
            let response = server.bodyTooLarge.response()
            let ok = server.queue(response, stream: nil, on: connection)
            server.log(method: method.map { String(cString: $0) } ?? "POST", path: url.map { String(cString: $0) } ?? "/",
                       status: 413, requestID: server.nextRequestID(), started: exchange.started)
            return ok
        }
        return .YES
    }
    let exchange = Unmanaged<Exchange>.fromOpaque(existing).takeUnretainedValue()

    // Body chunks: keep them unless over the limit, in which case we drain and discard.
    if uploadDataSize.pointee > 0 {
        let n = uploadDataSize.pointee
        if !exchange.tooLarge, let uploadData {
            if exchange.body.count + n > server.configuration.maxBodyBytes {
                exchange.tooLarge = true
                exchange.body = []
            } else {
                uploadData.withMemoryRebound(to: UInt8.self, capacity: n) {
                    exchange.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: n))
                }
            }
        }
        uploadDataSize.pointee = 0
        return .YES
    }

    // Last call: the whole request is in (or, for a deferred write, its answer is ready).
    if let answer = exchange.deferred { return server.queueDeferred(answer, exchange: exchange, on: connection) }
    let clock = ConnectionGuard.clock(of: connection)
    server.guardian.answering(clock)
    let methodText = method.map { String(cString: $0) } ?? "GET"
    let path = url.map { String(cString: $0) } ?? "/"
    let isGET = methodText == "GET" && exchange.body.isEmpty && !exchange.tooLarge
    let replayKey = isGET ? replayKey(connection, path: path) : nil
    if let replayKey, let entry = server.replays.entry(replayKey), entry.matches(connection), entry.replay.holds() {
        let ok = MHD_queue_response(connection, 200, entry.response)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - exchange.started.uptimeNanoseconds) / 1e9
        entry.replay.counted?(seconds)
        server.log(method: methodText, path: path, status: 200, requestID: server.nextRequestID(), started: exchange.started)
        return ok
    }
    let requestID = server.nextRequestID()
    let headers = collect(connection, .HEADER_KIND, lowercase: true)
    let query = collect(connection, .GET_ARGUMENT_KIND, lowercase: false)

    var response: Response
    var stream: EventStream?
    if path.utf8.count + query.bytes > server.configuration.maxURLBytes {
        response = Problem(status: 414, code: "uri_too_long",
                           detail: "The address is longer than \(server.configuration.maxURLBytes) bytes.").response()
    } else if exchange.tooLarge {
        response = server.bodyTooLarge.response()
    } else if let known = HTTPMethod(rawValue: methodText) {
        let request = Request(method: known, path: path, query: query.pairs, headers: headers.pairs, body: exchange.body,
                              peerAddress: clock.map { String(cString: loket_connection_address($0)) }
                                ?? addressText { loket_mhd_client_address(connection, $0, $1) },
                              requestID: requestID)
        if server.defers(request), server.answerLater(request, exchange: exchange, connection: connection, method: methodText) {
            return .YES
        }
        (response, stream) = server.respond(to: request)
        if let replayKey, response.replay != nil { server.keepReplay(response, for: request, key: replayKey) }
    } else {
        // Never routed: no handler sees a method it cannot name.
        response = Problem.notImplemented(method: methodText).response()
    }
    exchange.body = []
    let ok = server.queue(response, stream: stream, on: connection)
    server.log(method: methodText, path: path, status: response.status, requestID: requestID, started: exchange.started)
    return ok
}

private let completedHandler: MHD_RequestCompletedCallback = { cls, connection, reqCls, toe in
    if let cls, let connection {
        Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue().guardian.answered(ConnectionGuard.clock(of: connection))
    }
    guard let reqCls, let pointer = reqCls.pointee else { return }
    // A deferred answer never queued (the client left while its write ran) is accounted for here.
    if let cls, Unmanaged<Exchange>.fromOpaque(pointer).takeUnretainedValue().deferred != nil {
        Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue().writePool?.taken()
    }
    Unmanaged<Exchange>.fromOpaque(pointer).release()
    reqCls.pointee = nil
}

extension HTTPServer {
    /// The 413 problem, answered before or after the body arrived.
    var bodyTooLarge: Problem {
        Problem(status: 413, code: "body_too_large",
                detail: "The request body is larger than \(configuration.maxBodyBytes) bytes.")
    }

    /// Runs the handler and opens the event stream it asks for, if any (replaying what the client
    /// missed); a thrown error, from the handler or the replay, becomes a problem answer and no stream.
    func respond(to request: Request) -> (Response, EventStream?) {
        do {
            let response = try handler(request)
            guard case .events(let events) = response.body else { return (response, nil) }
            return (response, try hub.open(events))
        } catch {
            return (answer(error, to: request), nil)
        }
    }

    /// The problem answer for an error: its own problem when it has one, else a logged 500.
    func answer(_ error: any Error, to request: Request) -> Response {
        if let error = error as? any ProblemConvertible {
            let problem = error.problem
            return problem.response(requestID: problem.status >= 500 ? request.requestID : nil)
        }
        // Storage and programming errors: the client gets an id, the log gets the type (never the SQL arguments).
        logger.error("unhandled error", metadata: ["request": "\(request.requestID)", "error": "\(error)"])
        return Problem(status: 500, code: "internal_error",
                       detail: "Something went wrong on our side. Quote request id \(request.requestID) to support.")
            .response(requestID: request.requestID)
    }

    /// Keeps a replayable answer for the GET `request` under `key` (see Replay.swift): only a 200 with
    /// bytes, and only once its libmicrohttpd response is made (the replays share it).
    func keepReplay(_ response: Response, for request: Request, key: [UInt8]) {
        guard let replay = response.replay, response.status == 200, case .bytes(let body) = response.body,
              let prepared = response.prepared, let made = prepared.response(orMake: { makeResponse(response, stream: nil) })
        else { return }
        let entry = ReplayTable.Entry(response: made, answer: response, replay: replay,
                                      varied: replay.vary.map { request.headers[$0] }, bytes: body.count)
        replays.keep(entry, for: key)
    }

    /// Hands `response` to MHD; `stream` is the opened stream when the body is `.events`.
    func queue(_ response: Response, stream: EventStream?, on connection: OpaquePointer) -> MHD_Result {
        if let prepared = response.prepared, case .bytes = response.body {
            // A kept answer: its MHD response is built once and queued as it is (see PreparedAnswer).
            guard let kept = prepared.response(orMake: { makeResponse(response, stream: nil) }) else { return .NO }
            return MHD_queue_response(connection, UInt32(response.status), kept)
        }
        guard let mhdResponse = makeResponse(response, stream: stream, on: connection) else { return .NO }
        let result = MHD_queue_response(connection, UInt32(response.status), mhdResponse)
        MHD_destroy_response(mhdResponse)
        return result
    }

    /// The MHD response for `response`, with its headers and the security headers it lacks; the caller destroys it.
    private func makeResponse(_ response: Response, stream: EventStream?, on connection: OpaquePointer? = nil) -> OpaquePointer? {
        let mhdResponse: OpaquePointer?
        switch (response.body, stream) {
        case (.bytes(let bytes), _):
            // For HEAD, MHD leaves the body out itself and still announces its real length.
            mhdResponse = bytes.withUnsafeBytes { buffer in
                MHD_create_response_from_buffer(buffer.count,
                                                 UnsafeMutableRawPointer(mutating: buffer.baseAddress),
                                                 .RESPMEM_MUST_COPY)
            }
        case (.events, let stream?):
            guard let connection else { preconditionFailure("an event stream answer without its connection") }
            mhdResponse = hub.makeResponse(for: stream, connection: connection,
                                           poolIsMapped: configuration.connectionPoolIsMapped)
        case (.events, nil):
            // respond(to:) opens every stream it answers with; nothing else queues `.events`.
            preconditionFailure("an event stream answer without its opened stream")
        }
        guard let mhdResponse else { return nil }
        // withCString lends a native string's own bytes; passing a String to a C pointer parameter
        // copies it into a new array, two per header, which the profile showed.
        func add(_ headers: [(String, String)]) {
            for (name, value) in headers {
                _ = name.withCString { name in value.withCString { MHD_add_response_header(mhdResponse, name, $0) } }
            }
        }
        add(response.headers)
        add(SecurityHeaders.missing(from: response.headers, status: response.status))
        return mhdResponse
    }

    /// One line per request. The query is never logged: it can hold manage tokens.
    func log(method: String, path: String, status: Int, requestID: @autoclosure () -> String, started: DispatchTime) {
        let level: Logger.Level = status >= 500 ? .error : .info
        guard logLevel <= level else { return }  // filtered out: no clock read, no text
        let micros = (DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1000
        logger.log(level: level, "\(method) \(path) \(status)", metadata: [
            "ms": "\(Double(micros) / 1000)", "request": "\(requestID())",
        ])
    }
}
