// Property tests of the slot engine over random locations, rules and bookings.
//
// The generator is seeded (LOKET_SEED, else a fixed default) and prints its seed, so a failure can
// be replayed with `LOKET_SEED=<seed> swift test --filter SlotEnginePropertyTests`.
import Foundation
import Testing
@testable import LoketCore

@Suite struct SlotEnginePropertyTests {
    /// One random scenario: a location, a visit, a date range and a moment.
    struct Scenario {
        var location: Location
        var items: [VisitItem]
        var from: CivilDate
        var to: CivilDate
        var now: Date
        var group: String?
    }

    static func scenario(_ rng: inout SplitMix64) -> Scenario {
        func pick<T>(_ values: [T]) -> T { values[Int(rng.next(upperBound: UInt64(values.count)))] }
        func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }

        // Sometimes around a DST change or Easter, otherwise anywhere in 2026-2027.
        let start = pick([day("2027-03-22"), day("2026-10-19"), day("2026-03-30"), day("2027-03-24"),
                          day("2026-01-01").adding(days: int(0...700))])
        let group: String? = pick([nil, "eid", "rijbewijs"])
        var rules: [OpeningRule] = []
        for _ in 0..<int(1...3) {
            var weekdays = Set<Weekday>()
            for w in Weekday.allCases where int(0...2) > 0 { weekdays.insert(w) }
            var ranges: [TimeRange] = []
            var t = int(0...12) * 30 + (pick([true, false]) ? 0 : int(0...59)) // sometimes off any grid
            for _ in 0..<int(1...3) {
                let length = int(2...16) * 15 + pick([0, 0, 7])
                let end = min(t + length, 1440)
                if end > t { ranges.append(TimeRange(start: TimeOfDay(minutes: t), end: TimeOfDay(minutes: end))) }
                t = end + int(0...4) * 15
                if t >= 1440 { break }
            }
            rules.append(OpeningRule(weekdays: weekdays, ranges: ranges,
                                     validFrom: pick([nil, start.adding(days: int(0...5))]),
                                     validUntil: pick([nil, start.adding(days: int(5...14))]),
                                     everyWeeks: pick([1, 1, 2, 3]), desks: int(0...4),
                                     serviceGroups: pick([nil, nil, ["eid"], ["rijbewijs", "eid"]])))
        }
        var closures: [Closure] = []
        for _ in 0..<int(0...2) {
            let d = start.adding(days: int(0...14))
            closures.append(Closure(from: d, until: d.adding(days: int(0...1)),
                                    ranges: pick([nil, [TimeRange(start: TimeOfDay(minutes: int(16...24) * 30),
                                                                  end: TimeOfDay(minutes: int(25...36) * 30))]])))
        }
        var extras: [ExtraOpening] = []
        if int(0...1) == 1 {
            extras.append(ExtraOpening(date: start.adding(days: int(0...14)), ranges: [hours("09:00-12:30")],
                                       desks: int(1...3), evenOnHoliday: pick([true, false])))
        }
        let booking = BookingPolicy(slotMinutes: pick([5, 10, 15, 20, 30]), leadMinutes: pick([0, 60, 120, 600]),
                                    horizonDays: int(3...20), walkInReserve: int(0...1),
                                    onlineShare: pick([1.0, 0.5, 0.75, 0.34]))
        let location = Location(id: "loc", name: LocalizedText([.nl: "Loc"]), appointmentHours: rules, closures: closures,
                                extraOpenings: extras, booking: booking)
        var items: [VisitItem] = []
        for i in 0..<int(1...2) {
            items.append(VisitItem(service: service("s\(i)", minutes: int(1...9) * 5, group: group, locations: ["loc"]),
                                   persons: int(1...2)))
        }
        let now = CivilClock(timeZone: .brussels).instant(start.adding(days: -int(0...1)),
                                                         TimeOfDay(minutes: int(0...1439)))
        return Scenario(location: location, items: items, from: start, to: start.adding(days: 14), now: now, group: group)
    }

    /// An independent, slow account of capacity: opening windows looked up minute by minute.
    struct Oracle {
        let scenario: Scenario
        let clock = CivilClock(timeZone: .brussels)
        let windows: [CivilDate: [OpeningWindow]]

        init(_ s: Scenario) {
            scenario = s
            let calendar = OpeningCalendar(location: s.location)
            var windows: [CivilDate: [OpeningWindow]] = [:]
            var d = s.from.adding(days: -1)
            while d <= s.to.adding(days: 1) {
                windows[d] = calendar.appointmentWindows(on: d, service: s.items[0].service)
                d = d.adding(days: 1)
            }
            self.windows = windows
        }

        /// Desks for `channel` at instant `t`; -1 outside every window.
        func capacity(at t: Date, _ channel: BookingChannel) -> Int {
            guard let w = windows[clock.date(of: t)]?.first(where: { $0.start <= t && t < $0.end }) else { return -1 }
            return SlotEngine.capacity(desks: w.desks, policy: scenario.location.booking, channel: channel)
        }

        /// The free desks a slot should show, minute by minute; -1 when it leaves the opening hours.
        func free(_ slot: Slot, _ booked: [BookedInterval], _ channel: BookingChannel) -> Int {
            let relevant = booked.filter { $0.group == scenario.group && $0.start < slot.end && slot.start < $0.end }
            var lowest = Int.max
            var t = slot.start
            while t < slot.end {
                let capAll = capacity(at: t, .staff)
                if capAll < 0 { return -1 }
                let overlapping = relevant.filter { $0.start <= t && t < $0.end }
                var free = capAll - overlapping.count
                if channel == .online {
                    free = min(free, capacity(at: t, .online) - overlapping.filter { $0.channel == .online }.count)
                }
                lowest = min(lowest, free)
                t = t.addingTimeInterval(60)
            }
            return lowest
        }
    }

    @Test func neverOverbooked() {
        var rng = SplitMix64.seeded("neverOverbooked")
        for round in 0..<25 {
            let s = Self.scenario(&rng)
            let oracle = Oracle(s)
            var booked: [BookedInterval] = []
            for _ in 0..<80 {
                let channel: BookingChannel = Bool.random(using: &rng) ? .online : .staff
                let slots = SlotEngine.slots(location: s.location, items: s.items, from: s.from, to: s.to, booked: booked,
                                             channel: channel, now: s.now)
                guard !slots.isEmpty else { break }
                let slot = slots[Int(rng.next(upperBound: UInt64(slots.count)))]
                booked.append(BookedInterval(start: slot.start, end: slot.end, group: s.group, channel: channel))
            }
            // Re-verify occupancy at every booked minute against the calendar, independently of the engine.
            for b in booked {
                var t = b.start
                while t < b.end {
                    let here = booked.filter { $0.start <= t && t < $0.end }
                    let cap = oracle.capacity(at: t, .staff)
                    #expect(here.count <= cap, "round \(round): \(here.count) bookings > \(cap) desks at \(t)")
                    let online = here.filter { $0.channel == .online }.count
                    #expect(online <= oracle.capacity(at: t, .online), "round \(round): online quota exceeded at \(t)")
                    t = t.addingTimeInterval(60)
                }
            }
        }
    }

    @Test func slotsLieInWindowsAndCountFreeDesksExactly() {
        var rng = SplitMix64.seeded("slotsLieInWindows")
        var listed = 0
        for round in 0..<25 {
            let s = Self.scenario(&rng)
            let clock = CivilClock(timeZone: .brussels)
            let oracle = Oracle(s)
            // Some random existing bookings, on the grid or not, of this group or another one.
            var booked: [BookedInterval] = []
            for _ in 0..<Int.random(in: 0..<40, using: &rng) {
                let d = s.from.adding(days: Int.random(in: 0..<15, using: &rng))
                let start = clock.instant(d, TimeOfDay(minutes: Int.random(in: 0..<1400, using: &rng)))
                booked.append(BookedInterval(start: start, end: start.addingTimeInterval(Double(5 + Int.random(in: 0..<60, using: &rng)) * 60),
                                             group: Bool.random(using: &rng) ? s.group : "other",
                                             channel: Bool.random(using: &rng) ? .online : .staff))
            }
            let lead = Double(s.items[0].service.leadMinutes ?? s.location.booking.leadMinutes) * 60
            let horizon = clock.date(of: s.now).adding(days: s.location.booking.horizonDays)
            for channel in BookingChannel.allCases {
                let slots = SlotEngine.slots(location: s.location, items: s.items, from: s.from, to: s.to, booked: booked,
                                             channel: channel, now: s.now)
                listed += slots.count
                for slot in slots {
                    let date = clock.date(of: slot.start)
                    #expect(!BelgianHolidays.isHoliday(date) || s.location.extraOpenings.contains { $0.date == date })
                    #expect(slot.start >= s.now.addingTimeInterval(lead))
                    #expect(date <= horizon && date >= s.from && date <= s.to)
                    #expect(slot.end.timeIntervalSince(slot.start) == Double(SlotEngine.visitMinutes(s.items) * 60))
                    #expect(slot.free > 0)
                    let expected = oracle.free(slot, booked, channel)
                    #expect(slot.free == expected, "round \(round) \(channel) \(clock.iso8601(slot.start))")
                }
                if let slot = slots.last {
                    #expect(throws: Never.self) {
                        _ = try SlotEngine.check(start: slot.start, location: s.location, items: s.items, booked: booked,
                                                 channel: channel, now: s.now)
                    }
                }
            }
        }
        #expect(listed > 100) // the generator produces real calendars, not only empty ones
    }

    @Test func bookingThenCancellingRestoresFree() {
        var rng = SplitMix64.seeded("bookingThenCancelling")
        for round in 0..<25 {
            let s = Self.scenario(&rng)
            let channel: BookingChannel = Bool.random(using: &rng) ? .online : .staff
            let before = SlotEngine.slots(location: s.location, items: s.items, from: s.from, to: s.to, booked: [],
                                          channel: channel, now: s.now)
            guard !before.isEmpty else { continue }
            let slot = before[Int(rng.next(upperBound: UInt64(before.count)))]
            let booking = BookedInterval(start: slot.start, end: slot.end, group: s.group, channel: channel)
            let during = SlotEngine.slots(location: s.location, items: s.items, from: s.from, to: s.to, booked: [booking],
                                          channel: channel, now: s.now)
            let same = during.first { $0.start == slot.start }
            #expect((same?.free ?? 0) == slot.free - 1, "round \(round)")
            #expect(during.count <= before.count)
            // Slots not overlapping the booking are untouched; overlapping ones lose at most one desk
            // (none when their tightest minute lies outside the booking); no slot appears.
            let duringByStart = Dictionary(uniqueKeysWithValues: during.map { ($0.start, $0.free) })
            for other in before {
                let free = duringByStart[other.start] ?? 0
                if other.start < booking.end && booking.start < other.end {
                    #expect(free == other.free || free == other.free - 1, "round \(round)")
                } else {
                    #expect(free == other.free, "round \(round)")
                }
            }
            #expect(Set(during.map(\.start)).isSubset(of: before.map(\.start)))
            // Held as a cooldown: the same effect as a booking.
            let held = SlotEngine.slots(location: s.location, items: s.items, from: s.from, to: s.to, booked: [],
                                        held: [booking], channel: channel, now: s.now)
            #expect(held == during)
            let after = SlotEngine.slots(location: s.location, items: s.items, from: s.from, to: s.to, booked: [],
                                         channel: channel, now: s.now)
            #expect(after == before)
        }
    }
}
