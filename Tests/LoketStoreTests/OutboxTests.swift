// The mail outbox: rows written with a change roll back with it, a reminder key is used once,
// due rows come in order and retries wait, the revision rises with each move and cancel, and the
// retention purge erases what messages said.
import Foundation
import LoketCore
import Testing
@testable import LoketStore

@Suite struct OutboxTests {
    @Test func aRolledBackChangeLeavesNoMail() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try store.write { c in
                try c.enqueueMail(messageID: "<1@t>", kind: "booked", reference: "AAA-AAA", payload: "{}", now: at(0))
                throw Boom()
            }
        }
        #expect(try store.read { try $0.outbox(status: nil, limit: 10) }.isEmpty)
    }

    @Test func aDedupKeyIsUsedOnceAndDueRowsWaitForTheirAttempt() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        let first = try store.write { try $0.enqueueMail(messageID: "<1@t>", kind: "reminder", reference: "A", dedup: "reminder:A:24", payload: "{}", now: at(0)) }
        let again = try store.write { try $0.enqueueMail(messageID: "<2@t>", kind: "reminder", reference: "A", dedup: "reminder:A:24", payload: "{}", now: at(1)) }
        #expect(first != nil && again == nil)
        try store.write { try $0.enqueueMail(messageID: "<3@t>", kind: "booked", reference: "B", payload: "{}", now: at(0)) }
        #expect(try store.read { try $0.dueMail(now: at(0), limit: 10) }.map(\.messageID) == ["<1@t>", "<3@t>"])
        try store.write { try $0.claimMail(id: try #require(first), next: at(1)) }
        try store.write { try $0.retryMail(id: try #require(first), error: "451", next: at(5)) }
        #expect(try store.read { try $0.dueMail(now: at(4), limit: 10) }.map(\.messageID) == ["<3@t>"])
        #expect(try store.read { try $0.dueMail(now: at(5), limit: 10) }.map(\.messageID) == ["<1@t>", "<3@t>"])
        try store.write { try $0.claimMail(id: try #require(first), next: at(7)) }
        try store.write { try $0.markMailSent(id: try #require(first), now: at(6)) }
        let row = try #require(try store.read { try $0.outbox(reference: "A") }.first)
        #expect(row.status == .sent && row.attempts == 2 && row.lastError == nil && row.sentAt == at(6))
    }

    @Test func movesAndCancelsRaiseTheRevisionOnce() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        try store.write { try $0.insertAppointment(makeAppointment("K7M-3QX"), tokenHash: [1], group: nil, contactKey: nil) }
        try store.write { try $0.moveAppointment(reference: "K7M-3QX", start: at(90), end: at(105), now: at(1)) }
        try store.write { try $0.setAppointmentStatus(reference: "K7M-3QX", .cancelled, now: at(2)) }
        try store.write { try $0.setAppointmentStatus(reference: "K7M-3QX", .cancelled, now: at(3)) }
        #expect(try store.read { try $0.appointment(withReference: "K7M-3QX") }?.revision == 2)
    }

    @Test func remindersAreDueOnlyForBookedVisitsWithAnAddressBookedBeforeTheMoment() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        // Visits 25 hours after baseTime; the appointments were made a day before baseTime (makeAppointment).
        var withMail = makeAppointment("AAA-AAA", start: 25 * 60)
        withMail.createdAt = at(-24 * 60)
        var noMail = makeAppointment("BBB-BBB", start: 25 * 60, email: nil)
        noMail.createdAt = at(-24 * 60)
        var late = makeAppointment("CCC-CCC", start: 25 * 60)
        late.createdAt = at(61)   // booked after the 24-hour moment (at 60)
        var cancelled = makeAppointment("DDD-DDD", start: 25 * 60, status: .cancelled)
        cancelled.createdAt = at(-24 * 60)
        for a in [withMail, noMail, late, cancelled] {
            try store.write { try $0.insertAppointment(a, tokenHash: [1], group: nil, contactKey: nil) }
        }
        #expect(try store.read { try $0.remindersDue(hours: 24, now: at(59)) }.isEmpty)
        #expect(try store.read { try $0.remindersDue(hours: 24, now: at(61)) }.map(\.appointment.reference) == ["AAA-AAA"])
        try store.write { try $0.enqueueMail(messageID: "<r@t>", kind: "reminder", reference: "AAA-AAA", dedup: "reminder:AAA-AAA:24:\(Int64(at(25 * 60).timeIntervalSince1970))", payload: "{}", now: at(61)) }
        #expect(try store.read { try $0.remindersDue(hours: 24, now: at(62)) }.isEmpty)
        #expect(try store.read { try $0.remindersDue(hours: 24, now: at(25 * 60 + 1)) }.isEmpty, "the visit has begun")
    }

    @Test func thePurgeErasesWhatMessagesSaid() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        try store.write { try $0.insertAppointment(makeAppointment("AAA-AAA", start: 60), tokenHash: [1], group: nil, contactKey: nil) }
        try store.write { try $0.insertAppointment(makeAppointment("BBB-BBB", start: 60 * 24 * 10), tokenHash: [1], group: nil, contactKey: nil) }
        let sent = try #require(try store.write { try $0.enqueueMail(messageID: "<1@t>", kind: "booked", reference: "AAA-AAA", payload: "{\"email\":\"jan@example.be\"}", now: at(0)) })
        try store.write { try $0.markMailSent(id: sent, now: at(1)) }
        try store.write { _ = try $0.enqueueMail(messageID: "<2@t>", kind: "booked", reference: "AAA-AAA", payload: "{\"email\":\"jan@example.be\"}", now: at(0)) }
        try store.write { _ = try $0.enqueueMail(messageID: "<3@t>", kind: "booked", reference: "BBB-BBB", payload: "{\"email\":\"jan@example.be\"}", now: at(0)) }
        #expect(try store.write { try $0.purgeMail(endedBefore: at(60 * 24), now: at(60 * 24)) } == 2)
        let rows = try store.read { try $0.outbox(status: nil, limit: 10) }.sorted { $0.id < $1.id }
        #expect(rows.map(\.payload) == [nil, nil, "{\"email\":\"jan@example.be\"}"])
        #expect(rows.map(\.status) == [.sent, .failed, .pending], "a message not sent in time is not sent after the purge")
    }

    @Test func aNewerMessageEndsTheOnesStillWaiting() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        let sent = try #require(try store.write { try $0.enqueueMail(messageID: "<1@t>", kind: "booked", reference: "A", payload: "{}", now: at(0)) })
        try store.write { try $0.markMailSent(id: sent, now: at(1)) }
        try store.write { _ = try $0.enqueueMail(messageID: "<2@t>", kind: "moved", reference: "A", payload: "{}", now: at(2)) }
        try store.write { _ = try $0.enqueueMail(messageID: "<3@t>", kind: "booked", reference: "B", payload: "{}", now: at(2)) }
        #expect(try store.write { try $0.supersedeMail(reference: "A") } == 1)
        let a = try store.read { try $0.outbox(reference: "A") }
        #expect(a.map(\.status) == [.sent, .failed])
        #expect(try store.read { try $0.outbox(reference: "B") }.map(\.status) == [.pending])
    }
}
