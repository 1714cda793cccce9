// Closure rows: round trip with the reason in four languages, the limits in force or to come,
// lifting (once), and the booked appointments the overflow sweep reads.
import Foundation
import LoketCore
import Testing
@testable import LoketStore

@Suite("Closure repository")
struct ClosureRepositoryTests {
    static func record(_ id: String, from: Int, to: Int, desks: Int = 0, location: String = "town-hall",
                       reason: LocalizedText? = LocalizedText([.nl: "Verbouwing", .fr: "Travaux", .en: "Works", .de: "Umbau"])) -> ClosureRecord {
        ClosureRecord(limit: DeskLimit(id: id, location: location, from: at(from), to: at(to), desks: desks, reason: reason),
                      createdAt: at(0), createdBy: "admin-an", affected: .keep)
    }

    @Test("insert, read back, list what is in force or to come, lift once")
    func roundTripListAndLift() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        let past = Self.record("cl-past", from: -120, to: -60)
        let now = Self.record("cl-now", from: -30, to: 90, desks: 1, reason: nil)
        let later = Self.record("cl-later", from: 600, to: 700)
        let elsewhere = Self.record("cl-else", from: 0, to: 60, location: "annex")
        try store.write { db in for r in [later, past, now, elsewhere] { try db.insertClosure(r) } }
        #expect(try store.read { try $0.closure(id: "cl-later") } == later)
        #expect(try store.read { try $0.closure(id: "cl-now") } == now, "no reason reads back as none")
        #expect(try store.read { try $0.closure(id: "nope") } == nil)
        #expect(try store.read { try $0.closures(location: "town-hall", now: at(0)) }.map(\.limit.id) == ["cl-now", "cl-later"])
        #expect(try store.read { try $0.closures(location: nil, now: at(0)) }.count == 3)
        #expect(try store.read { try $0.deskLimits(location: "town-hall", from: at(0), to: .distantFuture) } == [now.limit, later.limit])
        #expect(try store.read { try $0.deskLimits(location: "town-hall", from: at(100), to: at(650)) } == [later.limit])

        try store.write { try $0.liftClosure(id: "cl-now", by: "admin-els", now: at(5)) }
        try store.write { try $0.liftClosure(id: "cl-now", by: "someone-else", now: at(9)) }
        let lifted = try #require(try store.read { try $0.closure(id: "cl-now") })
        #expect(lifted.liftedAt == at(5) && lifted.liftedBy == "admin-els", "the first lift stands")
        #expect(try store.read { try $0.deskLimits(location: "town-hall", from: at(0), to: at(60)) }.isEmpty)
    }

    @Test("held appointments: booked ones overlapping the range, with their booking order and size")
    func heldAppointments() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        try store.write { db in
            try db.insertAppointment(makeAppointment("IN-1", start: 60), tokenHash: [1], group: "burgerzaken", contactKey: nil)
            try db.insertAppointment(makeAppointment("GONE", start: 60, status: .cancelled), tokenHash: [2], group: nil, contactKey: nil)
            try db.insertAppointment(makeAppointment("OUT-1", start: 300), tokenHash: [3], group: nil, contactKey: nil)
        }
        let held = try store.read { try $0.heldAppointments(location: "town-hall", from: at(0), to: at(120)) }
        #expect(held.map(\.reference) == ["IN-1"])
        #expect(held.first?.group == "burgerzaken" && held.first?.persons == 2 && held.first?.service == "eid")
        #expect(held.first?.start == at(60) && held.first?.end == at(75))
    }
}
