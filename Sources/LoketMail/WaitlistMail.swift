// What a mail about a waitlist entry says, frozen when the change that causes it is committed
// (stored as JSON in the outbox row, like `AppointmentMail`). The entry's token is not stored:
// the sender derives it when it writes the message, for the link to the waitlist page.
import Foundation
import LoketCore

/// Why a citizen on the waitlist gets a mail.
public enum WaitlistMailKind: String, Sendable, Codable, CaseIterable {
    /// Joined: the confirmation, with the link to the waitlist page (to leave).
    case joined
    /// A slot is held: what, when, until when, and the link to accept or leave.
    case offer
    /// The offer lapsed.
    case expired

    /// The outbox `kind` of this mail, e.g. `waitlist-offer`.
    public var outboxKind: String { "waitlist-\(rawValue)" }

    /// The kind of an outbox row, or nil when the row is not a waitlist mail.
    public init?(outboxKind: String) {
        guard outboxKind.hasPrefix("waitlist-") else { return nil }
        self.init(rawValue: String(outboxKind.dropFirst("waitlist-".count)))
    }
}

/// Everything a waitlist message says.
public struct WaitlistMail: Sendable, Codable, Hashable {
    public var kind: WaitlistMailKind
    /// The entry's id.
    public var id: String
    /// The entry's token for the page link; nil at rest (the sender fills it in).
    public var token: String?
    public var location: String
    public var service: String
    public var persons: Int
    /// The range asked for, `YYYY-MM-DD`.
    public var from: String
    public var to: String
    public var language: Language
    /// The citizen's name, when given.
    public var name: String?
    public var email: String
    /// For `offer` (and `expired`): the held slot and when the hold ends.
    public var offerStart: Date?
    public var offerEnd: Date?
    public var expiresAt: Date?

    public init(kind: WaitlistMailKind, id: String, token: String? = nil, location: String, service: String, persons: Int,
                from: String, to: String, language: Language, name: String?, email: String,
                offerStart: Date? = nil, offerEnd: Date? = nil, expiresAt: Date? = nil) {
        self.kind = kind
        self.id = id
        self.token = token
        self.location = location
        self.service = service
        self.persons = persons
        self.from = from
        self.to = to
        self.language = language
        self.name = name
        self.email = email
        self.offerStart = offerStart
        self.offerEnd = offerEnd
        self.expiresAt = expiresAt
    }
}
