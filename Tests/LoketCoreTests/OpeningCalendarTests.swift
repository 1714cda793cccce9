// Opening windows per civil date: rules, week cycles, validity, closures, extra openings, holidays.
import Foundation
import Testing
@testable import LoketCore

@Suite struct OpeningCalendarTests {
    let eid = service("eid")

    /// The windows of `date` as `HH:MM-HH:MM x desks` strings in the location's wall time.
    func describe(_ windows: [OpeningWindow], _ calendar: OpeningCalendar) -> [String] {
        windows.map { "\(calendar.clock.timeOfDay(of: $0.start))-\(calendar.clock.timeOfDay(of: $0.end)) x\($0.desks)" }
    }

    func appointments(_ location: Location, _ date: String, _ s: Service? = nil) -> [String] {
        let calendar = OpeningCalendar(location: location)
        return describe(calendar.appointmentWindows(on: day(date), service: s ?? eid), calendar)
    }

    @Test(arguments: [
        ("2026-12-01", ["08:30-12:00 x2", "13:00-16:00 x2"]), // a Tuesday
        ("2026-12-05", []), // a Saturday
        ("2026-12-06", []), // a Sunday
        ("2026-04-06", []), // Easter Monday
        ("2026-04-07", ["08:30-12:00 x2", "13:00-16:00 x2"]), // the Tuesday after
        ("2026-05-14", []), // Ascension, a Thursday
        ("2026-12-25", []), // Christmas, a Friday
    ])
    func weekdayRulesAndHolidays(date: String, expected: [String]) {
        #expect(appointments(townHall(), date) == expected)
    }

    @Test(arguments: [
        ("2026-03-07", true), // a Saturday in the anchor week (anchor Monday 2026-03-02)
        ("2026-03-14", false),
        ("2026-03-21", true),
        ("2026-02-21", true), // two weeks before the anchor also counts
        ("2026-02-28", false),
    ])
    func everyOtherWeekSaturday(date: String, open: Bool) {
        let location = townHall(appointmentHours: [
            OpeningRule(weekdays: [.saturday], ranges: [hours("09:00-12:00")], everyWeeks: 2, weekAnchor: day("2026-03-02")),
        ])
        #expect(appointments(location, date) == (open ? ["09:00-12:00 x1"] : []))
    }

    @Test func everyOtherWeekDefaultsToValidFromThenFixedAnchor() {
        let fromValid = townHall(appointmentHours: [
            OpeningRule(weekdays: [.saturday], ranges: [hours("09:00-12:00")], validFrom: day("2026-03-14"), everyWeeks: 2),
        ])
        #expect(appointments(fromValid, "2026-03-07").isEmpty) // before validFrom
        #expect(appointments(fromValid, "2026-03-14") == ["09:00-12:00 x1"])
        #expect(appointments(fromValid, "2026-03-21").isEmpty)
        let fixed = townHall(appointmentHours: [
            OpeningRule(weekdays: [.monday], ranges: [hours("09:00-12:00")], everyWeeks: 2),
        ])
        #expect(appointments(fixed, "2026-01-05") == ["09:00-12:00 x1"]) // the default anchor, a Monday
        #expect(appointments(fixed, "2026-01-12").isEmpty)
        #expect(appointments(fixed, "2026-01-19") == ["09:00-12:00 x1"])
    }

    @Test(arguments: [
        ("2026-05-29", []), // a Friday before validFrom
        ("2026-06-01", ["09:00-11:00 x1"]), // a Monday, first day
        ("2026-06-30", ["09:00-11:00 x1"]), // a Tuesday, last day
        ("2026-07-01", []),
    ])
    func validity(date: String, expected: [String]) {
        let location = townHall(appointmentHours: [
            OpeningRule(weekdays: workdays, ranges: [hours("09:00-11:00")], validFrom: day("2026-06-01"),
                        validUntil: day("2026-06-30")),
        ])
        #expect(appointments(location, date) == expected)
    }

    @Test func closures() {
        let location = townHall(closures: [
            Closure(from: day("2026-12-01"), until: day("2026-12-02")), // whole days
            Closure(from: day("2026-12-03"), until: day("2026-12-03"), ranges: [hours("10:00-11:00"), hours("15:00-17:00")]),
        ])
        #expect(appointments(location, "2026-12-01").isEmpty) // a Tuesday
        #expect(appointments(location, "2026-12-02").isEmpty)
        #expect(appointments(location, "2026-12-03") == ["08:30-10:00 x2", "11:00-12:00 x2", "13:00-15:00 x2"])
        #expect(appointments(location, "2026-12-04") == ["08:30-12:00 x2", "13:00-16:00 x2"])
    }

    @Test func extraOpenings() {
        let location = townHall(extras: [
            ExtraOpening(date: day("2026-12-05"), ranges: [hours("09:00-12:00")], desks: 3), // a Saturday
            ExtraOpening(date: day("2026-04-06"), ranges: [hours("09:00-10:00")], evenOnHoliday: true), // Easter Monday
            ExtraOpening(date: day("2026-05-14"), ranges: [hours("09:00-10:00")], evenOnHoliday: false), // Ascension
            ExtraOpening(date: day("2026-12-01"), ranges: [hours("11:00-13:00")]), // overlaps the morning, fills lunch
        ])
        #expect(appointments(location, "2026-12-05") == ["09:00-12:00 x3"])
        #expect(appointments(location, "2026-04-06") == ["09:00-10:00 x1"])
        #expect(appointments(location, "2026-05-14").isEmpty)
        #expect(appointments(location, "2026-12-01") == ["08:30-11:00 x2", "11:00-12:00 x3", "12:00-13:00 x1", "13:00-16:00 x2"])
    }

    @Test func overlappingRulesAddDesks() {
        let location = townHall(appointmentHours: [
            OpeningRule(weekdays: workdays, ranges: [hours("08:00-12:00")], desks: 2),
            OpeningRule(weekdays: [.tuesday], ranges: [hours("10:00-14:00")], desks: 1),
            OpeningRule(weekdays: [.tuesday], ranges: [hours("12:00-13:00")], desks: 1),
        ])
        // 2026-12-01 is a Tuesday.
        #expect(appointments(location, "2026-12-01") == ["08:00-10:00 x2", "10:00-12:00 x3", "12:00-13:00 x2", "13:00-14:00 x1"])
        #expect(appointments(location, "2026-12-02") == ["08:00-12:00 x2"])
    }

    @Test func serviceGroups() {
        let location = townHall(appointmentHours: [
            OpeningRule(weekdays: workdays, ranges: [hours("09:00-12:00")], desks: 2),
            OpeningRule(weekdays: [.tuesday], ranges: [hours("13:00-15:00")], desks: 1, serviceGroups: ["rijbewijs"]),
        ])
        let license = service("rijbewijs", group: "rijbewijs")
        let other = service("huwelijk", group: "trouw")
        // A group with rules of its own follows only those: the licence desk is open Tuesday afternoon only.
        #expect(appointments(location, "2026-12-01", license) == ["13:00-15:00 x1"])
        #expect(appointments(location, "2026-12-02", license) == [])
        // A group without rules of its own shares the general hours.
        #expect(appointments(location, "2026-12-01", other) == ["09:00-12:00 x2"])
        #expect(appointments(location, "2026-12-01", eid) == ["09:00-12:00 x2"]) // no group
    }

    @Test func dstDaysKeepWallTimes() {
        let location = townHall(appointmentHours: [OpeningRule(weekdays: [.sunday], ranges: [hours("08:30-12:00")])])
        let calendar = OpeningCalendar(location: location)
        let spring = calendar.appointmentWindows(on: day("2027-03-28"), service: eid) // spring forward
        #expect(spring == [OpeningWindow(start: at("2027-03-28T06:30:00Z"), end: at("2027-03-28T10:00:00Z"), desks: 1)])
        let autumn = calendar.appointmentWindows(on: day("2026-10-25"), service: eid) // fall back
        #expect(autumn == [OpeningWindow(start: at("2026-10-25T07:30:00Z"), end: at("2026-10-25T11:00:00Z"), desks: 1)])
    }

    @Test func walkIn() {
        let location = townHall(extras: [
            ExtraOpening(date: day("2026-12-05"), ranges: [hours("09:00-12:00")], walkIn: true), // a Saturday
            ExtraOpening(date: day("2026-12-12"), ranges: [hours("09:00-12:00")], walkIn: false),
        ])
        let calendar = OpeningCalendar(location: location)
        #expect(describe(calendar.walkInWindows(on: day("2026-12-01"), service: eid), calendar) == ["09:00-12:00 x1"])
        #expect(calendar.walkInWindows(on: day("2026-12-05"), service: eid).count == 1)
        #expect(calendar.walkInWindows(on: day("2026-12-12"), service: eid).isEmpty)

        // 2026-12-01 is a Tuesday: 09:00 and 11:59 open, 08:59 and 12:00 closed.
        #expect(calendar.isWalkInOpen(at: at("2026-12-01T09:00:00+01:00"), service: eid))
        #expect(calendar.isWalkInOpen(at: at("2026-12-01T11:59:00+01:00"), service: eid))
        #expect(!calendar.isWalkInOpen(at: at("2026-12-01T08:59:00+01:00"), service: eid))
        #expect(!calendar.isWalkInOpen(at: at("2026-12-01T12:00:00+01:00"), service: eid))
        let appointmentOnly = service("huwelijk", channels: [.appointment])
        #expect(!calendar.isWalkInOpen(at: at("2026-12-01T10:00:00+01:00"), service: appointmentOnly))
        let elsewhere = service("bouw", locations: ["district"])
        #expect(!calendar.isWalkInOpen(at: at("2026-12-01T10:00:00+01:00"), service: elsewhere))
    }

    @Test(arguments: [
        ("2026-12-01T08:00:00+01:00", "2026-12-01T09:00:00+01:00"), // before opening: today 09:00
        ("2026-12-01T10:00:00+01:00", "2026-12-02T09:00:00+01:00"), // open now: the next opening is tomorrow
        ("2026-12-04T12:30:00+01:00", "2026-12-05T09:00:00+01:00"), // Friday afternoon: the extra Saturday
        ("2026-12-05T12:30:00+01:00", "2026-12-07T09:00:00+01:00"), // then Monday
        ("2026-12-24T13:00:00+01:00", "2026-12-28T09:00:00+01:00"), // over Christmas (Friday 25th)
    ])
    func nextWalkInOpening(now: String, expected: String) {
        let location = townHall(extras: [ExtraOpening(date: day("2026-12-05"), ranges: [hours("09:00-12:00")], walkIn: true)])
        let calendar = OpeningCalendar(location: location)
        #expect(calendar.nextWalkInOpening(after: at(now), service: eid) == at(expected))
    }

    @Test func nextWalkInOpeningNoneInRange() {
        let calendar = OpeningCalendar(location: townHall(closures: [Closure(from: day("2026-12-01"), until: day("2027-01-31"))]))
        #expect(calendar.nextWalkInOpening(after: at("2026-12-01T08:00:00+01:00"), service: eid, days: 21) == nil)
        #expect(calendar.nextWalkInOpening(after: at("2026-12-01T08:00:00+01:00"), service: eid, days: 90)
                == at("2027-02-01T09:00:00+01:00"))
    }

    @Test func touchingWalkInRulesAreOneOpening() {
        var location = townHall()
        location.walkInHours = [
            OpeningRule(weekdays: workdays, ranges: [hours("09:00-10:00")]),
            OpeningRule(weekdays: workdays, ranges: [hours("10:00-12:00")], desks: 2),
        ]
        let calendar = OpeningCalendar(location: location)
        #expect(calendar.walkInWindows(on: day("2026-12-01"), service: eid).count == 2)
        // At 09:30 on Tuesday the kiosk is open until 12:00; the next opening is Wednesday, not 10:00.
        #expect(calendar.nextWalkInOpening(after: at("2026-12-01T09:30:00+01:00"), service: eid) == at("2026-12-02T09:00:00+01:00"))
    }
}
