// The hand-written `appointments.items` column (`AppointmentItemsColumn`) against `JSONEncoder` and
// `JSONDecoder`, which wrote and read it before: every text either of them wrote (JSONEncoder put
// the two keys in either order) reads back as the same items.
import Foundation
import LoketCore
import Testing
@testable import LoketStore

@Suite struct AppointmentItemsColumnTests {
    static func randomItems(_ rng: inout SplitMix64) -> [Appointment.Item] {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789-_")
        let odd = ["é", "ü", "\"", "\\", "/", "\n", "\t", "\u{01}", "€", "👩‍💼", " "]
        return (0..<Int.random(in: 0...4, using: &rng)).map { _ in
            var id = String((0..<Int.random(in: 0...24, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
            if Int.random(in: 0..<4, using: &rng) == 0 { id.insert(contentsOf: odd.randomElement(using: &rng)!, at: id.startIndex) }
            let persons = [1, 2, 3, 9, 10, 0, -1, 123_456_789][Int.random(in: 0..<8, using: &rng)]
            return Appointment.Item(service: id, persons: persons)
        }
    }

    @Test func readsBackWhatItAndJSONEncoderWrote() throws {
        var rng = SplitMix64(seed: 20_261_201)
        var plain = 0
        for _ in 0..<2_000 {
            let items = Self.randomItems(&rng)
            let ours = AppointmentItemsColumn.encode(items)
            let theirs = String(decoding: try JSONEncoder().encode(items), as: UTF8.self)
            #expect(try JSONDecoder().decode([Appointment.Item].self, from: Data(ours.utf8)) == items)
            #expect(AppointmentItemsColumn.decode(ours) == items, "\(ours)")
            #expect(AppointmentItemsColumn.decode(theirs) == items, "\(theirs)")
            if AppointmentItemsColumn.decodePlain(ours) != nil { plain += 1 }
        }
        #expect(plain > 1_000) // the fast path is the common one
    }

    @Test func otherFormsGoToJSONDecoderAndGarbageIsNil() {
        let item = [Appointment.Item(service: "eid-aanvraag", persons: 2)]
        for text in [#"[ {"service": "eid-aanvraag", "persons": 2} ]"#, #"[{"persons":2,"service":"eid-aanvraag"}]"#,
                     #"[{"service":"eid\u002daanvraag","persons":2}]"#] {
            #expect(AppointmentItemsColumn.decodePlain(text) == nil)
            #expect(AppointmentItemsColumn.decode(text) == item, "\(text)")
        }
        for text in ["", "[", "[{}]", #"[{"service":"x","persons":}]"#, #"[{"service":"x","persons":1}"#,
                     #"[{"service":"x","persons":1}]x"#, "null",
                     #"[{"service":"x","persons":1234567890123456789012}]"#] {
            #expect(AppointmentItemsColumn.decode(text) == nil, "\(text)")
        }
        #expect(AppointmentItemsColumn.decode("[]") == [])
    }
}
