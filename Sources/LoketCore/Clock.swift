// Where "now" comes from. Rules never read the time themselves: the edge (a request handler,
// the background timer) reads a `Clock` once and passes the instant down as a value.
//
// Three clocks: the real one; one started at a pinned instant that runs on at real speed
// (`loket serve --clock`, for demos, training and black-box tests); and a manual one that
// tests move by hand, so no test sleeps or restarts a server to let time pass.
import Foundation

/// A source of the current instant.
public protocol Clock: Sendable {
    /// The current instant.
    func now() -> Date
}

/// The real wall clock.
public struct SystemClock: Clock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that reads `origin` when made and runs on at real speed from there (`loket serve --clock`).
public struct StartedClock: Clock {
    /// The instant the clock read when it was made.
    public let origin: Date
    /// Monotonic time when it was made, so a wall-clock jump does not move this clock.
    private let started: UInt64

    /// A clock that reads `origin` now.
    public init(startingAt origin: Date) {
        self.origin = origin
        self.started = DispatchTime.now().uptimeNanoseconds
    }

    public func now() -> Date {
        origin.addingTimeInterval(Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
    }
}

/// A clock that stands still until a test moves it.
public final class ManualClock: Clock, @unchecked Sendable {
    // @unchecked: `instant` is only touched under `lock`.
    private let lock = NSLock()
    private var instant: Date

    /// A clock reading `instant`.
    public init(_ instant: Date) { self.instant = instant }

    public func now() -> Date { lock.withLock { instant } }

    /// Moves the clock forward (or back, with a negative interval) by `interval` seconds.
    public func advance(by interval: TimeInterval) { lock.withLock { instant.addTimeInterval(interval) } }

    /// Sets the clock to `instant`.
    public func set(_ instant: Date) { lock.withLock { self.instant = instant } }
}
