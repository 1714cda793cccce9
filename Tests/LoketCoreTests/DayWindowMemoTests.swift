// The day windows a remembering `OpeningCalendar` keeps (`DayWindowMemo`) against the same
// calendar working them out every time: random locations (the slot engine's property scenarios,
// with walk-in hours too), random dates, groups and instants, midnight crossings, more days than
// the memo holds, runtime limits, and a config reload (a new `QueueDesk`).
//
// Seeded: replay a failure with `LOKET_SEED=<seed> swift test --filter DayWindowMemoTests`.
import Foundation
import Testing
@testable import LoketCore

@Suite struct DayWindowMemoTests {
    /// A scenario's location with walk-in hours as well (its appointment rules, so groups matter there too).
    static func location(_ rng: inout SplitMix64) -> (Location, CivilDate) {
        let s = SlotEnginePropertyTests.scenario(&rng)
        var location = s.location
        location.walkInHours = Array(location.appointmentHours.prefix(2))
        return (location, s.from)
    }

    @Test func rememberedWindowsEqualWorkedOutOnes() {
        var rng = SplitMix64.seeded("rememberedWindowsEqualWorkedOutOnes")
        let clock = CivilClock(timeZone: .brussels)
        for _ in 0..<60 {
            let (location, start) = Self.location(&rng)
            let remembering = OpeningCalendar(location: location, remembering: true)
            let plain = OpeningCalendar(location: location)
            for _ in 0..<80 {
                let date = start.adding(days: Int.random(in: -2...16, using: &rng))
                let s = service("s", group: [nil, "eid", "rijbewijs"][Int.random(in: 0...2, using: &rng)], locations: ["loc"])
                // Twice: the second answer comes from the memo.
                for _ in 0..<2 {
                    #expect(remembering.appointmentWindows(on: date, service: s) == plain.appointmentWindows(on: date, service: s))
                    #expect(remembering.walkInWindows(on: date, service: s) == plain.walkInWindows(on: date, service: s))
                }
                // Instants on both sides of the date's midnight: the day rolls over between them.
                let minute = Int.random(in: 0...1439, using: &rng)
                let midnight = clock.startOfDay(date)
                for now in [clock.instant(date, TimeOfDay(minutes: minute)), midnight.addingTimeInterval(-0.5), midnight,
                            midnight.addingTimeInterval(0.5)] {
                    #expect(remembering.isWalkInOpen(at: now, service: s) == plain.isWalkInOpen(at: now, service: s))
                    #expect(remembering.nextWalkInOpening(after: now, service: s, days: 3)
                            == plain.nextWalkInOpening(after: now, service: s, days: 3))
                }
            }
        }
    }

    @Test func moreDaysThanTheMemoHoldsStayExact() {
        var rng = SplitMix64.seeded("moreDaysThanTheMemoHoldsStayExact")
        let (location, start) = Self.location(&rng)
        let remembering = OpeningCalendar(location: location, remembering: true)
        let plain = OpeningCalendar(location: location)
        let s = service("s", locations: ["loc"])
        for round in 0..<2 {
            for offset in 0..<(DayWindowMemo.capacity + 40) {
                let date = start.adding(days: offset)
                #expect(remembering.walkInWindows(on: date, service: s) == plain.walkInWindows(on: date, service: s),
                        "round \(round), \(date)")
            }
        }
    }

    @Test func aLocationWithRuntimeLimitsIsNeverRemembered() {
        // 2026-12-01 is a Tuesday: walk-in 09:00-12:00 at the town hall.
        let tuesday = day("2026-12-01")
        let clock = CivilClock(timeZone: .brussels)
        let limit = DeskLimit(id: "limit-1", location: "stadhuis", from: clock.instant(tuesday, TimeOfDay(minutes: 600)),
                              to: clock.instant(tuesday, TimeOfDay(minutes: 660)), desks: 0)
        let limited = townHall().with(limits: [limit])
        let calendar = OpeningCalendar(location: limited, remembering: true)
        let eid = service("eid")
        #expect(calendar.walkInWindows(on: tuesday, service: eid).count == 2) // 09:00-10:00 and 11:00-12:00
        #expect(calendar.walkInWindows(on: tuesday, service: eid) == OpeningCalendar(location: limited).walkInWindows(on: tuesday, service: eid))
    }

    @Test func aReloadedCatalogueGetsItsOwnWindows() {
        // 2026-12-01 is a Tuesday.
        let tuesday = day("2026-12-01")
        let eid = service("eid")
        func catalogue(_ walkIn: String) -> Catalogue {
            var hall = townHall()
            hall.walkInHours = [OpeningRule(weekdays: workdays, ranges: [hours(walkIn)])]
            return Catalogue(settings: Settings(), categories: [Category(id: "burgerzaken", name: LocalizedText([.nl: "Burgerzaken"]))],
                             locations: [hall], services: [eid], counters: [])
        }
        let before = catalogue("09:00-12:00"), after = catalogue("08:00-10:00")
        let old = QueueDesk(catalogue: before)
        let oldWindows = old.calendar(before.locations[0]).walkInWindows(on: tuesday, service: eid)
        let reloaded = QueueDesk(catalogue: after)
        let newWindows = reloaded.calendar(after.locations[0]).walkInWindows(on: tuesday, service: eid)
        #expect(oldWindows == OpeningCalendar(location: before.locations[0]).walkInWindows(on: tuesday, service: eid))
        #expect(newWindows == OpeningCalendar(location: after.locations[0]).walkInWindows(on: tuesday, service: eid))
        #expect(newWindows != oldWindows)
        // The old desk (still held by a request that began before the reload) keeps answering for its catalogue.
        #expect(old.calendar(before.locations[0]).walkInWindows(on: tuesday, service: eid) == oldWindows)
    }
}
