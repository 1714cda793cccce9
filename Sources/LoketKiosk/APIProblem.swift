// An RFC 9457 problem answer (`application/problem+json`): status, code and the extra facts the
// kiosk explains to people. The server sends `code`, `title`, `detail`, `status`, `fields` and
// only the string members in ``APIProblem/Member``; nothing else is read.
import Foundation

/// A 4xx answer of the API, reduced to what the kiosk uses.
public struct APIProblem: Equatable, Sendable {
    /// The extra string members a problem can carry, and with which codes.
    public enum Member: String, CaseIterable, Sendable {
        /// `service_closed`: when walk-in opens again (ISO 8601 instant with offset), when known.
        case nextOpening
        /// `too_early`, `too_late`, `appointment_missed`, `not_today`, `wrong_location`.
        case appointmentStart
        /// `too_early`: from when check-in is possible.
        case checkInOpens
        /// `wrong_location`: where the appointment really is.
        case location, locationName, address
        /// `already_checked_in`: the number of the ticket issued at check-in, when known.
        case number
        /// `rate_limited`: seconds to wait.
        case retryAfter
    }

    /// HTTP status, 400-499.
    public var status: Int
    /// Machine-readable reason, e.g. `service_closed`; empty when the body had none.
    public var code: String
    /// The server's sentence for people (English); shown to no visitor, logged only.
    public var detail: String
    /// The extra members the body had, e.g. ``Member/nextOpening``.
    public var members: [Member: String]

    /// A problem from its parts.
    public init(status: Int, code: String = "", detail: String = "", members: [Member: String] = [:]) {
        self.status = status
        self.code = code
        self.detail = detail
        self.members = members
    }

    /// Reads a problem body; a body that is not a JSON object still gives the status.
    public init(status: Int, body: [UInt8]) {
        self.init(status: status)
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else { return }
        code = object["code"] as? String ?? ""
        detail = object["detail"] as? String ?? ""
        for member in Member.allCases {
            if let value = object[member.rawValue] as? String { members[member] = value }
        }
    }

    /// The member's value, or nil when it is absent or empty.
    public subscript(member: Member) -> String? {
        guard let value = members[member], !value.isEmpty else { return nil }
        return value
    }
}
