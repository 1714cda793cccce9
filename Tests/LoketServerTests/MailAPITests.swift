// Citizen mail through the outbox, against a live server with a manual clock: a booking writes
// its confirmation in its own transaction, the mailer delivers it (to a mail folder here; real
// SMTP is in tests/test_mail.py), moves and cancels follow with a rising calendar SEQUENCE, the
// reminder comes once when the clock passes its moment, and failures are retried or kept for
// the admin.
import Foundation
import LoketCore
import LoketMail
import LoketServer
import LoketStore
import Testing
import LoketTestKit

/// A transport that answers as told, and counts (for the retry rules; real delivery is tested elsewhere).
final class ScriptedTransport: MailTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var answers: [MailDeliveryError?] = []
    private(set) var delivered: [(messageID: String, to: [String], bytes: [UInt8])] = []

    /// The next deliveries fail with `errors` in order; after that they succeed.
    func fail(with errors: [MailDeliveryError]) { lock.withLock { answers = errors } }

    var deliveredIDs: [String] { lock.withLock { delivered.map(\.messageID) } }

    func deliver(_ message: [UInt8], messageID: String, from sender: String, to recipients: [String]) throws {
        try lock.withLock {
            if !answers.isEmpty, let error = answers.removeFirst() { throw error }
            delivered.append((messageID, recipients, message))
        }
    }
}

@Suite("Citizen mail")
struct MailAPITests {
    static let clock = "2026-12-01T09:00:00+01:00" // 2026-12-01 is a Tuesday

    func payloads(_ live: LiveServer, _ reference: String) throws -> [(row: OutboxMessage, mail: AppointmentMail)] {
        try live.store.read { try $0.outbox(reference: reference) }.map {
            ($0, try JSONDecoder().decode(AppointmentMail.self, from: Data(try #require($0.payload).utf8)))
        }
    }

    @Test func bookMoveCancelEachSendOneMessageWithARisingSequence() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("loket-mail-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock, mail: MailDirectory(directory: folder))
        defer { live.stop() }
        let b = try live.mustBook(start: "2026-12-03T10:00:00+01:00", email: "an.peeters@example.be", name: "An Peeters")
        #expect(live.app.mailer.runRound().sent == 1)
        #expect(try live.client.post("/api/v1/appointments/\(b.reference)/reschedule?token=\(q(b.token))",
                                     json: ["start": "2026-12-03T11:00:00+01:00"]).status == 200)
        #expect(live.app.mailer.runRound().sent == 1)
        #expect(try live.client.delete("/api/v1/appointments/\(b.reference)?token=\(q(b.token))").status == 200)
        // A second cancel changes nothing, so it writes nothing.
        #expect(try live.client.delete("/api/v1/appointments/\(b.reference)?token=\(q(b.token))").status == 200)
        #expect(live.app.mailer.runRound().sent == 1)

        let rows = try payloads(live, b.reference)
        #expect(rows.map(\.mail.kind) == [.booked, .moved, .cancelled])
        #expect(rows.map(\.mail.sequence) == [0, 1, 2])
        #expect(rows.allSatisfy { $0.row.status == .sent })
        #expect(rows.allSatisfy { $0.mail.manageToken == nil }, "the outbox keeps no manage token")
        #expect(rows[1].mail.previousStart == (try instant("2026-12-03T10:00:00+01:00")))
        #expect(Set(rows.map(\.row.messageID)).count == 3)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".eml") }.sorted()
        #expect(files.count == 3)
        var ids: Set<String> = []
        for file in files {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            #expect(text.contains("To: An Peeters <an.peeters@example.be>\r\n"), "\(file)")
            if let line = text.components(separatedBy: "\r\n").first(where: { $0.hasPrefix("Message-ID: ") }) {
                ids.insert(String(line.dropFirst("Message-ID: ".count)))
            }
        }
        #expect(ids == Set(rows.map(\.row.messageID)), "each file is one outbox message, under its Message-ID")
        // Sent once: another round sends nothing again.
        #expect(live.app.mailer.runRound().sent == 0)
    }

    @Test func healthSaysMailIsStuckAfterTenMinutesOfFailuresAndRecovers() throws {
        let transport = ScriptedTransport()
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock, mail: transport)
        defer { live.stop() }
        _ = try live.mustBook(start: "2026-12-03T10:00:00+01:00")
        transport.fail(with: Array(repeating: .temporary("connection refused"), count: 10))
        #expect(live.app.mailer.runRound().retried == 1)
        #expect(try live.client.get("/api/v1/health").status == 200, "one failed attempt is not stuck yet")
        for _ in 0..<5 {
            live.clock.advance(by: Mailer.backoff(afterAttempts: 6))
            _ = live.app.mailer.runRound()
        }
        let sick = try live.client.get("/api/v1/health")
        #expect(sick.status == 503)
        #expect(((try sick.object()["checks"] as? [String: String])?["mail"])?.contains("after failed attempts") == true)
        transport.fail(with: [])
        live.clock.advance(by: 3600)
        #expect(live.app.mailer.runRound().sent == 1)
        #expect(try live.client.get("/api/v1/health").status == 200)
    }

    @Test func aNewerMessageSupersedesOneStillWaitingAndAPastVisitGetsNone() throws {
        let transport = ScriptedTransport()
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock, mail: transport)
        defer { live.stop() }
        let b = try live.mustBook(start: "2026-12-03T10:00:00+01:00")
        transport.fail(with: [.temporary("connection refused")])
        #expect(live.app.mailer.runRound().retried == 1)
        // Moved while the confirmation waits for its retry: the confirmation of the old time must not arrive after the move.
        #expect(try live.client.post("/api/v1/appointments/\(b.reference)/reschedule?token=\(q(b.token))",
                                     json: ["start": "2026-12-03T11:00:00+01:00"]).status == 200)
        let rows = try payloads(live, b.reference)
        #expect(rows.map(\.row.status) == [.failed, .pending])
        #expect(rows.first?.row.lastError?.contains("superseded") == true)
        #expect(live.app.mailer.runRound().sent == 1)
        #expect(transport.deliveredIDs == [rows[1].row.messageID])

        // Mail about a visit that is over is not sent any more (the outbox waited, e.g. without a transport).
        let other = try live.mustBook(start: "2026-12-03T10:15:00+01:00")
        live.clock.set(try instant("2026-12-03T12:00:00+01:00"))
        #expect(live.app.mailer.runRound().failed == 1)
        #expect(try payloads(live, other.reference).first?.row.lastError?.contains("over") == true)
    }

    @Test func noAddressNoMailAndARefusedBookingWritesNothing() throws {
        let transport = ScriptedTransport()
        let live = try LiveServer(catalogue: Fixture.catalogue(desks: 1), clock: Self.clock, mail: transport)
        defer { live.stop() }
        var body = LiveServer.bookingBody(start: "2026-12-03T10:00:00+01:00")
        body["email"] = nil
        body["phone"] = "+32 470 12 34 56"
        let phoneOnly = try live.book(body)
        #expect(phoneOnly.status == 201)
        // The slot is now full: this booking rolls back, and so does its mail.
        #expect(try live.book(LiveServer.bookingBody(start: "2026-12-03T10:00:00+01:00")).status == 409)
        #expect(try live.store.read { try $0.outbox(status: nil, limit: 10) }.isEmpty)
        #expect(live.app.mailer.runRound() == MailRound())
        #expect(transport.deliveredIDs.isEmpty)
    }

    @Test func theReminderComesOnceWhenTheClockPassesItsMoment() throws {
        let transport = ScriptedTransport()
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock, mail: transport)
        defer { live.stop() }
        let early = try live.mustBook(start: "2026-12-03T10:00:00+01:00")
        let cancelled = try live.mustBook(start: "2026-12-03T10:15:00+01:00")
        #expect(try live.client.delete("/api/v1/appointments/\(cancelled.reference)?token=\(q(cancelled.token))").status == 200)
        #expect(live.app.mailer.runRound().reminders == 0, "two days ahead: too early for the 24-hour reminder")

        // 2026-12-02 10:00 is the reminder moment of the 10:00 visit; a 09:45 visit booked after its
        // moment (09:45 the day before) gets none.
        live.clock.set(try instant("2026-12-02T10:00:30+01:00"))
        let late = try live.mustBook(start: "2026-12-03T09:45:00+01:00")
        let round = live.app.mailer.runRound()
        #expect(round.reminders == 1)
        #expect(try payloads(live, early.reference).map(\.mail.kind) == [.booked, .reminder])
        #expect(try payloads(live, cancelled.reference).map(\.mail.kind) == [.booked, .cancelled])
        #expect(try payloads(live, late.reference).map(\.mail.kind) == [.booked])
        let reminder = try #require(transport.delivered.last.map { String(decoding: $0.bytes, as: UTF8.self) })
        #expect(reminder.replacingOccurrences(of: "=\r\n", with: "").contains(early.token), "the reminder carries the manage link")

        // Once, also after a restart of the mailer and as time goes on.
        live.clock.advance(by: 3600)
        #expect(live.app.mailer.runRound().reminders == 0)
        #expect(try payloads(live, early.reference).filter { $0.mail.kind == .reminder }.count == 1)
    }

    @Test func temporaryFailuresAreRetriedWithBackoffAndPermanentOnesKeptForTheAdmin() throws {
        let transport = ScriptedTransport()
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock, mail: transport)
        defer { live.stop() }
        let admin = try live.token(.admin)
        let b = try live.mustBook(start: "2026-12-03T10:00:00+01:00")
        transport.fail(with: [.temporary("connection refused"), .temporary("451 try later")])
        #expect(live.app.mailer.runRound().retried == 1)
        #expect(live.app.mailer.runRound().sent == 0, "not due again yet")
        live.clock.advance(by: Mailer.backoff(afterAttempts: 1))
        #expect(live.app.mailer.runRound().retried == 1)
        live.clock.advance(by: Mailer.backoff(afterAttempts: 2) - 1)
        #expect(live.app.mailer.runRound().sent == 0, "the pause grows")
        live.clock.advance(by: 1)
        #expect(live.app.mailer.runRound().sent == 1)
        let row = try #require(try payloads(live, b.reference).first?.row)
        #expect(row.status == .sent && row.attempts == 3)
        #expect(try live.client.get("/api/v1/health").status == 200, "mail goes out again: health is ok")
        #expect(transport.deliveredIDs == [row.messageID], "the same Message-ID through every retry")

        let refused = try live.mustBook(start: "2026-12-03T10:15:00+01:00")
        transport.fail(with: [.permanent("550 5.1.1 mailbox unavailable")])
        #expect(live.app.mailer.runRound().failed == 1)
        let failed = try live.client.get("/api/v1/admin/outbox?status=failed", token: admin).array()
        #expect(failed.count == 1)
        #expect(failed.first?["reference"] as? String == refused.reference)
        #expect((failed.first?["lastError"] as? String)?.contains("550") == true)
        #expect(!String(describing: failed).contains("@example.be"), "no addresses in the admin's list")
        #expect(try live.client.get("/api/v1/admin/outbox?status=lost", token: admin).status == 422)
        #expect(try live.client.get("/api/v1/admin/outbox", token: try live.token(.clerk)).status == 403)
    }

    @Test func aVideoAppointmentGetsItsOwnMeetingLinkShownOnlyToItsCitizenAndStaff() throws {
        let live = try LiveServer(catalogue: try Demo.catalogue(), clock: "2026-12-01T07:00:00+01:00", mail: ScriptedTransport())
        defer { live.stop() }
        let service = try #require(try Demo.catalogue().services.first { $0.locations.contains("video-loket") && $0.channels.contains(.appointment) })
        let slots = try live.client.get("/api/v1/availability?service=\(service.id)&location=video-loket&from=2026-12-02&to=2026-12-04")
            .object()["slots"] as? [[String: Any]]
        let start = try #require(slots?.first?["start"] as? String)
        let first = try live.mustBook(start: start, service: service.id, location: "video-loket")
        let second = try live.mustBook(start: start, service: service.id, location: "video-loket")
        let link1 = try #require(try live.appointment(first).object()["meetingUrl"] as? String)
        let link2 = try #require(try live.appointment(second).object()["meetingUrl"] as? String)
        #expect(link1.hasPrefix("https://meet.wilgendaal.be/loket-") && link1 != link2)
        #expect(try payloads(live, first.reference).first?.mail.meetingURL == link1)
        // At the time of the call the clerk, not the display, gets the link.
        live.clock.set(try instant(start).addingTimeInterval(-300))
        let kiosk = try live.token(.kiosk), clerk = try live.token(.clerk)
        #expect(try live.client.post("/api/v1/checkins", json: ["reference": first.reference], token: kiosk).status == 201)
        #expect(try live.client.post("/api/v1/counters/video-1/open", token: clerk).status == 200)
        let called = try live.client.post("/api/v1/counters/video-1/call-next", token: clerk).object()
        #expect((called["appointment"] as? [String: Any])?["meetingUrl"] as? String == link1)
        let display = try live.client.get("/api/v1/locations/video-loket/display").text
        #expect(display.contains(called["number"] as? String ?? "?") && !display.contains(link1))
        let events = try live.store.read { try $0.events(topic: "video-loket", after: 0, limit: 100) }
        #expect(!events.contains { $0.data.contains("meet.wilgendaal.be") }, "no meeting link in the live events")
        let hallSlots = try live.client.get("/api/v1/availability?service=eid-aanvraag&location=stadhuis&from=2026-12-02&to=2026-12-04")
            .object()["slots"] as? [[String: Any]]
        let hall = try live.mustBook(start: try #require(hallSlots?.first?["start"] as? String), service: "eid-aanvraag", location: "stadhuis")
        #expect(try live.appointment(hall).object()["meetingUrl"] == nil)
    }
}
