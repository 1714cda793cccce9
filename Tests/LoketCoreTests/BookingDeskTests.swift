// The booking's use cases without SQLite or HTTP: random sequences of bookings, moves and
// cancels never put more appointments in any minute than the desks, a refused move keeps the
// old slot, the manage token guards every change, and a cancel's cooldown holds the slot.
//
// Replay a failure with `LOKET_SEED=<seed> swift test --filter BookingDeskTests`.
import Foundation
import Testing
@testable import LoketCore

@Suite struct BookingDeskTests {
    /// Valid references (they carry a check symbol), the same in every run.
    static let refs: [String] = {
        var rng = SplitMix64(seed: 11)
        return (0..<4).map { _ in ReferenceCode.generate(using: &rng) }
    }()

    static func catalogue(cooldown: Int = 0) -> Catalogue {
        let booking = BookingPolicy(slotMinutes: 15, leadMinutes: 0, horizonDays: 30, cancelCooldownMinutes: cooldown)
        var eid = service("eid", minutes: 15)
        eid.maxPersons = 3
        return Catalogue(settings: Settings(maxActivePerContact: 1000),
                         categories: [Category(id: "burgerzaken", name: LocalizedText([.nl: "Burgerzaken"]))],
                         locations: [townHall(booking: booking)], services: [eid, service("pas", minutes: 30)], counters: [])
    }

    static func request(_ desk: BookingDesk, _ items: [(String, Int)], start: Date, token: UInt8 = 1, candidates: [String],
                        channel: BookingChannel = .online, contact: String? = nil) throws -> BookingRequest {
        let hall = desk.catalogue.locations[0]
        return BookingRequest(location: hall, visit: try desk.visit(items.map { ($0.0, $0.1) }, asList: true, at: hall), start: start,
                              name: "An", email: "an@example.be", phone: nil, language: .nl, channel: channel,
                              contactKey: contact, tokenHash: { _ in [token] }, referenceCandidates: candidates)
    }

    /// The most appointments that overlap any one minute.
    static func peak(_ store: InMemoryDesk) -> Int {
        let active = store.appointments.values.map(\.appointment).filter { $0.status != .cancelled }
        var peak = 0
        for a in active {
            var t = a.start
            while t < a.end {
                peak = max(peak, active.filter { $0.start <= t && $0.end > t }.count)
                t = t.addingTimeInterval(60)
            }
        }
        return peak
    }

    @Test func randomBookingsMovesAndCancelsNeverOverbook() throws {
        var rng = SplitMix64.seeded("BookingDeskTests.randomBookings")
        let desk = BookingDesk(catalogue: Self.catalogue())
        let now = at("2026-12-01T07:00:00+01:00") // 2026-12-01 is a Tuesday
        for run in 0..<20 {
            let store = InMemoryDesk()
            var tokens: [String: UInt8] = [:]
            var serial = 0
            for step in 0..<120 {
                // Starts on the grid (and off it now and then) on Tuesday and Wednesday mornings.
                let day = Int.random(in: 0...1, using: &rng)
                let minute = Int.random(in: 0...14, using: &rng) * 15 + (Int.random(in: 0..<20, using: &rng) == 0 ? 7 : 0)
                let start = at("2026-12-01T08:30:00+01:00").addingTimeInterval(Double(day * 86400 + minute * 60))
                let references = Array(store.appointments.keys).sorted()
                do {
                    switch Int.random(in: 0..<10, using: &rng) {
                    case 0..<6:
                        serial += 1
                        let token = UInt8(serial % 250 + 1)
                        let items: [(String, Int)] = Bool.random(using: &rng) ? [("eid", Int.random(in: 1...3, using: &rng))]
                            : [("pas", 1), ("eid", 1)]
                        let a = store.apply(try desk.book(try Self.request(desk, items, start: start, token: token,
                                                                          candidates: [ReferenceCode.generate(using: &rng)]), now: now, reading: store))
                        tokens[a.reference] = token
                    case 6..<8:
                        guard let ref = references.randomElement(using: &rng) else { continue }
                        let old = store.appointments[ref]?.appointment
                        do {
                            _ = store.apply(try desk.reschedule(reference: ref, tokenHash: [tokens[ref] ?? 0], to: start, now: now, reading: store))
                        } catch let e as LoketError {
                            #expect(store.appointments[ref]?.appointment == old, "a refused move (\(e.code)) changed \(ref)")
                            throw e
                        }
                    default:
                        guard let ref = references.randomElement(using: &rng) else { continue }
                        _ = store.apply(try desk.cancel(reference: ref, tokenHash: [tokens[ref] ?? 0], now: now, reading: store))
                        #expect(store.appointments[ref]?.appointment.status == .cancelled)
                    }
                } catch is LoketError {
                    // refused: nothing was applied
                }
                #expect(Self.peak(store) <= 2, "run \(run) step \(step): more appointments than desks")
            }
        }
    }

    @Test func aWrongTokenChangesNothingAndLooksLikeAnUnknownReference() throws {
        let desk = BookingDesk(catalogue: Self.catalogue())
        let store = InMemoryDesk()
        let now = at("2026-12-01T07:00:00+01:00")
        let a = store.apply(try desk.book(try Self.request(desk, [("eid", 1)], start: at("2026-12-01T09:00:00+01:00"), token: 7,
                                                          candidates: [Self.refs[0]]), now: now, reading: store))
        for attempt in [{ try desk.cancel(reference: a.reference, tokenHash: [8], now: now, reading: store).value },
                        { try desk.cancel(reference: Self.refs[3], tokenHash: [7], now: now, reading: store).value },
                        { try desk.reschedule(reference: a.reference, tokenHash: nil, to: at("2026-12-01T10:00:00+01:00"), now: now,
                                              reading: store).value }] {
            #expect { try attempt() } throws: { ($0 as? LoketError)?.code == .notFound }
        }
        #expect(store.appointments[a.reference]?.appointment == a)
    }

    @Test func cancelHoldsTheSlotForTheCooldownAndIsIdempotent() throws {
        let desk = BookingDesk(catalogue: Self.catalogue(cooldown: 30))
        let store = InMemoryDesk()
        let now = at("2026-12-01T07:00:00+01:00")
        let start = at("2026-12-01T09:00:00+01:00")
        for (i, ref) in Self.refs.prefix(2).enumerated() {
            _ = store.apply(try desk.book(try Self.request(desk, [("eid", 1)], start: start, token: UInt8(i + 1), candidates: [ref]),
                                          now: now, reading: store))
        }
        #expect(throws: LoketError.self) {
            try desk.book(try Self.request(desk, [("eid", 1)], start: start, candidates: [Self.refs[2]]), now: now, reading: store)
        }
        let cancelled = try desk.cancel(reference: Self.refs[0], tokenHash: [1], now: now, reading: store)
        #expect(cancelled.events == [.appointment(AppointmentUpdate(.cancelled, cancelled.value, by: "citizen"))])
        _ = store.apply(cancelled)
        #expect(try desk.cancel(reference: Self.refs[0], tokenHash: [1], now: now, reading: store).changes.isEmpty)
        // Held for 30 minutes, then free again.
        #expect(throws: LoketError.self) {
            try desk.book(try Self.request(desk, [("eid", 1)], start: start, candidates: [Self.refs[2]]), now: now, reading: store)
        }
        let later = now.addingTimeInterval(31 * 60)
        #expect(try desk.book(try Self.request(desk, [("eid", 1)], start: start, candidates: [Self.refs[2]]), now: later,
                              reading: store).value.reference == Self.refs[2])
    }

    @Test func takenReferencesAreSkippedAndExhaustionIsItsOwnError() throws {
        let desk = BookingDesk(catalogue: Self.catalogue())
        let store = InMemoryDesk()
        let now = at("2026-12-01T07:00:00+01:00")
        _ = store.apply(try desk.book(try Self.request(desk, [("eid", 1)], start: at("2026-12-01T09:00:00+01:00"), candidates: ["A"]),
                                      now: now, reading: store))
        let second = try desk.book(try Self.request(desk, [("eid", 1)], start: at("2026-12-01T09:15:00+01:00"), candidates: ["A", "B"]),
                                   now: now, reading: store)
        #expect(second.value.reference == "B")
        #expect {
            try desk.book(try Self.request(desk, [("eid", 1)], start: at("2026-12-01T09:15:00+01:00"), candidates: ["A"]),
                          now: now, reading: store)
        } throws: { ($0 as? LoketError)?.code == .referencesExhausted }
    }

    @Test func rangesHaveDefaultsLimitsAndTheHorizon() throws {
        let desk = BookingDesk(catalogue: Self.catalogue())
        let hall = desk.catalogue.locations[0]
        let visit = try desk.visit([("eid", 1)], asList: false, at: hall)
        let now = at("2026-12-01T23:30:00+01:00") // late evening: still the 1st in Brussels
        #expect(try desk.range(from: nil, to: nil, visit: visit, at: hall, now: now) == day("2026-12-01")...day("2026-12-14"))
        for (from, to, code) in [("2026-12-05", "2026-12-04", LoketError.Code.invalidRange), ("2026-12-01", "2027-02-01", .invalidRange),
                                 ("2027-01-02", "2027-01-03", .invalidRange)] {
            #expect { try desk.range(from: day(from), to: day(to), visit: visit, at: hall, now: now) } throws: {
                ($0 as? LoketError)?.code == code
            }
        }
    }
}
