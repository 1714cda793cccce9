// The parts of the OpenAPI document every operation shares, derived from what the handlers and the
// HTTP layer really do, so that a contract tester (schemathesis, tests/test_contract.py) finds no
// status, code or parameter the document does not describe:
// - the answers every operation of a kind can give (404 for a path id, 401/403 for a role, 400/413/
//   415/422 for a body, 429 for the rate-limited public writes, 414 and 503 for all);
// - the problem `code`s each status carries, as an enum on that response's `code`;
// - each parameter's real constraints (formats, patterns, lengths, ranges, enums);
// - the links that let a stateful tester follow a booking, a ticket, a waitlist entry, a closure and
//   a token through their lives.
import Foundation
import LoketCore

extension OpenAPI {
    /// Status of each transport problem code (the HTTP layer's and the store's).
    static let transportStatus: [String: Int] = [
        "busy": 503, "storage_unavailable": 503, "storage_error": 500, "body_too_large": 413, "uri_too_long": 414,
        "method_not_allowed": 405, "not_implemented": 501, "internal_error": 500,
    ]

    /// Every problem code with the status it is answered with.
    static var codeStatus: [(code: String, status: Int)] {
        LoketError.Code.allCases.map { ($0.rawValue, LoketError($0, "").status) }
            + transportCodes.map { ($0, transportStatus[$0] ?? 500) }
    }

    /// The problem schema of one response: `code` limited to the codes that status carries here. The
    /// codes named in the description count; a description that names none allows every code of the status
    /// (a body's 400 and 422: the decoder's `bad_request` and `validation_failed`).
    static func problemSchema(_ status: Int, _ description: String, op: Operation) -> [String: Any] {
        let ofStatus = codeStatus.filter { $0.status == status }.map(\.code)
        var codes = ofStatus.filter { code in
            description.range(of: "(^|[^a-z_])\(code)([^a-z_]|$)", options: .regularExpression) != nil
        }
        // A body's 400 and 422 without named codes are the decoder's own (`extraCodes`).
        if codes.isEmpty, !((status == 400 || status == 422) && op.body != nil) { codes = ofStatus }
        codes += extraCodes(status, op: op)
        var unique: [String] = []
        for c in codes where !unique.contains(c) { unique.append(c) }
        return ["allOf": [ref(problem), ["properties": ["code": ["enum": unique]]]],
                "description": "Codes: " + unique.map { "`\($0)`" }.joined(separator: ", ")]
    }

    /// Codes a status carries for every operation of a kind, whatever its description says.
    private static func extraCodes(_ status: Int, op: Operation) -> [String] {
        switch status {
        case 400 where op.body != nil: return ["bad_request"]
        case 404 where op.path.contains("{"):
            // A path id nobody knows, or a path whose id holds an encoded slash and so matches no route.
            var codes = ["not_found"]
            if op.path.hasPrefix("/api/v1/locations/{id}") { codes.append("unknown_location") }
            if op.path.hasPrefix("/api/v1/counters/{id}") { codes += ["unknown_counter", "unknown_location"] }
            return codes
        case 422 where op.body != nil: return ["validation_failed"]
        case 503: return ["busy", "storage_unavailable"]
        default: return []
        }
    }

    /// Operations that count against the per-address rate limit (`limitRate`).
    static let rateLimited: Set<String> = [
        "get /api/v1/availability", "post /api/v1/appointments", "get /api/v1/appointments/{reference}",
        "delete /api/v1/appointments/{reference}", "post /api/v1/appointments/{reference}/cancel",
        "post /api/v1/appointments/{reference}/reschedule", "get /api/v1/appointments/{reference}/calendar.ics",
        "post /api/v1/waitlist", "get /api/v1/waitlist/{id}", "delete /api/v1/waitlist/{id}", "post /api/v1/waitlist/{id}/accept",
    ]

    /// The answers an operation gives by its kind, added where its own list does not already have them.
    static func standardAnswers(_ op: Operation) -> [(Int, String)] {
        var answers: [(Int, String)] = []
        if op.path.contains("{") { answers.append((404, "Nothing with this id")) }
        if op.query.contains(where: { ["date", "from", "to"].contains($0.0) }) {
            answers.append((400, "invalid_date: not a real date written YYYY-MM-DD (named in `fields`)"))
        }
        if !op.roles.isEmpty {
            answers += [(401, "unauthorized: no valid bearer token"), (403, "forbidden: the token's role may not do this")]
        }
        if op.body != nil {
            answers += [(400, "bad_request: no body, not a JSON object, or not UTF-8"), (413, "body_too_large"),
                        (415, "unsupported_media_type: the body is not JSON"),
                        (422, "validation_failed: fields not acceptable (named in `fields`)")]
        }
        if rateLimited.contains(op.method + " " + op.path) {
            answers.append((429, "rate_limited: too many requests from this address; Retry-After"))
        }
        answers.append((414, "uri_too_long"))
        // Storage faults: nothing was changed; try again after Retry-After. The document itself and QR codes never touch storage.
        if !["/api/v1/openapi.json", "/api/v1/qr.svg"].contains(op.path) {
            answers.append((503, "storage_unavailable or busy: nothing was changed; try again after Retry-After"))
        }
        return answers
    }

    static var retryAfterHeader: [String: Any] { [
        "Retry-After": ["required": true, "description": "Seconds to wait before trying again", "schema": ["type": "string", "pattern": "^[0-9]+$"]],
    ] }

    // MARK: parameters

    /// Text without control characters (what `FieldReader.string` and the query filters accept).
    static let plainText = "^[^\\x00-\\x1f\\x7f-\\x9f]*$"
    /// The same with at least one character that is not white space.
    static let someText = "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$"

    /// A path parameter's schema by its name (and the path it is in).
    static func pathSchema(_ name: String, path: String) -> [String: Any] {
        switch name {
        case "reference":
            return ["type": "string", "pattern": "^[2-9A-HJ-NP-Za-hj-np-z]{3}-?[2-9A-HJ-NP-Za-hj-np-z]{3}$",
                    "description": "booking reference, e.g. K7M-3QX"]
        case "name": return ["type": "string", "minLength": 1, "maxLength": 100, "pattern": "^[^/\\x00-\\x1f\\x7f-\\x9f]+$"]
        default: return ["type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"]
        }
    }

    static let languages = ["nl", "fr", "en", "de"]

    /// A query parameter's schema by its name; `parameterSchemas` overrides it per operation.
    static func querySchema(_ name: String) -> [String: Any] {
        switch name {
        case "lang":
            return ["type": "string", "description": "nl, fr, en or de (a tag such as nl-BE counts as nl); any other value falls back to Accept-Language, then the default language"]
        case "date", "from", "to": return ["type": "string", "format": "date"]
        case "token": return ["type": "string", "minLength": 1, "maxLength": 199]
        case "persons": return ["type": "integer", "minimum": 1, "maximum": 50]
        case "channel": return ["type": "string", "enum": Channel.allCases.map(\.rawValue)]
        case "by": return ["type": "string", "enum": ["day", "week"]]
        case "status": return ["type": "string", "enum": ["pending", "sent", "failed"]]
        case "q": return ["type": "string", "maxLength": 100]
        case "actor", "action": return ["type": "string", "maxLength": 100]
        case "data": return ["type": "string", "minLength": 1, "maxLength": 256, "description": "at most 256 characters (so at most 1024 bytes)"]
        case "items":
            return ["type": "string", "pattern": "^[^,:]+(:[0-9]{1,2})?(,[^,:]+(:[0-9]{1,2})?)*$",
                    "description": "service:persons,service:persons"]
        default: return ["type": "string"]
        }
    }

    /// Per-operation parameter schemas, where the same name means something stricter or looser.
    static var parameterSchemas: [String: [String: [String: Any]]] { [
        "get /api/v1/appointments": ["location": ["type": "string", "minLength": 1]],
        "get /api/v1/availability": ["location": ["type": "string", "minLength": 1]],
    ] }

    // MARK: examples

    /// Request bodies that work against the demo config on its open Tuesday morning (2026-12-01 09:00 at
    /// `stadhuis`), so a tester's first request creates something whose links it can then follow.
    static var bodyExamples: [String: [String: Any]] { [
        "BookingRequest": ["service": "eid-aanvraag", "location": "stadhuis", "start": "2026-12-02T10:00:00+01:00",
                           "name": "Jan Voorbeeld", "email": "jan@example.org", "lang": "nl"],
        "RescheduleRequest": ["start": "2026-12-02T10:30:00+01:00"],
        "TicketRequest": ["location": "stadhuis", "service": "eid-aanvraag"],
        "CheckinRequest": ["reference": "K7M-3QX", "location": "stadhuis"],
        "TransferRequest": ["service": "eid-aanvraag"],
        "PauseRequest": ["reason": "lunch"],
        "CallRequest": ["ticket": "A001", "reason": "wheelchair"],
        "ServedRequest": ["service": "eid-aanvraag"],
        "FinishRequest": [:],
        "WaitlistJoinRequest": ["service": "eid-aanvraag", "location": "stadhuis", "from": "2026-12-03", "to": "2026-12-04",
                                "email": "wacht@example.org", "lang": "nl"],
        "ClosureRequest": ["location": "deelgemeente-oost", "from": "2026-12-21T08:00:00+01:00", "to": "2026-12-21T12:00:00+01:00",
                           "reason": "Opleiding", "affected": "keep"],
        "TokenRequest": ["role": "kiosk", "name": "kiosk-hal-2"],
    ] }

    /// An id of the demo config for a path parameter, where one fits.
    static func pathExample(_ name: String, path: String) -> String? {
        if path.hasPrefix("/api/v1/locations/{id}") { return "stadhuis" }
        if path.hasPrefix("/api/v1/counters/{id}") { return "stadhuis-1" }
        if path.hasPrefix("/api/v1/services/{id}") { return "eid-aanvraag" }
        return nil
    }

    // MARK: links

    static func operationID(_ method: String, _ path: String) -> String {
        method + path.replacingOccurrences(of: "/api/v1", with: "")
            .split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    private static func link(_ method: String, _ path: String, _ parameters: [String: String]) -> (String, [String: Any]) {
        let id = operationID(method, path)
        return (id, ["operationId": id, "parameters": parameters])
    }

    /// The links of an operation's answers, by status.
    static func links(_ op: Operation) -> [Int: [String: Any]] {
        func set(_ items: [(String, [String: Any])]) -> [String: Any] { Dictionary(items, uniquingKeysWith: { a, _ in a }) }
        let appointment = "/api/v1/appointments/{reference}"
        func manage(reference: String, token: String) -> [String: Any] {
            let p = ["reference": reference, "token": token]
            return set([link("get", appointment, p), link("delete", appointment, p), link("post", appointment + "/cancel", p),
                        link("post", appointment + "/reschedule", p), link("get", appointment + "/calendar.ics", p)])
        }
        func ticket(_ id: String) -> [String: Any] {
            set([link("get", "/api/v1/tickets/{id}", ["id": id])]
                + ["recall", "start", "finish", "no-show", "park", "transfer"].map { link("post", "/api/v1/tickets/{id}/\($0)", ["id": id]) })
        }
        func waitlist(id: String, token: String) -> [String: Any] {
            let p = ["id": id, "token": token]
            return set([link("get", "/api/v1/waitlist/{id}", p), link("delete", "/api/v1/waitlist/{id}", p),
                        link("post", "/api/v1/waitlist/{id}/accept", p)])
        }
        switch (op.method, op.path) {
        case ("post", "/api/v1/appointments"), ("post", "/api/v1/waitlist/{id}/accept"):
            return [201: manage(reference: "$response.body#/reference", token: "$response.body#/manageToken")]
        case ("get", appointment), ("post", appointment + "/reschedule"):
            return [200: manage(reference: "$request.path.reference", token: "$request.query.token")]
        case ("post", "/api/v1/tickets"), ("post", "/api/v1/checkins"), ("post", "/api/v1/counters/{id}/served"):
            return [201: ticket("$response.body#/id")]
        case ("post", "/api/v1/counters/{id}/call-next"), ("post", "/api/v1/counters/{id}/call"):
            return [200: ticket("$response.body#/id")]
        case ("post", let path) where path.hasPrefix("/api/v1/counters/{id}/") && ["open", "pause", "close"].contains(where: { path.hasSuffix("/" + $0) }):
            let p = ["id": "$response.body#/id"]
            return [200: set(["open", "pause", "close", "call-next", "call", "served"].map { link("post", "/api/v1/counters/{id}/\($0)", p) }
                + [link("get", "/api/v1/locations/{id}/queue", ["id": "$response.body#/location"]),
                   link("get", "/api/v1/locations/{id}/counters", ["id": "$response.body#/location"])])]
        case ("post", "/api/v1/waitlist"):
            return [201: waitlist(id: "$response.body#/id", token: "$response.body#/token")]
        case ("get", "/api/v1/waitlist/{id}"):
            return [200: waitlist(id: "$request.path.id", token: "$request.query.token")]
        case ("post", "/api/v1/admin/closures"):
            return [201: set([link("delete", "/api/v1/admin/closures/{id}", ["id": "$response.body#/id"]),
                              link("get", "/api/v1/admin/closures", ["location": "$response.body#/location"])])]
        case ("post", "/api/v1/admin/tokens"):
            return [201: set([link("delete", "/api/v1/admin/tokens/{name}", ["name": "$response.body#/name"])])]
        case ("get", "/api/v1/locations/{id}"):
            let p = ["id": "$response.body#/id"]
            return [200: set([link("get", "/api/v1/locations/{id}/display", p), link("get", "/api/v1/locations/{id}/queue", p),
                              link("get", "/api/v1/locations/{id}/counters", p)])]
        default:
            return [:]
        }
    }
}
