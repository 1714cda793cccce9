// The slot engine, table by table: grid, fitting, capacity, quotas, lead time, horizon, holds, DST.
import Foundation
import Testing
@testable import LoketCore

@Suite struct SlotEngineTests {
    /// Monday 2026-11-30, 08:00 in Brussels.
    let monday = at("2026-11-30T08:00:00+01:00")
    /// 2026-12-01 is a Tuesday.
    let tuesday = day("2026-12-01")
    let clock = CivilClock(timeZone: .brussels)

    /// The slots of one day as `HH:MM/free` in Brussels wall time.
    func wall(_ slots: [Slot]) -> [String] {
        slots.map { "\(clock.timeOfDay(of: $0.start))/\($0.free)" }
    }

    func slots(at location: Location = townHall(), _ items: [VisitItem], on date: CivilDate? = nil,
               booked: [BookedInterval] = [], held: [BookedInterval] = [], channel: BookingChannel = .online,
               now: Date? = nil) -> [Slot] {
        SlotEngine.slots(location: location, items: items, from: date ?? tuesday, to: date ?? tuesday, booked: booked,
                         held: held, channel: channel, now: now ?? monday)
    }

    func booking(_ from: String, _ to: String, on date: String = "2026-12-01", group: String? = nil,
                 channel: BookingChannel = .online) -> BookedInterval {
        BookedInterval(start: at("\(date)T\(from):00+01:00"), end: at("\(date)T\(to):00+01:00"), group: group, channel: channel)
    }

    @Test(arguments: [
        ([15], 1, 14 + 12, "11:45", "15:45"),
        ([20], 2, 12 + 10, "11:15", "15:15"), // 40 minutes: nothing may straddle the lunch break
        ([15, 20], 1, 12 + 10, "11:15", "15:15"), // two services: 35 minutes
        ([15, 20], 2, 10 + 8, "10:45", "14:45"), // 70 minutes
        ([210], 1, 1, "08:30", "08:30"), // exactly the morning
        ([211], 1, 0, "", ""), // longer than any window
    ])
    func gridAndFit(minutes: [Int], persons: Int, count: Int, lastMorning: String, last: String) {
        let items = minutes.enumerated().map { VisitItem(service: service("s\($0.offset)", minutes: $0.element), persons: persons) }
        let result = wall(slots(items))
        #expect(result.count == count)
        if count > 0 {
            #expect(result.first == "08:30/2")
            #expect(result.contains("\(lastMorning)/2"))
            #expect(result.last == "\(last)/2")
            #expect(!result.contains { $0.hasPrefix("12:") })
        }
    }

    @Test func visitMinutesIsTheSum() {
        let items = [VisitItem(service: service("eid", minutes: 15), persons: 2),
                     VisitItem(service: service("reispas", minutes: 20), persons: 1)]
        #expect(SlotEngine.visitMinutes(items) == 50)
        #expect(SlotEngine.visitMinutes([]) == 0)
        let slot = slots(items).first!
        #expect(slot.end.timeIntervalSince(slot.start) == 50 * 60)
    }

    @Test func slotsAreOnTheGrid() {
        var location = townHall(booking: BookingPolicy(slotMinutes: 20, leadMinutes: 0, horizonDays: 60))
        location.appointmentHours = [OpeningRule(weekdays: workdays, ranges: [hours("08:30-10:00"), hours("10:10-11:00")])]
        let result = wall(slots(at: location, [VisitItem(service: service("eid", minutes: 15), persons: 1)]))
        #expect(result == ["08:30/1", "08:50/1", "09:10/1", "09:30/1", "10:10/1", "10:30/1"])
    }

    @Test func capacityAndFree() {
        let eid = [VisitItem(service: service("eid", minutes: 30), persons: 1)]
        // One booking 09:00-09:15: the slots covering it have one desk left.
        let one = wall(slots(eid, booked: [booking("09:00", "09:15")]))
        #expect(one.prefix(4) == ["08:30/2", "08:45/1", "09:00/1", "09:15/2"])
        // Two bookings there: full, and every 30-minute visit touching 09:00-09:15 is gone.
        let two = wall(slots(eid, booked: [booking("09:00", "09:15"), booking("08:50", "09:10")]))
        #expect(two.prefix(3) == ["08:30/1", "09:15/2", "09:30/2"])
        // Back-to-back bookings on one desk do not overlap.
        let chain = wall(slots(eid, booked: [booking("08:30", "09:00"), booking("09:00", "09:30")]))
        #expect(chain.prefix(3) == ["08:30/1", "08:45/1", "09:00/1"])
    }

    @Test func otherGroupsDoNotCompete() {
        let license = [VisitItem(service: service("rijbewijs", group: "rijbewijs"), persons: 1)]
        let full = [booking("09:00", "09:15"), booking("09:00", "09:15")]
        #expect(wall(slots(license, booked: full)).contains("09:00/2"))
        let fullOfLicenses = full.map { var b = $0; b.group = "rijbewijs"; return b }
        #expect(!wall(slots(license, booked: fullOfLicenses)).contains { $0.hasPrefix("09:00") })
    }

    @Test(arguments: [
        // desks, reserve, share, online bookings, staff bookings at 09:00, online free, staff free
        (10, 2, 0.5, 0, 0, 4, 8),
        (10, 2, 0.5, 4, 0, 0, 4), // online quota used up; staff may still book
        (10, 2, 0.5, 0, 3, 4, 5),
        (10, 2, 0.5, 0, 6, 2, 2), // total capacity binds before the online quota
        (10, 2, 0.5, 2, 6, 0, 0),
        (10, 0, 0.3, 0, 0, 3, 10), // 10 x 0.3 is 3, not 2
        (3, 4, 1.0, 0, 0, 0, 0), // reserve larger than desks: nothing, never negative
        (4, 1, 0.0, 0, 0, 0, 3),
    ] as [(Int, Int, Double, Int, Int, Int, Int)])
    func onlineShareAndWalkInReserve(desks: Int, reserve: Int, share: Double, online: Int, staff: Int,
                                     onlineFree: Int, staffFree: Int) {
        let location = townHall(booking: BookingPolicy(slotMinutes: 15, leadMinutes: 0, horizonDays: 60,
                                                       walkInReserve: reserve, onlineShare: share),
                                appointmentHours: [OpeningRule(weekdays: workdays, ranges: [hours("09:00-10:00")], desks: desks)])
        let booked = Array(repeating: booking("09:00", "09:15", channel: .online), count: online)
            + Array(repeating: booking("09:00", "09:15", channel: .staff), count: staff)
        let eid = [VisitItem(service: service("eid"), persons: 1)]
        func free(_ channel: BookingChannel) -> Int {
            slots(at: location, eid, booked: booked, channel: channel).first { clock.timeOfDay(of: $0.start) == TimeOfDay("09:00")! }?.free ?? 0
        }
        #expect(free(.online) == onlineFree)
        #expect(free(.staff) == staffFree)
        #expect(SlotEngine.capacity(desks: desks, policy: location.booking, channel: .online) >= 0)
    }

    @Test(arguments: [
        (120, nil, "2026-12-01T09:05:00+01:00", "11:15"), // now + 2 h = 11:05, next grid start 11:15
        (120, nil, "2026-12-01T09:00:00+01:00", "11:00"), // exactly on the grid is allowed
        (0, nil, "2026-12-01T09:05:00+01:00", "09:15"),
        (120, 30, "2026-12-01T09:05:00+01:00", "09:45"), // the service's lead time wins
        (120, nil, "2026-12-01T14:30:00+01:00", ""), // nothing left today
    ] as [(Int, Int?, String, String)])
    func leadTime(locationLead: Int, serviceLead: Int?, now: String, first: String) {
        let location = townHall(booking: BookingPolicy(slotMinutes: 15, leadMinutes: locationLead, horizonDays: 60))
        let items = [VisitItem(service: service("eid", lead: serviceLead), persons: 1)]
        let result = wall(slots(at: location, items, now: at(now)))
        #expect((result.first ?? "") == (first.isEmpty ? "" : "\(first)/2"))
    }

    @Test(arguments: [
        (2, nil, "2026-12-02"), // Monday + 2 days = Wednesday
        (2, 3, "2026-12-03"), // the service's horizon wins
        (0, nil, "2026-11-30"),
    ] as [(Int, Int?, String)])
    func horizon(days: Int, serviceDays: Int?, lastDate: String) {
        let location = townHall(booking: BookingPolicy(slotMinutes: 15, leadMinutes: 0, horizonDays: days))
        let items = [VisitItem(service: service("eid", horizon: serviceDays), persons: 1)]
        let result = SlotEngine.slots(location: location, items: items, from: day("2026-11-01"), to: day("2026-12-31"),
                                      booked: [], now: monday)
        #expect(clock.date(of: result.last!.start) == day(lastDate))
        #expect(clock.date(of: result.first!.start) == day("2026-11-30")) // nothing in the past
    }

    @Test func heldIntervalsCountLikeBookings() {
        let eid = [VisitItem(service: service("eid"), persons: 1)]
        let held = [booking("10:00", "10:15")]
        #expect(wall(slots(eid, booked: [booking("10:00", "10:15")], held: held)).contains { $0.hasPrefix("10:00") } == false)
        #expect(wall(slots(eid, held: held)).contains("10:00/1"))
    }

    @Test func dstDaysGiveWallTimeSlots() {
        let location = townHall(appointmentHours: [OpeningRule(weekdays: [.sunday], ranges: [hours("08:30-09:30")])])
        let eid = [VisitItem(service: service("eid", minutes: 30), persons: 1)]
        // 2027-03-28 is a Sunday: spring forward, 08:30 is CEST (+02:00).
        let spring = slots(at: location, eid, on: day("2027-03-28"), now: at("2027-03-01T00:00:00Z"))
        #expect(spring.map(\.start) == [at("2027-03-28T06:30:00Z"), at("2027-03-28T06:45:00Z"), at("2027-03-28T07:00:00Z")])
        // 2026-10-25 is a Sunday: fall back, 08:30 is CET (+01:00).
        let autumn = slots(at: location, eid, on: day("2026-10-25"), now: at("2026-10-01T00:00:00Z"))
        #expect(autumn.map(\.start) == [at("2026-10-25T07:30:00Z"), at("2026-10-25T07:45:00Z"), at("2026-10-25T08:00:00Z")])
        // The Saturdays before, for contrast, have no slots at all.
        #expect(slots(at: location, eid, on: day("2027-03-27"), now: at("2027-03-01T00:00:00Z")).isEmpty)
    }

    @Test func windowAcrossTheSpringGapUsesRealMinutes() {
        // 01:00-04:00 wall time on 2027-03-28 lasts two real hours (02:00-03:00 does not exist).
        let location = townHall(appointmentHours: [OpeningRule(weekdays: [.sunday], ranges: [hours("01:00-04:00")])])
        let eid = [VisitItem(service: service("eid", minutes: 30), persons: 1)]
        let result = slots(at: location, eid, on: day("2027-03-28"), now: at("2027-03-01T00:00:00Z"))
        #expect(result.count == 7) // starts every 15 real minutes, 00:00Z ... 01:30Z
        #expect(result.first?.start == at("2027-03-28T01:00:00+01:00"))
        #expect(result.last?.end == at("2027-03-28T04:00:00+02:00"))
    }

    @Test func multiDayRangeSkipsWeekendAndHoliday() {
        let eid = [VisitItem(service: service("eid"), persons: 1)]
        // 2026-12-24 (Thursday) ... 2026-12-28 (Monday); the 25th is Christmas.
        let result = SlotEngine.slots(location: townHall(), items: eid, from: day("2026-12-24"), to: day("2026-12-28"),
                                      booked: [], now: monday)
        let dates = Set(result.map { clock.date(of: $0.start) })
        #expect(dates == [day("2026-12-24"), day("2026-12-28")])
        #expect(result.count == 2 * 26)
        #expect(zip(result, result.dropFirst()).allSatisfy { $0.start < $1.start })
    }

    @Test func emptyVisitGivesNothing() {
        #expect(slots([]).isEmpty)
        #expect(slots([VisitItem(service: service("eid"), persons: 0)]).isEmpty)
    }

    // MARK: check

    @Test func checkAcceptsAListedSlot() throws {
        let eid = [VisitItem(service: service("eid"), persons: 1)]
        let slot = try SlotEngine.check(start: at("2026-12-01T09:00:00+01:00"), location: townHall(), items: eid,
                                        booked: [booking("09:00", "09:15")], now: monday)
        #expect(slot == Slot(start: at("2026-12-01T09:00:00+01:00"), end: at("2026-12-01T09:15:00+01:00"), free: 1))
    }

    /// A refused start says why in words a citizen can act on: the holiday by name, the grid's step.
    @Test func aRefusedStartSaysWhy() {
        let location = townHall(booking: BookingPolicy(slotMinutes: 15, leadMinutes: 0, horizonDays: 60))
        let eid = [VisitItem(service: service("eid"), persons: 1)]
        func detail(_ start: String) -> String? {
            do {
                _ = try SlotEngine.check(start: at(start), location: location, items: eid, booked: [], now: monday)
            } catch let error as LoketError {
                return error.detail
            } catch {}
            return nil
        }
        #expect(detail("2026-12-25T09:00:00+01:00") == "There are no appointments on 2026-12-25: it is a public holiday (Christmas Day).")
        #expect(detail("2026-12-01T09:05:00+01:00") == "The requested start is not on the appointment grid: slots start every 15 minutes.")
        #expect(detail("2026-12-05T09:00:00+01:00") == "There are no appointments for this visit on 2026-12-05.")
    }

    @Test(arguments: [
        ("2026-12-01T09:05:00+01:00", "off grid"),
        ("2026-12-01T12:15:00+01:00", "outside appointment hours"), // lunch break
        ("2026-12-01T07:00:00+01:00", "outside appointment hours"), // before opening
        ("2026-12-05T09:00:00+01:00", "no appointments that day"), // a Saturday: no window at all
        ("2026-12-25T09:00:00+01:00", "public holiday"), // Christmas, a Friday
        ("2026-11-30T07:45:00+01:00", "in the past"),
        ("2027-02-01T09:00:00+01:00", "beyond horizon"),
    ])
    func checkRejectsInvalidStarts(start: String, reason: String) {
        let location = townHall(booking: BookingPolicy(slotMinutes: 15, leadMinutes: 0, horizonDays: 60))
        let eid = [VisitItem(service: service("eid"), persons: 1)]
        do {
            _ = try SlotEngine.check(start: at(start), location: location, items: eid, booked: [], now: monday)
            Issue.record("\(start) was accepted")
        } catch let error as LoketError {
            #expect(error.code == .invalid)
            #expect(error.fields["start"] == reason)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test(arguments: [
        ("2026-12-01T09:00:00+01:00", 2, 30), // full
        ("2026-12-01T11:45:00+01:00", 0, 30), // on the grid but straddles the lunch break
        ("2026-11-30T09:00:00+01:00", 0, 15), // inside the lead time (2 h from 08:00)
    ])
    func checkReportsUnavailable(start: String, bookings: Int, minutes: Int) {
        let location = townHall(booking: BookingPolicy(slotMinutes: 15, leadMinutes: 120, horizonDays: 60))
        let items = [VisitItem(service: service("eid", minutes: minutes), persons: 1)]
        let booked = Array(repeating: booking("09:00", "09:15"), count: bookings)
        #expect {
            try SlotEngine.check(start: at(start), location: location, items: items, booked: booked, now: monday)
        } throws: { error in
            (error as? LoketError)?.code == .slotUnavailable
        }
    }

    @Test func checkAgreesWithSlots() throws {
        let location = townHall()
        let items = [VisitItem(service: service("eid", minutes: 20), persons: 1)]
        let booked = [booking("09:00", "09:40"), booking("09:20", "10:00"), booking("14:00", "14:20", channel: .staff)]
        let listed = slots(at: location, items, booked: booked)
        for slot in listed {
            #expect(try SlotEngine.check(start: slot.start, location: location, items: items, booked: booked, now: monday) == slot)
        }
        let starts = Set(listed.map(\.start))
        #expect(listed.first { $0.start == at("2026-12-01T09:00:00+01:00") }?.free == 1)
        #expect(!starts.contains(at("2026-12-01T09:15:00+01:00"))) // 09:20-09:35 both desks taken
        #expect(!starts.contains(at("2026-12-01T09:30:00+01:00")))
    }
}
