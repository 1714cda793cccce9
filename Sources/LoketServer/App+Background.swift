// Work the server does on its own: closing yesterday's queue, pruning old events, the privacy purge.
import Foundation
import LoketCore
import LoketStore

extension App {
    /// Starts the once-a-minute housekeeping timer.
    public func startBackgroundWork() {
        housekeeping()
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "loket.housekeeping"))
        timer.schedule(deadline: .now() + 60, repeating: 60)
        timer.setEventHandler { [weak self] in self?.housekeeping() }
        timer.resume()
        backgroundTimer.withLock { $0 = timer }
        mailer.start()
        startWaitlistWork()
    }

    public func stopBackgroundWork() {
        backgroundTimer.withLock {
            $0?.cancel()
            $0 = nil
        }
        mailer.stop()
        stopWaitlistWork()
    }

    /// One round: day rollover per location, event pruning and retention purge, and the tokens' last use.
    func housekeeping() {
        let now = clock.now()
        flushTokenUse()
        do {
            try rolloverDays(now: now)
            let pass = try store.write { db in
                try db.purgeExpired(retentionDays: catalogue.settings.retentionDays, now: now)
            }
            // Expired holds are deleted: an answer kept while one was in force would differ from a new
            // one if the clock were set back before its end, so the answers of their locations (and
            // only theirs; none when no hold expired) are not kept past this round.
            var scope = AvailabilityScope()
            scope.touch(pass.expiredHoldLocations)
            availabilityCache.invalidate(scope)
            // Erased names must not linger in the write-ahead log either.
            if pass.erased > 0 { try store.checkpoint() }
        } catch {
            logger.error("housekeeping failed", metadata: ["error": "\(error)"])
        }
    }

    /// Closes tickets left open on earlier days, once per location and day.
    func rolloverDays(now: Date) throws {
        for location in catalogue.locations {
            try write(now: now) { tx in try rollover(location, in: &tx) }
        }
    }
}
