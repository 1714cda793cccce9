// The outbox payload of an appointment mail, written by hand.
//
// Every booking, move and cancel stores one `AppointmentMail` in the outbox inside its write
// transaction; `JSONEncoder` for it was about 3.5% of a booking's time. The sender still reads it
// with `JSONDecoder` (`Decodable` as synthesized), so this only has to write what that decoder
// reads back as the same value: the synthesized keys, nil optionals left out (as `encodeIfPresent`),
// instants as `JSONEncoder`'s default does (seconds since 2001 as a number; Swift's shortest
// round-trip form of the `Double`). AppointmentMailJSONTests decodes many random mails back.
import Foundation
import LoketCore

extension AppointmentMail {
    /// The JSON text the outbox stores; `JSONDecoder().decode(AppointmentMail.self, ...)` reads it back equal.
    public func outboxJSON() -> String {
        var w = JSONObjectWriter(capacity: 512)
        w.field("kind", kind.rawValue)
        w.field("reference", reference)
        w.field("manageToken", manageToken)
        w.field("location", location)
        w.field("items", json: Appointment.Item.jsonBytes(items))
        w.field("start", json: Self.number(start))
        w.field("end", json: Self.number(end))
        if let previousStart { w.field("previousStart", json: Self.number(previousStart)) }
        w.field("language", language.rawValue)
        w.field("name", name)
        w.field("email", email)
        w.field("sequence", sequence)
        w.field("cancelledByOffice", cancelledByOffice)
        w.field("reason", reason)
        w.field("meetingURL", meetingURL)
        return String(decoding: w.finished(), as: UTF8.self)
    }

    /// An instant as `JSONEncoder`'s default date strategy writes it: seconds since 2001-01-01.
    private static func number(_ date: Date) -> [UInt8] {
        Array(date.timeIntervalSinceReferenceDate.description.utf8)
    }
}
