// The booking's slot check reads only the appointments and holds overlapping the visit
// (`SlotEngine.checkedSpan`), not the whole day's. These properties hold it to the whole-day check
// it replaced: over random calendars (DST days, windows up to midnight, runtime closures and
// reduced desks), random bookings and holds (of other groups, both channels, visits of different
// lengths, starts off any grid, some crossing midnight), every asked start gets the same answer,
// the same slot or the same error, from both.
import Foundation
import Testing
@testable import LoketCore

@Suite struct SlotCheckPropertyTests {
    typealias Scenario = SlotEnginePropertyTests.Scenario

    /// `check` the way the booking did before: with everything overlapping the start's civil day.
    static func wholeDay(_ start: Date, _ s: Scenario, booked: [BookedInterval], held: [BookedInterval],
                         channel: BookingChannel) -> Result<Slot, LoketError> {
        let clock = CivilClock(timeZone: s.location.timeZone)
        let day = clock.date(of: start)
        let from = clock.startOfDay(day), to = clock.startOfDay(day.adding(days: 1))
        return answer {
            try SlotEngine.check(start: start, location: s.location, items: s.items,
                                 booked: booked.filter { $0.start < to && $0.end > from },
                                 held: held.filter { $0.start < to && $0.end > from }, channel: channel, now: s.now)
        }
    }

    /// `check` the way the booking does now: with only what overlaps the visit's span.
    static func spanOnly(_ start: Date, _ s: Scenario, booked: [BookedInterval], held: [BookedInterval],
                         channel: BookingChannel) -> Result<Slot, LoketError> {
        let span = SlotEngine.checkedSpan(start: start, items: s.items)
        return answer {
            try SlotEngine.check(start: start, location: s.location, items: s.items,
                                 booked: booked.filter { $0.start < span.to && $0.end > span.from },
                                 held: held.filter { $0.start < span.to && $0.end > span.from }, channel: channel, now: s.now)
        }
    }

    static func answer(_ body: () throws -> Slot) -> Result<Slot, LoketError> {
        do { return .success(try body()) } catch let error as LoketError { return .failure(error) } catch {
            Issue.record("unexpected error \(error)")
            return .failure(LoketError(.invalid, "unexpected"))
        }
    }

    /// Random busy intervals around the scenario's days: any length from a minute to five hours,
    /// on whole minutes or not, sometimes over midnight, of the visit's group or another.
    static func intervals(_ s: Scenario, count: Int, _ rng: inout SplitMix64) -> [BookedInterval] {
        let clock = CivilClock(timeZone: s.location.timeZone)
        var result: [BookedInterval] = []
        for _ in 0..<count {
            let d = s.from.adding(days: Int.random(in: -1...14, using: &rng))
            var start = clock.instant(d, TimeOfDay(minutes: Int.random(in: 0..<1440, using: &rng)))
            if Int.random(in: 0..<4, using: &rng) == 0 { start = start.addingTimeInterval(Double(Int.random(in: 1..<60, using: &rng))) }
            let minutes = [1, 5, 10, 15, 20, 30, 45, 60, 90, 300][Int.random(in: 0..<10, using: &rng)]
            var end = start.addingTimeInterval(Double(minutes * 60))
            if Int.random(in: 0..<5, using: &rng) == 0 { end = end.addingTimeInterval(Double(Int.random(in: -59...59, using: &rng))) }
            guard end > start else { continue }
            result.append(BookedInterval(start: start, end: end, group: Int.random(in: 0..<4, using: &rng) == 0 ? "other" : s.group,
                                         channel: Bool.random(using: &rng) ? .online : .staff))
        }
        return result
    }

    /// Runtime closures and reduced desks over some of the scenario's days.
    static func limits(_ s: Scenario, _ rng: inout SplitMix64) -> [DeskLimit] {
        let clock = CivilClock(timeZone: s.location.timeZone)
        return (0..<Int.random(in: 0...3, using: &rng)).map { i in
            let d = s.from.adding(days: Int.random(in: 0...14, using: &rng))
            let from = clock.instant(d, TimeOfDay(minutes: Int.random(in: 0..<1440, using: &rng)))
            return DeskLimit(id: "limit-\(i)", location: s.location.id, from: from,
                             to: from.addingTimeInterval(Double(Int.random(in: 10...600, using: &rng) * 60)),
                             desks: Int.random(in: 0...2, using: &rng))
        }
    }

    @Test func spanCheckAnswersAsTheWholeDayCheck() {
        var rng = SplitMix64.seeded("spanCheckAnswersAsTheWholeDayCheck")
        var compared = 0, free = 0, full = 0
        for round in 0..<60 {
            var s = SlotEnginePropertyTests.scenario(&rng)
            s.location = s.location.with(limits: Self.limits(s, &rng))
            let clock = CivilClock(timeZone: s.location.timeZone)
            let booked = Self.intervals(s, count: Int.random(in: 0...300, using: &rng), &rng)
            let held = Self.intervals(s, count: Int.random(in: 0...10, using: &rng), &rng)
            // Asked starts: every start the empty calendar lists (on the grid, in the hours), and
            // random instants (off the grid, closed, around midnight, in the past).
            var starts = SlotEngine.slots(location: s.location, items: s.items, from: s.from, to: s.to, booked: [],
                                          channel: .staff, now: s.now).map(\.start)
            for _ in 0..<40 {
                let d = s.from.adding(days: Int.random(in: -1...14, using: &rng))
                starts.append(clock.instant(d, TimeOfDay(minutes: Int.random(in: 0..<1440, using: &rng))))
            }
            for start in starts {
                for channel in BookingChannel.allCases {
                    let old = Self.wholeDay(start, s, booked: booked, held: held, channel: channel)
                    let new = Self.spanOnly(start, s, booked: booked, held: held, channel: channel)
                    #expect(old == new, "round \(round) \(channel) \(clock.iso8601(start))")
                    compared += 1
                    if case .success = old { free += 1 }
                    if case .failure(let e) = old, e.code == .slotUnavailable { full += 1 }
                }
            }
        }
        // The scenarios reach both answers often, not only errors for starts off the grid.
        #expect(compared > 5_000 && free > 500 && full > 500, "compared \(compared), free \(free), full \(full)")
    }
}
