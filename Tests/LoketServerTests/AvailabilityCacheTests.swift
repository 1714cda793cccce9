// The availability cache against a live server: every change that alters an answer drops it (a
// booking, a cancel and its cooldown hold, a reschedule, a closure and its lift, a waitlist offer,
// a config reload), so does time (a hold's end, the lead time, midnight), and housekeeping only
// for the locations whose holds it deleted; nothing else does.
// Each test compares the answer served over HTTP with one computed afresh (`cached: false`) at the
// same instant, byte for byte; a property test does the same after random changes and clock moves.
import Foundation
import LoketCore
@testable import LoketServer
import Testing
import LoketTestKit

@Suite("Availability cache")
struct AvailabilityCacheTests {
    // 2026-12-01 is a Tuesday; the fixture's hal takes appointments 09:00-12:00, 15-minute grid, no lead time.
    static let tuesday = "2026-12-01T08:00:00+01:00"
    static let day = "service=id-kaart&location=hal&from=2026-12-02&to=2026-12-02"

    /// The query string as the server's parser gives it (no escapes in these tests).
    static func query(_ text: String) -> [String: String] {
        var q: [String: String] = [:]
        for part in text.split(separator: "&") {
            let kv = part.split(separator: "=", maxSplits: 1)
            q[String(kv[0])] = kv.count > 1 ? String(kv[1]) : ""
        }
        return q
    }

    /// The answer over HTTP (cached when it can be), required to equal a fresh computation at the same instant.
    @discardableResult
    static func answer(_ live: LiveServer, _ query: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let r = try live.client.get("/api/v1/availability?\(query)")
        let fresh = Result { try live.app.availabilityAnswer(AvailabilityQuery(Self.query(query)), now: live.clock.now(), cached: false) }
        switch fresh {
        case .success(let body):
            #expect(r.status == 200, "\(query): \(r.text)", sourceLocation: sourceLocation)
            #expect(r.text == String(decoding: body, as: UTF8.self), "cached and fresh differ for \(query)", sourceLocation: sourceLocation)
        case .failure:
            #expect(r.status != 200, "\(query) answered 200 where a fresh computation fails", sourceLocation: sourceLocation)
        }
        return r.text
    }

    static func free(_ text: String, at start: String) -> Int? {
        guard let o = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              let slots = o["slots"] as? [[String: Any]] else { return nil }
        return slots.first { $0["start"] as? String == start }?["free"] as? Int
    }

    @Test func aRepeatedQueryIsServedFromTheCacheAndTheSameBytes() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.tuesday)
        defer { live.stop() }
        let first = try Self.answer(live, Self.day)
        let second = try Self.answer(live, Self.day)
        #expect(first == second)
        #expect(live.app.availabilityCache.hits == 1)
        #expect(live.app.availabilityCache.count == 1)
    }

    @Test func aBookingDropsTheAnswerOfItsLocationOnly() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(desks: 3), clock: Self.tuesday)
        defer { live.stop() }
        let annex = "service=id-kaart&location=annex&from=2026-12-02&to=2026-12-02"
        #expect(Self.free(try Self.answer(live, Self.day), at: "2026-12-02T09:00:00+01:00") == 3)
        try Self.answer(live, annex)
        _ = try live.mustBook(start: "2026-12-02T09:00:00+01:00")
        #expect(Self.free(try Self.answer(live, Self.day), at: "2026-12-02T09:00:00+01:00") == 2)
        let hits = live.app.availabilityCache.hits
        try Self.answer(live, annex)
        #expect(live.app.availabilityCache.hits == hits + 1, "the annex's answer was kept")
    }

    @Test func aCancelDropsTheAnswerAndItsCooldownHoldEndsIt() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(desks: 1, cancelCooldownMinutes: 30), clock: Self.tuesday)
        defer { live.stop() }
        let b = try live.mustBook(start: "2026-12-02T09:00:00+01:00")
        #expect(Self.free(try Self.answer(live, Self.day), at: "2026-12-02T09:00:00+01:00") == nil)
        let r = try live.client.post("/api/v1/appointments/\(b.reference)/cancel?token=\(q(b.token))")
        try #require(r.status == 200, "\(r.text)")
        // Still taken: the cooldown hold; and kept as such while the hold lasts.
        #expect(Self.free(try Self.answer(live, Self.day), at: "2026-12-02T09:00:00+01:00") == nil)
        live.clock.advance(by: 29 * 60)
        #expect(Self.free(try Self.answer(live, Self.day), at: "2026-12-02T09:00:00+01:00") == nil)
        // The hold ends 30 minutes after the cancel: the kept answer is not served past it.
        live.clock.advance(by: 60)
        #expect(Self.free(try Self.answer(live, Self.day), at: "2026-12-02T09:00:00+01:00") == 1)
    }

    @Test func housekeepingDropsOnlyTheLocationsWhoseHoldsExpired() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(desks: 1, cancelCooldownMinutes: 30), clock: Self.tuesday)
        defer { live.stop() }
        let annex = "service=id-kaart&location=annex&from=2026-12-02&to=2026-12-02"
        let cache = live.app.availabilityCache
        let b = try live.mustBook(start: "2026-12-02T09:00:00+01:00")
        let r = try live.client.post("/api/v1/appointments/\(b.reference)/cancel?token=\(q(b.token))")
        try #require(r.status == 200, "\(r.text)")
        // A round with the hold still in force deletes nothing and drops nothing.
        try Self.answer(live, Self.day)
        try Self.answer(live, annex)
        live.app.housekeeping()
        var hits = cache.hits
        try Self.answer(live, Self.day)
        try Self.answer(live, annex)
        #expect(cache.hits == hits + 2, "no hold expired: both answers were kept")
        // Past the hold's end the round deletes the hold at hal, and drops hal's answer only.
        live.clock.advance(by: 31 * 60)
        #expect(cache.count == 2)
        live.app.housekeeping()
        #expect(cache.count == 1, "only hal's answer was dropped")
        hits = cache.hits
        try Self.answer(live, annex)
        #expect(cache.hits == hits + 1, "the annex's answer was kept")
        // The clock set back into the hold's time: the hold is gone, so the answer made while it held
        // (kept until its end) must not be served.
        live.clock.advance(by: -16 * 60)
        #expect(Self.free(try Self.answer(live, Self.day), at: "2026-12-02T09:00:00+01:00") == 1)
        #expect(cache.hits == hits + 1, "hal's answer was made afresh")
    }

    @Test func aRescheduleDropsTheAnswer() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(desks: 1), clock: Self.tuesday)
        defer { live.stop() }
        let b = try live.mustBook(start: "2026-12-02T09:00:00+01:00")
        #expect(Self.free(try Self.answer(live, Self.day), at: "2026-12-02T10:00:00+01:00") == 1)
        let r = try live.client.post("/api/v1/appointments/\(b.reference)/reschedule?token=\(q(b.token))",
                                     json: ["start": "2026-12-02T10:00:00+01:00"])
        try #require(r.status == 200, "\(r.text)")
        let text = try Self.answer(live, Self.day)
        #expect(Self.free(text, at: "2026-12-02T10:00:00+01:00") == nil)
        #expect(Self.free(text, at: "2026-12-02T09:00:00+01:00") == 1)
    }

    @Test func aClosureAndItsLiftDropTheAnswer() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(desks: 2), clock: Self.tuesday)
        defer { live.stop() }
        let admin = try live.token(.admin, name: "it-team")
        #expect(Self.free(try Self.answer(live, Self.day), at: "2026-12-02T10:00:00+01:00") == 2)
        let r = try ClosureAPITests.close(live, admin: admin, from: "2026-12-02T10:00:00+01:00", to: "2026-12-02T11:00:00+01:00")
        try #require(r.status == 201, "\(r.text)")
        #expect(Self.free(try Self.answer(live, Self.day), at: "2026-12-02T10:00:00+01:00") == nil)
        let id = try #require(try r.object()["id"] as? String)
        let lifted = try live.client.delete("/api/v1/admin/closures/\(id)", token: admin)
        try #require(lifted.status == 200, "\(lifted.text)")
        #expect(Self.free(try Self.answer(live, Self.day), at: "2026-12-02T10:00:00+01:00") == 2)
    }

    @Test func aReloadServesTheNewConfig() throws {
        let (live, folder) = try LiveServer.onDemoConfigCopy(clock: "2026-12-01T09:00:00+01:00")
        defer { live.stop(); try? FileManager.default.removeItem(atPath: folder) }
        let admin = try live.token(.admin, name: "it-team")
        let query = "service=eid-aanvraag&location=stadhuis&from=2026-12-02&to=2026-12-02"
        // floor((5 - 1) x 0.8) = 3 online; with 6 desks floor(5 x 0.8) = 4.
        #expect(Self.free(try Self.answer(live, query), at: "2026-12-02T09:00:00+01:00") == 3)
        let file = folder + "/locations.yaml"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let old = "      hours: [\"08:30-12:00\", \"13:00-16:00\"]\n      desks: 5"
        try #require(text.contains(old))
        try text.replacingOccurrences(of: old, with: "      hours: [\"08:30-12:00\", \"13:00-16:00\"]\n      desks: 6")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let r = try live.client.post("/api/v1/admin/reload", token: admin)
        try #require(r.status == 200, "\(r.text)")
        #expect(Self.free(try Self.answer(live, query), at: "2026-12-02T09:00:00+01:00") == 4)
    }

    @Test func aWaitlistOfferAndItsReleaseDropTheAnswer() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(desks: 1), clock: Self.tuesday)
        defer { live.stop() }
        var bookings: [String: Booking] = [:]
        for slot in 0..<12 {
            let start = String(format: "2026-12-02T%02d:%02d:00+01:00", 9 + slot / 4, (slot % 4) * 15)
            bookings[start] = try live.mustBook(start: start)
        }
        let ten = "2026-12-02T10:00:00+01:00"
        let joined = try live.client.post("/api/v1/waitlist", json: ["service": "id-kaart", "location": "hal", "from": "2026-12-02",
                                                                     "to": "2026-12-02", "email": "wacht@example.be", "lang": "nl"])
        try #require(joined.status == 201, "\(joined.text)")
        let entry = try joined.object()
        let (id, token) = (try #require(entry["id"] as? String), try #require(entry["token"] as? String))
        #expect(Self.free(try Self.answer(live, Self.day), at: ten) == nil)
        let b = try #require(bookings[ten])
        #expect(try live.client.delete("/api/v1/appointments/\(b.reference)?token=\(q(b.token))").status == 200)
        #expect(Self.free(try Self.answer(live, Self.day), at: ten) == 1)
        // The round offers 10:00 to the waiting citizen and holds it: gone from the answer.
        #expect(try live.app.waitlistRound(now: live.clock.now()).offered == 1)
        #expect(Self.free(try Self.answer(live, Self.day), at: ten) == nil)
        // Leaving releases the hold: back.
        #expect(try live.client.delete("/api/v1/waitlist/\(id)?token=\(q(token))").status == 200)
        #expect(Self.free(try Self.answer(live, Self.day), at: ten) == 1)
    }

    @Test func theLeadTimeAndMidnightEndAnAnswer() throws {
        // Demo town hall: 2 hours lead time. At 09:00:00 the first slot today is 11:00.
        let live = try LiveServer(catalogue: try Demo.catalogue(), clock: "2026-12-01T09:00:00+01:00")
        defer { live.stop() }
        let today = "service=eid-aanvraag&location=stadhuis"
        #expect(Self.free(try Self.answer(live, today + "&from=2026-12-01&to=2026-12-01"), at: "2026-12-01T11:00:00+01:00") == 3)
        try Self.answer(live, today)
        live.clock.advance(by: 0.5)
        #expect(Self.free(try Self.answer(live, today + "&from=2026-12-01&to=2026-12-01"), at: "2026-12-01T11:00:00+01:00") == 3)
        live.clock.advance(by: 0.5) // 09:00:01: 11:00 is inside the lead time
        #expect(Self.free(try Self.answer(live, today + "&from=2026-12-01&to=2026-12-01"), at: "2026-12-01T11:00:00+01:00") == nil)
        // Midnight: the default range starts on the new day and the horizon moves one day on.
        let before = try Self.answer(live, today)
        live.clock.set(try instant("2026-12-01T23:59:59+01:00"))
        try Self.answer(live, today)
        live.clock.set(try instant("2026-12-02T00:00:00+01:00"))
        let after = try Self.answer(live, today)
        #expect(before.contains("\"from\":\"2026-12-01\"") && after.contains("\"from\":\"2026-12-02\""))
    }

    @Test func aClockSetBackIsNotServedAnAnswerMadeLater() throws {
        let live = try LiveServer(catalogue: try Demo.catalogue(), clock: "2026-12-01T09:00:01+01:00")
        defer { live.stop() }
        let query = "service=eid-aanvraag&location=stadhuis&from=2026-12-01&to=2026-12-01"
        #expect(Self.free(try Self.answer(live, query), at: "2026-12-01T11:00:00+01:00") == nil)
        live.clock.advance(by: -1)
        #expect(Self.free(try Self.answer(live, query), at: "2026-12-01T11:00:00+01:00") == 3)
    }

    @Test func anAnswerReadBeforeACommitIsNotKept() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.tuesday)
        defer { live.stop() }
        let cache = live.app.availabilityCache
        let office = live.app.office.withLock { $0 }
        let query = AvailabilityQuery(Self.query(Self.day))
        let now = live.clock.now()
        let stamp = cache.stamp("hal")
        var scope = AvailabilityScope()
        scope.note([.hold(location: "hal", group: nil, start: now, end: now, channel: .online, until: now)], events: [])
        cache.invalidate(scope) // a commit between the read and the keep
        cache.keep([1], for: query, location: "hal", office: office, stamp: stamp, madeAt: now, validUntil: .distantFuture)
        #expect(cache.count == 0)
        cache.keep([1], for: query, location: "hal", office: office, stamp: cache.stamp("hal"), madeAt: now, validUntil: .distantFuture)
        #expect(cache.answer(query, office: office, now: now) == [1])
    }

    @Test func theCacheStaysWithinItsBounds() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.tuesday)
        defer { live.stop() }
        let cache = live.app.availabilityCache
        let office = live.app.office.withLock { $0 }
        let now = live.clock.now()
        let big = [UInt8](repeating: 32, count: 1 << 20)
        for i in 0..<(AvailabilityCache.maxBytes >> 20) + 3 {
            cache.keep(big, for: AvailabilityQuery(Self.query("location=hal&from=\(i)")), location: "hal", office: office,
                       stamp: cache.stamp("hal"), madeAt: now, validUntil: .distantFuture)
            #expect(cache.bytes <= AvailabilityCache.maxBytes)
        }
        for i in 0..<AvailabilityCache.maxEntriesPerLocation + 5 {
            cache.keep([1], for: AvailabilityQuery(Self.query("location=annex&from=\(i)")), location: "annex", office: office,
                       stamp: cache.stamp("annex"), madeAt: now, validUntil: .distantFuture)
        }
        #expect(cache.count <= AvailabilityCache.maxEntriesPerLocation + (AvailabilityCache.maxBytes >> 20))
        var annex = AvailabilityScope()
        annex.note([.hold(location: "annex", group: nil, start: now, end: now, channel: .online, until: now)], events: [])
        let before = cache.bytes
        cache.invalidate(annex)
        #expect(cache.bytes == before - 5, "the annex's five kept one-byte answers were dropped")
    }

    @Test func theScopeOfEachChange() throws {
        let t = Date(timeIntervalSince1970: 1_800_000_000)
        let a = Appointment(reference: "ABC-DEF", location: "hal", items: [.init(service: "id-kaart", persons: 1)], start: t,
                            end: t.addingTimeInterval(900), status: .booked, name: "Jan", email: nil, phone: nil, language: .nl,
                            channel: .online, createdAt: t)
        func scope(_ changes: [Change], _ events: [LiveEvent] = []) -> AvailabilityScope {
            var s = AvailabilityScope()
            s.note(changes, events: events)
            return s
        }
        var hal = AvailabilityScope()
        hal.note([.hold(location: "hal", group: nil, start: t, end: t, channel: .online, until: t)], events: [])
        var everything = AvailabilityScope()
        everything.touchAll()
        #expect(scope([.insertAppointment(a, tokenHash: [], group: nil, contactKey: nil)]) == hal)
        #expect(scope([.appointmentStatus(reference: a.reference, status: .cancelled, ticketID: nil)],
                      [.appointment(AppointmentUpdate(.cancelled, a, by: "citizen"))]) == hal)
        #expect(scope([.appointmentStatus(reference: a.reference, status: .cancelled, ticketID: nil)]) == everything)
        #expect(scope([.appointmentStatus(reference: a.reference, status: .checkedIn, ticketID: "t")]).isEmpty)
        #expect(scope([.moveAppointment(reference: a.reference, start: t, end: t)],
                      [.appointment(AppointmentUpdate(.moved, a, by: "citizen"))]) == hal)
        #expect(scope([.waitlistHold(owner: "w1", location: "hal", group: nil, start: t, end: t, until: t)]) == hal)
        #expect(scope([.releaseHolds(owner: "w1")]) == everything)
        let limit = DeskLimit(id: "cl-1", location: "hal", from: t, to: t.addingTimeInterval(3600), desks: 0)
        let record = ClosureRecord(limit: limit, createdAt: t, createdBy: "admin", affected: nil)
        #expect(scope([.insertClosure(record)]) == hal)
        #expect(scope([.liftClosure(id: "cl-1", by: "admin")], [.closure(ClosureNotice(.lifted, record, zone: .brussels))]) == hal)
        #expect(scope([.liftClosure(id: "cl-1", by: "admin")]) == everything)
        #expect(scope([.audit(AuditEntry(actor: "x", action: "y", subject: nil)),
                       .ticketSequence(location: "hal", day: CivilDate("2026-12-01")!, prefix: "A", last: 1)]).isEmpty)
    }

    // MARK: - Property

    /// Random bookings, cancels (with cooldown holds), reschedules, closures and lifts, reloads,
    /// housekeeping rounds (expired holds deleted) and clock moves (small steps, lead-time edges,
    /// midnight, the March DST change, steps back); after
    /// each, random queries over HTTP must equal a fresh computation byte for byte.
    @Test func cachedAnswersEqualFreshOnesAfterRandomChangesAndClockMoves() throws {
        let seed = ProcessInfo.processInfo.environment["LOKET_SEED"].flatMap(UInt64.init) ?? 20_261_201
        print("AvailabilityCacheTests property seed: \(seed) (LOKET_SEED=\(seed) repeats it)")
        var rng = SplitMix64(seed: seed)
        // 2027-03-25 is a Thursday; summer time starts on Sunday 2027-03-28 at 02:00.
        let start = try instant("2027-03-25T09:00:00+01:00")
        let (live, folder) = try LiveServer.onDemoConfigCopy(clock: "2027-03-25T09:00:00+01:00")
        defer { live.stop(); try? FileManager.default.removeItem(atPath: folder) }
        let admin = try live.token(.admin, name: "it-team")
        let pairs = [("stadhuis", "eid-aanvraag"), ("stadhuis", "omgevingsvergunning-bouwen"), ("deelgemeente-oost", "eid-aanvraag")]
        let days = ["2027-03-25", "2027-03-26", "2027-03-27", "2027-03-29", "2027-03-30", "2027-04-01", "2027-04-02"]
        func randomQuery() -> String {
            let (location, service) = pairs.randomElement(using: &rng)!
            var q = "service=\(service)&location=\(location)"
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: break
            case 1: q += "&from=\(days.randomElement(using: &rng)!)"
            default:
                let d = days.randomElement(using: &rng)!
                q += "&from=\(d)&to=\(d)"
            }
            if Int.random(in: 0..<5, using: &rng) == 0 { q += "&persons=2" }
            return q
        }
        /// Slot starts of a fresh answer.
        func starts(_ query: String) -> [String] {
            guard let body = try? live.app.availabilityAnswer(AvailabilityQuery(Self.query(query)), now: live.clock.now(), cached: false),
                  let o = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
                  let slots = o["slots"] as? [[String: Any]] else { return [] }
            return slots.compactMap { $0["start"] as? String }
        }
        struct Booked { var reference: String; var token: String; var location: String; var service: String }
        var bookings: [Booked] = []
        var closures: [String] = []
        var desks = 5
        var log: [String] = []
        let iso = CivilClock(timeZone: .brussels)

        for step in 0..<220 {
            let roll = Int.random(in: 0..<100, using: &rng)
            switch roll {
            case 0..<30: // book
                let (location, service) = pairs.randomElement(using: &rng)!
                let d = days.randomElement(using: &rng)!
                if let s = starts("service=\(service)&location=\(location)&from=\(d)&to=\(d)").randomElement(using: &rng) {
                    let r = try live.book(LiveServer.bookingBody(start: s, service: service, location: location))
                    if r.status == 201, let o = try? r.object(), let ref = o["reference"] as? String, let token = o["manageToken"] as? String {
                        bookings.append(Booked(reference: ref, token: token, location: location, service: service))
                    }
                    log.append("book \(location) \(service) \(s): \(r.status)")
                }
            case 30..<44: // cancel (a future one leaves a 30-minute hold)
                if let i = bookings.indices.randomElement(using: &rng) {
                    let b = bookings.remove(at: i)
                    let r = try live.client.post("/api/v1/appointments/\(b.reference)/cancel?token=\(q(b.token))")
                    log.append("cancel \(b.reference): \(r.status)")
                }
            case 44..<54: // reschedule
                if let b = bookings.randomElement(using: &rng) {
                    let d = days.randomElement(using: &rng)!
                    if let s = starts("service=\(b.service)&location=\(b.location)&from=\(d)&to=\(d)").randomElement(using: &rng) {
                        let r = try live.client.post("/api/v1/appointments/\(b.reference)/reschedule?token=\(q(b.token))", json: ["start": s])
                        log.append("reschedule \(b.reference) \(s): \(r.status)")
                    }
                }
            case 54..<61: // closure, whole or fewer desks, keeping or cancelling what no longer fits
                let location = ["stadhuis", "deelgemeente-oost"].randomElement(using: &rng)!
                let from = start.addingTimeInterval(Double(Int.random(in: 0..<(7 * 96), using: &rng) * 900))
                let to = from.addingTimeInterval(Double(Int.random(in: 1...16, using: &rng) * 900))
                var body: [String: Any] = ["location": location, "from": iso.iso8601(from), "to": iso.iso8601(to),
                                           "affected": Bool.random(using: &rng) ? "keep" : "cancel"]
                if Bool.random(using: &rng) { body["desks"] = Int.random(in: 1...3, using: &rng) }
                let r = try live.client.post("/api/v1/admin/closures", json: body, token: admin)
                if r.status == 201, let id = try? r.object()["id"] as? String { closures.append(id) }
                log.append("closure \(body): \(r.status)")
            case 61..<66: // lift
                if let i = closures.indices.randomElement(using: &rng) {
                    let id = closures.remove(at: i)
                    let r = try live.client.delete("/api/v1/admin/closures/\(id)", token: admin)
                    log.append("lift \(id): \(r.status)")
                }
            case 66..<70: // reload with one desk more or less at the town hall
                let file = folder + "/locations.yaml"
                let text = try String(contentsOfFile: file, encoding: .utf8)
                let next = desks == 5 ? 4 : 5
                let old = "      hours: [\"08:30-12:00\", \"13:00-16:00\"]\n      desks: \(desks)"
                try #require(text.contains(old))
                try text.replacingOccurrences(of: old, with: "      hours: [\"08:30-12:00\", \"13:00-16:00\"]\n      desks: \(next)")
                    .write(toFile: file, atomically: true, encoding: .utf8)
                desks = next
                let r = try live.client.post("/api/v1/admin/reload", token: admin)
                log.append("reload desks \(next): \(r.status)")
            case 70..<84: // a small step on
                let seconds = Double(Int.random(in: 1...1800, using: &rng))
                live.clock.advance(by: seconds)
                log.append("clock +\(seconds) s")
            case 84..<90: // to a lead-time edge of the first listed slot
                let (location, service) = pairs.randomElement(using: &rng)!
                if let first = starts("service=\(service)&location=\(location)").first, let s = parseInstant(first) {
                    let lead = 120 // both locations; neither service has its own
                    let edge = s.addingTimeInterval(Double(-lead * 60 + Int.random(in: -1...1, using: &rng)))
                    if edge > live.clock.now() { live.clock.set(edge) }
                    log.append("clock to the lead edge of \(first): \(iso.iso8601(live.clock.now()))")
                }
            case 90..<94: // around the next midnight
                let clock = CivilClock(timeZone: .brussels)
                let midnight = clock.startOfDay(clock.date(of: live.clock.now()).adding(days: 1))
                live.clock.set(midnight.addingTimeInterval(Double(Int.random(in: -2...1, using: &rng))))
                log.append("clock to midnight \(iso.iso8601(live.clock.now()))")
            case 94..<96: // across the DST change
                live.clock.set(try instant("2027-03-28T01:59:59+01:00").addingTimeInterval(Double(Int.random(in: 0...2, using: &rng))))
                log.append("clock to the DST change \(iso.iso8601(live.clock.now()))")
            case 96..<98: // a housekeeping round: expired holds deleted, their locations' answers dropped
                live.app.housekeeping()
                log.append("housekeeping")
            default: // a step back
                let seconds = Double(Int.random(in: 1...7200, using: &rng))
                live.clock.advance(by: -seconds)
                log.append("clock -\(seconds) s")
            }
            // Stay in the week the queries look at.
            if live.clock.now() > (try instant("2027-04-02T12:00:00+02:00")) {
                live.clock.set(start.addingTimeInterval(Double(Int.random(in: 0..<(3 * 86400), using: &rng))))
                log.append("clock back to \(iso.iso8601(live.clock.now()))")
            }
            for _ in 0..<4 {
                let query = randomQuery()
                let r = try live.client.get("/api/v1/availability?\(query)")
                let fresh = try? live.app.availabilityAnswer(AvailabilityQuery(Self.query(query)), now: live.clock.now(), cached: false)
                let same = fresh.map { r.status == 200 && r.body == $0 } ?? (r.status != 200)
                if !same {
                    Issue.record("""
                        seed \(seed), step \(step), at \(iso.iso8601(live.clock.now())): \(query)
                        cached: \(r.text.prefix(400))
                        fresh:  \(fresh.map { String(decoding: $0, as: UTF8.self).prefix(400) } ?? "error")
                        last changes: \(log.suffix(6).joined(separator: "; "))
                        """)
                    return
                }
            }
        }
        #expect(live.app.availabilityCache.hits > 50, "the cache served only \(live.app.availabilityCache.hits) answers")
    }
}
