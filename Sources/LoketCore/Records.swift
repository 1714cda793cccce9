// The two things Loket stores for people: appointments (booked ahead) and tickets (queue entries).
//
// Instants are UTC `Date`s; the location's zone turns them into wall-clock times at the edges.
import Foundation

/// Where an appointment stands.
public enum AppointmentStatus: String, Sendable, Codable, CaseIterable {
    case booked
    case checkedIn = "checked-in"
    case called
    case serving
    case done
    case noShow = "no-show"
    case cancelled
}

/// A booked visit. Holds the only personal data in Loket (name and contact), erased after retention.
public struct Appointment: Sendable, Hashable {
    /// Short code the citizen quotes, e.g. `K7M-3QX`.
    public var reference: String
    public var location: String
    public var items: [Item]
    public var start: Date
    public var end: Date
    public var status: AppointmentStatus
    public var name: String
    public var email: String?
    public var phone: String?
    public var language: Language
    public var channel: BookingChannel
    public var createdAt: Date
    /// The ticket made at check-in, if any.
    public var ticketID: String?
    /// Changes since booking (each move or cancel adds one): the calendar file's `SEQUENCE`.
    public var revision: Int
    /// A video appointment's unguessable room on the location's `videoBaseURL`.
    public var meetingRoom: String?

    /// One service of the visit and how many people need it.
    public struct Item: Sendable, Hashable, Codable {
        public var service: String
        public var persons: Int
        public init(service: String, persons: Int) {
            self.service = service
            self.persons = persons
        }
    }

    public init(reference: String, location: String, items: [Item], start: Date, end: Date, status: AppointmentStatus,
                name: String, email: String?, phone: String?, language: Language, channel: BookingChannel,
                createdAt: Date, ticketID: String? = nil, revision: Int = 0, meetingRoom: String? = nil) {
        self.reference = reference
        self.location = location
        self.items = items
        self.start = start
        self.end = end
        self.status = status
        self.name = name
        self.email = email
        self.phone = phone
        self.language = language
        self.channel = channel
        self.createdAt = createdAt
        self.ticketID = ticketID
        self.revision = revision
        self.meetingRoom = meetingRoom
    }

    /// The meeting link of a video appointment at `location`, nil for a visit in person.
    public func meetingURL(at location: Location?) -> String? {
        guard let room = meetingRoom, let base = location?.videoBaseURL else { return nil }
        return base + "/" + room
    }
}

/// How a ticket came to be.
public enum TicketOrigin: String, Sendable, Codable {
    /// Taken at a kiosk (or the terminal kiosk).
    case walkin
    /// Made by checking in a booked appointment.
    case appointment
    /// A visit served at a counter without a ticket, recorded for the statistics (`QueueDesk.served`):
    /// status `done` at once, no number from the day's sequence, never on a display.
    case counter
}

/// A queue entry. Never holds personal data: displays show its number only.
public struct Ticket: Sendable, Hashable {
    /// Unguessable id; doubles as the citizen's status link `/t/{id}`.
    public var id: String
    public var location: String
    /// Civil date (location zone) the ticket belongs to; numbering restarts per day.
    public var day: CivilDate
    /// Prefix plus sequence, e.g. `A012`.
    public var number: String
    public var service: String
    public var origin: TicketOrigin
    public var isPriority: Bool
    public var status: TicketStatus
    public var issuedAt: Date
    /// When its wait started counting; kept across transfers.
    public var waitingSince: Date
    public var calledAt: Date?
    public var startedAt: Date?
    public var finishedAt: Date?
    /// The counter that called it (or that it was transferred to).
    public var counter: String?
    /// Only this counter may call it (after a transfer to a counter).
    public var targetCounter: String?
    public var appointmentReference: String?
    public var appointmentStart: Date?
    public var recalls: Int
    /// Why it was closed at day end, etc.
    public var closeReason: String?
    /// How the visit ended: the id of one of the service's `outcomes`, set on finish.
    public var outcome: String?

    public init(id: String, location: String, day: CivilDate, number: String, service: String, origin: TicketOrigin,
                isPriority: Bool = false, status: TicketStatus = .waiting, issuedAt: Date, waitingSince: Date,
                calledAt: Date? = nil, startedAt: Date? = nil, finishedAt: Date? = nil, counter: String? = nil,
                targetCounter: String? = nil, appointmentReference: String? = nil, appointmentStart: Date? = nil,
                recalls: Int = 0, closeReason: String? = nil, outcome: String? = nil) {
        self.id = id
        self.location = location
        self.day = day
        self.number = number
        self.service = service
        self.origin = origin
        self.isPriority = isPriority
        self.status = status
        self.issuedAt = issuedAt
        self.waitingSince = waitingSince
        self.calledAt = calledAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.counter = counter
        self.targetCounter = targetCounter
        self.appointmentReference = appointmentReference
        self.appointmentStart = appointmentStart
        self.recalls = recalls
        self.closeReason = closeReason
        self.outcome = outcome
    }
}

/// A counter's state.
public enum CounterState: String, Sendable, Codable, CaseIterable {
    case open, paused, closed
}

/// Who may do what.
public enum Role: String, Sendable, Codable, CaseIterable {
    case kiosk, clerk, admin
}
