// The byte writers of the availability answer (same text as `CivilClock.iso8601` and
// `CivilDate.description`, across DST changes and in odd zones) and `SlotEngine.unchangedUntil`.
import Foundation
import Testing
@testable import LoketCore

@Suite struct AvailabilityBytesTests {
    @Test(arguments: ["Europe/Brussels", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "America/St_Johns", "UTC"])
    func iso8601BytesEqualTheText(zone: String) throws {
        let tz = try #require(TimeZone(identifier: zone))
        let clock = CivilClock(timeZone: tz)
        var rng = SplitMix64.seeded("iso8601BytesEqualTheText")
        // Ascending runs (as in an answer) through 2026-2028, with every DST change, plus random jumps.
        var instants: [Date] = []
        var t = at("2026-01-01T00:00:00Z").timeIntervalSince1970
        while t < at("2028-12-31T00:00:00Z").timeIntervalSince1970 {
            instants.append(Date(timeIntervalSince1970: t))
            t += Double(Int.random(in: 60...40_000, using: &rng))
        }
        for _ in 0..<300 { instants.append(Date(timeIntervalSince1970: Double(Int.random(in: 0...4_000_000_000, using: &rng)))) }
        var offsets = ZoneOffsets(tz)
        for i in instants {
            var out: [UInt8] = []
            CivilClock.appendISO8601(i, offsets: &offsets, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == clock.iso8601(i), "\(zone) at \(i)")
        }
    }

    @Test func dateBytesEqualTheDescription() {
        for text in ["2026-12-01", "0999-01-09", "2027-03-28", "9999-12-31"] {
            var out: [UInt8] = []
            CivilClock.appendDate(day(text), to: &out)
            #expect(String(decoding: out, as: UTF8.self) == day(text).description)
        }
    }

    @Test func anAnswerStaysUntilItsFirstSlotFallsInsideTheLeadTimeOrMidnight() {
        let hall = townHall(booking: BookingPolicy(slotMinutes: 15, leadMinutes: 60, horizonDays: 10))
        let visit = [VisitItem(service: service("eid"), persons: 1)]
        // 2026-12-01 is a Tuesday; at 09:00 the first slot is 10:00 (60 minutes lead).
        let now = at("2026-12-01T09:00:00+01:00")
        let slots = SlotEngine.slots(location: hall, items: visit, from: day("2026-12-01"), to: day("2026-12-03"), booked: [], now: now)
        let until = SlotEngine.unchangedUntil(location: hall, items: visit, slots: slots, now: now)
        #expect(until == at("2026-12-01T09:00:01+01:00"))
        for t in [now, now.addingTimeInterval(0.999), until, until.addingTimeInterval(3600)] {
            let again = SlotEngine.slots(location: hall, items: visit, from: day("2026-12-01"), to: day("2026-12-03"), booked: [], now: t)
            #expect((again == slots) == (t < until), "at \(t)")
        }
        // Nothing listed today or later in the range: midnight (here the DST night of 2027-03-28, a 23-hour day).
        let sunday = at("2027-03-27T22:00:00+01:00")
        let none = SlotEngine.slots(location: hall, items: visit, from: day("2027-03-27"), to: day("2027-03-28"), booked: [], now: sunday)
        #expect(none.isEmpty)
        #expect(SlotEngine.unchangedUntil(location: hall, items: visit, slots: none, now: sunday) == at("2027-03-28T00:00:00+01:00"))
        // A service's own lead time counts.
        let slow = [VisitItem(service: service("permit", lead: 120), persons: 1)]
        let later = SlotEngine.slots(location: hall, items: slow, from: day("2026-12-01"), to: day("2026-12-01"), booked: [], now: now)
        #expect(SlotEngine.unchangedUntil(location: hall, items: slow, slots: later, now: now) == at("2026-12-01T09:00:01+01:00"))
    }
}
