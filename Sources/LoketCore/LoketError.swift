// The one error type of the domain. Each `Code` maps to exactly one HTTP status in
// LoketServer (an exhaustive switch), so a new code cannot forget its status.

/// An error a client can act on: what went wrong, which field, and why.
public struct LoketError: Error, Sendable, Equatable {
    /// Machine-readable reason, sent to clients as the problem `code`.
    public enum Code: String, Sendable, CaseIterable {
        // 400: the request itself is malformed.
        case badRequest = "bad_request"
        case invalidDate = "invalid_date"
        case invalidRange = "invalid_range"
        // 401/403
        case unauthorized
        case forbidden
        // 404
        case notFound = "not_found"
        case unknownService = "unknown_service"
        case unknownLocation = "unknown_location"
        case unknownCounter = "unknown_counter"
        // 409: the request is fine, the state does not allow it.
        case slotUnavailable = "slot_unavailable"
        case serviceClosed = "service_closed"
        case tooEarly = "too_early"
        case tooLate = "too_late"
        case alreadyCheckedIn = "already_checked_in"
        case cancelled
        case illegalTransition = "illegal_transition"
        case counterClosed = "counter_closed"
        case contactLimit = "contact_limit"
        case notToday = "not_today"
        case wrongLocation = "wrong_location"
        /// The appointment was marked no-show: check-in is no longer possible.
        case appointmentMissed = "appointment_missed"
        /// A config reload is already running.
        case reloadRunning = "reload_running"
        /// A runtime closure overlaps another of the same location (`closure` names it).
        case closureOverlap = "closure_overlap"
        /// A closure affects appointments and the admin did not say `cancel` or `keep` (`affected` lists them).
        case affectedChoiceRequired = "affected_choice_required"
        /// The contact already has the most active waitlist entries allowed.
        case waitlistLimit = "waitlist_limit"
        /// The waitlist entry has no open offer (it lapsed, or none was made yet).
        case offerExpired = "offer_expired"
        // 422: well-formed, but the values are not acceptable.
        case invalid = "validation_failed"
        /// The config files have problems (listed in `errors`); the config in force keeps serving.
        case invalidConfig = "invalid_config"
        // 415
        case unsupportedMediaType = "unsupported_media_type"
        // 429
        case rateLimited = "rate_limited"
        // 503: try again in a moment.
        /// No free reference code could be drawn (the code space is crowded); nothing was stored.
        case referencesExhausted = "references_exhausted"
    }

    public var code: Code
    /// One sentence for people, never containing personal data.
    public var detail: String
    /// Names of the fields at fault, for forms to highlight.
    public var fields: [String: String]
    /// Extra machine-readable facts, e.g. `nextOpening` for `service_closed`.
    public var extra: [String: String]

    public init(_ code: Code, _ detail: String, fields: [String: String] = [:], extra: [String: String] = [:]) {
        self.code = code
        self.detail = detail
        self.fields = fields
        self.extra = extra
    }
}
