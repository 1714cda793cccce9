// Tokens (hashes only), the audit log and the persisted live events.
import Foundation
import LoketCore
import Testing
@testable import LoketStore

@Suite("Tokens, audit and events")
struct SecurityRepositoryTests {
    @Test("a token is found by its hash, with role and name, until revoked")
    func tokens() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        let kiosk: [UInt8] = Array(repeating: 0xAB, count: 32)
        let clerk: [UInt8] = Array(repeating: 0x00, count: 32)  // all zero bytes survive as a blob
        try store.write { c in
            try c.insertToken(hash: kiosk, role: .kiosk, name: "lobby-kiosk", now: at(0))
            try c.insertToken(hash: clerk, role: .clerk, name: "desk-3", now: at(1))
        }
        let found = try #require(try store.read { try $0.token(hash: kiosk) })
        #expect(found.role == .kiosk)
        #expect(found.name == "lobby-kiosk")
        #expect(!found.revoked)
        #expect(try store.read { try $0.token(hash: clerk) }?.role == .clerk)
        #expect(try store.read { try $0.token(hash: Array(repeating: 0xAB, count: 31)) } == nil)
        #expect(try store.read { try $0.token(hash: []) } == nil)

        #expect(try store.write { try $0.revokeTokens(name: "lobby-kiosk", now: at(5)) } == 1)
        #expect(try store.read { try $0.token(hash: kiosk) }?.revoked == true)
        #expect(try store.read { try $0.token(hash: clerk) }?.revoked == false)
        #expect(try store.write { try $0.revokeTokens(name: "lobby-kiosk", now: at(6)) } == 0, "already revoked")
        #expect(try store.write { try $0.revokeTokens(name: "nobody", now: at(6)) } == 0)

        let listed = try store.read { try $0.tokens() }
        #expect(listed.map(\.name) == ["lobby-kiosk", "desk-3"])
        #expect(listed.map(\.revoked) == [true, false])
        #expect(listed.map(\.role) == [.kiosk, .clerk])
        #expect(listed[1].createdAt == at(1))
    }

    @Test("a token hash is unique")
    func tokenUnique() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        try store.write { try $0.insertToken(hash: [1, 2], role: .admin, name: "a", now: at(0)) }
        let error = #expect(throws: SQLiteError.self) { try store.write { try $0.insertToken(hash: [1, 2], role: .kiosk, name: "b", now: at(0)) } }
        #expect(error?.isUniqueViolation == true)
    }

    @Test("events after an id, per topic, oldest first, at most limit")
    func events() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        let stored = try store.write { c in
            try (0..<20).map { i in
                try c.appendEvent(topic: i % 2 == 0 ? "town-hall" : "district", name: i % 3 == 0 ? "called" : "queue",
                                  data: "{\"i\":\(i),\"name\":\"Zoë\"}", at: at(i))
            }
        }
        #expect(stored.map(\.id) == Array(1...20))
        let hall = try store.read { try $0.events(topic: "town-hall", after: 0) }
        #expect(hall.map(\.id) == [1, 3, 5, 7, 9, 11, 13, 15, 17, 19])
        #expect(hall.first == StoredEvent(id: 1, name: "called", data: "{\"i\":0,\"name\":\"Zoë\"}"))
        #expect(try store.read { try $0.events(topic: "town-hall", after: 9) }.map(\.id) == [11, 13, 15, 17, 19])
        #expect(try store.read { try $0.events(topic: "town-hall", after: 10, limit: 2) }.map(\.id) == [11, 13])
        #expect(try store.read { try $0.events(topic: "district", after: 0, limit: 3) }.map(\.id) == [2, 4, 6])
        #expect(try store.read { try $0.events(topic: "district", after: 20) }.isEmpty)
        #expect(try store.read { try $0.events(topic: "mobile", after: 0) }.isEmpty)
    }

    @Test("event ids never go back, even after the newest events are pruned")
    func eventIDsMonotonic() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        try store.write { c in for i in 0..<5 { _ = try c.appendEvent(topic: "t", name: "n", data: "\(i)", at: at(i)) } }
        try store.write { try $0.pruneEvents(before: at(100)) }
        #expect(try store.read { try $0.events(topic: "t", after: 0) }.isEmpty)
        // A display that saw id 5 must not miss the next event because its id was reused.
        let next = try store.write { try $0.appendEvent(topic: "t", name: "n", data: "next", at: at(200)) }
        #expect(next.id == 6)
        #expect(try store.read { try $0.events(topic: "t", after: 5) }.map(\.data) == ["next"])
    }

    @Test("pruneEvents drops only events before the cutoff")
    func prune() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        try store.write { c in for i in 0..<10 { _ = try c.appendEvent(topic: "t", name: "n", data: "\(i)", at: at(i * 10)) } }
        try store.write { try $0.pruneEvents(before: at(50)) }
        #expect(try store.read { try $0.events(topic: "t", after: 0) }.map(\.data) == ["5", "6", "7", "8", "9"])
    }

    @Test("the audit log keeps order and reads from a time")
    func audit() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        try store.write { c in
            try c.audit(actor: "desk-3", action: "counter.open", subject: "loket-3", at: at(0))
            try c.audit(actor: "system", action: "purge", subject: nil, detail: "2 appointments", at: at(10))
            try c.audit(actor: "admin", action: "token.revoke", subject: "lobby-kiosk", at: at(20))
        }
        let all = try store.read { try $0.auditLog(from: at(0), limit: 10) }
        #expect(all.map(\.action) == ["counter.open", "purge", "token.revoke"])
        #expect(all[1].subject == nil)
        #expect(all[1].detail == "2 appointments")
        #expect(all[1].at == at(10))
        #expect(try store.read { try $0.auditLog(from: at(5), limit: 10) }.map(\.actor) == ["system", "admin"])
        #expect(try store.read { try $0.auditLog(from: at(0), limit: 1) }.count == 1)
    }
}
