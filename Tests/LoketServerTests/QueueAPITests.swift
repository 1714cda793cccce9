// The queue, end to end over HTTP: kiosk tickets and check-in, counters, call-next priorities,
// ticket actions, transfers, the display and who may see what.
//
// Hand-made municipality: location `hal` with walk-in 08:00-12:00 on weekdays (unless a test
// says otherwise), counters c1-c3 ("Loket 1"-"Loket 3") serving category `burger`
// (id-kaart prefix A, rijbewijs prefix R, afhalen prefix AF). Check-in opens 30 minutes before an
// appointment and closes 15 minutes after its start; the third recall is the last.
import Foundation
import LoketCore
import Testing
import LoketTestKit

@Suite("Queue API")
struct QueueAPITests {
    // 2026-12-01 is a Tuesday.
    static let clock = "2026-12-01T09:00:00+01:00"

    @Test func ticketsNeedAKioskToken() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let body: [String: Any] = ["location": "hal", "service": "id-kaart"]
        let anonymous = try live.client.post("/api/v1/tickets", json: body)
        #expect(anonymous.status == 401)
        #expect(anonymous.problemCode == "unauthorized")
        #expect(anonymous.header("www-authenticate")?.hasPrefix("Bearer") == true)
        let bogus = try live.client.post("/api/v1/tickets", json: body, token: "not-a-token")
        #expect(bogus.status == 401)
        let clerk = try live.client.post("/api/v1/tickets", json: body, token: try live.token(.clerk))
        #expect(clerk.status == 403)
        #expect(clerk.problemCode == "forbidden")
        let checkin = try live.client.post("/api/v1/checkins", json: ["reference": "ABC-DEF"], token: try live.token(.clerk))
        #expect(checkin.status == 403)

        let kiosk = try live.client.post("/api/v1/tickets", json: body, token: try live.token(.kiosk))
        #expect(kiosk.status == 201)
        let t = try kiosk.object()
        #expect(t["number"] as? String == "A001")
        #expect(t["status"] as? String == "waiting")
        #expect(t["origin"] as? String == "walkin")
        #expect(t["position"] as? Int == 1)
        #expect(t["estimatedWaitMinutes"] as? Int == 0)
        let id = try #require(t["id"] as? String)
        #expect(id.count >= 16, "ticket ids must be unguessable: \(id)")
        #expect(kiosk.header("location") == "/api/v1/tickets/\(id)")
        // An admin may do everything.
        #expect(try live.client.post("/api/v1/tickets", json: body, token: try live.token(.admin)).status == 201)
    }

    /// A plain ticket's place and estimate are worked out after its transaction, from counts read in
    /// it: the answer to the kiosk must say what the ticket's own status says right after, ticket
    /// after ticket, with no counter open and then with one open and serving some of the services.
    @Test func anIssuedTicketsAnswerTellsWhatItsStatusTells() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let clerk = try live.token(.clerk), kiosk = try live.token(.kiosk)
        let services = ["id-kaart", "rijbewijs", "afhalen", "id-kaart", "id-kaart", "afhalen", "rijbewijs", "id-kaart"]
        for round in 0..<2 {
            if round == 1 { #expect(try live.counter("c1", "open", clerk: clerk).status == 200) }
            for service in services {
                let issued = try live.client.post("/api/v1/tickets", json: ["location": "hal", "service": service], token: kiosk)
                #expect(issued.status == 201)
                let answer = try issued.object()
                let id = try #require(answer["id"] as? String)
                let status = try live.client.get("/api/v1/tickets/\(id)").object()
                for field in ["position", "estimatedWaitMinutes", "countersOpen", "opensAt", "number", "status"] {
                    #expect("\(answer[field] ?? "none")" == "\(status[field] ?? "none")", "round \(round), \(service) \(id): \(field)")
                }
            }
        }
    }

    @Test func walkInOutsideItsHoursIsRefusedWithTheNextOpening() throws {
        // Tuesday 12:30, after the walk-in morning (08:00-12:00).
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: "2026-12-01T12:30:00+01:00")
        defer { live.stop() }
        let kiosk = try live.token(.kiosk)
        let r = try live.client.post("/api/v1/tickets", json: ["location": "hal", "service": "id-kaart"], token: kiosk)
        #expect(r.status == 409)
        #expect(r.problemCode == "service_closed")
        #expect(try r.object()["nextOpening"] as? String == "2026-12-02T08:00:00+01:00")
        // Appointment-only services have no walk-in tickets at all.
        let appointmentOnly = try live.client.post("/api/v1/tickets", json: ["location": "hal", "service": "bouwen"], token: kiosk)
        #expect(appointmentOnly.status == 422)
        let unknown = try live.client.post("/api/v1/tickets", json: ["location": "hal", "service": "toverdrank"], token: kiosk)
        #expect(unknown.status == 404)
        #expect(unknown.problemCode == "unknown_service")

        // Thursday 2026-12-24 after noon: Friday is Christmas, then the weekend; next is Monday 2026-12-28.
        let christmas = try LiveServer(catalogue: Fixture.catalogue(), clock: "2026-12-24T12:30:00+01:00")
        defer { christmas.stop() }
        let closed = try christmas.client.post("/api/v1/tickets", json: ["location": "hal", "service": "id-kaart"],
                                               token: try christmas.token(.kiosk))
        #expect(closed.status == 409)
        #expect(try closed.object()["nextOpening"] as? String == "2026-12-28T08:00:00+01:00")
    }

    /// eID and passports are called to the same counters but are separate queues in the demo: each
    /// keeps its own number sequence, so "A003" and "P003" are never confused on the display.
    @Test func theDemoNumbersPassportsApartFromIdentityCards() throws {
        let live = try LiveServer(catalogue: try Demo.catalogue(), clock: "2026-12-01T09:00:00+01:00") // a Tuesday
        defer { live.stop() }
        let kiosk = try live.token(.kiosk)
        let numbers = try ["eid-aanvraag", "reispas-aanvraag", "eid-aanvraag", "reispas-aanvraag"].map {
            try live.mustIssue(service: $0, location: "stadhuis", kiosk: kiosk)["number"] as? String
        }
        #expect(numbers == ["A001", "P001", "A002", "P002"])
    }

    @Test func numbersCountUpPerPrefixAndRestartTheNextDay() throws {
        // Walk-in all day, every day, to issue a ticket at 23:59.
        let catalogue = Fixture.catalogue(walkIn: ["00:00-24:00"], walkInDays: Set(Weekday.allCases))
        let late = try LiveServer(catalogue: catalogue, clock: "2026-12-01T23:59:00+01:00")
        defer { late.stop() }
        let kiosk = try late.token(.kiosk, name: "kiosk-hal")
        let first = try late.mustIssue(kiosk: kiosk)
        let second = try late.mustIssue(kiosk: kiosk)
        let license = try late.mustIssue(service: "rijbewijs", kiosk: kiosk)
        #expect(first["number"] as? String == "A001")
        #expect(second["number"] as? String == "A002")
        #expect(license["number"] as? String == "R001")

        // The next morning, on the same server.
        late.clock.set(try instant("2026-12-02T08:00:00+01:00"))
        let morning = late
        let fresh = try morning.mustIssue(kiosk: kiosk)
        #expect(fresh["number"] as? String == "A001")
        for old in [first, second, license] {
            let t = try morning.ticket(try #require(old["id"] as? String))
            #expect(t["status"] as? String == "closed")
            #expect(t["closeReason"] as? String == "day-ended")
        }
        #expect(try morning.mustIssue(kiosk: kiosk)["number"] as? String == "A002")
    }

    @Test func checkInAnswersEveryCase() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let kiosk = try live.token(.kiosk)
        func checkIn(_ reference: String) throws -> HTTPResponse {
            try live.client.post("/api/v1/checkins", json: ["reference": reference], token: kiosk)
        }
        let unknown = try checkIn(ReferenceCode.generate())
        #expect(unknown.status == 404)
        #expect(unknown.problemCode == "not_found")
        #expect(try checkIn("nonsense").status == 404)
        #expect(try live.client.post("/api/v1/checkins", json: ["reference": "ABC-DEF"]).status == 401)

        // 10:00 is an hour away: check-in opens at 09:30.
        let later = try live.mustBook(start: "2026-12-01T10:00:00+01:00")
        let early = try checkIn(later.reference)
        #expect(early.status == 409)
        #expect(early.problemCode == "too_early")
        #expect(try early.object()["checkInOpens"] as? String == "2026-12-01T09:30:00+01:00")

        // 08:30 started half an hour ago: check-in closed at 08:45.
        let missed = ReferenceCode.generate()
        try live.insertAppointment(reference: missed, start: "2026-12-01T08:30:00+01:00")
        let tooLate = try checkIn(missed)
        #expect(tooLate.status == 409)
        #expect(tooLate.problemCode == "too_late")

        let cancelled = try live.mustBook(start: "2026-12-01T09:15:00+01:00")
        #expect(try live.client.delete("/api/v1/appointments/\(cancelled.reference)?token=\(q(cancelled.token))").status == 200)
        let gone = try checkIn(cancelled.reference)
        #expect(gone.status == 409)
        #expect(gone.problemCode == "cancelled")

        // 09:15 is within the window; typed in lowercase without the dash, as at a kiosk.
        let due = try live.mustBook(start: "2026-12-01T09:15:00+01:00", name: "Zoë Peeters")
        let ok = try checkIn(due.reference.lowercased().replacingOccurrences(of: "-", with: ""))
        #expect(ok.status == 201, "\(ok.text)")
        let ticket = try ok.object()
        #expect(ticket["origin"] as? String == "appointment")
        #expect(ticket["number"] as? String == "A001")
        #expect(ticket["status"] as? String == "waiting")
        #expect(ticket["appointment"] == nil)
        #expect(!ok.text.contains("Zoë"), "a kiosk ticket must not carry the name")
        #expect(try live.appointment(due).object()["status"] as? String == "checked-in")

        let twice = try checkIn(due.reference)
        #expect(twice.status == 409)
        #expect(twice.problemCode == "already_checked_in")
        #expect(try twice.object()["number"] as? String == "A001")

        // Tomorrow's appointment is not today's business, and says when it is.
        let tomorrow = ReferenceCode.generate()
        try live.insertAppointment(reference: tomorrow, start: "2026-12-02T09:15:00+01:00")
        let notToday = try checkIn(tomorrow)
        #expect(notToday.status == 409)
        #expect(notToday.problemCode == "not_today")
        #expect(try notToday.object()["appointmentStart"] as? String == "2026-12-02T09:15:00+01:00")

        // A kiosk elsewhere sends the visitor to the right office instead of queueing them here.
        let elsewhere = try live.mustBook(start: "2026-12-01T09:30:00+01:00")
        let wrong = try live.client.post("/api/v1/checkins", json: ["reference": elsewhere.reference, "location": "elders"], token: kiosk)
        #expect(wrong.status == 409)
        #expect(wrong.problemCode == "wrong_location")
        #expect(try wrong.object()["location"] as? String == "hal")
        let right = try live.client.post("/api/v1/checkins", json: ["reference": elsewhere.reference, "location": "hal"], token: kiosk)
        #expect(right.status == 201)
    }

    @Test func countersOpenPauseCloseAndCallNext() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let clerk = try live.token(.clerk), kiosk = try live.token(.kiosk)
        // Closed (never opened): calling is refused.
        let closed = try live.counter("c1", "call-next", clerk: clerk)
        #expect(closed.status == 409)
        #expect(closed.problemCode == "counter_closed")

        let open = try live.counter("c1", "open", clerk: clerk)
        #expect(open.status == 200)
        #expect(try open.object()["state"] as? String == "open")
        #expect(try live.counter("c1", "call-next", clerk: clerk).status == 204)

        let t = try live.mustIssue(kiosk: kiosk)
        let called = try live.counter("c1", "call-next", clerk: clerk)
        #expect(called.status == 200)
        let ticket = try called.object()
        #expect(ticket["id"] as? String == t["id"] as? String)
        #expect(ticket["status"] as? String == "called")
        #expect(ticket["counter"] as? String == "c1")
        #expect(ticket["counterName"] as? String == "Loket 1")

        let paused = try live.counter("c1", "pause", clerk: clerk)
        #expect(paused.status == 200)
        #expect(try paused.object()["state"] as? String == "paused")
        _ = try live.mustIssue(kiosk: kiosk)
        #expect(try live.counter("c1", "call-next", clerk: clerk).status == 409)

        // Closing with a citizen still called is refused; after finishing it is fine.
        #expect(try live.counter("c1", "close", clerk: clerk).status == 409)
        #expect(try live.ticketAction(try #require(t["id"] as? String), "finish", clerk: clerk).status == 200)
        let close = try live.counter("c1", "close", clerk: clerk)
        #expect(close.status == 200)
        #expect(try close.object()["state"] as? String == "closed")

        let states = try live.client.get("/api/v1/locations/hal/counters", token: clerk).array()
        #expect(states.first { $0["id"] as? String == "c1" }?["state"] as? String == "closed")
        #expect(states.first { $0["id"] as? String == "c2" }?["state"] as? String == "closed")
        #expect(try live.counter("nope", "open", clerk: clerk).status == 404)
        #expect(try live.counter("c1", "open", clerk: kiosk).status == 403)
        #expect(try live.client.post("/api/v1/counters/c1/open").status == 401)
    }

    @Test func aDueAppointmentIsCalledBeforeEarlierWalkIns() throws {
        // 08:55: the 09:00 appointment is due (within 5 minutes) once checked in.
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: "2026-12-01T08:55:00+01:00")
        defer { live.stop() }
        let clerk = try live.token(.clerk), kiosk = try live.token(.kiosk)
        let booking = try live.mustBook(start: "2026-12-01T09:00:00+01:00")
        let w1 = try live.mustIssue(kiosk: kiosk)
        let w2 = try live.mustIssue(service: "rijbewijs", kiosk: kiosk)
        let checkIn = try live.client.post("/api/v1/checkins", json: ["reference": booking.reference], token: kiosk)
        #expect(checkIn.status == 201)
        let appointmentTicket = try checkIn.object()
        #expect(appointmentTicket["position"] as? Int == 1)

        _ = try live.counter("c1", "open", clerk: clerk)
        var order: [String] = []
        for _ in 0..<3 {
            let r = try live.counter("c1", "call-next", clerk: clerk)
            try #require(r.status == 200)
            order.append(try r.object()["id"] as? String ?? "?")
        }
        // The appointment first, then the walk-ins (their mutual order is the subject of the next test).
        #expect(order.first == appointmentTicket["id"] as? String)
        #expect(Set(order.dropFirst()) == Set([w1["id"] as? String, w2["id"] as? String].compactMap { $0 }))
        #expect(try live.counter("c1", "call-next", clerk: clerk).status == 204)
        // The appointment followed its ticket: called, then done when the next one was called.
        #expect(try live.appointment(booking).object()["status"] as? String == "done")
    }

    @Test
    func walkInsAreCalledInTheOrderTheyArrivedEvenWithinOneSecond() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let clerk = try live.token(.clerk), kiosk = try live.token(.kiosk)
        // Six citizens take a ticket one after the other, quickly (two kiosks, a busy morning).
        var issued: [String] = []
        for _ in 0..<6 { issued.append(try #require(try live.mustIssue(kiosk: kiosk)["number"] as? String)) }
        #expect(issued == ["A001", "A002", "A003", "A004", "A005", "A006"])
        _ = try live.counter("c1", "open", clerk: clerk)
        var called: [String] = []
        for _ in 0..<6 {
            let r = try live.counter("c1", "call-next", clerk: clerk)
            try #require(r.status == 200)
            called.append(try r.object()["number"] as? String ?? "?")
        }
        #expect(called == issued, "first come, first served")
    }

    @Test func recallUpToTheLimitThenNoShow() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let clerk = try live.token(.clerk), kiosk = try live.token(.kiosk)
        let t = try live.mustIssue(kiosk: kiosk)
        let id = try #require(t["id"] as? String)
        _ = try live.counter("c2", "open", clerk: clerk)
        #expect(try live.counter("c2", "call-next", clerk: clerk).status == 200)
        for n in 1...3 {
            let r = try live.ticketAction(id, "recall", clerk: clerk)
            #expect(r.status == 200)
            #expect(try r.object()["status"] as? String == "called")
            #expect(try r.object()["recalls"] as? Int == n)
        }
        let last = try live.ticketAction(id, "recall", clerk: clerk)
        #expect(last.status == 200)
        #expect(try last.object()["status"] as? String == "no-show")
        // The counter is free again.
        let counters = try live.client.get("/api/v1/locations/hal/counters", token: clerk).array()
        #expect(counters.first { $0["id"] as? String == "c2" }?["current"] == nil)
        let again = try live.ticketAction(id, "recall", clerk: clerk)
        #expect(again.status == 409)
        #expect(again.problemCode == "illegal_transition")
    }

    @Test func startFinishAndIllegalTransitions() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let clerk = try live.token(.clerk), kiosk = try live.token(.kiosk)
        let waiting = try #require(try live.mustIssue(kiosk: kiosk)["id"] as? String)
        for action in ["finish", "start", "recall", "no-show"] {
            let r = try live.ticketAction(waiting, action, clerk: clerk)
            #expect(r.status == 409, "\(action) on a waiting ticket answered \(r.status)")
            #expect(r.problemCode == "illegal_transition")
        }
        #expect(try live.ticket(waiting)["status"] as? String == "waiting")

        _ = try live.counter("c1", "open", clerk: clerk)
        #expect(try live.counter("c1", "call-next", clerk: clerk).status == 200)
        let started = try live.ticketAction(waiting, "start", clerk: clerk)
        #expect(started.status == 200)
        #expect(try started.object()["status"] as? String == "serving")
        #expect(try live.ticketAction(waiting, "no-show", clerk: clerk).status == 409)
        let finished = try live.ticketAction(waiting, "finish", clerk: clerk)
        #expect(finished.status == 200)
        #expect(try finished.object()["status"] as? String == "done")
        for action in ["start", "finish", "recall", "no-show", "transfer"] {
            let r = try live.ticketAction(waiting, action, clerk: clerk, json: action == "transfer" ? ["service": "rijbewijs"] : nil)
            #expect(r.status == 409, "\(action) on a done ticket answered \(r.status)")
            #expect(r.problemCode == "illegal_transition")
        }
        #expect(try live.ticketAction("no-such-ticket", "start", clerk: clerk).status == 404)
        #expect(try live.ticketAction(waiting, "start", clerk: kiosk).status == 403)
        #expect(try live.client.post("/api/v1/tickets/\(waiting)/start").status == 401)
    }

    @Test func transferToAnotherServiceKeepsTheWaitingTime() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let clerk = try live.token(.clerk), kiosk = try live.token(.kiosk)
        let t = try live.mustIssue(kiosk: kiosk)
        let id = try #require(t["id"] as? String)
        let since = try #require(t["waitingSince"] as? String)
        _ = try live.counter("c1", "open", clerk: clerk)
        #expect(try live.counter("c1", "call-next", clerk: clerk).status == 200)
        live.clock.advance(by: 90) // so that a reset waitingSince would show
        let r = try live.ticketAction(id, "transfer", clerk: clerk, json: ["service": "rijbewijs"])
        #expect(r.status == 200, "\(r.text)")
        let moved = try r.object()
        #expect(moved["service"] as? String == "rijbewijs")
        #expect(moved["status"] as? String == "waiting")
        #expect(moved["waitingSince"] as? String == since)
        #expect(moved["number"] as? String == t["number"] as? String, "the citizen keeps their number")
        // Bad targets.
        #expect(try live.ticketAction(id, "transfer", clerk: clerk, json: [:] as [String: Any]).status == 422)
        #expect(try live.ticketAction(id, "transfer", clerk: clerk, json: ["service": "toverdrank"]).status == 404)
        #expect(try live.ticketAction(id, "transfer", clerk: clerk, json: ["counter": "annex-1"]).status == 422)
        #expect(try live.ticket(id)["service"] as? String == "rijbewijs")
    }

    @Test func transferToACounterReachesOnlyThatCounter() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let clerk = try live.token(.clerk), kiosk = try live.token(.kiosk)
        let id = try #require(try live.mustIssue(kiosk: kiosk)["id"] as? String)
        for c in ["c1", "c2", "c3"] { _ = try live.counter(c, "open", clerk: clerk) }
        #expect(try live.counter("c1", "call-next", clerk: clerk).status == 200)
        let r = try live.ticketAction(id, "transfer", clerk: clerk, json: ["counter": "c2"])
        #expect(r.status == 200, "\(r.text)")
        #expect(try r.object()["status"] as? String == "waiting")
        #expect(try live.counter("c1", "call-next", clerk: clerk).status == 204)
        #expect(try live.counter("c3", "call-next", clerk: clerk).status == 204)
        let c2 = try live.counter("c2", "call-next", clerk: clerk)
        #expect(c2.status == 200)
        #expect(try c2.object()["id"] as? String == id)
        #expect(try c2.object()["counter"] as? String == "c2")
    }

    @Test func displayShowsTheLastCallByNumberAndCounterNeverAName() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let clerk = try live.token(.clerk), kiosk = try live.token(.kiosk)
        let booking = try live.mustBook(start: "2026-12-01T09:15:00+01:00", name: "Zoë Vandenberghe")
        let checkIn = try live.client.post("/api/v1/checkins", json: ["reference": booking.reference], token: kiosk)
        #expect(checkIn.status == 201)
        _ = try live.mustIssue(kiosk: kiosk)
        _ = try live.counter("c3", "open", clerk: clerk)
        let call = try live.counter("c3", "call-next", clerk: clerk)
        #expect(call.status == 200)
        let number = try #require(try call.object()["number"] as? String)

        let r = try live.client.get("/api/v1/locations/hal/display")
        #expect(r.status == 200)
        let display = try r.object()
        let last = try #require((display["called"] as? [[String: Any]])?.first)
        #expect(last["number"] as? String == number)
        #expect(last["counter"] as? String == "Loket 3")
        #expect((last["calledAt"] as? String)?.hasPrefix("2026-12-01T09:00") == true)
        #expect(display["totalWaiting"] as? Int == 1)
        #expect(!r.text.contains("Zoë") && !r.text.contains("Vandenberghe"))
        #expect(!r.text.contains(booking.reference))
        #expect(try live.client.get("/api/v1/locations/atlantis/display").status == 404)
    }

    @Test
    func displayPutsTheNewestCallFirstEvenWithinOneSecond() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let clerk = try live.token(.clerk), kiosk = try live.token(.kiosk)
        for c in ["c1", "c2"] { _ = try live.counter(c, "open", clerk: clerk) }
        for round in 0..<6 {
            _ = try live.mustIssue(kiosk: kiosk)
            _ = try live.mustIssue(kiosk: kiosk)
            let first = try live.counter("c1", "call-next", clerk: clerk)
            live.clock.advance(by: 0.001) // a millisecond later: within the same second
            let second = try live.counter("c2", "call-next", clerk: clerk)
            try #require(first.status == 200 && second.status == 200)
            let display = try live.client.get("/api/v1/locations/hal/display").object()
            let top = (display["called"] as? [[String: Any]])?.first
            #expect(top?["number"] as? String == (try second.object()["number"] as? String), "round \(round): \(display["called"] ?? "")")
        }
    }

    @Test func publicTicketStatusHidesTheAppointmentStaffSeeIt() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let clerk = try live.token(.clerk), kiosk = try live.token(.kiosk)
        let booking = try live.mustBook(start: "2026-12-01T09:15:00+01:00", name: "Zoë Vandenberghe")
        let ticket = try live.client.post("/api/v1/checkins", json: ["reference": booking.reference], token: kiosk).object()
        let id = try #require(ticket["id"] as? String)

        let anonymous = try live.client.get("/api/v1/tickets/\(id)")
        #expect(anonymous.status == 200)
        let o = try anonymous.object()
        #expect(o["appointment"] == nil)
        #expect(!anonymous.text.contains("Zoë"))
        #expect(o["status"] as? String == "waiting")
        #expect(o["position"] as? Int == 1)
        #expect(o["statusUrl"] as? String == "/t/\(id)")
        // A kiosk token is no staff token.
        #expect(try live.ticket(id, token: kiosk)["appointment"] == nil)
        let staff = try live.ticket(id, token: clerk)
        #expect((staff["appointment"] as? [String: Any])?["name"] as? String == "Zoë Vandenberghe")

        #expect(try live.client.get("/api/v1/tickets/doesnotexist").status == 404)
        #expect(try live.client.get("/api/v1/tickets/\(String(repeating: "x", count: 200))").status == 404)
    }

    @Test func queueAndCounterListsNeedAClerk() throws {
        let live = try LiveServer(catalogue: Fixture.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let clerk = try live.token(.clerk), kiosk = try live.token(.kiosk)
        let booking = try live.mustBook(start: "2026-12-01T09:15:00+01:00", name: "Zoë Vandenberghe")
        #expect(try live.client.post("/api/v1/checkins", json: ["reference": booking.reference], token: kiosk).status == 201)
        let walkIn = try live.mustIssue(kiosk: kiosk)
        for path in ["/api/v1/locations/hal/queue", "/api/v1/locations/hal/counters"] {
            #expect(try live.client.get(path).status == 401, "\(path)")
            #expect(try live.client.get(path, token: kiosk).status == 403, "\(path)")
            #expect(try live.client.get(path, token: clerk).status == 200, "\(path)")
        }
        let queue = try live.client.get("/api/v1/locations/hal/queue", token: clerk).object()
        let waiting = try #require(queue["waiting"] as? [[String: Any]])
        #expect(waiting.count == 2)
        // The checked-in appointment (due 09:15, within the boost) is ahead of the walk-in.
        #expect(waiting.last?["id"] as? String == walkIn["id"] as? String)
        #expect((queue["byService"] as? [[String: Any]])?.first?["waiting"] as? Int == 2)
        #expect(try live.client.get("/api/v1/locations/atlantis/queue", token: clerk).status == 404)
    }
}
