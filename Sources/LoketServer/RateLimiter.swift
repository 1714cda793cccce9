// Per-client token buckets for the public API, against bots that grab and resell slots.
import Foundation
import LoketHTTP

/// Allows `perMinute` requests per client per minute, with bursts up to the same number.
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: Date
    }

    private let enabled: Bool
    /// The allowance (a config reload may change it) and each client's bucket.
    private let state: LockedBox<(perMinute: Double, buckets: [String: Bucket])>

    init(perMinute: Int, enabled: Bool) {
        self.state = LockedBox((Double(max(1, perMinute)), [:]))
        self.enabled = enabled
    }

    /// Allows `perMinute` from now on (after a config reload); buckets keep what they hold, up to the new size.
    func allow(perMinute: Int) {
        state.withLock { $0.perMinute = Double(max(1, perMinute)) }
    }

    /// Takes `cost` tokens; returns nil when allowed, else the seconds to wait.
    func take(client: String, cost: Int, now: Date) -> Int? {
        guard enabled else { return nil }
        return state.withLock { state -> Int? in
            let perMinute = state.perMinute
            if state.buckets.count > 50_000 { state.buckets.removeAll(keepingCapacity: true) }
            var b = state.buckets[client] ?? Bucket(tokens: perMinute, updated: now)
            let elapsed = max(0, now.timeIntervalSince(b.updated))
            b.tokens = min(perMinute, b.tokens + elapsed * perMinute / 60)
            b.updated = now
            let c = Double(cost)
            if b.tokens >= c {
                b.tokens -= c
                state.buckets[client] = b
                return nil
            }
            state.buckets[client] = b
            return max(1, Int(((c - b.tokens) * 60 / perMinute).rounded(.up)))
        }
    }
}
