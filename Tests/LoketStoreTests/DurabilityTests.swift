// What a write acknowledged is still there after the store is closed and opened again.
import Foundation
import LoketCore
import Testing
@testable import LoketStore

@Suite("Durability")
struct DurabilityTests {
    @Test("data written, store closed, store reopened: everything is present")
    func closeAndReopen() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let appointment = makeAppointment("DUR-001", name: "Zoë Ņ 李")
        do {
            let store = try db.open()
            try store.write { c in
                try c.insertAppointment(appointment, tokenHash: [7, 7], group: "eid", contactKey: "ck")
                try c.insertTicket(makeTicket("tkt-1"))
                try c.setCounter("loket-1", state: .open, current: "tkt-1", now: at(0))
                _ = try c.appendEvent(topic: "town-hall", name: "called", data: "{}", at: at(0))
            }
            for _ in 0..<100 {
                try store.write { _ = try $0.nextTicketSequence(location: "town-hall", day: CivilDate(year: 2026, month: 12, day: 1)!, prefix: "A") }
            }
        }  // the Store and its connections are released here
        #expect(db.files.contains("loket.sqlite"))
        let store = try db.open()
        #expect(try store.read { try $0.appointment(reference: "DUR-001")?.appointment } == appointment)
        #expect(try store.read { try $0.ticket(id: "tkt-1") } == makeTicket("tkt-1"))
        #expect(try store.read { try $0.counterStates()["loket-1"]?.current } == "tkt-1")
        #expect(try store.read { try $0.events(topic: "town-hall", after: 0) }.count == 1)
        #expect(try store.write { try $0.nextTicketSequence(location: "town-hall", day: CivilDate(year: 2026, month: 12, day: 1)!, prefix: "A") } == 101)
    }

    @Test("a committed write is in the WAL file before the store is closed")
    func committedIsOnDisk() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        let marker = "DURABLE-\(UUID().uuidString)"
        try store.write { _ = try $0.appendEvent(topic: "t", name: "n", data: marker, at: at(0)) }
        // Without closing the store: another connection (as another process would) sees it.
        let other = try Connection(path: db.path, readOnly: true)
        #expect(try other.first("SELECT data FROM events WHERE data = ?", [.text(marker)], table: "events")?.text(0) == marker)
        // And the bytes are in a file on disk (WAL or main).
        let onDisk = db.files.compactMap { FileManager.default.contents(atPath: db.folder + "/" + $0) }
            .contains { firstRange(of: Array(marker.utf8), in: Array($0)) != nil }
        #expect(onDisk)
        _ = store
    }
}
