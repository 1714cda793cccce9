// Request bodies: JSON decoded through `Decodable` in one validation pass.
//
// Each body type reads its fields through a `FieldReader`, which records every bad field
// (missing, wrong type, too long, out of range) instead of stopping at the first, and then
// throws them together. `decodeBody` turns that into one 422 problem whose `fields` name them
// all; a body that is not a JSON object is a 400, a body of another media type a 415.
import Foundation
import LoketCore
import LoketHTTP

/// Field name -> what is wrong with it, thrown by a body's `init(from:)` after reading every field.
struct FieldErrors: Error {
    var fields: [String: String]
}

/// Decodes the request's JSON body as `T`.
///
/// - Throws: 415 `unsupported_media_type` for a non-JSON content type; 400 `bad_request` for an
///   empty body or one that is not a JSON object; 422 `validation_failed` naming every bad field.
func decodeBody<T: Decodable>(_ request: Request, as type: T.Type = T.self) throws -> T {
    // curl -d sends form encoding by default; a JSON body under that label is still accepted.
    if let contentType = request.header("content-type")?.lowercased(), !contentType.contains("json"),
       !contentType.hasPrefix("application/x-www-form-urlencoded"), !contentType.hasPrefix("text/plain") {
        throw LoketError(.unsupportedMediaType, "Send the body as application/json.")
    }
    guard !request.body.isEmpty else { throw LoketError(.badRequest, "The request needs a JSON object body.") }
    // JSON is UTF-8 (RFC 8259); the decoder would quietly repair broken bytes.
    guard String(validating: request.body, as: UTF8.self) != nil else {
        throw LoketError(.badRequest, "The body is not valid UTF-8 JSON.")
    }
    do {
        if let body = T.self as? FieldBody.Type, let fields = FlatJSON.parse(request.body) {
            var reader = FieldReader(flat: fields)
            // swiftlint:disable:next force_cast
            return try body.init(fields: &reader) as! T
        }
        return try JSONDecoder().decode(T.self, from: Data(request.body))
    } catch let e as FieldErrors {
        let names = e.fields.keys.sorted().joined(separator: ", ")
        throw LoketError(.invalid, "Some fields are not valid: \(names).", fields: e.fields)
    } catch {
        throw LoketError(.badRequest, "The body is not a valid JSON object.")
    }
}

/// Any JSON object key.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// A body read field by field through a `FieldReader`: from `JSONDecoder`, or from `FlatJSON` when
/// the body is one flat object (the same checks and errors either way).
protocol FieldBody: Decodable {
    init(fields: inout FieldReader) throws
}

extension FieldBody {
    init(from decoder: Decoder) throws {
        var reader = try FieldReader(decoder)
        try self.init(fields: &reader)
    }
}

/// Reads the fields of one JSON object, collecting an error per bad field.
struct FieldReader {
    /// Where the fields come from.
    private enum Source {
        case decoder(KeyedDecodingContainer<AnyKey>)
        case flat([String: FlatJSON.Value])
    }
    private let source: Source
    /// Prefix of field names in errors, e.g. `items[2].`.
    private let path: String
    /// Field -> message for every bad field seen so far.
    private(set) var errors: [String: String] = [:]

    /// - Throws: a `DecodingError` when the value is not a JSON object.
    init(_ decoder: Decoder, path: String = "") throws {
        source = .decoder(try decoder.container(keyedBy: AnyKey.self))
        self.path = path
    }

    /// The fields of a flat object read by `FlatJSON`.
    init(flat fields: [String: FlatJSON.Value]) {
        source = .flat(fields)
        path = ""
    }

    /// Whether `key` is present and not null.
    func has(_ key: String) -> Bool {
        switch source {
        case .decoder(let container):
            return container.contains(AnyKey(key)) && (try? container.decodeNil(forKey: AnyKey(key))) == false
        case .flat(let fields):
            return fields[key].map { $0 != .null } ?? false
        }
    }

    /// The value of `key` as `T`, nil when it is of another type.
    private func value<T: Decodable>(_ key: String, as type: T.Type) -> T? {
        switch source {
        case .decoder(let container):
            return try? container.decode(T.self, forKey: AnyKey(key))
        case .flat(let fields):
            switch fields[key] {
            case .string(let s): return s as? T
            case .int(let n): return n as? T
            case .bool(let b): return b as? T
            case .null, nil: return nil
            }
        }
    }

    /// A string, trimmed; an error when required and missing or empty, of another type, too long or with control characters.
    mutating func string(_ key: String, required: Bool = true, maxLength: Int = 200) -> String? {
        guard has(key) else {
            if required { fail(key, "is required") }
            return nil
        }
        guard let s = value(key, as: String.self) else {
            fail(key, "must be a string")
            return nil
        }
        // Length and control characters are judged on the text as sent, in Unicode code points, as the
        // OpenAPI document's `maxLength` and `pattern` say; the trimmed text is what is kept.
        if s.unicodeScalars.count > maxLength {
            fail(key, "must be at most \(maxLength) characters")
            return nil
        }
        // Plain ASCII (nearly every field) is judged by its bytes; Foundation's trimming and the
        // scalar properties showed up in the profile of the small bodies.
        let ascii = s.utf8.allSatisfy { $0 < 0x80 }
        if ascii ? s.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F })
                 : s.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            fail(key, "must not contain control characters")
            return nil
        }
        let trimmed = ascii && !(s.utf8.first.map(FieldReader.isSpace) ?? true) && !(s.utf8.last.map(FieldReader.isSpace) ?? true)
            ? s : s.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty {
            if required { fail(key, "must not be empty") }
            return nil
        }
        return trimmed
    }

    /// A whole number within `range`.
    mutating func int(_ key: String, required: Bool = true, range: ClosedRange<Int>) -> Int? {
        guard has(key) else {
            if required { fail(key, "is required") }
            return nil
        }
        guard let n = value(key, as: Int.self), n.magnitude < 1_000_000_000 else {
            fail(key, "must be a whole number")
            return nil
        }
        guard range.contains(n) else {
            fail(key, "must be between \(range.lowerBound) and \(range.upperBound)")
            return nil
        }
        return n
    }

    /// `true` or `false` (a number is not a boolean).
    mutating func bool(_ key: String) -> Bool? {
        guard has(key) else { return nil }
        guard let b = value(key, as: Bool.self) else {
            fail(key, "must be true or false")
            return nil
        }
        return b
    }

    /// An instant written as ISO 8601 with an offset.
    mutating func instant(_ key: String, required: Bool = true) -> Date? {
        guard let text = string(key, required: required, maxLength: 40) else { return nil }
        guard let d = parseInstant(text) else {
            fail(key, "must be a date-time like 2026-12-01T08:30:00+01:00")
            return nil
        }
        return d
    }

    /// A list of objects, each read by `Element`'s own `FieldReader` (its errors named `key[i].field`).
    mutating func objects<Element: Decodable>(_ key: String, of type: Element.Type) -> [Element]? {
        guard has(key) else { return nil }
        guard case .decoder(let container) = source, var list = try? container.nestedUnkeyedContainer(forKey: AnyKey(key)) else {
            fail(key, "must be a list of objects")
            return nil
        }
        var result: [Element] = []
        var index = 0
        while !list.isAtEnd {
            do {
                let element = try list.superDecoder()
                result.append(try Element(from: element))
            } catch let e as FieldErrors {
                for (field, message) in e.fields { fail("\(key)[\(index)].\(field)", message) }
            } catch {
                fail(key, "must be a list of objects")
                return nil
            }
            index += 1
        }
        return result
    }

    /// An ASCII byte `trimmingCharacters(in: .whitespacesAndNewlines)` would trim.
    private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (0x09...0x0D).contains(b) }

    /// Records an error for `key`.
    mutating func fail(_ key: String, _ message: String) { errors[path + key] = message }

    /// Throws every recorded error at once.
    func finish() throws {
        if !errors.isEmpty { throw FieldErrors(fields: errors) }
    }
}

// MARK: the bodies

/// `POST /api/v1/tickets`.
struct IssueTicketBody: FieldBody {
    var location: String
    var service: String
    var priority: Bool
    var language: Language?

    init(fields f: inout FieldReader) throws {
        let location = f.string("location", maxLength: 64)
        let service = f.string("service", maxLength: 64)
        priority = f.bool("priority") ?? false
        language = f.string("lang", required: false, maxLength: 10).flatMap { Language(tag: $0) }
        try f.finish()
        self.location = location ?? ""
        self.service = service ?? ""
    }
}

/// `POST /api/v1/checkins`.
struct CheckInBody: FieldBody {
    var reference: String
    var location: String?
    var language: Language?

    init(fields f: inout FieldReader) throws {
        let reference = f.string("reference", maxLength: 200)
        location = f.string("location", required: false, maxLength: 64)
        language = f.string("lang", required: false, maxLength: 10).flatMap { Language(tag: $0) }
        try f.finish()
        self.reference = reference ?? ""
    }
}

/// `POST /api/v1/tickets/{id}/transfer`.
struct TransferBody: FieldBody {
    var service: String?
    var counter: String?

    init(fields f: inout FieldReader) throws {
        service = f.string("service", required: false, maxLength: 64)
        counter = f.string("counter", required: false, maxLength: 64)
        if service == nil && counter == nil && f.errors.isEmpty { f.fail("service", "give a service or a counter to transfer to") }
        try f.finish()
    }
}

/// `POST /counters/{id}/pause`: an optional reason, shown to clerks.
struct PauseBody: FieldBody {
    var reason: String?

    init(fields f: inout FieldReader) throws {
        reason = f.string("reason", required: false, maxLength: 200)
        try f.finish()
    }
}

/// `POST /counters/{id}/call`: which ticket (id or today's number) and why out of order.
struct CallBody: FieldBody {
    var ticket: String?
    var reason: String?

    init(fields f: inout FieldReader) throws {
        ticket = f.string("ticket", maxLength: 64)
        reason = f.string("reason", required: false, maxLength: 200)
        try f.finish()
    }
}

/// `POST /counters/{id}/served`: a visit served without a ticket.
struct ServedBody: FieldBody {
    var service: String?
    var outcome: String?

    init(fields f: inout FieldReader) throws {
        service = f.string("service", maxLength: 64)
        outcome = f.string("outcome", required: false, maxLength: 64)
        try f.finish()
    }
}

/// `POST /tickets/{id}/finish`: an optional outcome.
struct FinishBody: FieldBody {
    var outcome: String?

    init(fields f: inout FieldReader) throws {
        outcome = f.string("outcome", required: false, maxLength: 64)
        try f.finish()
    }
}

/// One service of a visit in `items`.
struct VisitItemBody: FieldBody {
    var service: String
    var persons: Int?

    init(fields f: inout FieldReader) throws {
        let service = f.string("service", maxLength: 64)
        persons = f.int("persons", required: false, range: 1...50)
        try f.finish()
        self.service = service ?? ""
    }
}

/// `POST /api/v1/appointments`: one `service` with `persons`, or `items`.
struct BookBody: FieldBody {
    var location: String
    /// The services asked for, in the form given.
    var items: [(service: String, persons: Int?)]
    /// True when the `items` form was used (errors then name `items[i]`).
    var asList: Bool
    var start: Date
    var name: String
    var email: String?
    var phone: String?
    var language: Language?

    init(fields f: inout FieldReader) throws {
        let location = f.string("location", maxLength: 64)
        let service = f.string("service", required: !f.has("items"), maxLength: 64)
        let persons = f.int("persons", required: false, range: 1...50)
        let list = f.objects("items", of: VisitItemBody.self)
        if let list, list.isEmpty, f.errors.keys.allSatisfy({ !$0.hasPrefix("items") }) { f.fail("items", "must not be empty") }
        let start = f.instant("start")
        let name = f.string("name", maxLength: 100)
        email = f.string("email", required: false, maxLength: 254)
        phone = f.string("phone", required: false, maxLength: 30)
        if let email, !Contact.isEmail(email) { f.fail("email", "is not a valid e-mail address") }
        if let phone, !Contact.isPhone(phone) { f.fail("phone", "is not a valid phone number") }
        if email == nil && phone == nil && f.errors["email"] == nil && f.errors["phone"] == nil {
            f.fail("email", "give an e-mail address or a phone number")
        }
        if let tag = f.string("lang", required: false, maxLength: 10) {
            language = Language(tag: tag)
            if language == nil { f.fail("lang", "must be nl, fr, en or de") }
        }
        try f.finish()
        self.location = location ?? ""
        if let list, !list.isEmpty {
            items = list.map { ($0.service, $0.persons) }
            asList = true
        } else {
            items = service.map { [($0, persons ?? 1)] } ?? []
            asList = false
        }
        self.start = start ?? Date(timeIntervalSince1970: 0)
        self.name = name ?? ""
    }
}

/// `POST /api/v1/appointments/{reference}/reschedule`.
struct RescheduleBody: FieldBody {
    var start: Date

    init(fields f: inout FieldReader) throws {
        let start = f.instant("start")
        try f.finish()
        self.start = start ?? Date(timeIntervalSince1970: 0)
    }
}
