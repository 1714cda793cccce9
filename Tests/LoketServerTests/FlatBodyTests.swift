// The flat request-body reader (`FlatJSON` + `FieldReader`) against `JSONDecoder`: every generated
// body, flat or not, well-formed or not, decodes to the same value or fails with the same problem.
import Foundation
import LoketCore
import LoketHTTP
@testable import LoketServer
import Testing

@Suite("Flat request bodies")
struct FlatBodyTests {
    /// A body as the flat path reads it (`decodeBody`) and as `JSONDecoder` alone reads it, each as its value or its error.
    static func both<T: FieldBody>(_ body: String, as type: T.Type) -> (flat: Result<T, LoketError>, decoder: Result<T, LoketError>) {
        let request = Request(method: .POST, path: "/", headers: ["content-type": "application/json"], body: Array(body.utf8))
        let flat = Result { try decodeBody(request, as: T.self) }.mapError { $0 as! LoketError }
        let decoder = Result { () throws -> T in
            do {
                return try JSONDecoder().decode(T.self, from: Data(body.utf8))
            } catch let e as FieldErrors {
                let names = e.fields.keys.sorted().joined(separator: ", ")
                throw LoketError(.invalid, "Some fields are not valid: \(names).", fields: e.fields)
            } catch {
                throw LoketError(.badRequest, "The body is not a valid JSON object.")
            }
        }.mapError { $0 as! LoketError }
        return (flat, decoder)
    }

    /// A random body: flat objects mostly, with odd values, spacing, duplicates and broken syntax now and then.
    static func body(_ g: inout SplitMix64, keys: [String]) -> String {
        let values = ["\"stadhuis\"", "\"eid-aanvraag\"", "\" padded \"", "\"\"", "\"   \"", "\"é€😀\"", "\"a\\\"b\"", "\"a\\u0041\"",
                      "\"tab\there\"", "\"\u{7f}\"", "\"\u{a0}x\u{a0}\"", "true", "false", "null", "0", "1", "-0", "3", "01", "1.5", "2e1",
                      "-7", "999999999", "1000000000", "123456789012345678", "-9223372036854775808", "99999999999999999999999", "999999999999999", "[]", "{}", "[1]", "\"nl\"", "\"fr\"", "\"xx\"",
                      "\"2026-12-01T09:00:00+01:00\"", "\"a@b.be\"", "\"+32 470 12 34 56\"", "\"not-mail\"",
                      String(repeating: "\"x", count: 1) + String(repeating: "y", count: 70) + "\""]
        let spaces = ["", " ", "\n", "\t", "\r\n  "]
        var parts: [String] = []
        for key in keys where Int.random(in: 0..<4, using: &g) > 0 {
            let v = values.randomElement(using: &g)!
            parts.append(spaces.randomElement(using: &g)! + "\"\(key)\"" + spaces.randomElement(using: &g)! + ":"
                         + spaces.randomElement(using: &g)! + v)
            if Int.random(in: 0..<20, using: &g) == 0 { parts.append("\"\(key)\":\(v)") }
        }
        if Int.random(in: 0..<10, using: &g) == 0 { parts.append("\"extra\":1") }
        var text = "{" + parts.joined(separator: ",") + spaces.randomElement(using: &g)! + "}"
        switch Int.random(in: 0..<30, using: &g) {
        case 0: text += "x"
        case 1: text = "[" + text + "]"
        case 2: text = String(text.dropLast())
        case 3: text = text.replacingOccurrences(of: ",", with: ",,")
        case 4: text += " \n"
        default: break
        }
        return text
    }

    @Test("A kiosk's ticket body reads the same, or fails the same, with or without the flat reader")
    func ticketBodies() {
        var g = SplitMix64(seed: 16)
        for _ in 0..<3_000 {
            let body = Self.body(&g, keys: ["location", "service", "priority", "lang"])
            let (flat, decoder) = Self.both(body, as: IssueTicketBody.self)
            switch (flat, decoder) {
            case (.success(let a), .success(let b)):
                #expect(a.location == b.location && a.service == b.service && a.priority == b.priority && a.language == b.language, "\(body)")
            case (.failure(let a), .failure(let b)):
                #expect(a == b, "\(body)")
            default:
                Issue.record("\(body): \(flat) vs \(decoder)")
            }
        }
    }

    @Test("A booking body reads the same, or fails the same, with or without the flat reader")
    func bookingBodies() {
        var g = SplitMix64(seed: 17)
        for _ in 0..<3_000 {
            let body = Self.body(&g, keys: ["service", "location", "start", "persons", "name", "email", "phone", "lang"])
            let (flat, decoder) = Self.both(body, as: BookBody.self)
            switch (flat, decoder) {
            case (.success(let a), .success(let b)):
                #expect(a.location == b.location && a.items.map(\.service) == b.items.map(\.service)
                        && a.items.map(\.persons) == b.items.map(\.persons) && a.asList == b.asList && a.start == b.start
                        && a.name == b.name && a.email == b.email && a.phone == b.phone && a.language == b.language, "\(body)")
            case (.failure(let a), .failure(let b)):
                #expect(a == b, "\(body)")
            default:
                Issue.record("\(body): \(flat) vs \(decoder)")
            }
        }
    }

    @Test("The flat reader takes flat objects of simple values and nothing else")
    func flatReader() {
        #expect(FlatJSON.parse(Array(#" { "a" : "x" , "b":true,"c":null,"d":-12 } "#.utf8))
                == ["a": .string("x"), "b": .bool(true), "c": .null, "d": .int(-12)])
        #expect(FlatJSON.parse(Array("{}".utf8)) == [:])
        for text in [#"{"a":"x\"y"}"#, #"{"a":[1]}"#, #"{"a":{}}"#, #"{"a":1.5}"#, #"{"a":1e3}"#, #"{"a":01}"#, #"{"a":1,"a":2}"#,
                     #"{"a":1,}"#, #"{"a":1} x"#, #"["a"]"#, "{\"a\":\"\u{1}\"}", #"{"a":tru}"#, "", "{"] {
            #expect(FlatJSON.parse(Array(text.utf8)) == nil, "\(text)")
        }
    }

}
