// The hand-written outbox payload (`AppointmentMail.outboxJSON`) reads back with `JSONDecoder`
// as the mail it was written from, for many random mails (and as `JSONEncoder`'s text does).
import Foundation
import LoketCore
import LoketMail
import Testing

@Suite struct AppointmentMailJSONTests {
    @Test func decodesBackEqual() throws {
        var rng = SplitMix64(seed: 20_261_130)
        let texts = ["", "Jan Peeters", "Zoë D'Hondt-Ünal", "\"quoted\" \\ back/slash", "line\nbreak\ttab\u{01}", "👩‍💼 €", "a/b"]
        func text() -> String { texts[Int(rng.next(upperBound: UInt64(texts.count)))] }
        func maybe() -> String? { Bool.random(using: &rng) ? text() : nil }
        func instant() -> Date {
            // Whole seconds mostly, as stored; sometimes a fraction, an old or a far instant.
            let base = Double(Int.random(in: 1_700_000_000...1_900_000_000, using: &rng))
            return Date(timeIntervalSince1970: [base, base + 0.5, base + 0.123456789, 0, -86_400.25, 4e9][Int.random(in: 0..<6, using: &rng)])
        }
        for _ in 0..<2_000 {
            let items = (0..<Int.random(in: 0...3, using: &rng)).map { _ in
                Appointment.Item(service: text(), persons: Int.random(in: -1...12, using: &rng))
            }
            let mail = AppointmentMail(kind: MailKind.allCases.randomElement(using: &rng)!, reference: text(), manageToken: maybe(),
                                       location: text(), items: items, start: instant(), end: instant(),
                                       previousStart: Bool.random(using: &rng) ? instant() : nil,
                                       language: Language.allCases.randomElement(using: &rng)!, name: text(), email: text(),
                                       sequence: Int.random(in: 0...5, using: &rng), cancelledByOffice: Bool.random(using: &rng),
                                       reason: maybe(), meetingURL: maybe())
            let ours = mail.outboxJSON()
            #expect(try JSONDecoder().decode(AppointmentMail.self, from: Data(ours.utf8)) == mail, "\(ours)")
            let theirs = try JSONEncoder().encode(mail)
            #expect(try JSONDecoder().decode(AppointmentMail.self, from: theirs) == mail)
        }
    }
}
