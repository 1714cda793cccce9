// What one event stream still has to send, and the rules for what may be added to it.
//
// The stream is a queue of wire chunks: an event's bytes, encoded once by the hub, are shared
// by every stream of its topic (a chunk is an array, so queueing it only takes a reference),
// and so are the opening `retry:` block and the heartbeat comment. `chunks[head...]` are unsent,
// the first of them from `offset` on. The stream starts in replay:
// live events are deferred (in wire form, with their ids) while the caller reads the events
// the client missed. `finishReplay` appends the missed events, then the deferred ones; from
// then on live events are appended as they come. Every event appended must have an id above
// the last one appended (`lastID`), so a live event that the replay also read is sent once
// and ids on the wire always increase. A stream that falls too far behind (too many unsent
// bytes, or too many events deferred by a replay that does not finish) is closed: nothing
// more is added, what is pending drains, then the stream ends and the client reconnects
// with its Last-Event-ID.
//
// A plain value with no locks, no libmicrohttpd and no I/O: `EventStream` keeps one under its
// lock, and the tests drive one directly.

/// The unsent bytes of one event stream and its replay, de-duplication and overflow rules.
struct StreamBuffer {
    /// How far a client may fall behind before its stream is closed.
    struct Limits: Sendable {
        /// A client with more unsent bytes than this after a live event is too slow.
        /// The replay itself is not counted: its caller bounds it.
        var maxPendingBytes: Int
        /// A replay that lets more live events than this pile up is closed rather than hold them forever.
        var maxDeferredEvents: Int
    }

    /// What `drain` did.
    enum Drained: Equatable {
        /// Copied this many bytes (at least one).
        case bytes(Int)
        /// Nothing to send now; more may come.
        case empty
        /// Nothing to send ever again: the stream is closed and fully sent.
        case end
    }

    /// Sent first: tells the client to reconnect after 3 s when the stream ends.
    static let opening = Array("retry: 3000\n\n".utf8)
    /// A comment line, sent to idle streams.
    static let heartbeatComment = Array(":\n\n".utf8)
    /// Sent chunks are dropped from the front of `chunks` once there are this many and they are at least half of it.
    static let compactionChunks = 64

    let limits: Limits
    /// The client's Last-Event-ID: replayed events must lie above it. Nil for a live-only stream.
    let replayAfter: Int64?
    /// Wire chunks, each shared with whoever else sends it; those before `head` have been sent.
    private(set) var chunks: [[UInt8]] = [StreamBuffer.opening]
    /// The first chunk not wholly sent.
    private(set) var head = 0
    /// How many bytes of `chunks[head]` have been sent.
    private(set) var offset = 0
    /// Bytes appended but not yet drained.
    private(set) var unsent = StreamBuffer.opening.count
    /// The id of the last event appended; nil before the first one. Every later id must be above it.
    private(set) var lastID: Int64?
    /// True until `finishReplay`: live events wait in `deferred` meanwhile.
    private(set) var replaying = true
    /// Live events that arrived during the replay, in arrival (id) order, already in wire form.
    private var deferred: [(id: Int64, wire: [UInt8])] = []
    /// Set by `close` or an exceeded limit: nothing more is appended; what is pending still drains.
    private(set) var closed = false

    /// A stream that replays after `lastEventID` (nil: live only) and then follows live events.
    init(lastEventID: Int64?, limits: Limits) {
        self.replayAfter = lastEventID
        self.limits = limits
    }

    /// Bytes the buffer keeps alive, sent or not (chunks shared with other streams count in full).
    var heldBytes: Int { chunks.reduce(0) { $0 + $1.count } }

    /// Live events waiting for the replay to finish.
    var deferredCount: Int { deferred.count }

    /// Whether a parked connection has something to do: bytes to send, or the end to announce.
    var isReadable: Bool { unsent > 0 || closed }

    /// Ends the replay: appends the missed events (ascending ids, each above the client's
    /// Last-Event-ID), then the live events deferred meanwhile that are not among them.
    ///
    /// Ids are compared with the last event actually appended, not with the client's claim:
    /// a Last-Event-ID from the future (a server restored from a backup) replays nothing and
    /// then lets live events through, instead of silencing the stream.
    mutating func finishReplay(_ missed: [any ServerSentEvent]) {
        guard replaying else { return }
        replaying = false
        let held = deferred
        deferred = []
        guard !closed else { return }
        for event in missed where replayAfter.map({ event.id > $0 }) ?? true {
            append(id: event.id, wire: event.wire)
        }
        for event in held {
            append(id: event.id, wire: event.wire)
        }
    }

    /// Adds a live event (encoded once by the hub for all streams): deferred during the replay,
    /// appended afterwards, dropped when its id is not above the last one appended.
    mutating func publish(id: Int64, wire: [UInt8]) {
        guard !closed else { return }
        if replaying {
            deferred.append((id, wire))
            if deferred.count > limits.maxDeferredEvents { close() }
            return
        }
        append(id: id, wire: wire)
        if unsent > limits.maxPendingBytes { close() }
    }

    /// Adds a heartbeat comment to a live, open stream; during the replay the stream is not idle.
    mutating func heartbeat() {
        guard !closed, !replaying else { return }
        enqueue(StreamBuffer.heartbeatComment)
    }

    /// Ends the stream once what is pending has been sent; later events are ignored.
    mutating func close() {
        closed = true
        deferred = []
    }

    /// Copies as many unsent bytes as fit into `out` (which must not be empty) and marks them sent.
    mutating func drain(into out: UnsafeMutableRawBufferPointer) -> Drained {
        guard unsent > 0, out.count > 0 else { return closed && unsent == 0 ? .end : .empty }
        var copied = 0
        while copied < out.count, head < chunks.count {
            let n = chunks[head].withUnsafeBytes { chunk in
                let n = min(chunk.count - offset, out.count - copied)
                (out.baseAddress! + copied).copyMemory(from: chunk.baseAddress! + offset, byteCount: n)
                return n
            }
            copied += n
            offset += n
            if offset == chunks[head].count {
                head += 1
                offset = 0
            }
        }
        unsent -= copied
        if head == chunks.count {
            // All sent: keep the small array of references for the next events.
            chunks.removeAll(keepingCapacity: chunks.capacity <= StreamBuffer.compactionChunks)
            head = 0
        } else if head >= StreamBuffer.compactionChunks, head >= chunks.count / 2 {
            // A client that never quite catches up must not keep everything it was ever sent.
            chunks.removeSubrange(..<head)
            head = 0
        }
        return .bytes(copied)
    }

    /// Appends one event if its id is above the last one appended.
    private mutating func append(id: Int64, wire: [UInt8]) {
        if let lastID, id <= lastID { return }
        enqueue(wire)
        lastID = id
    }

    /// Queues `chunk` (a reference, not a copy) behind what is unsent.
    private mutating func enqueue(_ chunk: [UInt8]) {
        guard !chunk.isEmpty else { return }
        chunks.append(chunk)
        unsent += chunk.count
    }
}
