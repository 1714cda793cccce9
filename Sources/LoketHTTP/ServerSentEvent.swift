// Server-Sent Events as values: what an event is, how it looks on the wire, and what a
// handler answers to open a stream.
//
// An event is anything with an id, a name and a data string (the store's own event rows
// conform as they are, so nothing is converted on the way out). On the wire an event is
// `id:`, `event:` and one `data:` line per line of its data, then an empty line (the
// WHATWG "event stream" format). Ids increase; a reconnecting client sends the last one it
// saw as `Last-Event-ID`, and the handler's `replay` reads what came after it.

/// One event for Server-Sent Events streams.
///
/// Ids must increase in the order events are published; a stream never sends an id that is
/// not above the last one it sent.
public protocol ServerSentEvent: Sendable {
    /// Monotonic id, the `id:` line; clients echo the last one as `Last-Event-ID`.
    var id: Int64 { get }
    /// The `event:` line, e.g. `called`.
    var name: String { get }
    /// The `data:` payload (JSON, usually one line).
    var data: String { get }
}

/// A plain event, for tests and for publishers without a stored event type of their own.
public struct ServerEvent: ServerSentEvent, Hashable {
    /// Monotonic id (`id:`).
    public var id: Int64
    /// Event type (`event:`).
    public var name: String
    /// Payload (`data:` lines).
    public var data: String

    /// An event with these three fields.
    public init(id: Int64, name: String, data: String) {
        self.id = id
        self.name = name
        self.data = data
    }
}

extension ServerSentEvent {
    /// The event in wire form; a hub encodes each event once for all its streams.
    var wire: [UInt8] {
        var s = "id: \(id)\nevent: \(name)\n"
        for line in data.split(separator: "\n", omittingEmptySubsequences: false) { s += "data: \(line)\n" }
        s += "\n"
        return Array(s.utf8)
    }
}

/// What a handler answers (as `Response.Body.events`) to open an event stream.
///
/// The server opens the stream only once the handler has returned: it registers the stream
/// with the hub (live events for the topic are held back from then on), calls `replay` when
/// the client sent a `Last-Event-ID`, then sends the missed events followed by the held-back
/// ones, in id order and without duplicates. If `replay` throws, no stream is left open and
/// the error is answered as a problem, as for a handler that throws.
///
/// ```swift
/// table.add(.GET, "/events/{topic}") { app, request in
///     let topic = request.parameter("topic")
///     let last = request.header("last-event-id").flatMap { Int64($0) }
///     return Response(status: 200, headers: [("Content-Type", "text/event-stream")],
///                     body: .events(EventStreamRequest(topic: topic, lastEventID: last) { after in
///                         try app.log.events(topic: topic, after: after)
///                     }))
/// }
/// ```
public struct EventStreamRequest: Sendable {
    /// The hub topic whose live events the stream receives, e.g. a location id.
    public var topic: String
    /// The last id the client saw; nil: live events only, nothing is replayed.
    public var lastEventID: Int64?
    /// Reads the events after `id` that the client missed, ascending ids (the caller pages and caps).
    public var replay: @Sendable (Int64) throws -> [any ServerSentEvent]

    /// A stream of `topic`, replaying after `lastEventID` when it is not nil.
    public init(topic: String, lastEventID: Int64?, replay: @escaping @Sendable (Int64) throws -> [any ServerSentEvent]) {
        self.topic = topic
        self.lastEventID = lastEventID
        self.replay = replay
    }
}
