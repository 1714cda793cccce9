// A ticket's public tag: what the location's event stream calls it instead of its id.
import Foundation
import LoketCore
import Testing

@Suite("Ticket tags")
struct TicketTagTests {
    /// The first 9 bytes of SHA-256 in base64url: checked against Python's hashlib and base64
    /// (`base64.urlsafe_b64encode(hashlib.sha256(b"abc").digest()[:9])`).
    @Test func theTagIsTheStartOfTheIdsSHA256() {
        #expect(TicketTag.of("abc") == "ungWv48Bz-pB")
        #expect(TicketTag.of("P7kbXb3GfLjVNx5HxJMS9hw") == "b-x1nhW8u0Nu")
    }

    /// Calls and status updates, the events the public stream carries about a ticket, hold its tag.
    @Test func eventsCarryTheTagNotTheId() {
        var t = Ticket(id: "P7kbXb3GfLjVNx5HxJMS9hw", location: "hal", day: CivilDate(year: 2026, month: 12, day: 1)!,
                       number: "A001", service: "id-kaart", origin: .walkin,
                       issuedAt: Date(timeIntervalSince1970: 1_796_108_400), waitingSince: Date(timeIntervalSince1970: 1_796_108_400))
        t.counter = "c1"
        #expect(Call(ticket: t, counterName: "Loket 1", zone: .brussels).ticket == "b-x1nhW8u0Nu")
        #expect(TicketUpdate(ticket: t, counterName: nil).ticket == "b-x1nhW8u0Nu")
    }

    /// Ten thousand ids, ten thousand tags.
    @Test func tagsTellTicketsApart() {
        var tags = Set<String>()
        for i in 0..<10_000 { tags.insert(TicketTag.of("ticket-\(i)")) }
        #expect(tags.count == 10_000)
    }
}
