// The hand-written JSON of the ticket path against Foundation's, byte for byte: the ticket answer
// (`TicketDTO.jsonBytes`) and the stream payloads (`LiveEvent.encoded`), for random values with
// unicode, escapes, control characters, slashes and nil fields; and the small formatters that
// replaced `String(format:)` and Foundation's trimming (`zeroPadded`, `Contact.key`, the bearer token).
import Foundation
import LoketCore
import LoketHTTP
@testable import LoketServer
import Testing

@Suite("Hand-written JSON")
struct HandWrittenJSONTests {
    /// Text that exercises the encoder: plain, accented, emoji, quotes, backslashes, slashes, controls, separators.
    static let pieces = ["a", "Z", "0", " ", "é", "ß", "€", "😀", "👩‍👩‍👧", "\"", "\\", "/", "\n", "\r", "\t", "\u{8}", "\u{c}",
                         "\u{0}", "\u{1}", "\u{1f}", "\u{7f}", "\u{85}", "\u{a0}", "\u{2028}", "\u{2029}", "\u{feff}", "<", "&", "'",
                         "{", "}", ":", ","]

    static func text(_ g: inout SplitMix64) -> String {
        (0..<Int.random(in: 0...8, using: &g)).map { _ in pieces.randomElement(using: &g)! }.joined()
    }

    static func maybe<T>(_ g: inout SplitMix64, _ make: (inout SplitMix64) -> T) -> T? {
        Bool.random(using: &g) ? make(&g) : nil
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    @Test("A ticket's answer has the encoder's bytes")
    func ticketAnswer() throws {
        var g = SplitMix64(seed: 14)
        for _ in 0..<2_000 {
            let dto = TicketDTO(
                id: Self.text(&g), number: Self.text(&g), service: Self.text(&g), serviceName: Self.text(&g),
                location: Self.text(&g), origin: Self.text(&g), priority: Bool.random(using: &g), status: Self.text(&g),
                position: Self.maybe(&g) { Int.random(in: -5...100_000, using: &$0) },
                estimatedWaitMinutes: Self.maybe(&g) { Int.random(in: Int.min / 2...Int.max / 2, using: &$0) },
                issuedAt: Self.text(&g), waitingSince: Self.text(&g), calledAt: Self.maybe(&g, Self.text),
                counter: Self.maybe(&g, Self.text), counterName: Self.maybe(&g, Self.text), recalls: Int.random(in: 0...9, using: &g),
                closeReason: Self.maybe(&g, Self.text), outcome: Self.maybe(&g, Self.text),
                countersOpen: Self.maybe(&g) { Bool.random(using: &$0) }, opensAt: Self.maybe(&g, Self.text),
                statusUrl: "/t/" + Self.text(&g), eventTag: Self.text(&g), appointment: nil)
            let bytes = try #require(dto.jsonBytes())
            #expect(bytes == Array(try JSONOut.encoder.encode(dto)), "\(String(decoding: bytes, as: UTF8.self))")
        }
    }

    @Test("The stream payloads of tickets, queues, calls and counters have the encoder's bytes")
    func events() throws {
        var g = SplitMix64(seed: 15)
        let zone = TimeZone(identifier: "Europe/Brussels")!
        for _ in 0..<1_000 {
            var ticket = Ticket(id: Self.text(&g), location: Self.text(&g), day: CivilDate(year: 2026, month: 12, day: 1)!,
                                number: Self.text(&g), service: Self.text(&g), origin: .walkin,
                                issuedAt: Date(timeIntervalSince1970: 1_796_000_000), waitingSince: Date(timeIntervalSince1970: 1_796_000_000))
            ticket.counter = Self.maybe(&g, Self.text)
            ticket.calledAt = Self.maybe(&g) { _ in Date(timeIntervalSince1970: 1_796_000_000 + Double.random(in: 0...1e7)) }
            ticket.status = TicketStatus.allCases.randomElement(using: &g)!
            let call = Call(ticket: ticket, counterName: Self.text(&g), zone: zone)
            let update = TicketUpdate(ticket: ticket, counterName: Self.maybe(&g, Self.text))
            let counts = QueueCounts(waiting: (0..<Int.random(in: 0...4, using: &g)).map { _ in
                ServiceWaiting(service: Self.text(&g), name: Self.text(&g), prefix: Self.text(&g), waiting: Int.random(in: 0...500, using: &g))
            })
            var counter = CounterUpdate(counter: Counter(id: "c", location: "l", name: "n", profile: []), state: .open)
            counter.id = Self.text(&g)
            counter.state = Self.text(&g)
            var appointment = AppointmentUpdate(.booked, Appointment.sample, by: Self.text(&g))
            appointment.change = [.booked, .moved, .cancelled].randomElement(using: &g)!
            appointment.reference = Self.text(&g)
            appointment.location = Self.text(&g)
            appointment.services = (0..<Int.random(in: 0...3, using: &g)).map { _ in Self.text(&g) }
            appointment.start = Self.text(&g)
            appointment.end = Self.text(&g)
            appointment.previousStart = Self.maybe(&g, Self.text)
            let cases: [(LiveEvent, Data)] = [
                (.appointment(appointment), try Self.encoder.encode(appointment)),
                (.called(call), try Self.encoder.encode(call)), (.recalled(call), try Self.encoder.encode(call)),
                (.ticket(update), try Self.encoder.encode(update)), (.queue(location: "l", counts: counts), try Self.encoder.encode(counts)),
                (.counter(counter), try Self.encoder.encode(counter)),
            ]
            for (event, expected) in cases {
                #expect(Array(try event.encoded().utf8) == Array(expected), "\(event.name)")
            }
        }
    }

    @Test("An appointment's answer has the encoder's bytes")
    func appointmentAnswer() throws {
        var g = SplitMix64(seed: 19)
        for _ in 0..<2_000 {
            let items = (0..<Int.random(in: 0...3, using: &g)).map { _ in
                AppointmentDTO.ItemDTO(service: Self.text(&g), serviceName: Self.text(&g), persons: Int.random(in: 1...50, using: &g))
            }
            let dto = AppointmentDTO(
                reference: Self.text(&g), manageToken: Self.maybe(&g, Self.text), location: Self.text(&g),
                locationName: Self.text(&g), address: Self.text(&g), service: Self.text(&g), serviceName: Self.text(&g),
                persons: Int.random(in: 0...99, using: &g), items: items, start: Self.text(&g), end: Self.text(&g),
                durationMinutes: Int.random(in: -5...600, using: &g), status: Self.text(&g), name: Self.text(&g),
                email: Self.maybe(&g, Self.text), phone: Self.maybe(&g, Self.text), lang: Self.text(&g), createdAt: Self.text(&g),
                bring: (0..<Int.random(in: 0...3, using: &g)).map { _ in Self.text(&g) }, meetingUrl: Self.maybe(&g, Self.text))
            let bytes = dto.jsonBytes()
            #expect(bytes == Array(try JSONOut.encoder.encode(dto)), "\(String(decoding: bytes, as: UTF8.self))")
        }
    }

    // MARK: formatters

    @Test("zeroPadded writes what String(format:) wrote")
    func padding() {
        for width in 1...5 {
            for value in [-12_345, -100, -5, -1, 0, 1, 7, 42, 99, 100, 999, 1_000, 12_345, 2_026, 123_456_789] {
                #expect(zeroPadded(value, width: width) == String(format: "%0\(width)d", value))
            }
        }
        #expect(CivilDate(year: 2026, month: 3, day: 9)!.description == "2026-03-09")
        #expect(TimeOfDay(hour: 8, minute: 5)!.description == "08:05")
    }

    @Test("A bearer token is trimmed as Foundation trims it")
    func bearerToken() {
        var g = SplitMix64(seed: 18)
        let pieces = ["a", "Z", "-", "_", "~", " ", "\t", "\u{a0}", "\u{2003}", "é", "\n"]
        for _ in 0..<2_000 {
            let text = (0..<Int.random(in: 0...6, using: &g)).map { _ in pieces.randomElement(using: &g)! }.joined()
            #expect(App.trimmedToken(Substring(text)) == text.trimmingCharacters(in: .whitespaces), "\(text.debugDescription)")
        }
    }

    @Test("A contact's key is the lowercase hex SHA-256 of the normalized contact, as before")
    func contactKey() {
        // echo -n 'e:jan@example.be' | sha256sum; echo -n 'p:3247012345' | sha256sum
        #expect(Contact.key(email: "Jan@Example.be", phone: "+32 470 12 34 5") == "88671ff4d3e07ccf062a5a7dda0d56f48fad4a7f653c909e609be396d3d5ce59")
        #expect(Contact.key(email: nil, phone: "+32 470 12 34 5") == "4b221e60b355dce39a3c66b4265f8be3ff4241da651c182830330d9e858d0575")
        #expect(Contact.key(email: nil, phone: nil) == nil)
    }
}

private extension Appointment {
    /// Any appointment; the tests overwrite the fields they vary.
    static let sample = Appointment(reference: "K7M-3QX", location: "hal", items: [Appointment.Item(service: "id-kaart", persons: 1)],
                                    start: Date(timeIntervalSince1970: 1_796_000_000), end: Date(timeIntervalSince1970: 1_796_000_900),
                                    status: .booked, name: "n", email: nil, phone: nil, language: .nl, channel: .online, createdAt: Date(timeIntervalSince1970: 1_795_000_000))
}
