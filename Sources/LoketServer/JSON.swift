// JSON out: answers encoded once, with sorted keys so they are stable and diffable.
// (Bodies in are read by `decodeBody`, in RequestBody.swift.)
import Foundation
import LoketHTTP

/// Encodes answers.
enum JSONOut {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    /// A JSON response for any Encodable value.
    static func response<T: Encodable>(_ value: T, status: Int = 200, headers: [(String, String)] = []) throws -> Response {
        response(bytes: Array(try encoder.encode(value)), status: status, headers: headers)
    }

    /// The headers of a JSON answer that adds none of its own.
    static let plainHeaders: [(String, String)] = [("Content-Type", "application/json"), ("Cache-Control", "no-store")]

    /// A JSON response for a body encoded already.
    static func response(bytes: [UInt8], status: Int = 200, headers: [(String, String)] = []) -> Response {
        // The usual answer shares one header list instead of concatenating two new arrays per request.
        guard !headers.isEmpty else { return Response(status: status, headers: plainHeaders, body: .bytes(bytes)) }
        return Response(status: status, contentType: "application/json", bytes: bytes, headers: headers + [("Cache-Control", "no-store")])
    }
}
