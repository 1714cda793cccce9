// The clerk's moves over HTTP (SPEC section 7, "More for clerks"): call one ticket out of order,
// park and call back, finish with an outcome, a visit served without a ticket, pause with a
// reason; who may do them; and the estimate of a ticket issued before any counter opens.
//
// Hand-made municipality (`Fixture`), location `hal`: walk-in 08:00-12:00 and appointments
// 09:00-12:00 on weekdays, counters c1-c3 serving category `burger` (id-kaart prefix A, 15
// minutes; rijbewijs prefix R). Here id-kaart has the outcomes `aangevraagd` and `document-ontbreekt`.
import Foundation
import LoketCore
import LoketHTTP
import Testing
import LoketTestKit

@Suite("Clerk moves API")
struct ClerkMovesAPITests {
    // 2026-12-01 is a Tuesday.
    static let clock = "2026-12-01T09:00:00+01:00"

    /// The fixture with outcomes on id-kaart and `counters` counters at `hal`.
    static func catalogue(counters: Int = 3, walkIn: [String] = ["08:00-12:00"]) -> Catalogue {
        let base = Fixture.catalogue(walkIn: walkIn)
        let services = base.services.map { s -> Service in
            var s = s
            if s.id == "id-kaart" {
                s.outcomes = [ServiceOutcome(id: "aangevraagd", name: LocalizedText([.nl: "Aangevraagd", .fr: "Demande introduite"])),
                              ServiceOutcome(id: "document-ontbreekt", name: LocalizedText([.nl: "Document ontbreekt"]))]
            }
            return s
        }
        let halCounters = (1...counters).map { Counter(id: "c\($0)", location: "hal", name: "Loket \($0)", profile: [.category("burger")]) }
        return Catalogue(settings: base.settings, categories: base.categories, locations: base.locations, services: services,
                         counters: halCounters + base.counters.filter { $0.location != "hal" })
    }

    @Test func everyMoveNeedsAClerkAndKnownIds() throws {
        let live = try LiveServer(catalogue: Self.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let kiosk = try live.token(.kiosk)
        let clerk = try live.token(.clerk)
        let moves: [(String, [String: Any]?)] = [
            ("/api/v1/counters/c1/call", ["ticket": "A001"]),
            ("/api/v1/counters/c1/served", ["service": "id-kaart"]),
            ("/api/v1/counters/c1/pause", ["reason": "lunch"]),
            ("/api/v1/tickets/x/park", nil),
            ("/api/v1/tickets/x/finish", ["outcome": "aangevraagd"]),
        ]
        for (path, body) in moves {
            #expect(try live.client.post(path, json: body).status == 401, "\(path)")
            let kioskAnswer = try live.client.post(path, json: body, token: kiosk)
            #expect(kioskAnswer.status == 403 && kioskAnswer.problemCode == "forbidden", "\(path)")
        }
        let unknownCounter = try live.client.post("/api/v1/counters/c9/call", json: ["ticket": "A001"], token: clerk)
        #expect(unknownCounter.status == 404 && unknownCounter.problemCode == "unknown_counter")
        #expect(try live.client.post("/api/v1/counters/c9/served", json: ["service": "id-kaart"], token: clerk).status == 404)
        let unknownTicket = try live.ticketAction("nope", "park", clerk: clerk)
        #expect(unknownTicket.status == 404 && unknownTicket.problemCode == "not_found")
        // An admin may do all.
        #expect(try live.client.post("/api/v1/counters/c1/pause", json: ["reason": "overleg"], token: try live.token(.admin)).status == 200)
    }

    @Test func parkedTicketsWaitAsideUntilCalledBack() throws {
        let live = try LiveServer(catalogue: Self.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let kiosk = try live.token(.kiosk)
        let clerk = try live.token(.clerk)
        let first = try live.mustIssue(kiosk: kiosk)
        live.clock.advance(by: 60)
        let second = try live.mustIssue(kiosk: kiosk)
        let firstID = try #require(first["id"] as? String)
        for c in ["c1", "c2"] { #expect(try live.counter(c, "open", clerk: clerk).status == 200) }
        #expect(try live.counter("c1", "call-next", clerk: clerk).object()["id"] as? String == firstID)
        #expect(try live.ticketAction(firstID, "start", clerk: clerk).status == 200)

        live.clock.advance(by: 300)
        let parked = try live.ticketAction(firstID, "park", clerk: clerk)
        #expect(parked.status == 200)
        #expect(try parked.object()["status"] as? String == "parked")
        #expect(try live.ticket(firstID)["status"] as? String == "parked")
        let counters = try live.client.get("/api/v1/locations/hal/counters", token: clerk).array()
        #expect(counters.first { $0["id"] as? String == "c1" }?["current"] == nil, "the counter is free again")
        // The queue lists it apart, without personal data.
        let queue = try live.client.get("/api/v1/locations/hal/queue", token: clerk).object()
        let parkedList = try #require(queue["parked"] as? [[String: Any]])
        #expect(parkedList.map { $0["number"] as? String } == ["A001"])
        #expect(parkedList.first?["appointment"] == nil)
        #expect((queue["waiting"] as? [[String: Any]])?.map { $0["number"] as? String } == ["A002"])
        // Parking twice, or parking a waiting ticket, is not a move.
        #expect(try live.ticketAction(firstID, "park", clerk: clerk).problemCode == "illegal_transition")
        #expect(try live.ticketAction(try #require(second["id"] as? String), "park", clerk: clerk).status == 409)

        // call-next passes it by, though it is the oldest.
        #expect(try live.counter("c1", "call-next", clerk: clerk).object()["number"] as? String == "A002")
        #expect(try live.counter("c1", "call-next", clerk: clerk).status == 204)

        // Called back by number at another counter, keeping its issue time.
        live.clock.advance(by: 120)
        let back = try live.client.post("/api/v1/counters/c2/call", json: ["ticket": "a001", "reason": "terug met pasfoto"], token: clerk)
        #expect(back.status == 200)
        let t = try back.object()
        #expect(t["status"] as? String == "called" && t["counter"] as? String == "c2" && t["issuedAt"] as? String == first["issuedAt"] as? String)
        let display = try live.client.get("/api/v1/locations/hal/display").object()
        #expect((display["called"] as? [[String: Any]])?.first?["number"] as? String == "A001", "the display shows the call")
        #expect((try live.client.get("/api/v1/locations/hal/queue", token: clerk).object()["parked"] as? [Any])?.isEmpty == true)
    }

    @Test func callOutOfOrderAnswersEveryCase() throws {
        let live = try LiveServer(catalogue: Self.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let kiosk = try live.token(.kiosk)
        let clerk = try live.token(.clerk)
        _ = try live.mustIssue(kiosk: kiosk)
        let license = try live.mustIssue(service: "rijbewijs", kiosk: kiosk)
        func call(_ body: Any, counter: String = "c1") throws -> HTTPResponse {
            try live.client.post("/api/v1/counters/\(counter)/call", json: body, token: clerk)
        }
        #expect(try call(["ticket": "R001"]).problemCode == "counter_closed", "the counter must be open, as for call-next")
        #expect(try live.counter("c1", "open", clerk: clerk).status == 200)
        #expect(try call(["ticket": "Z123"]).status == 404)
        let missing = try call(["reason": "x"])
        #expect(try missing.status == 422 && (try missing.object()["fields"] as? [String: String])?["ticket"] != nil)
        let long = try call(["ticket": "R001", "reason": String(repeating: "x", count: 201)])
        #expect(try long.status == 422 && (try long.object()["fields"] as? [String: String])?["reason"] != nil)
        #expect(try live.client.post("/api/v1/counters/c1/call", raw: "{not json", token: clerk).status == 400)
        #expect(try call(["ticket": 5]).status == 422)

        // By id, out of order: R001 before A001.
        let r = try call(["ticket": try #require(license["id"] as? String)])
        #expect(try r.status == 200 && (try r.object()["number"] as? String) == "R001")
        // Once called it cannot be called again, here or elsewhere.
        #expect(try live.counter("c2", "open", clerk: clerk).status == 200)
        let again = try call(["ticket": "R001"], counter: "c2")
        #expect(again.status == 409 && again.problemCode == "illegal_transition")
        // Calling the next one finishes R001 at c1, as call-next does.
        #expect(try call(["ticket": "A001"]).status == 200)
        #expect(try live.ticket(try #require(license["id"] as? String))["status"] as? String == "done")
    }

    @Test func theAuditOfACallHasTheReasonAndNoPersonalData() throws {
        let live = try LiveServer(catalogue: Self.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let kiosk = try live.token(.kiosk)
        let clerk = try live.token(.clerk, name: "clerk-an")
        let reference = ReferenceCode.generate()
        try live.insertAppointment(reference: reference, start: "2026-12-01T09:10:00+01:00", name: "Jan Peeters")
        let checkIn = try live.client.post("/api/v1/checkins", json: ["reference": reference], token: kiosk)
        #expect(checkIn.status == 201)
        let number = try #require(try checkIn.object()["number"] as? String)
        #expect(try live.counter("c3", "open", clerk: clerk).status == 200)
        #expect(try live.client.post("/api/v1/counters/c3/call", json: ["ticket": number, "reason": "rolstoel, loket 3 is gelijkvloers"],
                                     token: clerk).status == 200)
        let audit = try live.client.get("/api/v1/audit?date=2026-12-01", token: try live.token(.admin))
        let line = try #require(try audit.array().first { $0["action"] as? String == "ticket.call-out-of-order" })
        #expect(line["actor"] as? String == "clerk-an")
        #expect(line["subject"] as? String == number)
        #expect((line["detail"] as? String)?.contains("rolstoel, loket 3 is gelijkvloers") == true)
        #expect((line["detail"] as? String)?.contains("c3") == true)
        #expect(!audit.text.contains("Jan Peeters") && !audit.text.contains("jan@example.be"))
    }

    @Test func finishTakesAnOutcomeOfTheService() throws {
        let live = try LiveServer(catalogue: Self.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let kiosk = try live.token(.kiosk)
        let clerk = try live.token(.clerk)
        let service = try live.client.get("/api/v1/services/id-kaart?lang=fr").object()
        #expect((service["outcomes"] as? [[String: Any]])?.map { $0["id"] as? String } == ["aangevraagd", "document-ontbreekt"])
        #expect((service["outcomes"] as? [[String: Any]])?.first?["name"] as? String == "Demande introduite")
        #expect(try live.client.get("/api/v1/services/rijbewijs").object()["outcomes"] == nil)

        let id = try #require(try live.mustIssue(kiosk: kiosk)["id"] as? String)
        let license = try #require(try live.mustIssue(service: "rijbewijs", kiosk: kiosk)["id"] as? String)
        #expect(try live.counter("c1", "open", clerk: clerk).status == 200)
        #expect(try live.counter("c1", "call-next", clerk: clerk).status == 200)
        let wrong = try live.ticketAction(id, "finish", clerk: clerk, json: ["outcome": "verloren"])
        #expect(wrong.status == 422 && wrong.problemCode == "validation_failed")
        #expect((try wrong.object()["fields"] as? [String: String])?["outcome"] != nil)
        #expect(try live.ticket(id)["status"] as? String == "called", "nothing stored on failure")
        #expect(try live.ticketAction(id, "finish", clerk: clerk, json: ["outcome": 3]).status == 422)
        let done = try live.ticketAction(id, "finish", clerk: clerk, json: ["outcome": "document-ontbreekt"])
        #expect(done.status == 200)
        #expect(try done.object()["outcome"] as? String == "document-ontbreekt")
        #expect(try live.ticket(id)["outcome"] as? String == "document-ontbreekt")
        // A service without outcomes refuses one, and finish without a body still works.
        #expect(try live.counter("c1", "call-next", clerk: clerk).status == 200)
        #expect(try live.ticketAction(license, "finish", clerk: clerk, json: ["outcome": "aangevraagd"]).status == 422)
        let plain = try live.ticketAction(license, "finish", clerk: clerk)
        #expect(try plain.status == 200 && (try plain.object()["outcome"]) == nil)
    }

    @Test func aVisitServedWithoutTicketCountsButTakesNoNumber() throws {
        let live = try LiveServer(catalogue: Self.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let kiosk = try live.token(.kiosk)
        let clerk = try live.token(.clerk)
        let r = try live.client.post("/api/v1/counters/c1/served", json: ["service": "id-kaart", "outcome": "aangevraagd"], token: clerk)
        #expect(r.status == 201)
        let t = try r.object()
        #expect(t["origin"] as? String == "counter" && t["status"] as? String == "done" && t["outcome"] as? String == "aangevraagd")
        #expect(t["counter"] as? String == "c1")
        #expect(r.header("location") == "/api/v1/tickets/\(try #require(t["id"] as? String))")
        #expect(try live.mustIssue(kiosk: kiosk)["number"] as? String == "A001", "the day's numbering is untouched")
        let stats = try live.client.get("/api/v1/stats/day?date=2026-12-01", token: try live.token(.admin)).array()
        let hal = try #require(stats.first { $0["location"] as? String == "hal" })
        #expect(hal["served"] as? Int == 1 && hal["tickets"] as? Int == 2)
        #expect(hal["servedWithoutTicket"] as? Int == 1)
        #expect((hal["outcomes"] as? [String: Int]) == ["aangevraagd": 1])
        #expect(try live.client.get("/api/v1/locations/hal/display").object()["called"] as? [Any] == nil
                || (try live.client.get("/api/v1/locations/hal/display").object()["called"] as? [Any])?.isEmpty == true,
                "no display call")

        // Bad input: nothing stored.
        let elsewhere = try live.client.post("/api/v1/counters/annex-1/served", json: ["service": "rijbewijs"], token: clerk)
        #expect(try elsewhere.status == 422 && (try elsewhere.object()["fields"] as? [String: String])?["service"] != nil)
        #expect(try live.client.post("/api/v1/counters/c1/served", json: ["service": "toverdrank"], token: clerk).status == 404)
        #expect(try live.client.post("/api/v1/counters/c1/served", json: [String: Any](), token: clerk).status == 422)
        let badOutcome = try live.client.post("/api/v1/counters/c1/served", json: ["service": "rijbewijs", "outcome": "aangevraagd"],
                                              token: clerk)
        #expect(try badOutcome.status == 422 && (try badOutcome.object()["fields"] as? [String: String])?["outcome"] != nil)
        let after = try live.client.get("/api/v1/stats/day?date=2026-12-01", token: try live.token(.admin)).array()
        #expect(after.first { $0["location"] as? String == "hal" }?["tickets"] as? Int == 2)
    }

    @Test func aPauseReasonIsShownUntilTheCounterOpens() throws {
        let live = try LiveServer(catalogue: Self.catalogue(), clock: Self.clock)
        defer { live.stop() }
        let clerk = try live.token(.clerk)
        func c1() throws -> [String: Any]? {
            try live.client.get("/api/v1/locations/hal/counters", token: clerk).array().first { $0["id"] as? String == "c1" }
        }
        let paused = try live.client.post("/api/v1/counters/c1/pause", json: ["reason": "Lunch tot 13:00"], token: clerk)
        #expect(paused.status == 200)
        #expect(try paused.object()["pauseReason"] as? String == "Lunch tot 13:00")
        #expect(try c1()?["state"] as? String == "paused")
        #expect(try c1()?["pauseReason"] as? String == "Lunch tot 13:00")
        let long = try live.client.post("/api/v1/counters/c1/pause", json: ["reason": String(repeating: "é", count: 201)], token: clerk)
        #expect(try long.status == 422 && (try long.object()["fields"] as? [String: String])?["reason"] != nil)
        #expect(try live.client.post("/api/v1/counters/c1/pause", raw: "[1,2", token: clerk).status == 400)
        #expect(try c1()?["pauseReason"] as? String == "Lunch tot 13:00", "a refused pause changes nothing")
        #expect(try live.counter("c1", "open", clerk: clerk).status == 200)
        #expect(try c1()?["pauseReason"] == nil)
        // A pause without a body has no reason.
        #expect(try live.counter("c1", "pause", clerk: clerk).status == 200)
        #expect(try c1()?["state"] as? String == "paused" && (try c1()?["pauseReason"]) == nil)
    }

    @Test func aTicketWaitingBeforeTheCountersOpenSaysWhenTheyOpen() throws {
        // The kiosk opens at 07:30 for half an hour, then again from 08:30; appointments from 09:00.
        let live = try LiveServer(catalogue: Self.catalogue(walkIn: ["07:30-08:00", "08:30-12:00"]), clock: "2026-12-01T07:50:00+01:00")
        defer { live.stop() }
        let kiosk = try live.token(.kiosk)
        let clerk = try live.token(.clerk)
        // Inside opening hours with no counter open yet: the counters are due now, so no opening is
        // named, and the estimate counts on the three counters planned for the service.
        let first = try live.mustIssue(kiosk: kiosk)
        #expect(first["countersOpen"] as? Bool == false)
        #expect(first["opensAt"] == nil)
        #expect(first["estimatedWaitMinutes"] as? Int == 0)
        let second = try live.mustIssue(kiosk: kiosk)
        // One citizen before it at one of the three planned counters: 15 / 3 = 5.
        #expect(second["estimatedWaitMinutes"] as? Int == 5)
        let secondID = try #require(second["id"] as? String)

        // 08:10, between the two windows: the counters open at 08:30, 20 minutes on.
        live.clock.set(try instant("2026-12-01T08:10:00+01:00"))
        let waiting = try live.ticket(secondID)
        #expect(waiting["countersOpen"] as? Bool == false)
        #expect(waiting["opensAt"] as? String == "2026-12-01T08:30:00+01:00")
        #expect(waiting["estimatedWaitMinutes"] as? Int == 25)

        // 08:35 with still no counter open: no opening ahead, the estimate from the planned counters.
        live.clock.set(try instant("2026-12-01T08:35:00+01:00"))
        let late = try live.ticket(secondID)
        #expect(late["countersOpen"] as? Bool == false && late["opensAt"] == nil)
        #expect(late["estimatedWaitMinutes"] as? Int == 5)

        // One counter opens: the estimate counts it alone.
        #expect(try live.counter("c1", "open", clerk: clerk).status == 200)
        let open = try live.ticket(secondID)
        #expect(open["countersOpen"] as? Bool == true && open["opensAt"] == nil)
        #expect(open["estimatedWaitMinutes"] as? Int == 15)
    }

    @Test func manyCountersCallingTheSameTicketAtOnceOnlyOneGetsIt() throws {
        let counters = 8
        let live = try LiveServer(catalogue: Self.catalogue(counters: counters), clock: Self.clock)
        defer { live.stop() }
        let kiosk = try live.token(.kiosk)
        let clerk = try live.token(.clerk)
        for i in 1...counters { #expect(try live.counter("c\(i)", "open", clerk: clerk).status == 200) }
        let client = live.client
        for round in 1...5 {
            let number = try #require(try live.mustIssue(kiosk: kiosk)["number"] as? String)
            let answers = Collected<Int>()
            let finished = onThreads(counters, timeout: 60) { i in
                let r = try? client.post("/api/v1/counters/c\(i + 1)/call", json: ["ticket": number], token: clerk)
                answers.append(r?.status ?? -1)
            }
            #expect(finished)
            let statuses = answers.all
            #expect(statuses.filter { $0 == 200 }.count == 1, "round \(round): \(statuses)")
            #expect(statuses.filter { $0 == 409 }.count == counters - 1, "round \(round): \(statuses)")
            // Exactly one counter shows it.
            let showing = try live.client.get("/api/v1/locations/hal/counters", token: clerk).array()
                .filter { ($0["current"] as? [String: Any])?["number"] as? String == number }
            #expect(showing.count == 1, "round \(round)")
        }
    }
}
