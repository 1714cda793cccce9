// A busy lobby: counters calling while kiosks issue tickets, all at once. Every ticket must be
// called exactly once (call-next is atomic), none may be lost, and nothing may answer 5xx.
import Foundation
import LoketCore
import LoketHTTP
import Testing
import LoketTestKit

@Suite("Queue under concurrency")
struct QueueConcurrencyTests {
    // 2026-12-01 is a Tuesday; walk-in is open 08:00-12:00.
    static let clock = "2026-12-01T09:00:00+01:00"

    @Test func threeCountersAndTwoKiosksCallEveryTicketExactlyOnce() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let clerk = try live.token(.clerk)
        let kiosks = [try live.token(.kiosk), try live.token(.kiosk)]
        for c in ["c1", "c2", "c3"] { #expect(try live.counter(c, "open", clerk: clerk).status == 200) }

        let perKiosk = 50
        let client = live.client
        let issued = Collected<(id: String, number: String)>()
        let called = Collected<String>()
        let problems = Collected<String>()
        let kiosksDone = LockedBox(0)
        let finished = onThreads(5, timeout: 120) { i in
            if i < 2 {
                for n in 0..<perKiosk {
                    let service = n % 3 == 0 ? "rijbewijs" : "id-kaart"
                    do {
                        let r = try client.post("/api/v1/tickets", json: ["location": "hal", "service": service], token: kiosks[i])
                        if r.status == 201, let o = try? r.object(), let id = o["id"] as? String, let number = o["number"] as? String {
                            issued.append((id, number))
                        } else {
                            problems.append("kiosk \(i): \(r.status) \(r.text)")
                        }
                    } catch {
                        problems.append("kiosk \(i): \(error)")
                    }
                }
                kiosksDone.withLock { $0 += 1 }
            } else {
                let counter = "c\(i - 1)"
                let deadline = Date().addingTimeInterval(100)
                while Date() < deadline {
                    // Read before calling: a 204 after both kiosks finished means the queue is empty for good.
                    let allIssued = kiosksDone.withLock { $0 } == 2
                    do {
                        let r = try client.post("/api/v1/counters/\(counter)/call-next", token: clerk)
                        if r.status == 200, let id = try? r.object()["id"] as? String {
                            called.append(id)
                        } else if r.status == 204 {
                            if allIssued { return }
                            usleep(2_000)
                        } else {
                            problems.append("\(counter): \(r.status) \(r.text)")
                        }
                    } catch {
                        problems.append("\(counter): \(error)")
                    }
                }
                problems.append("\(counter) gave up: the queue never emptied")
            }
        }
        #expect(finished, "kiosks and counters did not finish within 120 s")
        #expect(problems.all.isEmpty, "\(problems.all.prefix(5))")
        let tickets = issued.all
        #expect(tickets.count == 2 * perKiosk)
        #expect(Set(tickets.map(\.number)).count == tickets.count, "a number was handed out twice")
        let calls = called.all
        #expect(Set(calls).count == calls.count, "a ticket was called twice")
        #expect(Set(calls) == Set(tickets.map(\.id)), "lost: \(Set(tickets.map(\.id)).subtracting(calls).count)")
        let left = try live.store.read { try $0.tickets(location: "hal", statuses: [.waiting]) }
        #expect(left.isEmpty)
    }

    @Test func tenKiosksCheckingInOneAppointmentMakeOneTicket() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let kiosk = try live.token(.kiosk)
        let booking = try live.mustBook(start: "2026-12-01T09:15:00+01:00")
        let client = live.client
        let answers = Collected<(status: Int, code: String?)>()
        let finished = onThreads(10, timeout: 60) { _ in
            let r = try? client.post("/api/v1/checkins", json: ["reference": booking.reference], token: kiosk)
            answers.append((r?.status ?? -1, r?.problemCode))
        }
        #expect(finished)
        let all = answers.all
        #expect(all.filter { $0.status == 201 }.count == 1)
        #expect(all.filter { $0.status == 409 && $0.code == "already_checked_in" }.count == 9, "\(all)")
        let tickets = try live.store.read { try $0.tickets(location: "hal", statuses: [.waiting]) }
        #expect(tickets.count == 1)
        #expect(tickets.first?.appointmentReference == booking.reference)
    }
}
