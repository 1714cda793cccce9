// Runtime closures and reduced desks without SQLite or HTTP: the calendar caps desks between two
// instants (across midnight, DST and holidays), the overflow sweep lists exactly the appointments
// that no longer fit in booking order, and random sequences of bookings, closures and lifts never
// leave a minute with more appointments than capacity except those an admin chose to keep.
//
// Replay a failure with `LOKET_SEED=<seed> swift test --filter ClosureTests`.
import Foundation
import Testing
@testable import LoketCore

@Suite struct ClosureTests {
    static func limit(_ from: String, _ to: String, desks: Int, id: String = "cl-1", location: String = "stadhuis") -> DeskLimit {
        DeskLimit(id: id, location: location, from: at(from), to: at(to), desks: desks, reason: LocalizedText([.nl: "Verbouwing"]))
    }

    /// (start, end, desks) of the windows as ISO strings in the location's zone.
    static func shape(_ windows: [OpeningWindow], _ zone: TimeZone = .brussels) -> [String] {
        let c = CivilClock(timeZone: zone)
        return windows.map { "\(c.iso8601($0.start))/\(c.iso8601($0.end))/\($0.desks)" }
    }

    @Test func aReducedMorningCapsAppointmentDesksButLeavesWalkInOpen() {
        // 2026-12-01 is a Tuesday: 08:30-12:00 and 13:00-16:00 with 2 desks, walk-in 09:00-12:00.
        let hall = townHall().with(limits: [Self.limit("2026-12-01T10:00:00+01:00", "2026-12-01T11:00:00+01:00", desks: 1)])
        let calendar = OpeningCalendar(location: hall)
        let eid = service("eid")
        #expect(Self.shape(calendar.appointmentWindows(on: day("2026-12-01"), service: eid)) == [
            "2026-12-01T08:30:00+01:00/2026-12-01T10:00:00+01:00/2",
            "2026-12-01T10:00:00+01:00/2026-12-01T11:00:00+01:00/1",
            "2026-12-01T11:00:00+01:00/2026-12-01T12:00:00+01:00/2",
            "2026-12-01T13:00:00+01:00/2026-12-01T16:00:00+01:00/2",
        ])
        #expect(calendar.isWalkInOpen(at: at("2026-12-01T10:30:00+01:00"), service: eid))
        // Another location's limit is not this one's.
        #expect(townHall().with(limits: [Self.limit("2026-12-01T10:00:00+01:00", "2026-12-01T11:00:00+01:00", desks: 0,
                                                    location: "elders")]).limits.isEmpty)
    }

    @Test func aClosureRemovesAppointmentsAndWalkIn() {
        let hall = townHall().with(limits: [Self.limit("2026-12-01T10:00:00+01:00", "2026-12-01T11:00:00+01:00", desks: 0)])
        let calendar = OpeningCalendar(location: hall)
        let eid = service("eid")
        #expect(Self.shape(calendar.appointmentWindows(on: day("2026-12-01"), service: eid)) == [
            "2026-12-01T08:30:00+01:00/2026-12-01T10:00:00+01:00/2",
            "2026-12-01T11:00:00+01:00/2026-12-01T12:00:00+01:00/2",
            "2026-12-01T13:00:00+01:00/2026-12-01T16:00:00+01:00/2",
        ])
        #expect(!calendar.isWalkInOpen(at: at("2026-12-01T10:30:00+01:00"), service: eid))
        #expect(calendar.isWalkInOpen(at: at("2026-12-01T09:59:00+01:00"), service: eid))
        #expect(calendar.nextWalkInOpening(after: at("2026-12-01T10:30:00+01:00"), service: eid) == at("2026-12-01T11:00:00+01:00"))
        // No slot inside the closure, slots on both sides.
        let slots = SlotEngine.slots(location: hall, items: [VisitItem(service: eid, persons: 1)], from: day("2026-12-01"),
                                     to: day("2026-12-01"), booked: [], now: at("2026-12-01T07:00:00+01:00"))
        #expect(!slots.contains { $0.start < at("2026-12-01T11:00:00+01:00") && $0.end > at("2026-12-01T10:00:00+01:00") })
        #expect(slots.contains { $0.start == at("2026-12-01T09:45:00+01:00") })
        #expect(slots.contains { $0.start == at("2026-12-01T11:00:00+01:00") })
    }

    @Test func aClosureSpansDaysMidnightAndAHoliday() {
        // 2026-11-10 is a Tuesday; 2026-11-11 (Wapenstilstand) is a Belgian holiday, closed anyway.
        let hall = townHall().with(limits: [Self.limit("2026-11-10T12:30:00+01:00", "2026-11-12T10:00:00+01:00", desks: 1)])
        let calendar = OpeningCalendar(location: hall)
        let eid = service("eid")
        #expect(Self.shape(calendar.appointmentWindows(on: day("2026-11-10"), service: eid)) == [
            "2026-11-10T08:30:00+01:00/2026-11-10T12:00:00+01:00/2",
            "2026-11-10T13:00:00+01:00/2026-11-10T16:00:00+01:00/1",
        ])
        #expect(calendar.appointmentWindows(on: day("2026-11-11"), service: eid).isEmpty)
        #expect(Self.shape(calendar.appointmentWindows(on: day("2026-11-12"), service: eid)) == [
            "2026-11-12T08:30:00+01:00/2026-11-12T10:00:00+01:00/1",
            "2026-11-12T10:00:00+01:00/2026-11-12T12:00:00+01:00/2",
            "2026-11-12T13:00:00+01:00/2026-11-12T16:00:00+01:00/2",
        ])
        // An appointment on the holiday fits no window: the sweep lists it.
        let onHoliday = HeldAppointment(reference: "H", service: "eid", persons: 1, start: at("2026-11-11T09:00:00+01:00"),
                                        end: at("2026-11-11T09:15:00+01:00"), group: nil, createdAt: at("2026-11-01T09:00:00+01:00"))
        #expect(SlotEngine.overflow(location: hall, appointments: [onHoliday]) == [onHoliday])
    }

    @Test func limitsFollowTheWallClockOnDaylightSavingDays() {
        // Open every day 08:00-12:00 with 2 desks. 2026-03-29: clocks go 02:00 -> 03:00; 2026-10-25: 03:00 -> 02:00.
        let everyDay = Location(id: "stadhuis", name: LocalizedText([.nl: "Stadhuis"]),
                                appointmentHours: [OpeningRule(weekdays: Set(Weekday.allCases), ranges: [hours("08:00-12:00")], desks: 2)],
                                booking: BookingPolicy(slotMinutes: 15, leadMinutes: 0, horizonDays: 400))
        let spring = OpeningCalendar(location: everyDay.with(limits: [
            Self.limit("2026-03-28T22:00:00+01:00", "2026-03-29T10:00:00+02:00", desks: 0),
        ]))
        #expect(Self.shape(spring.appointmentWindows(on: day("2026-03-28"), service: service("eid"))) == [
            "2026-03-28T08:00:00+01:00/2026-03-28T12:00:00+01:00/2",
        ])
        #expect(Self.shape(spring.appointmentWindows(on: day("2026-03-29"), service: service("eid"))) == [
            "2026-03-29T10:00:00+02:00/2026-03-29T12:00:00+02:00/2",
        ])
        let autumn = OpeningCalendar(location: everyDay.with(limits: [
            Self.limit("2026-10-25T09:00:00+01:00", "2026-10-25T10:00:00+01:00", desks: 1),
        ]))
        #expect(Self.shape(autumn.appointmentWindows(on: day("2026-10-25"), service: service("eid"))) == [
            "2026-10-25T08:00:00+01:00/2026-10-25T09:00:00+01:00/2",
            "2026-10-25T09:00:00+01:00/2026-10-25T10:00:00+01:00/1",
            "2026-10-25T10:00:00+01:00/2026-10-25T12:00:00+01:00/2",
        ])
    }

    static func held(_ reference: String, _ start: String, minutes: Int, booked: Int) -> HeldAppointment {
        HeldAppointment(reference: reference, service: "eid", persons: 1, start: at(start),
                        end: at(start).addingTimeInterval(Double(minutes * 60)), group: nil,
                        createdAt: at("2026-11-20T12:00:00+01:00").addingTimeInterval(Double(booked)))
    }

    @Test func theSweepAdmitsInBookingOrderNotByTime() {
        // Three on up to three desks at 09:15-09:30; booked C first, then A, then B.
        let c = Self.held("C", "2026-12-01T09:15:00+01:00", minutes: 15, booked: 1)
        let a = Self.held("A", "2026-12-01T09:00:00+01:00", minutes: 30, booked: 2)
        let b = Self.held("B", "2026-12-01T09:15:00+01:00", minutes: 30, booked: 3)
        let d = Self.held("D", "2026-12-01T13:00:00+01:00", minutes: 15, booked: 0)
        let three = townHall(appointmentHours: [OpeningRule(weekdays: workdays, ranges: [hours("08:30-12:00"), hours("13:00-16:00")], desks: 3)])
        #expect(SlotEngine.overflow(location: three, appointments: [a, b, c, d]).isEmpty, "an unchanged calendar overflows nothing")
        let one = three.with(limits: [Self.limit("2026-12-01T08:00:00+01:00", "2026-12-01T12:00:00+01:00", desks: 1)])
        #expect(SlotEngine.overflow(location: one, appointments: [a, b, c, d]) == [a, b], "the two booked last, in start order")
        let closed = three.with(limits: [Self.limit("2026-12-01T09:20:00+01:00", "2026-12-01T12:00:00+01:00", desks: 0)])
        #expect(SlotEngine.overflow(location: closed, appointments: [d, c, b, a]) == [a, b, c], "all that touch the closure, in start order")
    }

    // MARK: the use cases

    static let admin = "admin-an"

    /// The hall with two desks, or with `desks` (a reloaded config) and, when `short`, closing at 11:00 in the morning.
    static func catalogue(desks: Int = 2, short: Bool = false) -> Catalogue {
        let booking = BookingPolicy(slotMinutes: 15, leadMinutes: 0, horizonDays: 30)
        let rules = [OpeningRule(weekdays: workdays, ranges: [hours(short ? "08:30-11:00" : "08:30-12:00"), hours("13:00-16:00")], desks: desks)]
        return Catalogue(settings: Settings(maxActivePerContact: 1000),
                         categories: [Category(id: "burgerzaken", name: LocalizedText([.nl: "Burgerzaken"]))],
                         locations: [townHall(booking: booking, appointmentHours: rules)],
                         services: [service("eid", minutes: 15), service("pas", minutes: 30)], counters: [])
    }

    @Test func applyingNeedsAChoiceWhenSomeAreAffectedAndRefusesOverlapsAndBadValues() throws {
        let catalogue = Self.catalogue()
        let office = OfficeDesk(catalogue: catalogue), booking = BookingDesk(catalogue: catalogue)
        let hall = catalogue.locations[0]
        let store = InMemoryDesk()
        let now = at("2026-12-01T07:00:00+01:00")
        var rng = SplitMix64(seed: 5)
        for _ in 0..<2 {
            _ = store.apply(try booking.book(try BookingDeskTests.request(booking, [("eid", 1)], start: at("2026-12-01T09:00:00+01:00"),
                                                                          candidates: [ReferenceCode.generate(using: &rng)]),
                                             now: now, reading: store))
        }
        func request(_ from: String, _ to: String, desks: Int = 0, affected: AffectedChoice? = nil, id: String = "cl-a") -> ClosureRequest {
            ClosureRequest(location: hall, from: at(from), to: at(to), desks: desks, affected: affected, id: id, by: Self.admin)
        }
        #expect(throws: LoketError.self) { try office.close(request("2026-12-01T09:00:00+01:00", "2026-12-01T10:00:00+01:00"), now: now, reading: store) }
        do {
            _ = try office.close(request("2026-12-01T09:00:00+01:00", "2026-12-01T10:00:00+01:00"), now: now, reading: store)
        } catch let e as LoketError {
            #expect(e.code == .affectedChoiceRequired)
        }
        #expect(store.closures.isEmpty)
        for (r, code) in [(request("2026-12-01T10:00:00+01:00", "2026-12-01T10:00:00+01:00"), LoketError.Code.invalidRange),
                          (request("2026-12-01T10:00:00+01:00", "2027-02-10T10:00:00+01:00"), .invalidRange),
                          (request("2026-11-30T10:00:00+01:00", "2026-11-30T12:00:00+01:00"), .invalidRange),
                          (request("2026-12-01T10:00:00+01:00", "2026-12-01T11:00:00+01:00", desks: 3), .invalid),
                          (request("2026-12-01T10:00:00+01:00", "2026-12-01T11:00:00+01:00", desks: -1), .invalid)] {
            do {
                _ = try office.close(r, now: now, reading: store)
                Issue.record("\(r.from)-\(r.to) desks \(r.desks) was accepted")
            } catch let e as LoketError {
                #expect(e.code == code)
            }
        }
        #expect(store.closures.isEmpty)
        let applied = store.apply(try office.close(request("2026-12-01T09:00:00+01:00", "2026-12-01T10:00:00+01:00", desks: 1, affected: .keep),
                                                   now: now, reading: store))
        #expect(applied.kept.count == 1 && applied.cancelled.isEmpty)
        #expect(store.audit.contains { $0.action == "closure.keep" && $0.actor == Self.admin && $0.detail?.contains(applied.kept[0]) == true })
        do {
            _ = try office.close(request("2026-12-01T09:30:00+01:00", "2026-12-01T11:00:00+01:00", id: "cl-b"), now: now, reading: store)
            Issue.record("an overlapping closure was accepted")
        } catch let e as LoketError {
            #expect(e.code == .closureOverlap && e.extra["closure"] == "cl-a")
        }
    }

    /// The per-minute capacity of the hall at `t` with `limits`, counted the slow way.
    static func capacity(_ hall: Location, limits: [DeskLimit], at t: Date) -> Int {
        let calendar = OpeningCalendar(location: hall)
        let date = calendar.clock.date(of: t)
        var desks = calendar.appointmentWindows(on: date, service: service("eid")).first { $0.start <= t && t < $0.end }?.desks ?? 0
        for l in limits where l.from <= t && t < l.to { desks = min(desks, l.desks) }
        return max(0, desks - hall.booking.walkInReserve)
    }

    @Test func randomBookingsClosuresLiftsAndReloadsNeverOverbookUnlessKept() throws {
        var rng = SplitMix64.seeded("ClosureTests.randomBookingsClosuresAndLifts")
        var catalogue = Self.catalogue()
        var office = OfficeDesk(catalogue: catalogue), booking = BookingDesk(catalogue: catalogue)
        var hall = catalogue.locations[0]
        let now = at("2026-12-01T07:00:00+01:00") // 2026-12-01 is a Tuesday
        let base = at("2026-12-01T08:00:00+01:00")
        var seen = (cancelled: 0, kept: 0, lifted: 0, refused: 0, orphaned: 0)
        for run in 0..<12 {
            catalogue = Self.catalogue()
            office = OfficeDesk(catalogue: catalogue)
            booking = BookingDesk(catalogue: catalogue)
            hall = catalogue.locations[0]
            let store = InMemoryDesk()
            store.now = now
            var kept: Set<String> = []
            var serial = 0
            for step in 0..<90 {
                let dayOffset = Double(Int.random(in: 0...1, using: &rng) * 86_400)
                let minute = Double(Int.random(in: 0...32, using: &rng) * 15 * 60)
                let references = store.appointments.keys.sorted()
                do {
                    switch Int.random(in: 0..<20, using: &rng) {
                    case 0..<11:
                        let items: [(String, Int)] = Bool.random(using: &rng) ? [("eid", 1)] : [("pas", 1)]
                        _ = store.apply(try booking.book(try BookingDeskTests.request(booking, items, start: base.addingTimeInterval(dayOffset + minute),
                                                                                       candidates: [ReferenceCode.generate(using: &rng)]),
                                                         now: now, reading: store))
                    case 11..<12:
                        guard let ref = references.randomElement(using: &rng) else { continue }
                        _ = store.apply(try booking.cancel(reference: ref, tokenHash: [1], now: now, reading: store))
                    case 12..<17:
                        serial += 1
                        let from = base.addingTimeInterval(dayOffset + minute)
                        let length = Double(Int.random(in: 1...40, using: &rng) * 15 * 60)
                        let choice = [AffectedChoice.cancel, .keep, nil].randomElement(using: &rng)!
                        let r = ClosureRequest(location: hall, from: from, to: from.addingTimeInterval(length),
                                               desks: Int.random(in: 0...2, using: &rng), affected: choice, id: "cl-\(serial)", by: Self.admin)
                        let expected = try office.affected(r, now: now, reading: store)
                        let result = store.apply(try office.close(r, now: now, reading: store))
                        #expect(Set(result.cancelled + result.kept) == Set(expected.map(\.reference)),
                                "run \(run) step \(step): the closure did not act on exactly the dry run's list")
                        for ref in result.cancelled { #expect(store.appointments[ref]?.appointment.status == .cancelled) }
                        if !result.kept.isEmpty {
                            let line = store.audit.first { $0.action == "closure.keep" && $0.actor == Self.admin && $0.subject == r.id }
                            let detail = line?.detail ?? ""
                            #expect(result.kept.allSatisfy { detail.contains($0) }, "run \(run) step \(step): a keep is not in the audit log")
                        }
                        kept.formUnion(result.kept)
                        seen.cancelled += result.cancelled.count
                        seen.kept += result.kept.count
                    case 19:
                        // A reload to other desks or shorter hours: its orphans stay booked, kept by the admin, in the audit.
                        catalogue = Self.catalogue(desks: Int.random(in: 1...3, using: &rng), short: Bool.random(using: &rng))
                        office = OfficeDesk(catalogue: catalogue)
                        booking = BookingDesk(catalogue: catalogue)
                        hall = catalogue.locations[0]
                        let orphans = store.apply(try office.reload(by: Self.admin, now: now, reading: store))
                        let line = store.audit.last { $0.action == "config.reload" && $0.actor == Self.admin }
                        #expect(orphans.allSatisfy { (line?.detail ?? "").contains($0.appointment.reference) },
                                "run \(run) step \(step): a reload's orphan is not in the audit log")
                        #expect(orphans.allSatisfy { $0.reason == .capacity && $0.appointment.status == .booked })
                        kept.formUnion(orphans.map(\.appointment.reference))
                        seen.orphaned += orphans.count
                    default:
                        guard let id = store.closures.keys.sorted().randomElement(using: &rng) else { continue }
                        let lifted = store.apply(try office.lift(id: id, by: Self.admin, now: now, reading: store))
                        #expect(lifted.liftedAt == now && store.closures[id]?.liftedAt == now)
                        seen.lifted += 1
                    }
                } catch is LoketError {
                    seen.refused += 1 // refused: nothing was applied
                }
                // Every minute: appointments not kept stay within the capacity that remains.
                let limits = try store.deskLimits(location: hall.id, from: base.addingTimeInterval(-86_400), to: base.addingTimeInterval(3 * 86_400))
                let active = store.appointments.values.map(\.appointment).filter { $0.status == .booked && !kept.contains($0.reference) }
                var t = base
                while t < base.addingTimeInterval(2 * 86_400) {
                    let count = active.filter { $0.start <= t && t < $0.end }.count
                    if count > 0 {
                        let cap = Self.capacity(hall, limits: limits, at: t)
                        #expect(count <= cap, "run \(run) step \(step): \(count) appointments at \(t) with capacity \(cap)")
                        if count > cap { return }
                    }
                    t = t.addingTimeInterval(300)
                }
                // And the sweep agrees: what was not kept all fits the calendar as it is now.
                let held = try store.heldAppointments(location: hall.id, from: base, to: base.addingTimeInterval(2 * 86_400))
                    .filter { !kept.contains($0.reference) }
                #expect(SlotEngine.overflow(location: hall.with(limits: limits), appointments: held).isEmpty,
                        "run \(run) step \(step): an unchanged calendar overflowed")
            }
        }
        #expect(seen.cancelled > 0 && seen.kept > 0 && seen.lifted > 0 && seen.refused > 0 && seen.orphaned > 0,
                "the runs tried every case: \(seen)")
    }
}
