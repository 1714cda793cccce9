// What a mail about an appointment says, frozen when the change that causes it is committed.
//
// The outbox stores one `AppointmentMail` as JSON beside the change; the sender composes the
// message from it later, possibly after a restart. It therefore holds everything the text needs
// (times, name, address, reason) and nothing is read back from the appointment, which may have
// changed again or been erased meanwhile. Only names of services and locations come from the
// catalogue at composing time.
import Foundation
import LoketCore

/// Why a citizen gets a mail.
public enum MailKind: String, Sendable, Codable, CaseIterable {
    /// The appointment was booked: the confirmation.
    case booked
    /// The appointment was moved to another time.
    case moved
    /// The appointment was cancelled, by the citizen or by the office.
    case cancelled
    /// The visit is soon.
    case reminder
}

/// Everything a message says, as it was when the change was committed (stored as JSON in the outbox row).
public struct AppointmentMail: Sendable, Codable, Hashable {
    public var kind: MailKind
    /// The appointment's reference, e.g. `K7M-3QX`.
    public var reference: String
    /// The secret for the manage link; nil: no manage link.
    public var manageToken: String?
    /// Location id.
    public var location: String
    /// Services and persons.
    public var items: [Appointment.Item]
    public var start: Date
    public var end: Date
    /// For `moved`: the start before the move.
    public var previousStart: Date?
    public var language: Language
    /// The citizen's name, as given when booking.
    public var name: String
    /// The citizen's e-mail address.
    public var email: String
    /// iCalendar `SEQUENCE`: 0 when booked, one more per move or cancel.
    public var sequence: Int
    /// For `cancelled`: the office cancelled, not the citizen.
    public var cancelledByOffice: Bool
    /// The office's reason for a cancellation, in the citizen's language.
    public var reason: String?
    /// For video appointments: the link to the call.
    public var meetingURL: String?

    public init(kind: MailKind, reference: String, manageToken: String?, location: String, items: [Appointment.Item],
                start: Date, end: Date, previousStart: Date? = nil, language: Language, name: String, email: String,
                sequence: Int, cancelledByOffice: Bool = false, reason: String? = nil, meetingURL: String? = nil) {
        self.kind = kind
        self.reference = reference
        self.manageToken = manageToken
        self.location = location
        self.items = items
        self.start = start
        self.end = end
        self.previousStart = previousStart
        self.language = language
        self.name = name
        self.email = email
        self.sequence = sequence
        self.cancelledByOffice = cancelledByOffice
        self.reason = reason
        self.meetingURL = meetingURL
    }
}
