// The waitlist's use cases without SQLite or HTTP: random joins, bookings, cancels, leaves,
// accepts and rounds never let held capacity be booked by anyone else, offers go in join order,
// and an accept books exactly the held slot, once.
//
// Replay a failure with `LOKET_SEED=<seed> swift test --filter WaitlistDeskTests`.
import Foundation
import Testing
@testable import LoketCore

@Suite struct WaitlistDeskTests {
    /// One desk, Tuesday to Thursday 09:00-10:00: four 15-minute slots a day, easy to fill.
    static func catalogue(maxPerContact: Int = 1000, holdMinutes: Int = 30) -> Catalogue {
        let booking = BookingPolicy(slotMinutes: 15, leadMinutes: 0, horizonDays: 30, cancelCooldownMinutes: 0)
        let hall = townHall(booking: booking, appointmentHours: [
            OpeningRule(weekdays: [.tuesday, .wednesday, .thursday], ranges: [hours("09:00-10:00")], desks: 1),
        ])
        var eid = service("eid", minutes: 15)
        eid.maxPersons = 2
        return Catalogue(settings: Settings(maxActivePerContact: 1000,
                                            waitlist: WaitlistPolicy(holdMinutes: holdMinutes, maxPerContact: maxPerContact)),
                         categories: [Category(id: "burgerzaken", name: LocalizedText([.nl: "Burgerzaken"]))],
                         locations: [hall], services: [eid], counters: [])
    }

    static func join(_ desk: WaitlistDesk, _ store: InMemoryDesk, id: String, from: String, to: String, persons: Int = 1,
                     contact: String = "c", now: Date) throws -> WaitlistEntry {
        let hall = desk.catalogue.locations[0]
        return store.apply(try desk.join(WaitlistJoin(
            location: hall, visit: VisitItem(service: desk.catalogue.services[0], persons: persons), from: day(from), to: day(to),
            email: "\(contact)@example.be", name: nil, language: .nl, contactKey: contact, id: id, tokenHash: Array(id.utf8)),
            now: now, reading: store))
    }

    static func prepare(_ candidates: [String]) -> (WaitlistEntry, Location, [VisitItem]) -> BookingRequest {
        { entry, location, visit in
            BookingRequest(location: location, visit: visit, start: entry.offer?.start ?? Date(), name: "", email: entry.email,
                           phone: nil, language: .nl, channel: .online, contactKey: entry.email, tokenHash: { _ in [9] },
                           referenceCandidates: candidates)
        }
    }

    /// The most that overlap any minute: active appointments plus offers' holds in force at `now`.
    static func peak(_ store: InMemoryDesk, now: Date) -> Int {
        var intervals = store.appointments.values.map(\.appointment).filter { $0.status != .cancelled }.map { ($0.start, $0.end) }
        intervals += store.ownedHolds.filter { $0.until > now }.map { ($0.interval.start, $0.interval.end) }
        var peak = 0
        for (start, end) in intervals {
            var t = start
            while t < end {
                peak = max(peak, intervals.filter { $0.0 <= t && $0.1 > t }.count)
                t = t.addingTimeInterval(60)
            }
        }
        return peak
    }

    @Test func heldCapacityIsNeverTakenOffersGoInJoinOrderAndAcceptBooksTheHeldSlotOnce() throws {
        var rng = SplitMix64.seeded("WaitlistDeskTests.random")
        let catalogue = Self.catalogue()
        let desk = WaitlistDesk(catalogue: catalogue)
        let booking = BookingDesk(catalogue: catalogue)
        let days = ["2026-12-01", "2026-12-02", "2026-12-03"] // Tuesday to Thursday
        var offersSeen = 0, accepted = 0
        for run in 0..<25 {
            let store = InMemoryDesk()
            var now = at("2026-12-01T07:00:00+01:00")
            var serial = 0
            var references: [String] = []
            func fresh() -> [String] { (0..<4).map { _ in ReferenceCode.generate(using: &rng) } }
            for step in 0..<80 {
                let context = "run \(run) step \(step)"
                switch Int.random(in: 0..<10, using: &rng) {
                case 0, 1: // someone books a random slot directly
                    let d = Int.random(in: 0..<3, using: &rng), m = Int.random(in: 0..<4, using: &rng) * 15
                    let start = at("\(days[d])T09:00:00+01:00").addingTimeInterval(Double(m * 60))
                    guard start > now else { break }
                    let hall = catalogue.locations[0]
                    let request = BookingRequest(location: hall, visit: [VisitItem(service: catalogue.services[0], persons: 1)],
                                                 start: start, name: "X", email: nil, phone: nil, language: .nl, channel: .online,
                                                 contactKey: nil, tokenHash: { _ in [1] }, referenceCandidates: fresh())
                    if let outcome = try? booking.book(request, now: now, reading: store) {
                        references.append(store.apply(outcome).reference)
                    }
                case 2: // someone cancels
                    guard let ref = references.randomElement(using: &rng),
                          store.appointments[ref]?.appointment.status == .booked else { break }
                    _ = store.apply(try booking.cancel(reference: ref, tokenHash: store.appointments[ref]?.tokenHash, now: now, reading: store))
                case 3, 4: // someone joins
                    let a = Int.random(in: 0..<3, using: &rng), b = Int.random(in: a..<3, using: &rng)
                    serial += 1
                    _ = try? Self.join(desk, store, id: "w\(serial)", from: days[a], to: days[b],
                                       persons: Int.random(in: 1...2, using: &rng), now: now)
                case 5: // someone leaves
                    guard let id = store.waitlistOrder.randomElement(using: &rng) else { break }
                    _ = store.apply(try desk.leave(id: id, tokenHash: Array(id.utf8), now: now, reading: store))
                case 6: // someone with an offer accepts (now and then with the wrong start)
                    guard let id = store.waitlistOrder.filter({ store.waitlist[$0]?.entry.status == .offered }).randomElement(using: &rng),
                          let offer = store.waitlist[id]?.entry.offer else { break }
                    let wrong = Int.random(in: 0..<5, using: &rng) == 0
                    let start = wrong ? offer.start.addingTimeInterval(900) : offer.start
                    do {
                        let a = store.apply(try desk.accept(id: id, tokenHash: Array(id.utf8), start: start, now: now,
                                                            reading: store, prepare: Self.prepare(fresh())))
                        #expect(!wrong, "\(context): a wrong start was accepted")
                        #expect(offer.expiresAt > now, "\(context): a lapsed offer was accepted")
                        #expect(a.start == offer.start && a.end == offer.end, "\(context): accept booked another slot")
                        #expect(store.waitlist[id]?.entry.status == .booked && store.waitlist[id]?.entry.appointment == a.reference)
                        #expect(!store.ownedHolds.contains { $0.owner == id }, "\(context): the hold outlived the accept")
                        references.append(a.reference)
                        accepted += 1
                        // Accepting again books nothing more.
                        let before = store.appointments.count
                        #expect(throws: LoketError.self) {
                            try desk.accept(id: id, tokenHash: Array(id.utf8), start: offer.start, now: now, reading: store,
                                            prepare: Self.prepare(fresh()))
                        }
                        #expect(store.appointments.count == before)
                    } catch let e as LoketError {
                        let expected: LoketError.Code? = offer.expiresAt <= now ? .offerExpired : wrong ? .invalid : nil
                        #expect(e.code == expected, "\(context): \(e) offer \(offer) now \(now)")
                    }
                case 7, 8: // time passes
                    now = now.addingTimeInterval(Double(Int.random(in: 1...25, using: &rng) * 60))
                default: // a round
                    let joinOrder = store.waitlistOrder
                    let waitingBefore = store.waitingInOrder.map(\.id)
                    let round = try store.waitlistRound(desk, now: now)
                    offersSeen += round.offered.count
                    // Offers in join order.
                    let positions = round.offered.map { joinOrder.firstIndex(of: $0)! }
                    #expect(positions == positions.sorted(), "\(context): offers out of join order")
                    // No earlier entry that could have used an offered slot is still waiting.
                    for x in round.offered {
                        guard let offered = store.waitlist[x]?.entry, let offer = offered.offer else { continue }
                        let offerDay = CivilClock(timeZone: .brussels).date(of: offer.start)
                        for e in store.waitingInOrder where waitingBefore.firstIndex(of: e.id)! < waitingBefore.firstIndex(of: x)! {
                            #expect(!(e.persons <= offered.persons && e.from <= offerDay && offerDay <= e.to),
                                    "\(context): \(e.id) joined before \(x) and could have had its slot")
                        }
                    }
                    // After a round, no waiting entry has a free slot in its range.
                    for e in store.waitingInOrder {
                        #expect(try desk.offer(id: e.id, now: now, reading: store).value == nil, "\(context): \(e.id) was passed over")
                    }
                    // One open offer per entry, one hold per offer.
                    for (id, row) in store.waitlist where row.entry.status == .offered {
                        #expect(store.ownedHolds.filter { $0.owner == id }.count == 1, "\(context): \(id)")
                    }
                }
                #expect(Self.peak(store, now: now) <= 1, "\(context): held or booked capacity was given twice")
                for (id, row) in store.waitlist where !row.entry.status.isActive {
                    #expect(!store.ownedHolds.contains { $0.owner == id }, "\(context): \(id) ended but still holds a slot")
                }
            }
        }
        #expect(offersSeen > 20 && accepted > 5, "the runs exercise offers (\(offersSeen)) and accepts (\(accepted))")
    }

    @Test func aLapsedOfferPassesToTheNextInLineInTheSameRound() throws {
        let desk = WaitlistDesk(catalogue: Self.catalogue(holdMinutes: 30))
        let store = InMemoryDesk()
        let now = at("2026-12-01T07:00:00+01:00") // 2026-12-01 is a Tuesday
        // The whole Tuesday is booked: four slots.
        let booking = BookingDesk(catalogue: desk.catalogue)
        var refs: [String] = []
        var rng = SplitMix64(seed: 3)
        for m in [0, 15, 30, 45] {
            let r = BookingRequest(location: desk.catalogue.locations[0], visit: [VisitItem(service: desk.catalogue.services[0], persons: 1)],
                                   start: at("2026-12-01T09:00:00+01:00").addingTimeInterval(Double(m * 60)), name: "X", email: nil,
                                   phone: nil, language: .nl, channel: .online, contactKey: nil, tokenHash: { _ in [1] },
                                   referenceCandidates: [ReferenceCode.generate(using: &rng)])
            refs.append(store.apply(try booking.book(r, now: now, reading: store)).reference)
        }
        _ = try Self.join(desk, store, id: "first", from: "2026-12-01", to: "2026-12-01", now: now)
        _ = try Self.join(desk, store, id: "second", from: "2026-12-01", to: "2026-12-01", now: now.addingTimeInterval(1))
        #expect(try store.waitlistRound(desk, now: now).offered.isEmpty, "nothing free yet")
        _ = store.apply(try booking.cancel(reference: refs[2], tokenHash: [1], now: now, reading: store))
        #expect(try store.waitlistRound(desk, now: now).offered == ["first"])
        #expect(store.waitlist["first"]?.entry.offer?.start == at("2026-12-01T09:30:00+01:00"))
        #expect(try store.waitlistRound(desk, now: now.addingTimeInterval(29 * 60)).offered.isEmpty, "held: nobody else gets it")
        let later = try store.waitlistRound(desk, now: now.addingTimeInterval(30 * 60))
        #expect(later.expired == ["first"] && later.offered == ["second"])
        #expect(store.waitlist["first"]?.entry.status == .expired)
        // The lapsed offer cannot be accepted; the new holder's can.
        #expect(throws: LoketError(.offerExpired, "The offer has lapsed; the slot went to the next in line.")) {
            try desk.accept(id: "first", tokenHash: Array("first".utf8), start: at("2026-12-01T09:30:00+01:00"),
                            now: now.addingTimeInterval(31 * 60), reading: store, prepare: Self.prepare(["K7M-3QX"]))
        }
    }

    @Test func aClosedTimeIsNeverOfferedNorAcceptedAndALiftOffersIt() throws {
        let desk = WaitlistDesk(catalogue: Self.catalogue())
        let office = OfficeDesk(catalogue: desk.catalogue)
        let hall = desk.catalogue.locations[0]
        let store = InMemoryDesk()
        let now = at("2026-12-01T07:00:00+01:00") // 2026-12-01 is a Tuesday
        store.now = now
        // Tuesday morning closed; Wednesday open. Two people wait for Tuesday, one for Wednesday.
        _ = store.apply(try office.close(ClosureRequest(location: hall, from: at("2026-12-01T09:00:00+01:00"),
                                                        to: at("2026-12-01T10:00:00+01:00"), desks: 0, affected: nil,
                                                        id: "verkiezing", by: "admin"), now: now, reading: store))
        _ = try Self.join(desk, store, id: "tuesday", from: "2026-12-01", to: "2026-12-01", now: now)
        _ = try Self.join(desk, store, id: "wednesday", from: "2026-12-02", to: "2026-12-02", now: now.addingTimeInterval(1))
        #expect(try store.waitlistRound(desk, now: now).offered == ["wednesday"], "a closed morning was offered")
        #expect(store.waitlist["wednesday"]?.entry.offer?.start == at("2026-12-02T09:00:00+01:00"))

        // A closure made after the offer: accepting books nothing, the slot is no longer there.
        _ = store.apply(try office.close(ClosureRequest(location: hall, from: at("2026-12-02T09:00:00+01:00"),
                                                        to: at("2026-12-02T09:30:00+01:00"), desks: 0, affected: .cancel,
                                                        id: "storing", by: "admin"), now: now, reading: store))
        #expect(throws: LoketError.self) {
            try desk.accept(id: "wednesday", tokenHash: Array("wednesday".utf8), start: at("2026-12-02T09:00:00+01:00"),
                            now: now, reading: store, prepare: Self.prepare(["K7M-3QX"]))
        }
        #expect(store.appointments.isEmpty)

        // Lifting the Tuesday closure frees the morning: the next round offers it.
        _ = store.apply(try office.lift(id: "verkiezing", by: "admin", now: now, reading: store))
        #expect(try store.waitlistRound(desk, now: now).offered == ["tuesday"])
        #expect(store.waitlist["tuesday"]?.entry.offer?.start == at("2026-12-01T09:00:00+01:00"))
    }

    @Test func joinChecksTheRangeTheCapAndTheToken() throws {
        let desk = WaitlistDesk(catalogue: Self.catalogue(maxPerContact: 2))
        let store = InMemoryDesk()
        let now = at("2026-12-01T07:00:00+01:00")
        func code(_ from: String, _ to: String, contact: String = "x") -> LoketError.Code? {
            do {
                _ = try Self.join(desk, store, id: "j\(store.waitlist.count)-\(from)-\(to)-\(contact)", from: from, to: to,
                                  contact: contact, now: now)
                return nil
            } catch let e as LoketError { return e.code } catch { return .badRequest }
        }
        #expect(code("2026-12-03", "2026-12-02") == .invalidRange, "reversed")
        #expect(code("2026-11-20", "2026-11-30") == .invalidRange, "in the past")
        #expect(code("2027-02-01", "2027-02-02") == .invalidRange, "beyond the horizon")
        #expect(code("2026-12-01", "2027-03-01") == .invalidRange, "too long")
        #expect(store.waitlist.isEmpty, "nothing stored on failure")
        #expect(code("2026-12-01", "2026-12-02") == nil)
        #expect(code("2026-12-02", "2026-12-03") == nil)
        #expect(code("2026-12-02", "2026-12-04") == .waitlistLimit)
        #expect(code("2026-12-02", "2026-12-04", contact: "y") == nil, "another contact has its own cap")
        let id = store.waitlistOrder[0]
        #expect(throws: LoketError(.notFound, "No waitlist entry with this id and token.")) {
            try desk.own(id: id, tokenHash: Array("wrong".utf8), reading: store)
        }
        #expect(throws: LoketError(.notFound, "No waitlist entry with this id and token.")) {
            try desk.own(id: "nope", tokenHash: Array(id.utf8), reading: store)
        }
        // Leaving frees a place under the cap, and twice is the same as once.
        let left = store.apply(try desk.leave(id: id, tokenHash: Array(id.utf8), now: now, reading: store))
        #expect(left.status == .left)
        #expect(try desk.leave(id: id, tokenHash: Array(id.utf8), now: now, reading: store).changes.isEmpty)
        #expect(code("2026-12-02", "2026-12-04") == nil)
    }
}
