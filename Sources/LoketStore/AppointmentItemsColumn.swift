// The `appointments.items` column: the visit's services as JSON, `[{"service":"...","persons":1}]`.
//
// Written and read by hand: each booking writes it once and reads it back twice (the reference
// check aside, the mail outbox reads the appointment it just stored), and `JSONEncoder` /
// `JSONDecoder` for two fields were about 4% of a booking's time. It writes the JSON `JSONEncoder`
// wrote for `[Appointment.Item]`, with the keys always in declaration order (`JSONEncoder` put them
// in either order) and `/` not escaped (`JSONObjectWriter`). Reading takes exactly that form and
// hands anything else (an escaped character, the other key order, a space) to `JSONDecoder`, so
// every row ever stored reads as before (`AppointmentItemsColumnTests`).
import Foundation
import LoketCore

enum AppointmentItemsColumn {
    /// The JSON text of `items`.
    static func encode(_ items: [Appointment.Item]) -> String {
        String(decoding: Appointment.Item.jsonBytes(items), as: UTF8.self)
    }

    /// The items in `text`, or nil when it is not JSON for `[Appointment.Item]`.
    static func decode(_ text: String) -> [Appointment.Item]? {
        if let items = decodePlain(text) { return items }
        return try? JSONDecoder().decode([Appointment.Item].self, from: Data(text.utf8))
    }

    /// The items when `text` has exactly the form `encode` writes and no escaped character; else nil.
    static func decodePlain(_ text: String) -> [Appointment.Item]? {
        var text = text
        return text.withUTF8 { bytes -> [Appointment.Item]? in
            var i = 0
            func take(_ literal: StaticString) -> Bool {
                let n = literal.utf8CodeUnitCount
                guard i + n <= bytes.count else { return false }
                for k in 0..<n where bytes[i + k] != literal.utf8Start[k] { return false }
                i += n
                return true
            }
            guard take("[") else { return nil }
            var items: [Appointment.Item] = []
            if take("]") { return i == bytes.count ? items : nil }
            repeat {
                guard take(#"{"service":""#) else { return nil }
                let start = i
                while i < bytes.count, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "\\"), bytes[i] >= 0x20 { i += 1 }
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return nil }
                let service = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
                guard take(#"","persons":"#) else { return nil }
                var persons = 0, digits = 0
                let negative = take("-")
                while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9"), digits < 18 {
                    persons = persons * 10 + Int(bytes[i] - UInt8(ascii: "0"))
                    digits += 1
                    i += 1
                }
                guard digits > 0, take("}") else { return nil }
                items.append(Appointment.Item(service: service, persons: negative ? -persons : persons))
            } while take(",")
            guard take("]"), i == bytes.count else { return nil }
            return items
        }
    }
}
