// Server-Sent Events: many long-lived streams, fed by `publish`, without a thread each.
//
// The hub keeps the open streams in a dictionary, topic -> (stream identity -> stream), under
// its lock; each stream guards its own buffer. A handler never opens a stream itself: it
// answers `.events(EventStreamRequest)`, and the server calls `open`, which registers the
// stream first (live events are held back from then on), then reads what the client missed,
// then lets the stream send the missed events followed by the held-back ones (see
// `StreamBuffer` for the ordering and de-duplication rules). A heartbeat comment every few
// seconds keeps proxies from closing idle streams and makes a write to a vanished client
// fail, which is how dead clients are reaped.
import Foundation

/// Keeps the open event streams per topic (a location id) and fans published events out to them.
public final class EventHub: @unchecked Sendable {
    // @unchecked: `streams`, `count` and `closing` are guarded by `lock`; each stream guards itself;
    // `timer` is set by start() and cleared by stop(), both called by the server's owner thread.
    private let lock = NSLock()
    private var streams: [String: [ObjectIdentifier: EventStream]] = [:]
    private var count = 0
    /// Set by `closeAll`: streams opened from then on end as soon as they have sent what they have.
    private var closing = false
    private let heartbeatSeconds: Double
    private let limits: StreamBuffer.Limits
    private var timer: DispatchSourceTimer?

    /// A hub with no streams yet.
    ///
    /// - Parameters:
    ///   - heartbeatSeconds: how often idle streams get a comment line.
    ///   - maxPendingBytes: a client with this many bytes unsent is too slow; it is closed and reconnects.
    ///   - maxDeferredEvents: a replay that lets this many live events pile up is closed.
    public init(heartbeatSeconds: Double = 15, maxPendingBytes: Int = 1 << 20, maxDeferredEvents: Int = 10_000) {
        self.heartbeatSeconds = heartbeatSeconds
        self.limits = StreamBuffer.Limits(maxPendingBytes: maxPendingBytes, maxDeferredEvents: maxDeferredEvents)
    }

    /// Streams currently open.
    public var openStreams: Int { lock.withLock { count } }

    /// Streams of `topic` whose connection is parked, waiting for something to send (for tests).
    func parkedStreams(topic: String) -> Int {
        lock.withLock { streams[topic].map { Array($0.values) } ?? [] }.filter(\.isParked).count
    }

    /// Sends `event` to every stream of `topic`.
    ///
    /// Call in id order (the store publishes after each commit, under its write lock): a stream
    /// drops an event whose id is not above the last one it sent.
    ///
    /// The event is encoded once, and every stream queues that same array (a reference, no copy).
    /// All streams are filled first, then the parked ones are resumed in one tight loop: MHD's
    /// threads wake to many ready connections at once instead of to one, and start sending while
    /// no stream lock is held.
    public func publish(_ event: some ServerSentEvent, topic: String) {
        let targets = lock.withLock { streams[topic].map { Array($0.values) } ?? [] }
        guard !targets.isEmpty else { return }
        let id = event.id
        let wire = event.wire
        var parked: [OpaquePointer] = []
        parked.reserveCapacity(targets.count)
        for stream in targets {
            if let connection = stream.updateLeavingParked({ $0.publish(id: id, wire: wire) }) { parked.append(connection) }
        }
        for connection in parked { EventStream.resume(connection) }
    }

    /// Ends every stream (clients reconnect), and every stream opened from now on; used before the daemon stops.
    public func closeAll() {
        let all = lock.withLock {
            closing = true
            return streams.values.flatMap { $0.values }
        }
        for stream in all {
            stream.update { $0.close() }
        }
    }

    /// Opens the stream a handler asked for: registers it, replays what the client missed, then
    /// lets live events through. The caller answers with `makeResponse(for:connection:)`.
    ///
    /// - Throws: whatever `request.replay` throws; the stream is then already forgotten.
    func open(_ request: EventStreamRequest) throws -> EventStream {
        let stream = EventStream(topic: request.topic, lastEventID: request.lastEventID, limits: limits)
        let bornClosed = lock.withLock {
            streams[request.topic, default: [:]][ObjectIdentifier(stream)] = stream
            count += 1
            return closing
        }
        // During shutdown a stream may still be opened on a kept-alive connection; it must never park.
        if bornClosed { stream.update { $0.close() } }
        var missed: [any ServerSentEvent] = []
        if let last = request.lastEventID {
            do {
                missed = try request.replay(last)
            } catch {
                stream.update { $0.close() }
                remove(stream)
                throw error
            }
        }
        stream.update { $0.finishReplay(missed) }
        return stream
    }

    /// The MHD response that drains `stream`; the stream is forgotten when MHD frees the response,
    /// or at once if the response cannot be made (then nil). `poolIsMapped`: see `EventStream.makeResponse`.
    func makeResponse(for stream: EventStream, connection: OpaquePointer, poolIsMapped: Bool = false) -> OpaquePointer? {
        guard let response = stream.makeResponse(connection: connection, poolIsMapped: poolIsMapped,
                                                  ended: { [self] in remove($0) }) else {
            remove(stream)
            return nil
        }
        return response
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
        var parked: [OpaquePointer] = []
        parked.reserveCapacity(all.count)
        for stream in all {
            if let connection = stream.updateLeavingParked({ $0.heartbeat() }) { parked.append(connection) }
        }
        for connection in parked { EventStream.resume(connection) }
    }

    private func remove(_ stream: EventStream) {
        lock.withLock {
            if streams[stream.topic]?.removeValue(forKey: ObjectIdentifier(stream)) != nil { count -= 1 }
            if streams[stream.topic]?.isEmpty == true { streams[stream.topic] = nil }
        }
    }
}
