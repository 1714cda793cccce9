// Counters for `GET /metrics` (Prometheus text format).
import Foundation
import LoketHTTP

/// Request counts by status class, kept in memory.
final class Metrics: Sendable {
    private let counts = LockedBox<[Int: Int]>([:])

    func count(status: Int) {
        counts.withLock { $0[status, default: 0] += 1 }
    }

    /// `loket_http_responses_total{status="200"} 12` lines.
    func lines() -> [String] {
        counts.withLock { table in
            table.keys.sorted().map { "loket_http_responses_total{status=\"\($0)\"} \(table[$0]!)" }
        }
    }
}
