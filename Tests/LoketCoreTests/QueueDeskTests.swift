// The queue's use cases without SQLite or HTTP: a few rules with pinned dates, and a property
// test that drives random sequences of kiosk and clerk commands and checks, after every step,
// that no ticket is lost, none is at two counters, every ticket moved along the state machine,
// numbers never repeat within a day, and the `queue` event told the true waiting counts.
//
// Replay a failure with `LOKET_SEED=<seed> swift test --filter QueueDeskTests`.
import Foundation
import Testing
@testable import LoketCore

@Suite struct QueueDeskTests {
    /// The town hall with walk-in 09:00-12:00 on weekdays, two services and three counters:
    /// c1 serves all of Burgerzaken, c2 only passports, c3 passports first then eID.
    static let catalogue: Catalogue = {
        let services = [
            service("eid", minutes: 10).with(prefix: "A"),
            service("pas", minutes: 20).with(prefix: "P"),
        ]
        let counters = [
            Counter(id: "c1", location: "stadhuis", name: "Loket 1", profile: [.category("burgerzaken")]),
            Counter(id: "c2", location: "stadhuis", name: "Loket 2", profile: [.service("pas")]),
            Counter(id: "c3", location: "stadhuis", name: "Loket 3", profile: [.service("pas"), .service("eid")]),
        ]
        return Catalogue(settings: Settings(queue: QueuePolicy(recallLimit: 2)),
                         categories: [Category(id: "burgerzaken", name: LocalizedText([.nl: "Burgerzaken"]))],
                         locations: [townHall()], services: services, counters: counters)
    }()

    let desk = QueueDesk(catalogue: QueueDeskTests.catalogue)
    var hall: Location { QueueDeskTests.catalogue.locations[0] }
    func svc(_ id: String) -> Service { QueueDeskTests.catalogue.service(id)! }
    func counter(_ id: String) -> Counter { QueueDeskTests.catalogue.counter(id)! }

    @Test func numbersRestartEachDayPerPrefix() throws {
        let store = InMemoryDesk()
        let tuesday = at("2026-12-01T09:00:00+01:00") // 2026-12-01 is a Tuesday
        var numbers: [String] = []
        for (i, s) in ["eid", "eid", "pas", "eid"].enumerated() {
            numbers.append(store.apply(try desk.issue(location: hall, service: svc(s), priority: false, ticketID: "t\(i)", by: "kiosk",
                                                      now: tuesday, reading: store)).number)
        }
        #expect(numbers == ["A001", "A002", "P001", "A003"])
        let wednesday = at("2026-12-02T09:00:00+01:00")
        _ = store.apply(try desk.rollover(hall, now: wednesday, reading: store))
        #expect(store.apply(try desk.issue(location: hall, service: svc("eid"), priority: false, ticketID: "t9", by: "kiosk",
                                           now: wednesday, reading: store)).number == "A001")
    }

    @Test func aClockSetBackNeverLetsANewTicketPassTheWaitingOnes() throws {
        let store = InMemoryDesk()
        let ten = at("2026-12-01T10:00:00+01:00")
        let first = store.apply(try desk.issue(location: hall, service: svc("eid"), priority: false, ticketID: "first", by: "kiosk",
                                               now: ten, reading: store))
        // The clock goes back an hour: the next ticket waits from when the first began, not from 09:00.
        let nine = at("2026-12-01T09:00:00+01:00")
        let second = store.apply(try desk.issue(location: hall, service: svc("eid"), priority: false, ticketID: "second", by: "kiosk",
                                                now: nine, reading: store))
        #expect(second.waitingSince == first.waitingSince)
        #expect(second.issuedAt == nine)
        for c in ["c1", "c2", "c3"] { _ = store.apply(try desk.setState(.open, of: counter(c), by: "clerk", reading: store)) }
        #expect(store.apply(try desk.callNext(counter("c1"), by: "clerk", now: nine, reading: store))?.id == "first")
        let third = store.apply(try desk.issue(location: hall, service: svc("pas"), priority: false, ticketID: "third", by: "kiosk",
                                               now: nine.addingTimeInterval(60), reading: store))
        #expect(third.waitingSince == ten)   // "second" still waits, since 10:00
        #expect(store.apply(try desk.callNext(counter("c2"), by: "clerk", now: nine.addingTimeInterval(120), reading: store))?.id == "third")
        #expect(store.apply(try desk.callNext(counter("c3"), by: "clerk", now: nine.addingTimeInterval(180), reading: store))?.id == "second")
        // Once nobody waits, a ticket waits from now again.
        let fourth = store.apply(try desk.issue(location: hall, service: svc("eid"), priority: false, ticketID: "fourth", by: "kiosk",
                                                now: nine.addingTimeInterval(240), reading: store))
        #expect(fourth.waitingSince == nine.addingTimeInterval(240))
    }

    @Test func walkInClosedNamesTheNextOpening() throws {
        let store = InMemoryDesk()
        let saturday = at("2026-12-05T10:00:00+01:00") // 2026-12-05 is a Saturday
        #expect {
            try desk.issue(location: hall, service: svc("eid"), priority: false, ticketID: "t", by: "kiosk", now: saturday, reading: store)
        } throws: { e in
            (e as? LoketError)?.code == .serviceClosed && (e as? LoketError)?.extra["nextOpening"] == "2026-12-07T09:00:00+01:00"
        }
    }

    @Test func rolloverClosesServingTicketsThroughTheMachine() throws {
        let store = InMemoryDesk()
        let tuesday = at("2026-12-01T11:00:00+01:00")
        _ = store.apply(try desk.issue(location: hall, service: svc("eid"), priority: false, ticketID: "a", by: "kiosk", now: tuesday, reading: store))
        _ = store.apply(try desk.setState(.open, of: counter("c1"), by: "an", reading: store))
        _ = store.apply(try desk.callNext(counter("c1"), by: "an", now: tuesday, reading: store))
        _ = store.apply(try desk.act(.start, ticket: "a", by: "an", now: tuesday, reading: store))
        let outcome = try desk.rollover(hall, now: at("2026-12-02T08:00:00+01:00"), reading: store)
        #expect(store.apply(outcome))
        #expect(store.tickets["a"]?.status == .closed)
        #expect(store.tickets["a"]?.closeReason == "day-ended")
        #expect(store.counters["c1"]?.current == nil)
        #expect(store.counters["c1"]?.state == .open)
        #expect(try desk.rollover(hall, now: at("2026-12-02T08:00:00+01:00"), reading: store).value == false)
    }

    @Test func checkInWindowAndMissedAppointments() throws {
        let store = InMemoryDesk()
        let start = at("2026-12-01T10:00:00+01:00")
        var rng = SplitMix64(seed: 7)
        let reference = ReferenceCode.generate(using: &rng)
        let a = Appointment(reference: reference, location: "stadhuis", items: [.init(service: "eid", persons: 1)], start: start,
                            end: start.addingTimeInterval(600), status: .booked, name: "An", email: nil, phone: nil, language: .nl,
                            channel: .online, createdAt: start.addingTimeInterval(-86400))
        store.apply([.insertAppointment(a, tokenHash: [], group: nil, contactKey: nil)])
        func code(_ now: String) -> LoketError.Code? {
            do {
                _ = try desk.checkIn(reference: reference.lowercased().replacingOccurrences(of: "-", with: " "), kioskLocation: "stadhuis", language: .nl, ticketID: "t", by: "kiosk",
                                     now: at(now), reading: store)
                return nil
            } catch { return (error as? LoketError)?.code }
        }
        #expect(code("2026-12-01T09:29:59+01:00") == .tooEarly)
        #expect(code("2026-12-01T10:15:01+01:00") == .tooLate)
        #expect(code("2026-11-30T10:00:00+01:00") == .notToday)
        #expect(code("2026-12-01T09:45:00+01:00") == nil)
        store.appointments[reference]?.appointment.status = .noShow
        #expect(code("2026-12-01T09:45:00+01:00") == .appointmentMissed)
        store.appointments[reference]?.appointment.status = .cancelled
        #expect(code("2026-12-01T09:45:00+01:00") == .cancelled)
    }

    /// Is `after` one step of the machine from `before`?
    static func legalStep(_ before: TicketStatus, _ after: TicketStatus) -> Bool {
        TicketAction.allCases.contains { (try? TicketMachine.next(before, $0)) == after }
    }

    @Test func randomCommandSequencesKeepTheQueueWhole() throws {
        var rng = SplitMix64.seeded("QueueDeskTests.randomCommandSequences")
        for run in 0..<30 {
            let store = InMemoryDesk()
            var now = at("2026-12-01T08:55:00+01:00") // a Tuesday, just before walk-in opens
            var issued = 0
            var nextID = 0
            for step in 0..<250 {
                let context = "run \(run) step \(step)"
                let roll = Int.random(in: 0..<100, using: &rng)
                let counterID = ["c1", "c2", "c3"].randomElement(using: &rng)!
                let ticketIDs = store.order
                let outcome: Outcome<Void>?
                do {
                    switch roll {
                    case 0..<30:
                        nextID += 1
                        let o = try desk.issue(location: hall, service: svc(["eid", "pas"].randomElement(using: &rng)!),
                                               priority: Int.random(in: 0..<8, using: &rng) == 0, ticketID: "t\(nextID)",
                                               by: "kiosk", now: now, reading: store)
                        issued += 1
                        outcome = Outcome((), changes: o.changes, events: o.events)
                    case 30..<50:
                        let o = try desk.callNext(counter(counterID), by: "clerk", now: now, reading: store)
                        outcome = Outcome((), changes: o.changes, events: o.events)
                    case 50..<58:
                        let o = try desk.setState([.open, .open, .paused, .closed].randomElement(using: &rng)!, of: counter(counterID),
                                                  by: "clerk", reading: store)
                        outcome = Outcome((), changes: o.changes, events: o.events)
                    case 58..<80:
                        guard let id = ticketIDs.randomElement(using: &rng) else { outcome = nil; break }
                        let action = [TicketAction.recall, .start, .finish, .noShow, .transfer, .park].randomElement(using: &rng)!
                        let target = action == .transfer
                            ? QueueDesk.TransferTarget(service: Bool.random(using: &rng) ? svc("pas") : nil,
                                                       counter: Bool.random(using: &rng) ? counter(counterID) : nil)
                            : nil
                        let o = try desk.act(action, ticket: id, transfer: target, by: "clerk", now: now, reading: store)
                        outcome = Outcome((), changes: o.changes, events: o.events)
                    case 80..<85:
                        // One ticket out of order, by id or by today's number.
                        guard let id = ticketIDs.randomElement(using: &rng), let t = store.tickets[id] else { outcome = nil; break }
                        let o = try desk.call(Bool.random(using: &rng) ? id : t.number.lowercased(), to: counter(counterID),
                                              reason: "test", by: "clerk", now: now, reading: store)
                        outcome = Outcome((), changes: o.changes, events: o.events)
                    case 85..<97:
                        now = now.addingTimeInterval(Double(Int.random(in: 0...20, using: &rng) * 60))
                        outcome = nil
                    default:
                        // The next morning: yesterday's open tickets must be closed.
                        now = now.addingTimeInterval(86400)
                        let o = try desk.rollover(hall, now: now, reading: store)
                        outcome = Outcome((), changes: o.changes, events: o.events)
                    }
                } catch is LoketError {
                    outcome = nil // refused, nothing to apply
                }
                guard let outcome else { continue }
                let before = store.tickets
                store.apply(outcome.changes)
                try check(store, before: before, outcome: outcome, issued: issued, context: context)
                if (30..<50).contains(roll) {
                    // call-next never picks a parked ticket.
                    for case .called(let call) in outcome.events {
                        let was = Self.tagged(call.ticket, in: before)?.status
                        #expect(was == .waiting, "\(context): call-next took \(call.ticket) from \(String(describing: was))")
                    }
                }
            }
        }
    }

    /// The ticket an event names by its public tag (`TicketTag`).
    private static func tagged(_ tag: String, in tickets: [String: Ticket]) -> Ticket? {
        tickets.values.first { TicketTag.of($0.id) == tag }
    }

    private func check(_ store: InMemoryDesk, before: [String: Ticket], outcome: Outcome<Void>, issued: Int, context: String) throws {
        // Nobody is lost.
        #expect(store.tickets.count == issued, "\(context)")
        // Every ticket moved along the machine.
        for (id, t) in store.tickets {
            if let old = before[id], old.status != t.status {
                #expect(Self.legalStep(old.status, t.status), "\(context): \(id) \(old.status) -> \(t.status)")
            }
        }
        // Every called or served ticket is at exactly its counter, and every counter shows such a ticket.
        for t in store.tickets.values where [.called, .serving].contains(t.status) {
            let at = store.counters.filter { $0.value.current == t.id }.map(\.key)
            #expect(at == [t.counter].compactMap { $0 }, "\(context): \(t.id) \(t.status) at \(at)")
        }
        for (id, c) in store.counters {
            if let current = c.current {
                #expect([.called, .serving].contains(store.tickets[current]?.status), "\(context): counter \(id) shows \(current)")
            }
        }
        // Numbers never repeat within a day.
        let numbers = store.tickets.values.map { "\($0.day) \($0.number)" }
        #expect(Set(numbers).count == numbers.count, "\(context)")
        // The queue event told the truth.
        for case .queue(let location, let counts) in outcome.events {
            #expect(counts == QueueCounts(store.truthCounts(location), catalogue: QueueDeskTests.catalogue, language: .nl), "\(context)")
        }
        // A called ticket was waiting (or parked) a moment before.
        for case .called(let call) in outcome.events {
            let was = Self.tagged(call.ticket, in: before)?.status
            #expect([.waiting, .parked].contains(was), "\(context): \(call.ticket) called from \(String(describing: was))")
        }
        // Issue and waiting times never change: a parked ticket keeps its place.
        for (id, t) in store.tickets {
            if let old = before[id] {
                #expect(t.issuedAt == old.issuedAt && t.waitingSince == old.waitingSince, "\(context): \(id) lost its place")
            }
        }
    }
}

extension Service {
    /// The same service with another ticket prefix.
    func with(prefix: String) -> Service {
        var s = self
        s.prefix = prefix
        return s
    }
}
