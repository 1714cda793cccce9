// The availability cache: encoded answers of `GET /api/v1/availability`, kept for as long as
// nothing that went into them can have changed.
//
// An answer depends on the config in force (the `Office`), the location's appointments, holds and
// runtime closures, and on `now` (see `SlotEngine.unchangedUntil`). An entry is served only when
//   - it was made under the `Office` in force (a config reload swaps in a new one; an entry of
//     another one is never served, and the first answer kept under the new one drops them all),
//   - no transaction touching its location (`AvailabilityScope`) has committed since the reads it
//     was made from: `App.write` calls `invalidate` after each commit, which drops the location's
//     entries and raises its generation; an answer is kept only when the generation it read
//     before its database snapshot is still the current one, so an answer read from a snapshot
//     older than a commit is never kept,
//   - and `now` lies in [madeAt, validUntil): validUntil is the first of the next local midnight,
//     the moment the earliest listed slot falls inside the lead time, and the earliest expiry of
//     a hold in force over the range. Before madeAt (a clock set back) it is not served.
// Entries are bounded per location and in bytes overall; when a bound is reached the location's
// table (or, for bytes, every table) is emptied: a simple bound, and answers are cheap to remake.
import Foundation
import LoketHTTP

/// The query parameters an availability answer depends on, as the client wrote them.
struct AvailabilityQuery: Hashable, Sendable {
    var location: String?
    var service: String?
    var persons: String?
    var items: String?
    var from: String?
    var to: String?

    init(_ query: [String: String]) {
        location = query["location"]
        service = query["service"]
        persons = query["persons"]
        items = query["items"]
        from = query["from"]
        to = query["to"]
    }

    /// Short enough to be worth keeping (a key is never longer than a few hundred bytes).
    var isKeepable: Bool {
        [location, service, persons, items, from, to].reduce(0) { $0 + ($1?.utf8.count ?? 0) } <= 512
    }
}

/// Encoded availability answers by query, with what keeps each valid.
final class AvailabilityCache: Sendable {
    /// Most entries kept per location.
    static let maxEntriesPerLocation = 1024
    /// Most bytes of answers kept in all (a 62-day answer is some 150 KB).
    static let maxBytes = 32 << 20

    /// Where a location stood when an answer's reads began.
    struct Stamp: Equatable, Sendable {
        fileprivate let generation: UInt64
    }

    private struct Entry {
        let office: Office
        let madeAt: Date
        let validUntil: Date
        let body: [UInt8]
    }

    private struct State {
        /// Raised by every invalidation; a location's generation is the value at its last one.
        var counter: UInt64 = 0
        var generations: [String: UInt64] = [:]
        /// The counter at the last invalidation of every location.
        var allSince: UInt64 = 0
        /// The office the entries were made under.
        var office: Office?
        var entries: [String: [AvailabilityQuery: Entry]] = [:]
        /// Answers served from the cache (for tests).
        var hits = 0
        /// Bytes of the answers in `entries`.
        var bytes = 0

        mutating func drop(_ location: String) {
            bytes -= entries[location]?.values.reduce(0) { $0 + $1.body.count } ?? 0
            entries[location] = nil
        }

        mutating func dropAll() {
            entries = [:]
            bytes = 0
        }

        func generation(_ location: String) -> UInt64 { max(generations[location] ?? 0, allSince) }
    }

    /// False when the server runs without the cache (`--no-availability-cache`): nothing is kept.
    let enabled: Bool
    private let state = LockedBox(State())

    init(enabled: Bool) { self.enabled = enabled }

    /// The kept answer to `query` under `office` at `now`, if it is still valid.
    func answer(_ query: AvailabilityQuery, office: Office, now: Date) -> [UInt8]? {
        guard enabled else { return nil }
        return state.withLock { s -> [UInt8]? in
            guard let e = s.entries[query.location ?? ""]?[query], e.office === office,
                  e.madeAt <= now, now < e.validUntil else { return nil }
            s.hits += 1
            return e.body
        }
    }

    /// The location's generation; take it before the reads an answer is made from.
    func stamp(_ location: String) -> Stamp {
        state.withLock { Stamp(generation: $0.generation(location)) }
    }

    /// Keeps `body` as the answer to `query` at `location`, unless the location changed since `stamp`.
    func keep(_ body: [UInt8], for query: AvailabilityQuery, location: String, office: Office, stamp: Stamp,
              madeAt: Date, validUntil: Date) {
        guard enabled, query.isKeepable, madeAt < validUntil else { return }
        state.withLock { s in
            guard s.generation(location) == stamp.generation else { return }
            if s.office !== office {
                s.dropAll()
                s.office = office
            }
            if s.bytes + body.count > AvailabilityCache.maxBytes { s.dropAll() }
            if s.entries[location]?.count ?? 0 >= AvailabilityCache.maxEntriesPerLocation { s.drop(location) }
            let old = s.entries[location, default: [:]].updateValue(
                Entry(office: office, madeAt: madeAt, validUntil: validUntil, body: body), forKey: query)
            s.bytes += body.count - (old?.body.count ?? 0)
        }
    }

    /// Forgets the answers of the locations in `scope`; call it after the commit that changed them.
    func invalidate(_ scope: AvailabilityScope) {
        guard !scope.isEmpty else { return }
        state.withLock { s in
            s.counter += 1
            if scope.all {
                s.allSince = s.counter
                s.dropAll()
            } else {
                for location in scope.locations {
                    s.generations[location] = s.counter
                    s.drop(location)
                }
            }
        }
    }

    /// How many answers are kept (for tests).
    var count: Int { state.withLock { $0.entries.values.reduce(0) { $0 + $1.count } } }
    /// Bytes of the answers kept (for tests).
    var bytes: Int { state.withLock { $0.bytes } }
    /// How many answers were served from the cache (for tests).
    var hits: Int { state.withLock { $0.hits } }
}
