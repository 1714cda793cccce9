// How long a list of free slots stays true while only time passes.
//
// `SlotEngine.slots` reads `now` in exactly two places: today's date (the first day listed and the
// booking horizon) and the lead time (a start is listed only when start >= now + lead). Holds in
// force are read by the caller (`until > now`). With the bookings, holds, closures and config
// unchanged, the answer computed at `now` is therefore the same at every later instant before
//   - the next local midnight (today, and with it the horizon, moves), and
//   - the instant the earliest listed slot falls inside the lead time
// and before the earliest expiry of a hold in force (the caller adds that, it knows the holds).
// Nothing can appear as time passes: starts inside the lead time never come back, so the earliest
// listed start is the only one that matters. An earlier instant is not covered (the clock may be
// set back, and a start that was inside the lead time would come back).
import Foundation

extension SlotEngine {
    /// The first instant after `now` at which `slots(location:items:...now:)` could list something
    /// else than `slots` with the same bookings, holds, closures and config: the next local midnight
    /// or the moment the earliest slot in `slots` falls inside the lead time, whichever comes first.
    public static func unchangedUntil(location: Location, items: [VisitItem], slots: [Slot], now: Date) -> Date {
        let clock = CivilClock(timeZone: location.timeZone)
        var until = clock.startOfDay(clock.date(of: now).adding(days: 1))
        if let service = items.first?.service, let first = slots.lazy.map(\.start).min() {
            // Listed while seconds(now) + lead <= start, i.e. while now < start - lead + 1 s (whole seconds).
            let lead = (service.leadMinutes ?? location.booking.leadMinutes) * 60
            let drops = Date(timeIntervalSince1970: Double(seconds(first) - lead + 1))
            until = min(until, drops)
        }
        return until
    }
}
