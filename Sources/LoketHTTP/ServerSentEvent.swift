// Server-Sent Events as values: what an event is and how it looks on the wire.
//
// An event is anything with an id, a name and a data string. On the wire an event is
// `id:`, `event:` and one `data:` line per line of its data, then an empty line (the
// WHATWG "event stream" format). Ids increase; a reconnecting client sends the last one it
// saw as `Last-Event-ID`.

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
