// Answers the handler vouches for, given again by the server without running the handler.
//
// Health and a search without a location answer the same bytes to every client until something
// they read changes (the config, a storage fault, the clock's second). Their handlers already keep
// those bytes (`Response.kept()`), yet each request still paid for what surrounds a handler: its
// headers and query copied into tables, the `Request`, the router, the handler's own checks. In
// the profile that was about three quarters of Loket's own CPU per health request, and what kept
// a read at two thirds of the bare libmicrohttpd server (bench/README.md, section 1).
//
// So a handler may mark a kept answer `replayable`: the server then keeps it under the request's
// path, its query as sent, and the values of the request headers the answer varies on. The next
// GET with the same three is answered with it, after asking the answer's `holds` whether it is
// still true; when it is not, the handler runs as usual. The handler stays the one that decides
// what is true: the server only repeats what the handler said, while the handler says it holds.
// A replayed request is still counted in the metrics (`counted`), logged, and guarded like any other.
import CMicroHTTPD
import Foundation

/// What lets a kept answer be given again without its handler (see `Response.replayable`).
public struct Replay: Sendable {
    /// Request headers (lower case) the answer depends on: a replay needs the same values (or the
    /// same absence) as the request that made it.
    public var vary: [String]
    /// Whether the answer is still what the handler would say; asked before every replay, on MHD's
    /// threads, so it must be cheap and take no lock another request holds long.
    public var holds: @Sendable () -> Bool
    /// Counts one replayed request (its duration in seconds), as the handler's caller counts the
    /// requests it answers; set by whoever wraps the handler (`App.handle` sets its metrics).
    public var counted: (@Sendable (Double) -> Void)?

    public init(vary: [String], holds: @escaping @Sendable () -> Bool) {
        self.vary = vary
        self.holds = holds
    }
}

extension Response {
    /// This answer, kept, and marked as one the server may give again to a GET with the same path,
    /// query and `vary` headers while `holds` says so. Only a 200 with bytes is ever replayed.
    public func replayable(varyingOn vary: [String] = [], while holds: @escaping @Sendable () -> Bool) -> Response {
        var kept = prepared == nil ? self.kept() : self
        kept.replay = Replay(vary: vary.map { $0.lowercased() }, holds: holds)
        return kept
    }
}

/// The replayable answers the server has given, by request (see the file's comment).
///
/// Read on every GET by both of MHD's threads, changed only when a handler gives a new replayable
/// answer: a read-write lock, so that readers never wait for each other.
final class ReplayTable: @unchecked Sendable {
    // @unchecked: `entries` and `bytes` are only touched under `lock`.

    /// One kept answer and what it was given for.
    final class Entry {
        /// The libmicrohttpd response, built once by the answer's `PreparedAnswer`, which this keeps alive.
        let response: OpaquePointer
        let answer: Response
        let replay: Replay
        /// The values of `replay.vary` in the request that made it, in that order (nil: absent).
        let varied: [String?]
        let bytes: Int

        init(response: OpaquePointer, answer: Response, replay: Replay, varied: [String?], bytes: Int) {
            self.response = response
            self.answer = answer
            self.replay = replay
            self.varied = varied
            self.bytes = bytes
        }

        /// Whether `connection`'s request has the same values of the varying headers.
        func matches(_ connection: OpaquePointer) -> Bool {
            for (name, kept) in zip(replay.vary, varied) {
                // MHD compares header names without case, and gives the first, as the request's table keeps.
                let value = MHD_lookup_connection_value(connection, .HEADER_KIND, name)
                switch (value, kept) {
                case (nil, nil): continue
                case (let value?, let kept?):
                    if !kept.withCString({ strcmp($0, value) == 0 }) { return false }
                default: return false
                }
            }
            return true
        }
    }

    /// At most this many answers and body bytes are kept; past either, the table starts again empty
    /// (a search's query is the client's choice, so the keys are unbounded).
    let entryLimit: Int
    let byteLimit: Int
    private var lock = pthread_rwlock_t()
    private var entries: [[UInt8]: Entry] = [:]
    private var bytes = 0

    init(entryLimit: Int = 4096, byteLimit: Int = 8 << 20) {
        self.entryLimit = entryLimit
        self.byteLimit = byteLimit
        pthread_rwlock_init(&lock, nil)
    }

    deinit { pthread_rwlock_destroy(&lock) }

    /// The entry kept for `key`, if any (still to be checked against the request and its `holds`).
    func entry(_ key: [UInt8]) -> Entry? {
        pthread_rwlock_rdlock(&lock)
        defer { pthread_rwlock_unlock(&lock) }
        return entries[key]
    }

    /// Keeps `entry` for `key`, in place of any earlier one.
    func keep(_ entry: Entry, for key: [UInt8]) {
        guard entry.bytes <= byteLimit / 8 else { return }
        pthread_rwlock_wrlock(&lock)
        defer { pthread_rwlock_unlock(&lock) }
        if let old = entries[key] { bytes -= old.bytes }
        if entries.count >= entryLimit || bytes + entry.bytes > byteLimit {
            entries.removeAll(keepingCapacity: true)
            bytes = 0
        }
        entries[key] = entry
        bytes += entry.bytes
    }

    /// How many answers are kept (for tests).
    var count: Int {
        pthread_rwlock_rdlock(&lock)
        defer { pthread_rwlock_unlock(&lock) }
        return entries.count
    }
}
