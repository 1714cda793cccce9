// The day rollover's memo (`App.rolledOver`): a location's day is remembered as rolled over only once
// the transaction that found nothing left to close has committed. Here that transaction's batch is
// lost at COMMIT (a deferred foreign key that another write of the same batch broke, as in
// GroupCommitTests): the earlier write of the batch that closed yesterday's ticket is undone with it,
// so the memo must stay unset and the next write must close the ticket again.
import Foundation
import LoketCore
import LoketHTTP
@testable import LoketServer
@testable import LoketStore
import Testing
import LoketTestKit

@Suite("Rollover memo")
struct RolloverMemoTests {
    @Test func aLostBatchLeavesTheMemoUnsetAndTheNextWriteRollsOverAgain() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: "2026-12-01T09:00:00+01:00") // a Tuesday
        defer { live.stop() }
        let kiosk = try live.token(.kiosk)
        let stale = try #require(try live.mustIssue(kiosk: kiosk)["id"] as? String)
        try live.store.write {
            try $0.exec("""
                CREATE TABLE parent(id INTEGER PRIMARY KEY);
                CREATE TABLE child(p INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)
                """)
        }
        // The next morning: yesterday's ticket is still waiting, and the memo says so.
        live.clock.set(try instant("2026-12-02T08:00:00+01:00"))
        let today = try #require(CivilDate("2026-12-02"))
        let hal = try #require(live.app.catalogue.location("hal"))
        #expect(live.app.rolledOver.withLock { $0["hal"] } != today)

        // One batch: the first write closes yesterday's ticket; the second finds nothing left to close
        // and would remember the day; the third breaks a deferred foreign key, so the COMMIT fails.
        let holding = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let blocker = DispatchGroup(), writes = DispatchGroup()
        blocker.enter()
        Thread.detachNewThread {
            try? live.store.write { _ in
                holding.signal()
                _ = release.wait(timeout: .now() + 30)
            }
            blocker.leave()
        }
        #expect(holding.wait(timeout: .now() + 10) == .success)
        let failures = LockedBox<[Int: String]>([:])
        let jobs: [@Sendable () throws -> Void] = [
            { try live.app.write(now: live.clock.now()) { tx in try live.app.rollover(hal, in: &tx) } },
            { try live.app.write(now: live.clock.now()) { tx in try live.app.rollover(hal, in: &tx) } },
            { _ = try live.store.write { try $0.execute("INSERT INTO child VALUES (99)") } },
        ]
        for (i, job) in jobs.enumerated() {
            writes.enter()
            Thread.detachNewThread {
                do { try job() } catch { failures.withLock { $0[i] = "\(error)" } }
                writes.leave()
            }
            // Queued one after the other, so the batch runs them in this order.
            let deadline = Date().addingTimeInterval(10)
            while live.store.batcher.pending < i + 1 && Date() < deadline { usleep(1000) }
            try #require(live.store.batcher.pending == i + 1)
        }
        release.signal()
        #expect(blocker.wait(timeout: .now() + 10) == .success)
        #expect(writes.wait(timeout: .now() + 30) == .success)
        #expect(failures.withLock { $0.count } == 3, "every write of the lost batch failed: \(failures.withLock { $0 })")

        #expect(live.app.rolledOver.withLock { $0["hal"] } != today, "the lost batch left today unremembered")
        #expect(try live.ticket(stale)["status"] as? String == "waiting", "the close was lost with the batch")
        // The next write rolls over again.
        #expect(try live.mustIssue(kiosk: kiosk)["number"] as? String == "A001")
        let t = try live.ticket(stale)
        #expect(t["status"] as? String == "closed")
        #expect(t["closeReason"] as? String == "day-ended")
        // That write found a ticket to close, so only the next one, which finds none, remembers the day.
        #expect(live.app.rolledOver.withLock { $0["hal"] } != today)
        #expect(try live.mustIssue(kiosk: kiosk)["number"] as? String == "A002")
        #expect(live.app.rolledOver.withLock { $0["hal"] } == today)
    }
}
