// The waiting counts kept by triggers must always equal a count of the waiting tickets.
import Foundation
import LoketCore
@testable import LoketStore
import Testing

@Suite("Waiting counts")
struct WaitingCountsTests {
    /// Counts straight from the tickets, the way the triggers should keep them.
    private func counted(_ db: Connection, _ location: String) throws -> [String] {
        try db.query("""
            SELECT service, COALESCE(target_counter, ''), count(*) FROM tickets WHERE location = ? AND status = 'waiting'
            GROUP BY 1, 2 ORDER BY 1, 2
            """, [.text(location)], table: "tickets").map { "\(try $0.text(0))/\(try $0.text(1))=\(try $0.int(2))" }
    }

    private func kept(_ db: Connection, _ location: String) throws -> [String] {
        try db.waitingCountsByTarget(location: location).map { "\($0.service)/\($0.targetCounter ?? "")=\($0.count)" }
    }

    @Test("random issues, calls, transfers and deletions keep the counts exact")
    func randomOperations() throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["LOKET_SEED"] ?? "") ?? 20261201
        print("WaitingCountsTests.randomOperations seed: \(seed)")
        var rng = SplitMix64(seed: seed)
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        let services = ["eid", "reispas", "rijbewijs"], locations = ["hall", "district"], counters = [nil, "c1", "c2"]
        var ids: [String] = []
        for step in 0..<400 {
            try store.write { c in
                switch Int.random(in: 0..<10, using: &rng) {
                case 0..<4:
                    var t = makeTicket("t\(step)", location: locations.randomElement(using: &rng)!, number: "N\(step)",
                                       service: services.randomElement(using: &rng)!)
                    t.targetCounter = counters.randomElement(using: &rng)!
                    try c.insertTicket(t)
                    ids.append(t.id)
                case 4..<8:
                    guard let id = ids.randomElement(using: &rng), var t = try c.ticket(id: id) else { return }
                    t.status = [.waiting, .called, .serving, .done, .noShow].randomElement(using: &rng)!
                    t.service = services.randomElement(using: &rng)!
                    t.targetCounter = counters.randomElement(using: &rng)!
                    try c.updateTicket(t)
                default:
                    guard let id = ids.randomElement(using: &rng) else { return }
                    try c.execute("DELETE FROM tickets WHERE id = ?", [.text(id)])
                    ids.removeAll { $0 == id }
                }
            }
            if step % 20 == 0 || step == 399 {
                for location in locations {
                    let (a, b) = try store.read { (try counted($0, location), try kept($0, location)) }
                    #expect(a == b, "step \(step) at \(location)")
                }
            }
        }
    }

    @Test("the contenders read by index seeks equal QueueSelector.contenders of the whole queue (random queues)")
    func contendersEqualTheWholeQueuesContenders() throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["LOKET_SEED"] ?? "") ?? 20261130
        print("WaitingCountsTests.contendersEqualTheWholeQueuesContenders seed: \(seed)")
        var rng = SplitMix64(seed: seed)
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        let services = ["eid", "reispas", "rijbewijs"], locations = ["hall", "district"], counters = [nil, nil, "c1", "c2"]
        var ids: [String] = []
        var nonEmpty = 0
        for step in 0..<400 {
            try store.write { c in
                switch Int.random(in: 0..<10, using: &rng) {
                case 0..<5:
                    var t = makeTicket("t\(step)", location: locations.randomElement(using: &rng)!, number: "N\(step)",
                                       service: services.randomElement(using: &rng)!)
                    t.targetCounter = counters.randomElement(using: &rng)!
                    t.isPriority = Int.random(in: 0..<4, using: &rng) == 0
                    // Few distinct instants: ties, broken by the order of arrival (rowid).
                    t.waitingSince = at(Int.random(in: 0..<6, using: &rng))
                    if Int.random(in: 0..<5, using: &rng) == 0 {
                        t.origin = .appointment
                        t.appointmentStart = at(Int.random(in: 0..<10, using: &rng) * 5)
                    }
                    try c.insertTicket(t)
                    ids.append(t.id)
                default:
                    // Called, transferred (back to waiting, maybe for another service or counter), finished.
                    guard let id = ids.randomElement(using: &rng), var t = try c.ticket(id: id) else { return }
                    t.status = [.waiting, .called, .done].randomElement(using: &rng)!
                    t.service = services.randomElement(using: &rng)!
                    t.targetCounter = counters.randomElement(using: &rng)!
                    try c.updateTicket(t)
                }
            }
            for location in locations {
                let (whole, read) = try store.read {
                    (QueueSelector.contenders(try $0.waitingQueue(location: location)), try $0.waitingContenders(location: location))
                }
                #expect(read.map(\.id) == whole.map(\.id), "step \(step) at \(location)")
                #expect(read == whole, "step \(step) at \(location): the same tickets, read alike")
                if read.map(\.id) != whole.map(\.id) { return }
                if !read.isEmpty { nonEmpty += 1 }
            }
        }
        #expect(nonEmpty > 400)
        // Each class's head is one seek: the index gives the order, nothing is sorted.
        let plan = try store.read { c in
            try c.query("""
                EXPLAIN QUERY PLAN SELECT id, rowid FROM tickets INDEXED BY tickets_waiting_heads
                WHERE location = ? AND status = 'waiting' AND origin <> 'appointment' AND service = ? AND target_counter IS ? AND priority = ?
                ORDER BY waiting_since, rowid LIMIT 1
                """, [.text("hall"), .text("eid"), .null, .int(0)], table: "plan").map { try $0.text(3) }.joined(separator: "\n")
        }
        #expect(plan.contains("tickets_waiting_heads") && !plan.contains("TEMP B-TREE"), "\(plan)")
    }

    @Test("a rolled-back issue leaves the counts as they were")
    func rollback() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        try store.write { try $0.insertTicket(makeTicket("a")) }
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try store.write { c in
                try c.insertTicket(makeTicket("b", number: "A002"))
                throw Abort()
            }
        }
        #expect(try store.read { try $0.waitingCounts(location: "town-hall") }.map(\.waiting) == [1])
    }
}

