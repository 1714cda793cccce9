// Many citizens at once: concurrent bookings and reschedules of the same desks must never overbook.
//
// Each test releases all its threads at the same instant against one live server and then checks
// the answers (exactly `capacity` successes, the rest 409, never a 5xx) and the stored state.
import Foundation
import LoketCore
import Testing
import LoketTestKit

@Suite("Booking under concurrency")
struct BookingConcurrencyTests {
    // 2026-12-01 is a Tuesday; the races are for Wednesday 2026-12-02.
    static let clock = "2026-12-01T08:00:00+01:00"

    /// Active appointments stored at `hal` on 2026-12-02, by start (ISO, Brussels).
    func stored(_ live: LiveServer) throws -> [String: Int] {
        let from = try instant("2026-12-02T00:00:00+01:00"), to = try instant("2026-12-03T00:00:00+01:00")
        let list = try live.store.read { try $0.appointments(location: "hal", from: from, to: to) }
        let civil = CivilClock(timeZone: .brussels)
        var counts: [String: Int] = [:]
        for a in list where a.status != .cancelled { counts[civil.iso8601(a.start), default: 0] += 1 }
        return counts
    }

    @Test func fiftyCitizensRaceForOneSlotOfThreeDesks() throws {
        let capacity = 3
        let live = try LiveServer(catalogue: Fixture.catalogue(desks: capacity), clock: Self.clock)
        defer { live.stop() }
        let start = "2026-12-02T10:00:00+01:00"
        let client = live.client
        let answers = Collected<(status: Int, code: String?)>()
        let failures = Collected<String>()
        let finished = onThreads(50, timeout: 60) { i in
            do {
                let r = try client.post("/api/v1/appointments", json: LiveServer.bookingBody(start: start, email: "racer\(i)@example.be"))
                answers.append((r.status, r.problemCode))
            } catch {
                failures.append("thread \(i): \(error)")
            }
        }
        #expect(finished, "the 50 requests did not finish within 60 s")
        #expect(failures.all.isEmpty, "\(failures.all)")
        let all = answers.all
        #expect(all.count == 50)
        #expect(all.filter { $0.status == 201 }.count == capacity)
        #expect(all.filter { $0.status == 409 && $0.code == "slot_unavailable" }.count == 50 - capacity)
        #expect(all.allSatisfy { $0.status < 500 }, "\(all.filter { $0.status >= 500 })")
        #expect(try stored(live) == [start: capacity])
        #expect(try live.freeSlots(date: "2026-12-02")[start] == nil, "the full slot is still offered")
        #expect(try live.freeSlots(date: "2026-12-02")["2026-12-02T09:45:00+01:00"] == capacity)
    }

    @Test func overlappingVisitsNeverExceedTheDesks() throws {
        // Two desks; 09:00 two-person visits (09:00-09:30) compete with 09:15 visits for 09:15-09:30,
        // while 09:30 visits touch neither.
        let live = try LiveServer(catalogue: Fixture.catalogue(desks: 2), clock: Self.clock)
        defer { live.stop() }
        let client = live.client
        let starts = ["2026-12-02T09:00:00+01:00", "2026-12-02T09:15:00+01:00", "2026-12-02T09:30:00+01:00"]
        let answers = Collected<Int>()
        let finished = onThreads(30, timeout: 60) { i in
            let persons = i % 3 == 0 ? 2 : 1
            let body = LiveServer.bookingBody(start: starts[i % 3], persons: persons, email: "mix\(i)@example.be")
            answers.append((try? client.post("/api/v1/appointments", json: body).status) ?? -1)
        }
        #expect(finished)
        #expect(answers.all.allSatisfy { $0 == 201 || $0 == 409 }, "\(answers.all.sorted())")
        let counts = try stored(live)
        #expect(counts[starts[0], default: 0] + counts[starts[1], default: 0] == 2, "\(counts)")
        #expect(counts[starts[2]] == 2, "\(counts)")
        #expect(answers.all.filter { $0 == 201 }.count == 4)
    }

    @Test func reschedulesRacingIntoOneSlotFillItExactly() throws {
        let capacity = 3
        let live = try LiveServer(catalogue: Fixture.catalogue(desks: capacity), clock: Self.clock)
        defer { live.stop() }
        // Twelve appointments fill 09:00, 09:15, 09:30 and 09:45; all of them want 11:00.
        let olds = ["2026-12-02T09:00:00+01:00", "2026-12-02T09:15:00+01:00", "2026-12-02T09:30:00+01:00", "2026-12-02T09:45:00+01:00"]
        var bookings: [(Booking, String)] = []
        for (i, start) in (olds + olds + olds).enumerated() {
            bookings.append((try live.mustBook(start: start, email: "mover\(i)@example.be"), start))
        }
        let target = "2026-12-02T11:00:00+01:00"
        let client = live.client
        let moves = bookings
        let answers = Collected<(index: Int, status: Int, code: String?)>()
        let finished = onThreads(moves.count, timeout: 60) { i in
            let b = moves[i].0
            let r = try? client.post("/api/v1/appointments/\(b.reference)/reschedule?token=\(q(b.token))", json: ["start": target])
            answers.append((i, r?.status ?? -1, r?.problemCode))
        }
        #expect(finished)
        let all = answers.all
        #expect(all.count == moves.count)
        #expect(all.filter { $0.status == 200 }.count == capacity, "\(all.map(\.status).sorted())")
        #expect(all.filter { $0.status == 409 && $0.code == "slot_unavailable" }.count == moves.count - capacity)
        #expect(all.allSatisfy { $0.status < 500 })
        // Losers keep their old start; winners are at 11:00.
        for answer in all {
            let (b, old) = moves[answer.index]
            let now = try live.appointment(b).object()["start"] as? String
            #expect(now == (answer.status == 200 ? target : old), "\(b.reference): \(answer.status) and start \(now ?? "nil")")
        }
        let counts = try stored(live)
        #expect(counts[target] == capacity)
        #expect(counts.values.reduce(0, +) == moves.count)
        let free = try live.freeSlots(date: "2026-12-02")
        #expect(free[target] == nil)
        // The three winners freed exactly three desks among the old slots.
        #expect(olds.map { free[$0] ?? 0 }.reduce(0, +) == capacity)
    }
}
