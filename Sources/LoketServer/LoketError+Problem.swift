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
             .illegalTransition, .counterClosed, .contactLimit, .notToday, .wrongLocation, .appointmentMissed:
            return 409
        case .unsupportedMediaType: return 415
        case .invalid: return 422
        case .rateLimited: return 429
        case .referencesExhausted: return 503
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
        return Problem(status: 500, code: "storage_error", detail: "Storing or reading data failed on our side.")
    }
}
