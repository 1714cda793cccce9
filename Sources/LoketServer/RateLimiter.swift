// Per-client token buckets for the public API, against bots that grab and resell slots.
import Foundation
import LoketHTTP

/// Allows `perMinute` requests per client per minute, with bursts up to the same number.
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: Date
    }

    private let perMinute: Double
    private let enabled: Bool
    private let buckets = LockedBox<[String: Bucket]>([:])

    init(perMinute: Int, enabled: Bool) {
        self.perMinute = Double(max(1, perMinute))
        self.enabled = enabled
    }

    /// Takes `cost` tokens; returns nil when allowed, else the seconds to wait.
    func take(client: String, cost: Int, now: Date) -> Int? {
        guard enabled else { return nil }
        return buckets.withLock { table -> Int? in
            if table.count > 50_000 { table.removeAll(keepingCapacity: true) }
            var b = table[client] ?? Bucket(tokens: perMinute, updated: now)
            let elapsed = max(0, now.timeIntervalSince(b.updated))
            b.tokens = min(perMinute, b.tokens + elapsed * perMinute / 60)
            b.updated = now
            let c = Double(cost)
            if b.tokens >= c {
                b.tokens -= c
                table[client] = b
                return nil
            }
            table[client] = b
            return max(1, Int(((c - b.tokens) * 60 / perMinute).rounded(.up)))
        }
    }
}
