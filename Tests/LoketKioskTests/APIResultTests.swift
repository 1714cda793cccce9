// Mapping HTTP answers to success, problem or outage; problem bodies read leniently.
import Testing
@testable import LoketKiosk

@Suite struct APIResultTests {
    private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test func ticketOnlyOn201WithABody() {
        let body = bytes(#"{"id":"x1","number":"A001","position":1,"estimatedWaitMinutes":null,"statusUrl":"/t/x1"}"#)
        #expect(APIResult.interpret(status: 201, body: body, expected: [201], as: IssuedTicket.self)
                == .success(IssuedTicket(id: "x1", number: "A001", position: 1, statusUrl: "/t/x1")))
        // 200 is not "issued"; 201 with a garbled body is not a ticket.
        if case .success = APIResult.interpret(status: 200, body: body, expected: [201], as: IssuedTicket.self) {
            Issue.record("200 taken as issued")
        }
        #expect(APIResult.interpret(status: 201, body: bytes("<html>"), expected: [201], as: IssuedTicket.self) == .outage)
        #expect(APIResult.interpret(status: 201, body: bytes(#"{"id":"x"}"#), expected: [201], as: IssuedTicket.self) == .outage)
    }

    @Test func problemsAndOutages() {
        let body = bytes(#"{"status":409,"title":"Conflict","detail":"Closed.","code":"service_closed","nextOpening":"2026-12-02T08:30:00+01:00"}"#)
        let result = APIResult.interpret(status: 409, body: body, expected: [201], as: IssuedTicket.self)
        #expect(result == .problem(APIProblem(status: 409, code: "service_closed", detail: "Closed.",
                                              members: [.nextOpening: "2026-12-02T08:30:00+01:00"])))
        #expect(APIResult.interpret(status: 404, body: bytes("not json"), as: LocationInfo.self) == .problem(APIProblem(status: 404)))
        // Every member the server sends is kept; fields (an object) and unknown names are not.
        let wrong = bytes(#"{"status":409,"code":"wrong_location","location":"elders","locationName":"Dienstencentrum","address":"Markt 1","appointmentStart":"2026-12-01T10:00:00+01:00","fields":{"a":"b"},"where":"x"}"#)
        #expect(APIResult.interpret(status: 409, body: wrong, as: LocationInfo.self)
                == .problem(APIProblem(status: 409, code: "wrong_location",
                                       members: [.location: "elders", .locationName: "Dienstencentrum", .address: "Markt 1",
                                                 .appointmentStart: "2026-12-01T10:00:00+01:00"])))
        for status in [0, 500, 502, 503] {
            #expect(APIResult.interpret(status: status, body: [], as: LocationInfo.self) == .outage)
        }
    }

    @Test func statusLink() {
        let t = IssuedTicket(id: "a b", number: "A1", statusUrl: "/t/xyz")
        #expect(t.statusLink(server: "http://h:1/") == "http://h:1/t/xyz")
        #expect(IssuedTicket(id: "q", number: "A1").statusLink(server: "http://h") == "http://h/t/q")
    }
}
