// The OpenAPI 3.1 description of the API, served at /api/v1/openapi.json.
//
// Operations are listed once, as data; the JSON document is built from that list at start-up.
// A test checks that every `/api/v1` route the router knows appears here.
import Foundation
import LoketCore

enum OpenAPI {
    struct Operation {
        var method: String
        var path: String
        var summary: String
        var tag: String
        /// Roles allowed; empty = public.
        var roles: [String] = []
        var query: [(String, String, Bool)] = []
        /// Request body schema name in components, if any.
        var body: String?
        /// status -> (description, schema name or nil)
        var responses: [(Int, String, String?)]
    }

    static let problem = "Problem"
    /// The schema of `GET /metrics`, served as `text/plain; version=0.0.4`.
    static let metricsText = "PrometheusText"

    /// Problem codes the HTTP layer and the store answer with, besides the domain's `LoketError.Code`s.
    static let transportCodes = ["busy", "storage_unavailable", "storage_error", "body_too_large", "uri_too_long", "method_not_allowed",
                                 "not_implemented", "internal_error"]

    static let operations: [Operation] = [
        Operation(method: "get", path: "/api/v1/health",
                  summary: "Liveness, version, the server's clock, and checks: storage writes work, mail goes out.", tag: "public",
                  responses: [(200, "ok", "Health"), (503, "degraded: a check fails (named in `checks`); Retry-After", "Health")]),
        Operation(method: "get", path: "/api/v1/openapi.json", summary: "This document.", tag: "public", responses: [(200, "OK", nil)]),
        Operation(method: "get", path: "/metrics",
                  summary: "Prometheus metrics (text format 0.0.4): requests and latency by route pattern, tickets waiting per location and service, waits until called, open streams, outbox and mail, database size. Labels carry ids only, never personal data.",
                  tag: "public", responses: [(200, "OK", metricsText)]),
        Operation(method: "get", path: "/api/v1/locations", summary: "All locations.", tag: "public",
                  query: [("lang", "nl, fr, en or de", false)], responses: [(200, "OK", "LocationList")]),
        Operation(method: "get", path: "/api/v1/locations/{id}", summary: "One location.", tag: "public",
                  query: [("lang", "nl, fr, en or de", false)], responses: [(200, "OK", "Location"), (404, "Unknown location", problem)]),
        Operation(method: "get", path: "/api/v1/categories", summary: "Service categories in display order.", tag: "public",
                  query: [("lang", "nl, fr, en or de", false)], responses: [(200, "OK", nil)]),
        Operation(method: "get", path: "/api/v1/services", summary: "Catalogue search, ignoring case and diacritics; name matches rank first.",
                  tag: "public",
                  query: [("q", "search text", false), ("location", "only services offered here; adds walkInOpenNow", false),
                          ("channel", "appointment or walkin", false), ("category", "only this category", false),
                          ("lang", "nl, fr, en or de", false)],
                  responses: [(200, "OK", "ServiceList"), (404, "Unknown location", problem), (422, "Bad filter", problem)]),
        Operation(method: "get", path: "/api/v1/services/{id}", summary: "One service.", tag: "public",
                  responses: [(200, "OK", "Service"), (404, "Unknown service", problem)]),
        Operation(method: "get", path: "/api/v1/availability", summary: "Free slots for a visit.", tag: "booking",
                  query: [("service", "service id (or use items)", false), ("location", "location id", true),
                          ("from", "YYYY-MM-DD, default today", false), ("to", "YYYY-MM-DD, default from + 13 days", false),
                          ("persons", "1...maxPersons, default 1", false), ("items", "service:persons,service:persons", false)],
                  responses: [(200, "OK", "Availability"), (400, "Bad date or range", problem), (404, "Unknown service or location", problem),
                              (422, "Invalid values", problem), (429, "Rate limited", problem)]),
        Operation(method: "post", path: "/api/v1/appointments", summary: "Book an appointment.", tag: "booking", body: "BookingRequest",
                  responses: [(201, "Booked; keep manageToken", "Appointment"), (400, "Malformed body", problem),
                              (404, "Unknown service or location", problem), (409, "slot_unavailable or contact_limit", problem),
                              (415, "unsupported_media_type", problem), (422, "Invalid fields (named in `fields`)", problem),
                              (429, "Rate limited", problem), (503, "references_exhausted; try again", problem)]),
        Operation(method: "get", path: "/api/v1/appointments/{reference}", summary: "Read your appointment.", tag: "booking",
                  query: [("token", "manage token", true)],
                  responses: [(200, "OK", "Appointment"), (404, "Wrong reference or token (same answer)", problem)]),
        Operation(method: "delete", path: "/api/v1/appointments/{reference}", summary: "Cancel your appointment.", tag: "booking",
                  query: [("token", "manage token", true)],
                  responses: [(200, "Cancelled", "Appointment"), (404, "Wrong reference or token", problem),
                              (409, "Already checked in or done", problem)]),
        Operation(method: "post", path: "/api/v1/appointments/{reference}/cancel", summary: "Cancel (for clients that cannot send DELETE).",
                  tag: "booking", query: [("token", "manage token", true)],
                  responses: [(200, "Cancelled", "Appointment"), (404, "Wrong reference or token", problem)]),
        Operation(method: "post", path: "/api/v1/appointments/{reference}/reschedule", summary: "Move your appointment.", tag: "booking",
                  query: [("token", "manage token", true)], body: "RescheduleRequest",
                  responses: [(200, "Moved", "Appointment"), (404, "Wrong reference or token", problem),
                              (409, "New slot full; the old one is kept", problem), (422, "Invalid start", problem)]),
        Operation(method: "get", path: "/api/v1/appointments/{reference}/calendar.ics", summary: "iCalendar (RFC 5545) file.",
                  tag: "booking", query: [("token", "manage token", true)],
                  responses: [(200, "text/calendar", nil), (404, "Wrong reference or token", problem)]),
        Operation(method: "get", path: "/api/v1/qr.svg", summary: "A QR code (SVG) of `data`.", tag: "public",
                  query: [("data", "text, at most 1024 bytes", true)], responses: [(200, "image/svg+xml", nil), (422, "No data", problem)]),
        Operation(method: "get", path: "/api/v1/me", summary: "Who the bearer token belongs to.", tag: "staff",
                  roles: ["kiosk", "clerk", "admin"], responses: [(200, "OK", nil), (401, "No valid token", problem)]),
        Operation(method: "post", path: "/api/v1/tickets", summary: "Issue a walk-in ticket.", tag: "kiosk", roles: ["kiosk"],
                  body: "TicketRequest",
                  responses: [(201, "Issued", "Ticket"), (401, "No token", problem), (403, "Wrong role", problem),
                              (404, "Unknown service or location", problem), (409, "service_closed (with nextOpening)", problem),
                              (422, "Not a walk-in service here", problem)]),
        Operation(method: "post", path: "/api/v1/checkins", summary: "Check in a booked appointment.", tag: "kiosk", roles: ["kiosk"],
                  body: "CheckinRequest",
                  responses: [(201, "Checked in", "Ticket"), (404, "Unknown reference", problem),
                              (409, "too_early, too_late, not_today, already_checked_in (with number), cancelled, appointment_missed or wrong_location", problem)]),
        Operation(method: "get", path: "/api/v1/tickets/{id}", summary: "A ticket's live status (the id is the citizen's link).",
                  tag: "public", responses: [(200, "OK", "Ticket"), (404, "Unknown ticket", problem)]),
        Operation(method: "post", path: "/api/v1/counters/{id}/open", summary: "Open a counter.", tag: "counter", roles: ["clerk"],
                  responses: [(200, "OK", "Counter"), (404, "Unknown counter", problem)]),
        Operation(method: "post", path: "/api/v1/counters/{id}/pause",
                  summary: "Pause a counter (no new calls), with an optional reason shown to clerks until it opens again.", tag: "counter",
                  roles: ["clerk"], body: "PauseRequest",
                  responses: [(200, "OK", "Counter"), (400, "Malformed body", problem), (401, "No token", problem),
                              (403, "Wrong role", problem), (404, "Unknown counter", problem),
                              (422, "reason longer than 200 characters", problem)]),
        Operation(method: "post", path: "/api/v1/counters/{id}/close", summary: "Close a counter.", tag: "counter", roles: ["clerk"],
                  responses: [(200, "OK", "Counter"), (409, "A citizen is still at the counter", problem)]),
        Operation(method: "post", path: "/api/v1/counters/{id}/call-next", summary: "Call the next citizen (atomic).", tag: "counter",
                  roles: ["clerk"],
                  responses: [(200, "Called", "Ticket"), (204, "Nobody waits", nil), (409, "counter_closed", problem)]),
        Operation(method: "post", path: "/api/v1/counters/{id}/call",
                  summary: "Call one waiting or parked ticket out of order (by id or today's number); audited with the reason.",
                  tag: "counter", roles: ["clerk"], body: "CallRequest",
                  responses: [(200, "Called", "Ticket"), (400, "Malformed body", problem), (401, "No token", problem),
                              (403, "Wrong role", problem), (404, "Unknown counter or ticket", problem),
                              (409, "counter_closed, or illegal_transition when the ticket is not waiting or parked", problem),
                              (422, "Missing ticket or too long a reason", problem)]),
        Operation(method: "post", path: "/api/v1/counters/{id}/served",
                  summary: "Record a visit served without a ticket (origin `counter`, status done, no number of the day's sequence).",
                  tag: "counter", roles: ["clerk"], body: "ServedRequest",
                  responses: [(201, "Recorded", "Ticket"), (400, "Malformed body", problem), (401, "No token", problem),
                              (403, "Wrong role", problem), (404, "Unknown counter or service", problem),
                              (422, "Service not offered here, or outcome not one of the service's outcomes", problem)]),
        Operation(method: "post", path: "/api/v1/tickets/{id}/park",
                  summary: "The citizen steps away: the counter is free; the ticket keeps its place and comes back only by /call.",
                  tag: "counter", roles: ["clerk"],
                  responses: [(200, "Parked", "Ticket"), (404, "Unknown ticket", problem), (409, "illegal_transition", problem)]),
        Operation(method: "post", path: "/api/v1/tickets/{id}/recall", summary: "Call again; past the recall limit it becomes a no-show.",
                  tag: "counter", roles: ["clerk"], responses: [(200, "OK", "Ticket"), (409, "illegal_transition", problem)]),
        Operation(method: "post", path: "/api/v1/tickets/{id}/start", summary: "Start serving.", tag: "counter", roles: ["clerk"],
                  responses: [(200, "OK", "Ticket"), (409, "illegal_transition", problem)]),
        Operation(method: "post", path: "/api/v1/tickets/{id}/finish", summary: "Finish serving, optionally with one of the service's outcomes.",
                  tag: "counter", roles: ["clerk"], body: "FinishRequest",
                  responses: [(200, "OK", "Ticket"), (400, "Malformed body", problem), (409, "illegal_transition", problem),
                              (422, "outcome not one of the service's outcomes", problem)]),
        Operation(method: "post", path: "/api/v1/tickets/{id}/no-show", summary: "Mark as no-show.", tag: "counter", roles: ["clerk"],
                  responses: [(200, "OK", "Ticket"), (409, "illegal_transition", problem)]),
        Operation(method: "post", path: "/api/v1/tickets/{id}/transfer", summary: "Back to the queue for another service or counter, keeping its waiting time.",
                  tag: "counter", roles: ["clerk"], body: "TransferRequest",
                  responses: [(200, "OK", "Ticket"), (409, "illegal_transition", problem), (422, "Invalid target", problem)]),
        Operation(method: "get", path: "/api/v1/locations/{id}/counters", summary: "Counters and their state.", tag: "counter",
                  roles: ["clerk"], responses: [(200, "OK", nil)]),
        Operation(method: "get", path: "/api/v1/locations/{id}/queue", summary: "Waiting tickets in call order (no personal data).",
                  tag: "counter", roles: ["clerk"], responses: [(200, "OK", nil)]),
        Operation(method: "get", path: "/api/v1/locations/{id}/display", summary: "What a lobby display shows now.", tag: "public",
                  query: [("lang", "nl, fr, en or de", false)], responses: [(200, "OK", "Display")]),
        Operation(method: "get", path: "/api/v1/locations/{id}/events",
                  summary: "Live stream (text/event-stream): called, recalled, queue, ticket, counter, closure; send Last-Event-ID to catch up.",
                  tag: "public", responses: [(200, "text/event-stream", nil)]),
        Operation(method: "get", path: "/api/v1/appointments", summary: "Appointments of one day at a location.", tag: "admin",
                  roles: ["admin"], query: [("location", "location id", true), ("date", "YYYY-MM-DD, default today", false)],
                  responses: [(200, "OK", nil), (404, "unknown_location", problem), (422, "validation_failed: location is empty", problem)]),
        Operation(method: "get", path: "/api/v1/stats/day", summary: "A day's figures per location.", tag: "admin", roles: ["admin"],
                  query: [("date", "YYYY-MM-DD, default today", false)], responses: [(200, "OK", nil)]),
        Operation(method: "get", path: "/api/v1/stats/range",
                  summary: "Figures per location, service and day or ISO week (tickets, appointments, served, no-shows, nearest-rank wait p50/p90 and service p50 in minutes); no personal data.",
                  tag: "admin", roles: ["admin"],
                  query: [("from", "YYYY-MM-DD", true), ("to", "YYYY-MM-DD, at most 366 days on from `from`", true),
                          ("location", "only this location (default: all)", false), ("by", "day (default) or week (named by its Monday)", false)],
                  responses: [(200, "OK", "StatsRange"), (400, "invalid_date: from or to missing or not a date; invalid_range: to before from or over 366 days", problem),
                              (401, "unauthorized", problem), (403, "forbidden: not an admin", problem),
                              (404, "unknown_location", problem), (422, "validation_failed: by is not day or week", problem)]),
        Operation(method: "get", path: "/api/v1/stats/export.csv",
                  summary: "The same figures per location, service and day as a spreadsheet file: text/csv, UTF-8 with BOM, `;`-separated, decimal comma, CRLF; rows with all zeros left out.",
                  tag: "admin", roles: ["admin"],
                  query: [("from", "YYYY-MM-DD", true), ("to", "YYYY-MM-DD, at most 366 days on from `from`", true),
                          ("location", "only this location (default: all)", false), ("lang", "nl (default), fr, en or de: header row and names", false)],
                  responses: [(200, "text/csv; charset=utf-8, Content-Disposition attachment loket-stats-FROM-TO.csv", nil),
                              (400, "invalid_date or invalid_range", problem), (401, "unauthorized", problem),
                              (403, "forbidden: not an admin", problem), (404, "unknown_location", problem)]),
        Operation(method: "get", path: "/api/v1/admin/outbox", summary: "Citizen mail and its delivery (no addresses or content).",
                  tag: "admin", roles: ["admin"], query: [("status", "pending, sent or failed", false)],
                  responses: [(200, "OK", nil), (401, "No token", problem), (403, "Not an admin", problem), (422, "Unknown status", problem)]),
        Operation(method: "post", path: "/api/v1/admin/reload",
                  summary: "Re-read the config folder and swap it in whole, without dropping connections or display streams (also `loket reload` and SIGHUP).",
                  tag: "admin", roles: ["admin"],
                  responses: [(200, "Reloaded; `orphaned` lists the booked appointments the new rules no longer fit", "Reload"),
                              (409, "reload_running: another reload is running", problem),
                              (422, "invalid_config: every problem in `errors`; the config in force keeps serving", problem),
                              (503, "storage_unavailable: the old config keeps serving", problem)]),
        Operation(method: "post", path: "/api/v1/admin/closures",
                  summary: "Close a location, or run it with fewer desks, from `from` to `to`; `dryRun` lists the appointments that would no longer fit (the slot engine's capacity sweep, in booking order).",
                  tag: "admin", roles: ["admin"], body: "ClosureRequest",
                  responses: [(200, "dryRun: the affected appointments", "ClosureAffected"), (201, "Applied", "ClosureApplied"),
                              (400, "invalid_range: from not before to, longer than 62 days or already over; bad_request", problem),
                              (404, "unknown_location", problem),
                              (409, "closure_overlap (with `closure`) or affected_choice_required (with `affected`)", problem),
                              (415, "unsupported_media_type", problem),
                              (422, "validation_failed: desks out of range, bad affected or reason (named in `fields`)", problem)]),
        Operation(method: "get", path: "/api/v1/admin/closures", summary: "Closures not lifted that have not ended, by start.",
                  tag: "admin", roles: ["admin"], query: [("location", "only this location", false)],
                  responses: [(200, "OK", "ClosureList"), (404, "unknown_location", problem)]),
        Operation(method: "delete", path: "/api/v1/admin/closures/{id}",
                  summary: "Lift a closure: its time is bookable again at once (lifting twice answers the same).", tag: "admin",
                  roles: ["admin"], responses: [(200, "Lifted (with liftedAt)", "Closure"), (404, "not_found", problem)]),
        Operation(method: "post", path: "/api/v1/waitlist",
                  summary: "Join the waitlist for a service at a location on any day of a range; a freed slot is offered by mail, first come first served.",
                  tag: "waitlist", body: "WaitlistJoinRequest",
                  responses: [(201, "In line; keep the token (the mail links to the waitlist page)", "WaitlistJoined"),
                              (400, "Malformed body, or invalid_range (reversed, too long, past or beyond the horizon)", problem),
                              (404, "unknown_service or unknown_location", problem), (409, "waitlist_limit", problem),
                              (415, "unsupported_media_type", problem), (422, "Invalid fields (named in `fields`)", problem),
                              (429, "Rate limited", problem)]),
        Operation(method: "get", path: "/api/v1/waitlist/{id}", summary: "Read your waitlist entry: status, place in line, the open offer.",
                  tag: "waitlist", query: [("token", "the entry's token", true), ("lang", "nl, fr, en or de (names)", false)],
                  responses: [(200, "OK", "WaitlistEntry"), (404, "Wrong id or token (same answer)", problem), (429, "Rate limited", problem)]),
        Operation(method: "delete", path: "/api/v1/waitlist/{id}", summary: "Leave the waitlist (an offered slot is released); idempotent.",
                  tag: "waitlist", query: [("token", "the entry's token", true)],
                  responses: [(200, "Left (or the entry as it was, once ended)", "WaitlistEntry"), (404, "Wrong id or token", problem),
                              (429, "Rate limited", problem)]),
        Operation(method: "post", path: "/api/v1/waitlist/{id}/accept", summary: "Book the offered slot (exactly the held one).",
                  tag: "waitlist", query: [("token", "the entry's token", true)], body: "RescheduleRequest",
                  responses: [(201, "Booked; keep manageToken", "Appointment"), (400, "Malformed body", problem),
                              (404, "Wrong id or token", problem),
                              (409, "offer_expired (lapsed or none yet), illegal_transition (booked or left), contact_limit", problem),
                              (422, "`start` is not the offered slot", problem), (429, "Rate limited", problem),
                              (503, "references_exhausted; try again", problem)]),
        Operation(method: "get", path: "/api/v1/admin/waitlist", summary: "Who waits, in line order per service and location (no names, no addresses).",
                  tag: "admin", roles: ["admin"], query: [("location", "location id", false), ("service", "service id", false)],
                  responses: [(200, "OK", "WaitlistList"), (404, "Unknown location or service", problem)]),
        Operation(method: "get", path: "/api/v1/audit", summary: "Audit log: who did what, when.", tag: "admin", roles: ["admin"],
                  query: [("date", "YYYY-MM-DD, default today (Europe/Brussels)", false),
                          ("actor", "only this actor (token name, cli or system), exactly", false),
                          ("action", "only actions starting with this, e.g. `closure.` or `token.add`", false)],
                  responses: [(200, "OK", nil), (400, "invalid_date", problem), (401, "No token", problem), (403, "Not an admin", problem),
                              (422, "validation_failed: a filter longer than 100 characters", problem)]),
        Operation(method: "get", path: "/api/v1/admin/tokens",
                  summary: "Every token ever made, oldest first: name, role, createdAt, lastUsedAt (written at most once a minute), revoked. Never the token or its hash.",
                  tag: "admin", roles: ["admin"],
                  responses: [(200, "OK", "TokenList"), (401, "No token", problem), (403, "Not an admin", problem)]),
        Operation(method: "post", path: "/api/v1/admin/tokens",
                  summary: "Make a token (as `loket token add`); the answer shows it this once, only its hash is stored. Audited as token.add.",
                  tag: "admin", roles: ["admin"], body: "TokenRequest",
                  responses: [(201, "Made; keep the token now", "NewToken"), (400, "Malformed body", problem),
                              (401, "No token", problem), (403, "Not an admin", problem), (415, "unsupported_media_type", problem),
                              (422, "validation_failed: role not kiosk, clerk or admin; name not 1 to 100 characters", problem)]),
        Operation(method: "delete", path: "/api/v1/admin/tokens/{name}",
                  summary: "Revoke every live token with this name, at once. Audited as token.revoke.", tag: "admin", roles: ["admin"],
                  responses: [(200, "Revoked: {name, revoked: how many}", nil), (401, "No token", problem), (403, "Not an admin", problem),
                              (404, "not_found: no live token with this name", problem)]),
    ]

    static func ref(_ name: String) -> [String: Any] { ["$ref": "#/components/schemas/\(name)"] }
    static func obj(_ props: [String: Any], required: [String] = []) -> [String: Any] {
        ["type": "object", "properties": props, "required": required]
    }
    /// A request body object as `FieldReader` reads it: unknown members are ignored, and an optional
    /// member sent as `null` counts as left out.
    static func requestObj(_ props: [String: Any], required: [String] = []) -> [String: Any] {
        var nullable: [String: Any] = [:]
        for (name, schema) in props {
            guard !required.contains(name), let schema = schema as? [String: Any] else {
                nullable[name] = props[name]
                continue
            }
            if let type = schema["type"] as? String, schema["enum"] == nil {
                nullable[name] = schema.merging(["type": [type, "null"]]) { _, new in new }
            } else {
                nullable[name] = ["anyOf": [schema, ["type": "null"]]]
            }
        }
        return obj(nullable, required: required)
    }
    static var str: [String: Any] { ["type": "string"] }
    /// A required text field as `FieldReader.string` reads it: at most `max` code points, no control characters, not blank.
    static func text(_ max: Int) -> [String: Any] { ["type": "string", "maxLength": max, "pattern": someText] }
    /// An optional text field: blank counts as absent.
    static func optText(_ max: Int) -> [String: Any] { ["type": "string", "maxLength": max, "pattern": plainText] }
    /// A date-time with an offset, as `parseInstant` reads it.
    static var instant: [String: Any] {
        ["type": "string", "format": "date-time", "maxLength": 40,
         "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,9})?)?([Zz]|[+-][0-9]{2}:[0-9]{2})$"]
    }
    static var langField: [String: Any] { ["type": "string", "enum": languages] }
    static var int: [String: Any] { ["type": "integer"] }
    static var time: [String: Any] { ["type": "string", "format": "date-time"] }

    static var schemas: [String: Any] { [
        "Problem": obj(["type": str, "title": str, "status": int, "detail": str, "requestId": str,
                        "code": ["type": "string",
                                 "enum": LoketError.Code.allCases.map(\.rawValue) + OpenAPI.transportCodes,
                                 "description": LoketError.Code.allCases.map { "`\($0.rawValue)`: \(LoketError.meaning(of: $0))" }
                                     .joined(separator: "\n")],
                        "fields": ["type": "object", "additionalProperties": str],
                        "nextOpening": time, "appointmentStart": time, "checkInOpens": time, "number": str, "location": str,
                        "locationName": str, "address": str, "retryAfter": str, "closure": str,
                        "affected": ["type": "array", "items": ref("AffectedAppointment")],
                        "errors": ["type": "array", "items": obj(["file": str, "line": int, "column": int, "message": str],
                                                                  required: ["file", "line", "column", "message"])]],
                       required: ["status", "title", "detail", "code"]),
        "Health": obj(["status": ["type": "string", "enum": ["ok", "degraded"]], "version": str, "now": time, "municipality": str,
                       "checks": ["type": "object", "additionalProperties": str]], required: ["status", "version", "checks"]),
        "Orphan": obj(["reference": str, "location": str, "service": str, "persons": int, "start": time, "end": time,
                       "reason": ["type": "string", "enum": ["location_gone", "service_gone", "not_offered", "capacity"]]],
                      required: ["reference", "location", "service", "start", "end", "reason"]),
        "Reload": obj(["reloadedAt": time, "locations": int, "services": int, "counters": int,
                       "orphaned": ["type": "array", "items": ref("Orphan")]],
                      required: ["reloadedAt", "orphaned"]),
        "Location": obj(["id": str, "name": str, "names": ["type": "object"], "address": str, "kind": str, "timeZone": str]),
        "LocationList": ["type": "array", "items": ref("Location")],
        "Service": obj(["id": str, "name": str, "category": str, "categoryName": str, "durationMinutes": int, "maxPersons": int,
                        "channels": ["type": "array", "items": str], "locations": ["type": "array", "items": str], "prefix": str,
                        "bring": ["type": ["string", "null"]], "walkInOpenNow": ["type": "boolean"],
                        "outcomes": ["type": "array", "items": obj(["id": str, "name": str])]]),
        "ServiceList": ["type": "array", "items": ref("Service")],
        "Availability": obj(["location": str, "durationMinutes": int, "from": str, "to": str,
                             "slots": ["type": "array", "items": obj(["start": time, "end": time, "free": int])]]),
        "BookingRequest": requestObj(["service": text(64), "persons": ["type": "integer", "minimum": 1, "maximum": 50],
                               "items": ["type": "array", "minItems": 1,
                                         "items": obj(["service": text(64), "persons": ["type": "integer", "minimum": 1, "maximum": 50]],
                                                      required: ["service"])],
                               "location": text(64), "start": instant, "name": text(100),
                               "email": ["type": "string", "maxLength": 254, "pattern": "^[^@\\s\\x00-\\x1f\\x7f-\\x9f]+@[^@.\\s\\x00-\\x1f\\x7f-\\x9f][^@\\s\\x00-\\x1f\\x7f-\\x9f]*\\.[^@.\\s\\x00-\\x1f\\x7f-\\x9f]+$"],
                               "phone": ["type": "string", "pattern": "^\\+?[0-9 ./()-]{8,29}$", "maxLength": 30,
                                         "description": "8 to 15 digits, with spaces, dots, dashes, slashes or brackets"],
                               "lang": langField],
                              required: ["location", "start", "name"])
            .merging(["allOf": [["anyOf": [["required": ["service"]], ["required": ["items"]]]],
                                ["anyOf": [["required": ["email"]], ["required": ["phone"]]]]]]) { a, _ in a },
        "RescheduleRequest": requestObj(["start": instant], required: ["start"]),
        "Appointment": obj(["reference": str, "manageToken": str, "location": str, "service": str, "persons": int, "start": time,
                            "end": time, "status": str, "name": str, "email": str, "phone": str, "lang": str, "createdAt": time]),
        "WaitlistJoinRequest": requestObj(["service": text(64), "location": text(64), "from": ["type": "string", "format": "date"],
                                    "to": ["type": "string", "format": "date"], "persons": ["type": "integer", "minimum": 1, "maximum": 50],
                                    "email": ["type": "string", "maxLength": 254, "pattern": "^[^@\\s\\x00-\\x1f\\x7f-\\x9f]+@[^@.\\s\\x00-\\x1f\\x7f-\\x9f][^@\\s\\x00-\\x1f\\x7f-\\x9f]*\\.[^@.\\s\\x00-\\x1f\\x7f-\\x9f]+$"],
                                    "name": optText(100), "lang": langField],
                                   required: ["service", "location", "from", "to", "email"]),
        "WaitlistJoined": obj(["id": str, "token": str, "status": ["type": "string", "enum": ["waiting"]]], required: ["id", "token", "status"]),
        "WaitlistEntry": obj(["id": str, "service": str, "location": str, "from": str, "to": str, "persons": int,
                              "status": ["type": "string", "enum": WaitlistStatus.allCases.map(\.rawValue)],
                              "position": ["type": ["integer", "null"]], "joinedAt": time,
                              "offer": ["oneOf": [obj(["start": time, "end": time, "expiresAt": time]), ["type": "null"]]],
                              "serviceName": str, "locationName": str, "appointment": ["type": ["string", "null"]]],
                             required: ["id", "service", "location", "from", "to", "persons", "status", "position", "joinedAt", "offer"]),
        "WaitlistList": ["type": "array", "items": ref("WaitlistEntry")],
        "TicketRequest": requestObj(["location": text(64), "service": text(64), "priority": ["type": "boolean"], "lang": optText(10)],
                             required: ["location", "service"]),
        "CheckinRequest": requestObj(["reference": text(200), "location": optText(64), "lang": optText(10)], required: ["reference"]),
        "TransferRequest": requestObj(["service": text(64), "counter": text(64)])
            .merging(["anyOf": [["required": ["service"]], ["required": ["counter"]]]]) { a, _ in a },
        "PauseRequest": requestObj(["reason": optText(200)]),
        "CallRequest": requestObj(["ticket": text(64).merging(["description": "ticket id or today's number, e.g. A012"]) { a, _ in a },
                            "reason": optText(200)], required: ["ticket"]),
        "ServedRequest": requestObj(["service": text(64), "outcome": optText(64)], required: ["service"]),
        "FinishRequest": requestObj(["outcome": optText(64).merging(["description": "an id from the service's outcomes"]) { a, _ in a }]),
        "Ticket": obj(["id": str, "number": str, "service": str, "serviceName": str, "location": str, "origin": str, "status": str,
                       "position": int, "estimatedWaitMinutes": int, "issuedAt": time, "calledAt": time, "counter": str,
                       "counterName": str, "statusUrl": str, "outcome": str,
                       "eventTag": ["type": "string", "description": "what the location's live stream calls this ticket in its called, recalled and ticket events (never the id, which is the citizen's link)"],
                       "countersOpen": ["type": "boolean", "description": "while waiting: false when no counter serving it is open; the estimate then counts the planned counters"],
                       "opensAt": ["type": "string", "format": "date-time", "description": "with countersOpen false: today's next opening for the service"]]),
        "Counter": obj(["id": str, "name": str, "location": str, "state": str, "current": ref("Ticket"), "pauseReason": str]),
        "Display": obj(["location": str, "name": str, "called": ["type": "array", "items": obj(["number": str, "counter": str, "calledAt": time])],
                        "waiting": ["type": "array"], "totalWaiting": int,
                        "closure": ["type": ["object", "null"], "description": "A closure in force now (null while open)",
                                    "properties": ["id": str, "until": time, "reason": ["type": ["string", "null"]],
                                                   "reasons": ["type": ["object", "null"], "additionalProperties": str,
                                                               "description": "the reason per language it was given in"]]]]),
        "ClosureRequest": requestObj(["location": text(64), "from": instant, "to": instant,
                               "desks": ["type": "integer", "minimum": 0, "maximum": 10_000, "description": "desks left, default 0 (closed)"],
                               "reason": ["oneOf": [str, obj(["nl": str, "fr": str, "en": str, "de": str])]],
                               "dryRun": ["type": "boolean"], "affected": ["type": "string", "enum": ["cancel", "keep"]]],
                              required: ["location", "from", "to"]),
        "AffectedAppointment": obj(["reference": str, "start": time, "end": time, "service": str, "persons": int]),
        "ClosureAffected": obj(["affected": ["type": "array", "items": ref("AffectedAppointment")]], required: ["affected"]),
        "ClosureApplied": obj(["id": str, "location": str, "from": time, "to": time, "desks": int, "reason": ["type": "object"],
                               "cancelled": ["type": "array", "items": str], "kept": ["type": "array", "items": str]]),
        "Closure": obj(["id": str, "location": str, "from": time, "to": time, "desks": int, "reason": ["type": "object"],
                        "createdAt": time, "createdBy": str, "affected": ["type": ["string", "null"], "enum": ["cancel", "keep", NSNull()]],
                        "liftedAt": time, "liftedBy": str]),
        "ClosureList": ["type": "array", "items": ref("Closure")],
        "PrometheusText": ["type": "string", "description": "Prometheus text exposition format 0.0.4 (# HELP, # TYPE and sample lines)"],
        "StatsRow": obj(["location": str, "period": ["type": "string", "format": "date", "description": "the day, or the Monday of the week"],
                         "service": ["type": "string", "description": "absent in totals"], "tickets": int, "appointments": int,
                         "served": int, "noShows": int, "waitMinutesP50": ["type": ["number", "null"], "description": "minutes, 0.1 precision, nearest-rank; null when no value"], "waitMinutesP90": ["type": ["number", "null"], "description": "minutes, 0.1 precision, nearest-rank; null when no value"], "serviceMinutesP50": ["type": ["number", "null"], "description": "minutes, 0.1 precision, nearest-rank; null when no value"]],
                        required: ["location", "period", "tickets", "appointments", "served", "noShows",
                                   "waitMinutesP50", "waitMinutesP90", "serviceMinutesP50"]),
        "StatsRange": obj(["from": str, "to": str, "by": ["type": "string", "enum": ["day", "week"]],
                           "rows": ["type": "array", "items": ref("StatsRow"), "description": "per service, only where something happened"],
                           "totals": ["type": "array", "items": ref("StatsRow"), "description": "all services, every period of the range"]],
                          required: ["from", "to", "by", "rows", "totals"]),
        "TokenRequest": requestObj(["role": ["type": "string", "enum": ["kiosk", "clerk", "admin"]],
                             "name": ["type": "string", "maxLength": 100, "pattern": "^[^/\\x00-\\x1f\\x7f-\\x9f]*[^/\\s\\x00-\\x1f\\x7f-\\x9f][^/\\x00-\\x1f\\x7f-\\x9f]*$"]],
                            required: ["role", "name"]),
        "NewToken": obj(["token": str, "name": str, "role": str], required: ["token", "name", "role"]),
        "TokenList": ["type": "array", "items": obj(["name": str, "role": str, "createdAt": time,
                                                     "lastUsedAt": ["type": ["string", "null"], "format": "date-time"],
                                                     "revoked": ["type": "boolean"]])],
    ] }

    /// Every (method, path) described, for the route coverage test.
    static var described: [(method: String, path: String)] { operations.map { ($0.method.uppercased(), $0.path) } }

    /// Bodies a request may leave out altogether.
    static let optionalBodies: Set<String> = ["PauseRequest", "FinishRequest"]

    /// The serialized document.
    static let document: String = {
        var paths: [String: [String: Any]] = [:]
        for op in operations {
            let key = op.method + " " + op.path
            let overrides = parameterSchemas[key] ?? [:]
            var parameters: [[String: Any]] = []
            let pathNames = op.path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) }
            for name in pathNames {
                var parameter: [String: Any] = ["name": name, "in": "path", "required": true,
                                                "schema": overrides[name] ?? pathSchema(name, path: op.path)]
                if let example = pathExample(name, path: op.path) { parameter["example"] = example }
                parameters.append(parameter)
            }
            for (name, description, required) in op.query {
                parameters.append(["name": name, "in": "query", "required": required, "description": description,
                                   "schema": overrides[name] ?? querySchema(name)])
            }
            var responses: [String: Any] = [:]
            for (status, description, schema) in op.responses {
                var r: [String: Any] = ["description": description]
                if let schema {
                    let type = schema == problem ? "application/problem+json"
                        : schema == metricsText ? "text/plain; version=0.0.4" : "application/json"
                    r["content"] = [type: ["schema": schema == problem ? problemSchema(status, description, op: op) : ref(schema)]]
                }
                if status == 503 || status == 429 { r["headers"] = retryAfterHeader }
                responses[String(status)] = r
            }
            for (status, description) in standardAnswers(op) where responses[String(status)] == nil {
                var r: [String: Any] = ["description": description,
                                        "content": ["application/problem+json": ["schema": problemSchema(status, description, op: op)]]]
                if status == 503 || status == 429 { r["headers"] = retryAfterHeader }
                responses[String(status)] = r
            }
            for (status, links) in links(op) {
                if var r = responses[String(status)] as? [String: Any] {
                    r["links"] = links
                    responses[String(status)] = r
                }
            }
            var operation: [String: Any] = ["summary": op.summary, "tags": [op.tag], "parameters": parameters, "responses": responses,
                                            "operationId": operationID(op.method, op.path)]
            if let body = op.body {
                var media: [String: Any] = ["schema": ref(body)]
                if let example = bodyExamples[body] { media["example"] = example }
                // A pause's reason and a finish's outcome are optional: no body at all is fine there.
                operation["requestBody"] = ["required": !optionalBodies.contains(body), "content": ["application/json": media]]
            }
            if !op.roles.isEmpty {
                operation["security"] = [["bearer": []]]
                operation["description"] = "Roles: " + op.roles.joined(separator: ", ") + " (admin may do everything)."
            }
            paths[op.path, default: [:]][op.method] = operation
        }
        let doc: [String: Any] = [
            "openapi": "3.1.0",
            "info": ["title": "Loket", "version": "1",
                     "description": "The front desk of a municipality: catalogue, bookings, queue tickets, counters and lobby displays. Errors are RFC 9457 problem details with a machine-readable `code`."],
            "paths": paths,
            "components": ["schemas": schemas,
                           "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer",
                                                          "description": "Made by `loket token add --role kiosk|clerk|admin --name NAME`."]]],
        ]
        let data = try! JSONSerialization.data(withJSONObject: doc, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }()
}
