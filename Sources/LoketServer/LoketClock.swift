// The server's one clock. Read once per request at the edge; everything below takes `now` as a value.
import Foundation

/// Wall time for the server: real, or started at a pinned instant and running on at real speed.
public struct LoketClock: Sendable {
    private let origin: Date?
    private let started: DispatchTime

    /// The real clock.
    public static let system = LoketClock(startingAt: nil)

    /// A clock that reads `instant` now and runs on at real speed (`loket serve --clock`).
    public init(startingAt instant: Date?) {
        self.origin = instant
        self.started = .now()
    }

    /// The current instant.
    public func now() -> Date {
        guard let origin else { return Date() }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        return origin.addingTimeInterval(elapsed)
    }
}
