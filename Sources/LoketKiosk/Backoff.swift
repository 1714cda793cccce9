// Retry delays after a failed request: 1, 2, 4, 8, 16, then 30 seconds, until one succeeds.

/// Doubling retry delays with a ceiling; ``reset()`` after a success.
public struct Backoff: Equatable, Sendable {
    /// The first delay, in seconds.
    public let initial: Double
    /// The ceiling, in seconds.
    public let maximum: Double
    private var failures = 0

    /// Delays from `initial` doubling up to `maximum` seconds.
    public init(initial: Double = 1, maximum: Double = 30) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The delay before the next attempt; each call counts one more failure.
    public mutating func next() -> Double {
        let exponent = min(failures, 30)
        failures += 1
        return min(maximum, initial * Double(1 << exponent))
    }

    /// Forgets the failures: the next delay is ``initial`` again.
    public mutating func reset() {
        failures = 0
    }
}
