// Server-Sent Events: many long-lived streams, fed by `publish`, without a thread each.
//
// Each open stream is an `EventStream` holding the bytes not yet sent. libmicrohttpd pulls
// bytes through a content-reader callback; when the buffer is empty the callback suspends
// the connection (taking it out of MHD's event loop) and `publish` resumes it. Events carry
// ids; a stream opened with `Last-Event-ID` first receives the missed events (replayed by
// the caller from storage), while live events that arrive during the replay wait and are
// then sent in order, without duplicates. A heartbeat comment every few seconds keeps
// proxies from closing idle streams and makes a write to a vanished client fail, which is
// how dead clients are reaped.
import CMicroHTTPD
import Foundation

/// An open event stream of one client.
public final class EventStream: @unchecked Sendable {
    // @unchecked: every mutable field is guarded by `lock`.
    public let topic: String
    fileprivate let lock = NSLock()
    fileprivate var pending: [UInt8] = []
    fileprivate var sentOffset = 0
    fileprivate var suspended = false
    fileprivate var closed = false
    fileprivate var connection: OpaquePointer?
    fileprivate var lastID: Int64
    fileprivate var replaying = true
    fileprivate var deferred: [ServerEvent] = []

    fileprivate init(topic: String, lastEventID: Int64) {
        self.topic = topic
        self.lastID = lastEventID
        pending = Array("retry: 3000\n\n".utf8)
    }

    /// Appends events with ids above the last one sent; caller holds `lock`.
    fileprivate func appendLocked(_ events: [ServerEvent]) {
        for e in events where e.id > lastID {
            appendLocked(id: e.id, wire: e.wire)
        }
    }

    /// Appends one event already in wire form (encoded once for all streams); caller holds `lock`.
    fileprivate func appendLocked(id: Int64, wire: [UInt8]) {
        guard id > lastID else { return }
        pending.append(contentsOf: wire)
        lastID = id
    }

    /// Claims the wake-up of a parked connection; caller holds `lock` and then calls `resume(_:)`
    /// after releasing it. MHD_resume_connection takes MHD's cleanup mutex, and MHD holds that mutex
    /// while it frees a response (our free callback takes `lock`): resuming under `lock` could deadlock.
    /// A parked connection cannot go away until it is resumed, and only the claimer resumes it.
    fileprivate func claimWakeLocked() -> OpaquePointer? {
        guard suspended, let connection else { return nil }
        suspended = false
        return connection
    }

    /// Changes the stream under its lock, then resumes its connection if that parked it.
    fileprivate func update(_ change: (EventStream) -> Void) {
        let parked: OpaquePointer? = lock.withLock {
            change(self)
            return claimWakeLocked()
        }
        if let parked { MHD_resume_connection(parked) }
    }
}

/// Keeps the open streams per topic (a location id) and fans events out to them.
public final class EventHub: @unchecked Sendable {
    // @unchecked: `streams` is guarded by `lock`; each stream guards itself.
    private let lock = NSLock()
    private var streams: [String: [ObjectIdentifier: EventStream]] = [:]
    private var count = 0
    /// Set by `closeAll`: streams opened from then on end as soon as they have sent what they have.
    private var closing = false
    /// Streams opened by a handler still running, by thread: the server settles them when it answers.
    private var unanswered: [UInt: [EventStream]] = [:]
    private let heartbeatSeconds: Double
    /// A client that has this many bytes unsent is too slow; it is closed and reconnects.
    private let maxPendingBytes: Int
    private var timer: DispatchSourceTimer?

    public init(heartbeatSeconds: Double = 15, maxPendingBytes: Int = 1 << 20) {
        self.heartbeatSeconds = heartbeatSeconds
        self.maxPendingBytes = maxPendingBytes
    }

    /// Streams currently open.
    public var openStreams: Int { lock.withLock { count } }

    /// Opens a stream for `topic`. Live events are held back until `finishReplay` is called.
    public func open(topic: String, lastEventID: Int64) -> EventStream {
        let stream = EventStream(topic: topic, lastEventID: lastEventID)
        lock.withLock {
            streams[topic, default: [:]][ObjectIdentifier(stream)] = stream
            count += 1
            unanswered[UInt(pthread_self()), default: []].append(stream)
            // During shutdown a stream may still be opened on a kept-alive connection; it must never park.
            if closing { stream.closed = true }
        }
        return stream
    }

    /// Called by the server once a handler has answered: streams it opened but did not answer
    /// with (it threw, or answered otherwise) are forgotten.
    func settleRequest(answeredWith answer: EventStream?) {
        let opened = lock.withLock { unanswered.removeValue(forKey: UInt(pthread_self())) ?? [] }
        for stream in opened where stream !== answer {
            stream.lock.withLock { stream.closed = true }
            remove(stream)
        }
    }

    /// Sends the missed events (ascending ids), then whatever arrived live meanwhile.
    public func finishReplay(_ stream: EventStream, missed: [ServerEvent]) {
        stream.update { s in
            s.appendLocked(missed)
            s.appendLocked(s.deferred)
            s.deferred = []
            s.replaying = false
        }
    }

    /// Sends `event` to every stream of `topic`. Call in id order (the store publishes under its write lock).
    public func publish(_ event: ServerEvent, topic: String) {
        let targets = lock.withLock { streams[topic].map { Array($0.values) } ?? [] }
        let wire = event.wire
        for stream in targets {
            stream.update { s in
                if s.closed { return }
                if s.replaying {
                    s.deferred.append(event)
                    // A replay that never finishes must not hold events forever.
                    if s.deferred.count > 10_000 { s.closed = true }
                    return
                }
                s.appendLocked(id: event.id, wire: wire)
                if s.pending.count - s.sentOffset > maxPendingBytes { s.closed = true }
            }
        }
    }

    /// Ends every stream (clients reconnect); used before the daemon stops.
    public func closeAll() {
        let all = lock.withLock {
            closing = true
            return streams.values.flatMap { $0.values }
        }
        for stream in all {
            stream.update { $0.closed = true }
        }
    }

    func start() {
        let t = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "loket.sse.heartbeat"))
        t.schedule(deadline: .now() + heartbeatSeconds, repeating: heartbeatSeconds)
        t.setEventHandler { [weak self] in self?.heartbeat() }
        t.resume()
        timer = t
    }

    func stop() {
        timer?.cancel()
        timer = nil
    }

    private func heartbeat() {
        let all = lock.withLock { streams.values.flatMap { $0.values } }
        let beat = Array(":\n\n".utf8)
        for stream in all {
            stream.update { s in
                guard !s.closed, !s.replaying else { return }
                s.pending.append(contentsOf: beat)
            }
        }
    }

    fileprivate func remove(_ stream: EventStream) {
        lock.withLock {
            if streams[stream.topic]?.removeValue(forKey: ObjectIdentifier(stream)) != nil { count -= 1 }
            if streams[stream.topic]?.isEmpty == true { streams[stream.topic] = nil }
        }
    }

    /// The MHD response that drains `stream`; takes a reference released when MHD frees it.
    func makeResponse(for stream: EventStream, connection: OpaquePointer) -> OpaquePointer? {
        stream.lock.withLock { stream.connection = connection }
        let context = StreamContext(hub: self, stream: stream)
        let cls = Unmanaged.passRetained(context).toOpaque()
        guard let response = MHD_create_response_from_callback(LOKET_MHD_SIZE_UNKNOWN, 16 * 1024, streamReader, cls, streamFreed) else {
            Unmanaged<StreamContext>.fromOpaque(cls).release()
            remove(stream)
            return nil
        }
        return response
    }
}

private final class StreamContext {
    let hub: EventHub
    let stream: EventStream
    init(hub: EventHub, stream: EventStream) {
        self.hub = hub
        self.stream = stream
    }
}

private let streamReader: MHD_ContentReaderCallback = { cls, position, buffer, max in
    guard let cls, let buffer else { return LOKET_MHD_READER_END_WITH_ERROR }
    let stream = Unmanaged<StreamContext>.fromOpaque(cls).takeUnretainedValue().stream
    stream.lock.lock()
    defer { stream.lock.unlock() }
    let available = stream.pending.count - stream.sentOffset
    if available > 0 {
        let n = min(available, max)
        stream.pending.withUnsafeBytes { raw in
            buffer.update(from: raw.baseAddress!.advanced(by: stream.sentOffset).assumingMemoryBound(to: CChar.self), count: n)
        }
        stream.sentOffset += n
        if stream.sentOffset == stream.pending.count {
            stream.pending.removeAll(keepingCapacity: stream.pending.capacity <= 64 * 1024)
            stream.sentOffset = 0
        }
        return n
    }
    if stream.closed { return LOKET_MHD_READER_END_OF_STREAM }
    // Nothing to send: park the connection until publish() or the heartbeat wakes it.
    stream.suspended = true
    MHD_suspend_connection(stream.connection)
    return 0
}

private let streamFreed: MHD_ContentReaderFreeCallback = { cls in
    guard let cls else { return }
    let context = Unmanaged<StreamContext>.fromOpaque(cls).takeRetainedValue()
    context.stream.lock.withLock {
        context.stream.closed = true
        context.stream.connection = nil
    }
    context.hub.remove(context.stream)
}
