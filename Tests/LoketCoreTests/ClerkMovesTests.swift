// The clerk's moves beyond call-next, without SQLite or HTTP: calling one ticket out of order,
// parking a citizen who steps away, finishing with an outcome, a visit served without a ticket and
// a pause with a reason. Dates are pinned: 2026-12-01 is a Tuesday (walk-in 09:00-12:00).
import Foundation
import Testing
@testable import LoketCore

@Suite struct ClerkMovesTests {
    /// The town hall with eID (outcomes "aangevraagd", "document-ontbreekt") and passports (no
    /// outcomes); c1 serves both, c2 only passports; "elders" is a service of another location.
    static let catalogue: Catalogue = {
        var eid = service("eid", minutes: 10).with(prefix: "A")
        eid.outcomes = [ServiceOutcome(id: "aangevraagd", name: LocalizedText([.nl: "Aangevraagd"])),
                        ServiceOutcome(id: "document-ontbreekt", name: LocalizedText([.nl: "Document ontbreekt"]))]
        let services = [eid, service("pas", minutes: 20).with(prefix: "P"), service("elders", locations: ["oost"])]
        let counters = [
            Counter(id: "c1", location: "stadhuis", name: "Loket 1", profile: [.category("burgerzaken")]),
            Counter(id: "c2", location: "stadhuis", name: "Loket 2", profile: [.service("pas")]),
        ]
        var oost = townHall()
        oost.id = "oost"
        return Catalogue(settings: Settings(queue: QueuePolicy(recallLimit: 2)),
                         categories: [Category(id: "burgerzaken", name: LocalizedText([.nl: "Burgerzaken"]))],
                         locations: [townHall(), oost], services: services, counters: counters)
    }()

    let desk = QueueDesk(catalogue: ClerkMovesTests.catalogue)
    let nine = at("2026-12-01T09:00:00+01:00")
    var hall: Location { Self.catalogue.locations[0] }
    func svc(_ id: String) -> Service { Self.catalogue.service(id)! }
    func counter(_ id: String) -> Counter { Self.catalogue.counter(id)! }

    /// A store with tickets "a" (A001, 09:00), "b" (A002, 09:01) and "p" (P001, 09:02), and c1 and c2 open.
    func store() throws -> InMemoryDesk {
        let store = InMemoryDesk()
        for (i, (id, s)) in [("a", "eid"), ("b", "eid"), ("p", "pas")].enumerated() {
            _ = store.apply(try desk.issue(location: hall, service: svc(s), priority: false, ticketID: id, by: "kiosk",
                                           now: nine.addingTimeInterval(Double(i * 60)), reading: store))
        }
        for c in ["c1", "c2"] { _ = store.apply(try desk.setState(.open, of: counter(c), by: "an", reading: store)) }
        return store
    }

    @Test func aParkedTicketIsNeverCalledNextAndKeepsItsPlace() throws {
        let store = try store()
        let now = nine.addingTimeInterval(600)
        #expect(store.apply(try desk.callNext(counter("c1"), by: "an", now: now, reading: store))?.id == "a")
        _ = store.apply(try desk.act(.start, ticket: "a", by: "an", now: now, reading: store))
        let parked = store.apply(try desk.act(.park, ticket: "a", by: "an", now: now, reading: store))
        #expect(parked.status == .parked)
        #expect(parked.issuedAt == nine && parked.waitingSince == nine)
        #expect(store.counters["c1"]?.current == nil, "the counter is free again")
        #expect(store.truthCounts("stadhuis")["eid"] == 1, "a parked ticket is not waiting")
        // Call-next goes on with the others and then says nobody waits, though "a" is the oldest.
        var called: [String] = []
        while let t = store.apply(try desk.callNext(counter("c1"), by: "an", now: now.addingTimeInterval(60), reading: store)) {
            called.append(t.id)
        }
        #expect(called == ["b", "p"])
        #expect(store.tickets["a"]?.status == .parked)
        // Only an explicit call brings it back, still with its issue time.
        let back = store.apply(try desk.call("A001", to: counter("c2"), reason: "back with photo", by: "an",
                                             now: now.addingTimeInterval(120), reading: store))
        #expect(back.id == "a" && back.status == .called && back.counter == "c2" && back.issuedAt == nine)
        #expect(store.counters["c2"]?.current == "a")
    }

    @Test func callOutOfOrderFinishesTheCurrentAndAuditsTheReason() throws {
        let store = try store()
        let now = nine.addingTimeInterval(300)
        _ = store.apply(try desk.callNext(counter("c1"), by: "an", now: now, reading: store))
        let outcome = try desk.call("p", to: counter("c1"), reason: "needs a wheelchair desk", by: "an", now: now, reading: store)
        let t = store.apply(outcome)
        #expect(t.id == "p" && t.status == .called)
        #expect(store.tickets["a"]?.status == .done, "the citizen at the counter is finished first, as call-next does")
        #expect(outcome.events.contains { if case .called(let c) = $0 { return c.ticket == TicketTag.of("p") && c.counter == "Loket 1" }; return false })
        let entry = try #require(store.audit.last { $0.action == "ticket.call-out-of-order" })
        #expect(entry.actor == "an" && entry.subject == "P001")
        #expect(entry.detail?.contains("needs a wheelchair desk") == true)
    }

    @Test(arguments: [
        ("zzz", LoketError.Code.notFound),      // no such ticket
        ("P009", .notFound),                    // no such number today
    ])
    func callRefusesUnknownTickets(ticket: String, code: LoketError.Code) throws {
        let store = try store()
        #expect { try desk.call(ticket, to: counter("c1"), reason: nil, by: "an", now: nine, reading: store) } throws: {
            ($0 as? LoketError)?.code == code
        }
    }

    @Test func callRefusesTicketsThatAreNotWaitingOrParkedAndClosedCounters() throws {
        let store = try store()
        _ = store.apply(try desk.callNext(counter("c1"), by: "an", now: nine, reading: store))
        // "a" is called at c1: c2 may not take it.
        #expect { try desk.call("a", to: counter("c2"), reason: nil, by: "an", now: nine, reading: store) } throws: {
            ($0 as? LoketError)?.code == .illegalTransition
        }
        _ = store.apply(try desk.act(.finish, ticket: "a", by: "an", now: nine, reading: store))
        #expect { try desk.call("A001", to: counter("c2"), reason: nil, by: "an", now: nine, reading: store) } throws: {
            ($0 as? LoketError)?.code == .illegalTransition
        }
        _ = store.apply(try desk.setState(.paused, of: counter("c2"), by: "an", reading: store))
        #expect { try desk.call("b", to: counter("c2"), reason: nil, by: "an", now: nine, reading: store) } throws: {
            ($0 as? LoketError)?.code == .counterClosed
        }
        #expect(store.tickets["b"]?.status == .waiting)
    }

    @Test func twoCountersCallingTheSameTicketOneAfterTheOtherOnlyTheFirstWins() throws {
        let store = try store()
        // Both decided on the same snapshot would be a store race; in order, the second sees "called".
        _ = store.apply(try desk.call("b", to: counter("c1"), reason: nil, by: "an", now: nine, reading: store))
        #expect(throws: LoketError.self) { try desk.call("b", to: counter("c2"), reason: nil, by: "bo", now: nine, reading: store) }
        #expect(store.tickets["b"]?.counter == "c1")
    }

    @Test func finishTakesOnlyTheServicesOutcomes() throws {
        let store = try store()
        _ = store.apply(try desk.callNext(counter("c1"), by: "an", now: nine, reading: store))
        #expect { try desk.act(.finish, ticket: "a", outcome: "verloren", by: "an", now: nine, reading: store) } throws: {
            ($0 as? LoketError)?.code == .invalid && ($0 as? LoketError)?.fields["outcome"] != nil
        }
        #expect(store.tickets["a"]?.status == .called, "nothing changed on a refused finish")
        let done = store.apply(try desk.act(.finish, ticket: "a", outcome: "document-ontbreekt", by: "an", now: nine, reading: store))
        #expect(done.status == .done && done.outcome == "document-ontbreekt")
        // A service without outcomes takes none.
        _ = store.apply(try desk.call("p", to: counter("c2"), reason: nil, by: "an", now: nine, reading: store))
        #expect { try desk.act(.finish, ticket: "p", outcome: "aangevraagd", by: "an", now: nine, reading: store) } throws: {
            ($0 as? LoketError)?.fields["outcome"] != nil
        }
    }

    @Test func aVisitServedWithoutTicketIsDoneAndTakesNoNumber() throws {
        let store = try store()
        let o = try desk.served(at: counter("c2"), service: svc("eid"), outcome: "aangevraagd", ticketID: "s1234567890",
                                by: "an", now: nine)
        let t = store.apply(o)
        #expect(t.origin == .counter && t.status == .done && t.outcome == "aangevraagd" && t.counter == "c2")
        #expect(t.calledAt == nil && t.startedAt == nil, "no wait or service time enters the averages")
        #expect(o.events.isEmpty, "no display event")
        #expect(store.sequences["stadhuis|2026-12-01|A"] == 2, "the day's sequence is untouched")
        let next = store.apply(try desk.issue(location: hall, service: svc("eid"), priority: false, ticketID: "n", by: "kiosk",
                                              now: nine.addingTimeInterval(900), reading: store))
        #expect(next.number == "A003")
        #expect { try desk.served(at: counter("c1"), service: svc("elders"), outcome: nil, ticketID: "x", by: "an", now: nine) } throws: {
            ($0 as? LoketError)?.fields["service"] != nil
        }
        #expect { try desk.served(at: counter("c1"), service: svc("eid"), outcome: "nope", ticketID: "y", by: "an", now: nine) } throws: {
            ($0 as? LoketError)?.fields["outcome"] != nil
        }
    }

    @Test func aPauseKeepsItsReasonUntilTheCounterOpens() throws {
        let store = try store()
        _ = store.apply(try desk.setState(.paused, of: counter("c1"), reason: "lunch", by: "an", reading: store))
        #expect(store.pauseReasons["c1"] == "lunch")
        _ = store.apply(try desk.setState(.open, of: counter("c1"), reason: "ignored", by: "an", reading: store))
        #expect(store.pauseReasons["c1"] == nil)
    }

    @Test func rolloverClosesParkedTickets() throws {
        let store = try store()
        _ = store.apply(try desk.callNext(counter("c1"), by: "an", now: nine, reading: store))
        _ = store.apply(try desk.act(.park, ticket: "a", by: "an", now: nine, reading: store))
        #expect(store.apply(try desk.rollover(hall, now: at("2026-12-02T08:00:00+01:00"), reading: store)))
        #expect(store.tickets["a"]?.status == .closed && store.tickets["a"]?.closeReason == "day-ended")
    }
}
