// JSON in and out: request bodies read field by field with named errors, answers encoded once.
import Foundation
import LoketCore
import LoketHTTP

/// A parsed JSON object from a request body, with typed accessors that collect field errors.
struct JSONBody {
    private let object: [String: Any]
    /// Field -> message for every bad field seen so far.
    private(set) var errors: [String: String] = [:]

    /// Parses the body; a non-object, malformed or non-JSON body is a 400.
    init(_ request: Request) throws {
        // curl -d sends form encoding by default; a JSON body under that label is still accepted.
        if let type = request.header("content-type")?.lowercased(), !type.contains("json"),
           !type.hasPrefix("application/x-www-form-urlencoded"), !type.hasPrefix("text/plain") {
            throw Problem(status: 415, code: "unsupported_media_type", detail: "Send the body as application/json.")
        }
        guard !request.body.isEmpty else {
            throw LoketError(.badRequest, "The request needs a JSON object body.")
        }
        guard let value = try? JSONSerialization.jsonObject(with: Data(request.body), options: []),
              let object = value as? [String: Any] else {
            throw LoketError(.badRequest, "The body is not a valid JSON object.")
        }
        self.object = object
    }

    init(object: [String: Any]) { self.object = object }

    func has(_ key: String) -> Bool { object[key] != nil && !(object[key] is NSNull) }

    /// A string field; records an error when required and missing, of the wrong type or too long.
    mutating func string(_ key: String, required: Bool = true, maxLength: Int = 200) -> String? {
        guard let raw = object[key], !(raw is NSNull) else {
            if required { errors[key] = "is required" }
            return nil
        }
        guard let s = raw as? String else {
            errors[key] = "must be a string"
            return nil
        }
        let trimmed = s.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty {
            if required { errors[key] = "must not be empty" }
            return nil
        }
        if trimmed.count > maxLength {
            errors[key] = "must be at most \(maxLength) characters"
            return nil
        }
        if trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            errors[key] = "must not contain control characters"
            return nil
        }
        return trimmed
    }

    /// An integer field within `range`.
    mutating func int(_ key: String, required: Bool = true, range: ClosedRange<Int>) -> Int? {
        guard let raw = object[key], !(raw is NSNull) else {
            if required { errors[key] = "is required" }
            return nil
        }
        guard let n = raw as? NSNumber, !isBoolean(n), n.doubleValue == n.doubleValue.rounded(),
              abs(n.doubleValue) < 1e9 else {
            errors[key] = "must be a whole number"
            return nil
        }
        guard range.contains(n.intValue) else {
            errors[key] = "must be between \(range.lowerBound) and \(range.upperBound)"
            return nil
        }
        return n.intValue
    }

    /// A boolean field.
    mutating func bool(_ key: String) -> Bool? {
        guard let raw = object[key], !(raw is NSNull) else { return nil }
        guard let n = raw as? NSNumber, isBoolean(n) else {
            errors[key] = "must be true or false"
            return nil
        }
        return n.boolValue
    }

    /// An array of objects.
    mutating func objects(_ key: String) -> [JSONBody]? {
        guard let raw = object[key], !(raw is NSNull) else { return nil }
        guard let list = raw as? [Any], list.allSatisfy({ $0 is [String: Any] }) else {
            errors[key] = "must be a list of objects"
            return nil
        }
        return list.map { JSONBody(object: $0 as! [String: Any]) }
    }

    mutating func fail(_ key: String, _ message: String) { errors[key] = message }

    /// Throws 422 naming every bad field, if any.
    func validate() throws {
        guard !errors.isEmpty else { return }
        let names = errors.keys.sorted().joined(separator: ", ")
        throw LoketError(.invalid, "Some fields are not valid: \(names).", fields: errors)
    }
}

/// Whether JSON parsing produced a boolean (Foundation hands both out as NSNumber).
private func isBoolean(_ n: NSNumber) -> Bool {
    String(describing: type(of: n)).contains("Bool")
}

/// Encodes answers. Keys are sorted so answers are stable and diffable.
enum JSONOut {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    /// A JSON response for any Encodable value.
    static func response<T: Encodable>(_ value: T, status: Int = 200, headers: [(String, String)] = []) throws -> Response {
        Response(status: status, contentType: "application/json", bytes: Array(try encoder.encode(value)),
                 headers: headers + [("Cache-Control", "no-store")])
    }
}
