// The one place where domain errors get their HTTP status: an exhaustive switch over the codes.
import LoketCore
import LoketHTTP
import LoketStore

extension LoketError: ProblemConvertible {
    /// The status for each code; adding a code without a status does not compile.
    public var status: Int {
        switch code {
        case .badRequest, .invalidDate, .invalidRange: return 400
        case .unauthorized: return 401
        case .forbidden: return 403
        case .notFound, .unknownService, .unknownLocation, .unknownCounter: return 404
        case .slotUnavailable, .serviceClosed, .tooEarly, .tooLate, .alreadyCheckedIn, .cancelled,
             .illegalTransition, .counterClosed, .contactLimit, .notToday, .wrongLocation, .appointmentMissed,
             .closureOverlap, .affectedChoiceRequired, .reloadRunning,
             .waitlistLimit, .offerExpired:
            return 409
        case .unsupportedMediaType: return 415
        case .invalid, .invalidConfig: return 422
        case .rateLimited: return 429
        case .referencesExhausted: return 503
        }
    }

    /// What each code means, the one table of problem codes (also in the OpenAPI document).
    /// A code means this one thing everywhere it is answered.
    public static func meaning(of code: Code) -> String {
        switch code {
        case .badRequest: return "The request cannot be read: not a JSON object, broken UTF-8, or no body."
        case .invalidDate: return "A date is not a real date written YYYY-MM-DD (named in `fields`)."
        case .invalidRange: return "A date range is reversed, too long, or beyond the booking horizon."
        case .unauthorized: return "No valid bearer token (missing, unknown or revoked)."
        case .forbidden: return "The token's role may not do this."
        case .notFound: return "No such ticket, or no appointment (or waitlist entry) with this reference (id) and token (the same answer for both)."
        case .unknownService: return "No service with this id."
        case .unknownLocation: return "No location with this id."
        case .unknownCounter: return "No counter with this id."
        case .slotUnavailable: return "The slot is not free (any more) for the whole visit; nothing was booked or moved."
        case .serviceClosed: return "Walk-in for this service is closed now; `nextOpening` says when it opens."
        case .tooEarly: return "Check-in opens later; `checkInOpens` says when."
        case .tooLate: return "Check-in for this appointment closed; ask at the desk."
        case .alreadyCheckedIn: return "The appointment is already checked in; `number` is its ticket."
        case .cancelled: return "The appointment was cancelled."
        case .illegalTransition: return "The ticket, counter or appointment is in a state that does not allow this."
        case .counterClosed: return "The counter must be open to call the next citizen."
        case .contactLimit: return "This contact already holds the most active appointments allowed."
        case .notToday: return "The appointment is on another day (`appointmentStart`)."
        case .wrongLocation: return "The appointment is at another office (`location`, `locationName`, `address`)."
        case .appointmentMissed: return "The appointment was marked no-show; check-in is no longer possible."
        case .reloadRunning: return "Another config reload is running; try again when it has answered."
        case .invalidConfig: return "The config files have problems, each in `errors` with file, line and column; the config in force keeps serving."
        case .closureOverlap: return "The closure overlaps another closure of the location (`closure` names it); lift that one first."
        case .affectedChoiceRequired: return "Some appointments no longer fit (`affected` lists them); send `\"affected\": \"cancel\"` or `\"keep\"`."
        case .waitlistLimit: return "This e-mail address already has the most active waitlist entries allowed (`waitlist.maxPerContact`)."
        case .offerExpired: return "The waitlist entry has no open offer: it lapsed (the slot went to the next in line) or none was made yet."
        case .unsupportedMediaType: return "The body must be sent as application/json."
        case .invalid: return "Some fields are not acceptable; `fields` names each with the reason."
        case .rateLimited: return "Too many requests from this address; `retryAfter` (and Retry-After) says when to try again."
        case .referencesExhausted: return "No free booking reference could be drawn; nothing was stored, try again (Retry-After)."
        }
    }

    public var problem: Problem {
        var extra: [String: ProblemValue] = [:]
        if !fields.isEmpty { extra["fields"] = .object(fields) }
        for (k, v) in self.extra { extra[k] = .string(v) }
        var headers: [(String, String)] = []
        if code == .unauthorized { headers.append(("WWW-Authenticate", "Bearer")) }
        if code == .rateLimited, let retry = self.extra["retryAfter"] { headers.append(("Retry-After", retry)) }
        if code == .referencesExhausted { headers.append(("Retry-After", "1")) }
        return Problem(status: status, code: code.rawValue, detail: detail, extra: extra, headers: headers)
    }
}

extension SQLiteError: ProblemConvertible {
    /// Storage trouble is never shown as text: a busy database is a 503 the client may retry.
    public var problem: Problem {
        if isBusy {
            return Problem(status: 503, code: "busy", detail: "The server is busy; try again in a moment.",
                           headers: [("Retry-After", "1")])
        }
        if isStorageFault {
            // Nothing was stored (the transaction rolled back); the client may try again later.
            return Problem(status: 503, code: "storage_unavailable",
                           detail: "Storing data is not possible right now; nothing was changed. Try again later.",
                           headers: [("Retry-After", "30")])
        }
        return Problem(status: 500, code: "storage_error", detail: "Storing or reading data failed on our side.")
    }
}
