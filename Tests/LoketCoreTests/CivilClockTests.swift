// Civil dates and the DST-aware clock of Europe/Brussels.
import Foundation
import Testing
@testable import LoketCore

@Suite struct CivilClockTests {
    let clock = CivilClock(timeZone: .brussels)

    @Test(arguments: [
        ("2026-12-01", "08:30", "2026-12-01T07:30:00Z"), // a Tuesday, winter time (+01:00)
        ("2026-07-21", "08:30", "2026-07-21T06:30:00Z"), // summer time (+02:00)
        ("2027-03-28", "08:30", "2027-03-28T06:30:00Z"), // spring forward at 02:00 that Sunday
        ("2027-03-28", "01:30", "2027-03-28T00:30:00Z"), // still winter time
        ("2027-03-28", "00:00", "2027-03-27T23:00:00Z"), // midnight before the jump
        ("2026-10-25", "08:30", "2026-10-25T07:30:00Z"), // fall back at 03:00 that Sunday
        ("2026-10-25", "00:00", "2026-10-24T22:00:00Z"), // midnight still in summer time
        ("2026-10-25", "02:30", "2026-10-25T00:30:00Z"), // repeated hour: first occurrence
        ("2026-10-25", "24:00", "2026-10-25T23:00:00Z"), // end of a 25-hour day
        ("2027-03-28", "02:30", "2027-03-28T01:30:00Z"), // in the gap: just after the jump (03:30 CEST)
    ])
    func instant(date: String, time: String, utc: String) {
        #expect(clock.instant(day(date), TimeOfDay(time)!) == at(utc))
    }

    @Test func roundTripOnDSTDays() {
        for (date, expectedHours) in [("2027-03-28", 23), ("2026-10-25", 25), ("2026-12-01", 24)] {
            let d = day(date)
            let length = clock.startOfDay(d.adding(days: 1)).timeIntervalSince(clock.startOfDay(d))
            #expect(length == Double(expectedHours * 3600))
            let morning = clock.instant(d, TimeOfDay(minutes: 8 * 60 + 30))
            #expect(clock.date(of: morning) == d)
            #expect(clock.timeOfDay(of: morning) == TimeOfDay(minutes: 510))
        }
    }

    @Test func dateOfInstantAroundMidnight() {
        #expect(clock.date(of: at("2026-11-30T23:00:00Z")) == day("2026-12-01")) // local midnight
        #expect(clock.date(of: at("2026-11-30T22:59:59Z")) == day("2026-11-30"))
        #expect(clock.iso8601(at("2026-12-01T07:30:00Z")) == "2026-12-01T08:30:00+01:00")
        #expect(clock.iso8601(at("2027-03-28T06:30:00Z")) == "2027-03-28T08:30:00+02:00")
    }

    @Test(arguments: [("2026-12-01", Weekday.tuesday), ("2026-01-05", .monday), ("2027-03-28", .sunday),
                      ("2000-02-29", .tuesday), ("1970-01-01", .thursday)])
    func weekdays(date: String, weekday: Weekday) {
        #expect(day(date).weekday == weekday)
    }

    @Test func dayArithmetic() {
        #expect(day("2026-12-31").adding(days: 1) == day("2027-01-01"))
        #expect(day("2028-02-28").adding(days: 1) == day("2028-02-29"))
        #expect(day("2026-03-01").adding(days: -1) == day("2026-02-28"))
        #expect(CivilDate(dayNumber: day("2026-12-01").dayNumber) == day("2026-12-01"))
        #expect(CivilDate("2026-02-30") == nil)
    }

    /// `date(of:)` reads the zone's offset and counts whole local days; Foundation's calendar is the
    /// oracle, at random instants and at the seconds around every midnight and DST change of
    /// 2026-2028, in zones west, east and off the hour.
    @Test func dateOfAgreesWithTheCalendar() {
        var rng = SplitMix64.seeded("dateOfAgreesWithTheCalendar")
        for id in ["Europe/Brussels", "America/New_York", "Asia/Kolkata", "Pacific/Chatham", "UTC"] {
            let zone = TimeZone(identifier: id)!
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            let civil = CivilClock(timeZone: zone)
            func expected(_ instant: Date) -> CivilDate {
                let c = calendar.dateComponents([.year, .month, .day], from: instant)
                return CivilDate(year: c.year!, month: c.month!, day: c.day!)!
            }
            var instants: [Date] = []
            for _ in 0..<2_000 { instants.append(Date(timeIntervalSince1970: Double.random(in: 1_767_225_600...1_861_920_000, using: &rng))) }
            var d = day("2026-01-01")
            while d <= day("2028-12-31") {
                let midnight = civil.startOfDay(d)
                instants += [midnight.addingTimeInterval(-1), midnight.addingTimeInterval(-0.001), midnight, midnight.addingTimeInterval(0.5)]
                d = d.adding(days: 1)
            }
            var change = zone.nextDaylightSavingTimeTransition(after: Date(timeIntervalSince1970: 1_767_225_600))
            while let t = change, t.timeIntervalSince1970 < 1_861_920_000 {
                instants += [t.addingTimeInterval(-1), t, t.addingTimeInterval(1)]
                change = zone.nextDaylightSavingTimeTransition(after: t)
            }
            for instant in instants {
                #expect(civil.date(of: instant) == expected(instant), "\(id) \(instant.timeIntervalSince1970)")
            }
        }
    }
}
