// GET /api/v1/availability against the demo municipality: weekdays, Belgian public holidays,
// daylight saving, combined visits and every kind of bad input.
//
// The town hall (stadhuis) has 5 desks on weekdays 08:30-12:00 and 13:00-16:00, a 10-minute grid,
// 2 hours lead time, a 60-day horizon, 1 desk held back for walk-ins and 80 % of the rest online:
// floor((5 - 1) x 0.8) = 3 desks free per slot for a citizen booking online.
import Foundation
import LoketCore
import Testing
import LoketTestKit

@Suite("Availability API")
struct AvailabilityAPITests {
    // 2026-12-01 is a Tuesday.
    static let december = "2026-12-01T09:00:00+01:00"
    // 2027-03-01 is a Monday; 2027-03-28 (Sunday) is the start of summer time in Belgium.
    static let march = "2027-03-01T09:00:00+01:00"

    func slots(_ live: LiveServer, _ query: String) throws -> [[String: Any]] {
        let r = try live.client.get("/api/v1/availability?\(query)")
        try #require(r.status == 200, "availability?\(query) answered \(r.status): \(r.text)")
        return try #require(try r.object()["slots"] as? [[String: Any]])
    }

    @Test func aNormalWeekdayHasSlotsOnTheGridFromOpeningTime() throws {
        let live = try LiveServer(catalogue: try Demo.catalogue(), clock: Self.december)
        defer { live.stop() }
        // 2026-12-03 is a Thursday (also the late opening until 19:30).
        let list = try slots(live, "service=eid-aanvraag&location=stadhuis&from=2026-12-03&to=2026-12-03")
        #expect(!list.isEmpty)
        #expect(list.first?["start"] as? String == "2026-12-03T08:30:00+01:00")
        #expect(list.first?["end"] as? String == "2026-12-03T08:45:00+01:00")
        #expect(list.first?["free"] as? Int == 3)
        let starts = list.compactMap { $0["start"] as? String }
        #expect(starts.allSatisfy { $0.hasPrefix("2026-12-03T") && $0.hasSuffix(":00+01:00") })
        // 10-minute grid: minutes end in 0.
        #expect(starts.allSatisfy { Array($0)[15] == "0" }, "off-grid start in \(starts)")
        // Not during the lunch break.
        #expect(!starts.contains("2026-12-03T12:00:00+01:00"))
        #expect(starts.contains("2026-12-03T13:00:00+01:00"))
        #expect(starts.contains("2026-12-03T19:10:00+01:00"))
        #expect(!starts.contains("2026-12-03T19:20:00+01:00"), "a 15-minute visit at 19:20 runs past 19:30")
    }

    @Test func leadTimeHidesTheNextTwoHours() throws {
        // Tuesday 09:00:30 with 120 minutes lead: 11:00 is 30 seconds too early, the first slot is 11:10.
        let live = try LiveServer(catalogue: try Demo.catalogue(), clock: "2026-12-01T09:00:30+01:00")
        defer { live.stop() }
        let list = try slots(live, "service=eid-aanvraag&location=stadhuis&from=2026-12-01&to=2026-12-01")
        let first = try #require(list.first?["start"] as? String)
        #expect(first == "2026-12-01T11:10:00+01:00")
    }

    @Test func belgianPublicHolidaysHaveNoSlots() throws {
        let live = try LiveServer(catalogue: try Demo.catalogue(), clock: Self.december)
        defer { live.stop() }
        // 2026-12-25 is a Friday (Christmas); 2026-12-28 the Monday after, a normal day.
        #expect(try slots(live, "service=eid-aanvraag&location=stadhuis&from=2026-12-25&to=2026-12-25").isEmpty)
        #expect(!(try slots(live, "service=eid-aanvraag&location=stadhuis&from=2026-12-28&to=2026-12-28").isEmpty))

        let spring = try LiveServer(catalogue: try Demo.catalogue(), clock: Self.march)
        defer { spring.stop() }
        // 2027-03-29 is Easter Monday; Friday 2027-03-26, the alternate Saturday 2027-03-27 and
        // Tuesday 2027-03-30 are open, Sunday 2027-03-28 is not.
        #expect(try slots(spring, "service=eid-aanvraag&location=stadhuis&from=2027-03-29&to=2027-03-29").isEmpty)
        let week = try slots(spring, "service=eid-aanvraag&location=stadhuis&from=2027-03-26&to=2027-03-30")
        let days = Set(week.compactMap { ($0["start"] as? String)?.prefix(10) }.map(String.init))
        #expect(days == ["2027-03-26", "2027-03-27", "2027-03-30"], "days with slots: \(days.sorted())")
    }

    @Test func slotsKeepTheirWallClockTimeAcrossTheSpringDSTChange() throws {
        let live = try LiveServer(catalogue: try Demo.catalogue(), clock: Self.march)
        defer { live.stop() }
        // Friday 2027-03-26 is still winter time (+01:00)...
        let before = try slots(live, "service=eid-aanvraag&location=stadhuis&from=2027-03-26&to=2027-03-26")
        #expect(before.first?["start"] as? String == "2027-03-26T08:30:00+01:00")
        // ... Sunday 2027-03-28 is closed, Monday 2027-03-29 is Easter Monday, and on Tuesday
        // 2027-03-30 the desks still open at 08:30 on the wall, now summer time (+02:00).
        let after = try slots(live, "service=eid-aanvraag&location=stadhuis&from=2027-03-30&to=2027-03-30")
        #expect(after.first?["start"] as? String == "2027-03-30T08:30:00+02:00")
        #expect(after.first?["end"] as? String == "2027-03-30T08:45:00+02:00")
        #expect(after.compactMap { $0["start"] as? String }.allSatisfy { $0.hasSuffix("+02:00") })
        #expect(try slots(live, "service=eid-aanvraag&location=stadhuis&from=2027-03-28&to=2027-03-28").isEmpty)
    }

    @Test func itemsAddUpToOneLongerVisit() throws {
        let live = try LiveServer(catalogue: try Demo.catalogue(), clock: Self.december)
        defer { live.stop() }
        let single = try live.client.get("/api/v1/availability?service=eid-aanvraag&location=stadhuis&from=2026-12-03&to=2026-12-03")
        #expect(try single.object()["durationMinutes"] as? Int == 15)

        let r = try live.client.get("/api/v1/availability?items=\(q("eid-aanvraag:2,reispas-aanvraag:1"))&location=stadhuis&from=2026-12-03&to=2026-12-03")
        #expect(r.status == 200)
        let o = try r.object()
        // 2 x 15 (eID for two) + 15 (passport) = 45 minutes, as one block.
        #expect(o["durationMinutes"] as? Int == 45)
        let list = try #require(o["slots"] as? [[String: Any]])
        #expect(list.first?["start"] as? String == "2026-12-03T08:30:00+01:00")
        #expect(list.first?["end"] as? String == "2026-12-03T09:15:00+01:00")
        let starts = list.compactMap { $0["start"] as? String }
        // The block must fit before the lunch break (12:00): 11:10 is the last morning start.
        #expect(starts.contains("2026-12-03T11:10:00+01:00"))
        #expect(!starts.contains("2026-12-03T11:20:00+01:00"))
        // Persons beyond a service's maximum inside items.
        let tooMany = try live.client.get("/api/v1/availability?items=\(q("eid-aanvraag:7"))&location=stadhuis")
        #expect(tooMany.status == 422)
        let malformed = try live.client.get("/api/v1/availability?items=\(q("eid-aanvraag:x:y"))&location=stadhuis")
        #expect(malformed.status == 422)
    }

    @Test func unknownServiceOrLocationIs404() throws {
        let live = try LiveServer(catalogue: try Demo.catalogue(), clock: Self.december)
        defer { live.stop() }
        let service = try live.client.get("/api/v1/availability?service=toverdrank&location=stadhuis")
        #expect(service.status == 404)
        #expect(service.problemCode == "unknown_service")
        let location = try live.client.get("/api/v1/availability?service=eid-aanvraag&location=atlantis")
        #expect(location.status == 404)
        #expect(location.problemCode == "unknown_location")
        // A real service that this location does not offer is a validation error, not a 404.
        let elsewhere = try live.client.get("/api/v1/availability?service=eid-spoed&location=deelgemeente-oost")
        #expect(elsewhere.status == 422)
        #expect(elsewhere.problemFields["location"] != nil)
    }

    @Test func impossibleDatesAndRangesAre400() throws {
        let live = try LiveServer(catalogue: try Demo.catalogue(), clock: Self.december)
        defer { live.stop() }
        let base = "/api/v1/availability?service=eid-aanvraag&location=stadhuis"
        for bad in ["2026-02-30", "2026-13-01", "01-12-2026", "2026-12-1", "tomorrow", ""] where !bad.isEmpty {
            let r = try live.client.get("\(base)&from=\(q(bad))")
            #expect(r.status == 400, "from=\(bad) answered \(r.status)")
            #expect(r.problemCode == "invalid_date", "from=\(bad): \(r.text)")
            #expect(r.problemFields["from"] != nil)
        }
        let reversed = try live.client.get("\(base)&from=2026-12-10&to=2026-12-05")
        #expect(reversed.status == 400)
        #expect(reversed.problemCode == "invalid_range")
        let long = try live.client.get("\(base)&from=2026-12-02&to=2027-03-02")
        #expect(long.status == 400)
        #expect(long.problemCode == "invalid_range")
        let farFuture = try live.client.get("\(base)&from=9999-12-31")
        #expect(farFuture.status == 400)
        let beyond = try live.client.get("\(base)&from=2027-06-01&to=2027-06-02")
        #expect(beyond.status == 400)
        #expect(beyond.problemCode == "invalid_range")
    }

    @Test func personsOutsideOneToMaxIs422() throws {
        let live = try LiveServer(catalogue: try Demo.catalogue(), clock: Self.december)
        defer { live.stop() }
        let base = "/api/v1/availability?service=eid-aanvraag&location=stadhuis&from=2026-12-03&to=2026-12-03"
        // eid-aanvraag allows 1...6 persons.
        for persons in ["0", "7", "-1", "abc", "99999999999999999999999"] {
            let r = try live.client.get("\(base)&persons=\(persons)")
            #expect(r.status == 422, "persons=\(persons) answered \(r.status)")
            #expect(r.problemCode == "validation_failed")
            #expect(r.problemFields["persons"] != nil, "persons=\(persons): \(r.text)")
        }
        let six = try live.client.get("\(base)&persons=6")
        #expect(six.status == 200)
        #expect(try six.object()["durationMinutes"] as? Int == 90)
        let missing = try live.client.get("/api/v1/availability?location=stadhuis")
        #expect(missing.status == 422)
        #expect(missing.problemFields["service"] != nil)
    }
}
