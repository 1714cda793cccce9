// Call-next policy and waiting estimates.
import Foundation
import Testing
@testable import LoketCore

@Suite struct QueueSelectorTests {
    /// 2026-12-01 (a Tuesday) at 10:00 in Brussels.
    let now = at("2026-12-01T10:00:00+01:00")
    let policy = QueuePolicy(agingMinutesPerStep: 10, appointmentBoost: 6, priorityBoost: 3)

    static let catalogue: Catalogue = {
        let services = [service("eid", minutes: 15), service("reispas", minutes: 20),
                        service("bouw", minutes: 30, category: "omgeving")]
        let counters = [
            Counter(id: "c1", location: "stadhuis", name: "1", profile: [.service("reispas"), .category("burgerzaken")]),
            Counter(id: "c2", location: "stadhuis", name: "2", profile: [.category("omgeving")]),
            Counter(id: "c3", location: "stadhuis", name: "3", profile: [.service("eid")]),
        ]
        return Catalogue(settings: Settings(), categories: [], locations: [], services: services, counters: counters)
    }()
    var c1: Counter { Self.catalogue.counter("c1")! }
    var c2: Counter { Self.catalogue.counter("c2")! }
    var c3: Counter { Self.catalogue.counter("c3")! }

    /// A ticket waiting `minutes` minutes.
    func ticket(_ id: String, _ service: String, waited minutes: Double, appointment: String? = nil, priority: Bool = false,
                target: String? = nil) -> QueuedTicket {
        QueuedTicket(id: id, service: service, isAppointment: appointment != nil, isPriority: priority,
                     appointmentStart: appointment.map { at("2026-12-01T\($0):00+01:00") },
                     waitingSince: now.addingTimeInterval(-minutes * 60), targetCounter: target)
    }

    func next(_ counter: Counter, _ waiting: [QueuedTicket]) -> String? {
        QueueSelector.next(for: counter, waiting: waiting, catalogue: Self.catalogue, policy: policy, now: now)?.id
    }

    @Test(arguments: [
        // Due appointments go first, by slot start.
        ([("walkin", "eid", 90.0, nil, false), ("appt", "eid", 1.0, "10:03", false)], "appt"),
        ([("late", "eid", 5.0, "09:50", false), ("early", "eid", 20.0, "10:05", false)], "late"),
        ([("a", "eid", 5.0, "10:05", false), ("b", "eid", 20.0, "10:06", false)], "a"), // 10:06 is not due yet
        // A not-yet-due appointment starts 6 steps ahead; 70 minutes of waiting (7 steps) beat it.
        ([("walkin", "eid", 50.0, nil, false), ("appt", "eid", 1.0, "11:00", false)], "appt"),
        ([("walkin", "eid", 70.0, nil, false), ("appt", "eid", 1.0, "11:00", false)], "walkin"),
        // Priority starts 3 steps ahead...
        ([("walkin", "eid", 10.0, nil, false), ("prio", "eid", 0.0, nil, true)], "prio"),
        // ...but ageing prevents starvation: 35 minutes of waiting is 3.5 steps.
        ([("walkin", "eid", 35.0, nil, false), ("prio", "eid", 0.0, nil, true)], "walkin"),
        // Profile rank: reispas is c1's first entry, eid (via the category) its second.
        ([("eid", "eid", 15.0, nil, false), ("pas", "reispas", 10.0, nil, false)], "pas"),
        ([("eid", "eid", 25.0, nil, false), ("pas", "reispas", 10.0, nil, false)], "eid"),
        // Equal scores: longest waiting, then the order of arrival (not the random id).
        ([("b", "eid", 10.0, nil, false), ("a", "eid", 10.0, nil, false)], "b"),
        ([("a", "eid", 10.0, nil, false), ("b", "eid", 10.0, nil, false)], "a"),
        ([("young", "eid", 5.0, nil, false), ("old", "eid", 6.0, nil, false)], "old"),
        // Not in c1's profile.
        ([("bouw", "bouw", 100.0, nil, false)], nil),
        ([], nil),
    ] as [([(String, String, Double, String?, Bool)], String?)])
    func callNextForCounter1(tickets: [(String, String, Double, String?, Bool)], expected: String?) {
        let waiting = tickets.map { ticket($0.0, $0.1, waited: $0.2, appointment: $0.3, priority: $0.4) }
        #expect(next(c1, waiting) == expected)
    }

    @Test func targetCounter() {
        let toC1 = ticket("bouw-to-c1", "bouw", waited: 1, target: "c1") // outside c1's profile, still eligible
        let toC3 = ticket("eid-to-c3", "eid", waited: 100, target: "c3") // in c1's profile, but meant for c3
        let plain = ticket("eid", "eid", waited: 5)
        #expect(next(c1, [toC3, toC1]) == "bouw-to-c1")
        #expect(next(c1, [toC3]) == nil)
        #expect(next(c3, [toC3, plain]) == "eid-to-c3")
        #expect(next(c2, [toC1, toC3, plain]) == nil)
        #expect(next(c2, [toC1, ticket("bouw", "bouw", waited: 1)]) == "bouw")
    }

    @Test func unknownServiceIsNeverCalled() {
        #expect(next(c1, [ticket("x", "gone", waited: 500)]) == nil)
    }

    @Test func orderedUsesTheSameRule() {
        let waiting = [ticket("w10", "eid", waited: 10), ticket("prio", "eid", waited: 0, priority: true),
                       ticket("due", "reispas", waited: 0, appointment: "10:00"), ticket("w50", "eid", waited: 50),
                       ticket("appt", "eid", waited: 0, appointment: "12:00")]
        let order = QueueSelector.ordered(waiting, catalogue: Self.catalogue, policy: policy, now: now).map(\.id)
        #expect(order == ["due", "appt", "w50", "prio", "w10"])
    }

    // MARK: WaitEstimator

    func estimate(_ id: String, _ waiting: [QueuedTicket], counters: [Counter], measured: [String: Double] = [:])
        -> (position: Int, minutes: Int)? {
        WaitEstimator.estimate(ticketID: id, waiting: waiting, openCounters: counters, catalogue: Self.catalogue,
                               policy: policy, measuredMinutes: measured, now: now)
    }

    var queue: [QueuedTicket] {
        [ticket("t1", "eid", waited: 30), ticket("t2", "reispas", waited: 20), ticket("t3", "eid", waited: 10),
         ticket("t4", "bouw", waited: 5)]
    }

    @Test(arguments: [
        // ticket, open counters, measured minutes, position, minutes
        ("t3", ["c1", "c3"], ["eid": 12.0], 3, 12), // ceil(2 x 12 / 2)
        ("t3", ["c1", "c3"], [:], 3, 15), // catalogue duration 15: ceil(2 x 15 / 2)
        ("t3", ["c3"], [:], 2, 15), // c3 serves only eid: t2 does not compete
        ("t1", ["c1", "c3"], ["eid": 12.0], 1, 0),
        ("t2", ["c1"], ["reispas": 7.5], 2, 8), // t1 and t3 (eid) also compete for c1; t1 waited longer: ceil(1 x 7.5)
        ("t4", ["c1", "c3"], [:], 1, 0), // nobody serves bouw: only bouw tickets compete, divisor 1
        ("t4", ["c2"], [:], 1, 0),
    ] as [(String, [String], [String: Double], Int, Int)])
    func estimates(id: String, counters: [String], measured: [String: Double], position: Int, minutes: Int) {
        let open = counters.map { Self.catalogue.counter($0)! }
        let result = estimate(id, queue, counters: open, measured: measured)
        #expect(result?.position == position)
        #expect(result?.minutes == minutes)
    }

    @Test func estimateWithoutServingCounterDividesByOne() {
        let waiting = queue + [ticket("t5", "bouw", waited: 1)]
        let result = estimate("t5", waiting, counters: [c1])
        #expect(result?.position == 2)
        #expect(result?.minutes == 30)
    }

    @Test func estimateUnknownTicket() {
        #expect(estimate("nope", queue, counters: [c1]) == nil)
    }

    @Test(arguments: [["c1", "c3"], ["c3"], ["c1"], ["c2"], []])
    func newestWalkInFromCountsAgreesWithTheFullEstimate(counters: [String]) {
        // A fresh walk-in (waited 0, no priority) is last; counting competitors gives the same answer.
        let waiting = queue + [ticket("fresh", "eid", waited: 0)]
        let open = counters.map { Self.catalogue.counter($0)! }
        var counts: [String: Int] = [:]
        for t in waiting { counts[t.service, default: 0] += 1 }
        let rows = counts.map { (service: $0.key, targetCounter: String?.none, count: $0.value) }
        let fast = WaitEstimator.estimateNewest(service: "eid", waiting: rows, openCounters: open, catalogue: Self.catalogue,
                                                measuredMinutes: ["eid": 9])
        let full = estimate("fresh", waiting, counters: open, measured: ["eid": 9])
        #expect(fast.position == full?.position)
        #expect(fast.minutes == full?.minutes)
    }

    @Test("estimates for a whole queue at once equal estimate ticket by ticket (random queues)")
    func batchEstimatesAgreeWithOneByOne() {
        var rng = SplitMix64.seeded("QueueSelectorTests.batchEstimatesAgreeWithOneByOne")
        let services = ["eid", "reispas", "bouw", "unknown"], counterIDs = ["c1", "c2", "c3"]
        for round in 0..<300 {
            let n = Int.random(in: 0...40, using: &rng)
            let waiting = (0..<n).map { i in
                ticket("t\(i)", services.randomElement(using: &rng)!, waited: Double(Int.random(in: 0...90, using: &rng)),
                       appointment: Bool.random(using: &rng) && Int.random(in: 0...3, using: &rng) == 0
                           ? String(format: "%02d:%02d", Int.random(in: 9...11, using: &rng), Int.random(in: 0...59, using: &rng)) : nil,
                       priority: Int.random(in: 0...5, using: &rng) == 0,
                       target: Int.random(in: 0...6, using: &rng) == 0 ? counterIDs.randomElement(using: &rng) : nil)
            }
            // The counters each (service, target) counts on, as the server plans them: some open, per group.
            let open = counterIDs.filter { _ in Bool.random(using: &rng) }.map { Self.catalogue.counter($0)! }
            let perService: [String: [Counter]] = Dictionary(uniqueKeysWithValues: services.map { s in
                (s, Bool.random(using: &rng) ? open : counterIDs.filter { _ in Bool.random(using: &rng) }.map { Self.catalogue.counter($0)! })
            })
            let counters = { (service: String, target: String?) -> [Counter] in target.map { [Self.catalogue.counter($0)!] } ?? perService[service]! }
            let measured = Bool.random(using: &rng) ? ["eid": 7.5, "bouw": 0] : [:]
            let all = WaitEstimator.estimates(waiting: waiting, openCounters: counters, catalogue: Self.catalogue, policy: policy,
                                              measuredMinutes: measured, now: now)
            for t in waiting {
                let one = estimate(t.id, waiting, counters: counters(t.service, t.targetCounter), measured: measured)
                #expect(all[t.id]?.position == one?.position && all[t.id]?.minutes == one?.minutes,
                        "round \(round), ticket \(t.id): \(String(describing: all[t.id])) vs \(String(describing: one))")
            }
            #expect(all.count == waiting.filter { estimate($0.id, waiting, counters: counters($0.service, $0.targetCounter)) != nil }.count)
        }
    }

    @Test("call-next over the contenders picks the ticket it picks over the whole queue (random queues)")
    func contendersPickWhatTheWholeQueuePicks() {
        var rng = SplitMix64.seeded("QueueSelectorTests.contendersPickWhatTheWholeQueuePicks")
        let services = ["eid", "reispas", "bouw", "unknown"]
        let targets: [String?] = [nil, nil, nil, nil, "c1", "c2", "c3", "c9"]
        var compared = 0, differentFromFirst = 0
        for round in 0..<3000 {
            let n = Int.random(in: 0...30, using: &rng)
            // Few distinct instants, so ties in waitingSince (and scores) are common; some in the future
            // (a clock set back); not sorted, so the first in arrival order is not always the oldest.
            let waiting = (0..<n).map { i in
                QueuedTicket(id: "t\(i)", service: services.randomElement(using: &rng)!,
                             isAppointment: Int.random(in: 0...4, using: &rng) == 0, isPriority: Int.random(in: 0...3, using: &rng) == 0,
                             appointmentStart: now.addingTimeInterval(Double(Int.random(in: -10...20, using: &rng) * 60)),
                             waitingSince: now.addingTimeInterval(Double(Int.random(in: -12...2, using: &rng) * 300)),
                             targetCounter: targets.randomElement(using: &rng)!)
            }
            let policy = QueuePolicy(agingMinutesPerStep: Int.random(in: 0...15, using: &rng),
                                     appointmentBoost: Int.random(in: 0...8, using: &rng), priorityBoost: Int.random(in: 0...5, using: &rng))
            let contenders = QueueSelector.contenders(waiting)
            #expect(contenders.map(\.id) == waiting.map(\.id).filter { id in contenders.contains { $0.id == id } }, "arrival order kept")
            for counter in [c1, c2, c3] {
                let whole = QueueSelector.next(for: counter, waiting: waiting, catalogue: Self.catalogue, policy: policy, now: now)?.id
                let few = QueueSelector.next(for: counter, waiting: contenders, catalogue: Self.catalogue, policy: policy, now: now)?.id
                #expect(whole == few, "round \(round), \(counter.id): \(String(describing: whole)) vs \(String(describing: few))")
                if whole != few { return }
                compared += 1
                if whole != nil && whole != waiting.first?.id { differentFromFirst += 1 }
            }
        }
        #expect(differentFromFirst > compared / 4, "the random queues exercise the rule, not just first come first served")
    }
}
