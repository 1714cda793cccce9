// The municipality as configured: locations, services, counters, opening rules, settings.
//
// These are plain values, loaded once from `config/` (see LoketConfig) and shared read-only
// by every request. Ids are slugs (`stadhuis`, `eid-aanvraag`); texts shown to people are
// `LocalizedText` in the four languages of the front desk.
import Foundation

/// The languages the front desk speaks.
public enum Language: String, Sendable, Hashable, CaseIterable, Codable {
    case nl, fr, en, de

    /// Parses a language tag such as `fr` or `fr-BE`; nil when not one of ours.
    public init?(tag: String) {
        // Every request asks (`?lang=`, `Accept-Language`), so the primary subtag (what
        // `tag.split(separator: "-").first` gives) is compared in place, without making strings.
        // One pass over the bytes, keeping the first two lowered: every code is two ASCII letters, and
        // the lazy, generic compare with each case's rawValue was 1.5% of a search's CPU in the profile.
        let dash = UInt8(ascii: "-")
        var first: UInt8 = 0, second: UInt8 = 0, length = 0
        for byte in tag.utf8 {
            if byte == dash {
                if length == 0 { continue } else { break }
            }
            guard byte < 0x80 else {
                let primary = tag.utf8.drop { $0 == dash }.prefix { $0 != dash }
                self.init(rawValue: String(decoding: primary, as: UTF8.self).lowercased())
                return
            }
            length += 1
            let lower = byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
            if length == 1 { first = lower } else if length == 2 { second = lower }
        }
        guard length == 2 else { return nil }
        switch (first, second) {
        case (UInt8(ascii: "n"), UInt8(ascii: "l")): self = .nl
        case (UInt8(ascii: "f"), UInt8(ascii: "r")): self = .fr
        case (UInt8(ascii: "e"), UInt8(ascii: "n")): self = .en
        case (UInt8(ascii: "d"), UInt8(ascii: "e")): self = .de
        default: return nil
        }
    }
}

/// A text in several languages; falls back to Dutch, then to any language present.
public struct LocalizedText: Sendable, Hashable, Codable {
    public var values: [Language: String]

    public init(_ values: [Language: String]) { self.values = values }

    /// The text in `language`, else Dutch, else whatever exists, else "".
    public func resolve(_ language: Language) -> String {
        values[language] ?? values[.nl] ?? values.values.sorted().first ?? ""
    }

    public var isEmpty: Bool { values.values.allSatisfy(\.isEmpty) }
}

/// How citizens reach a service.
public enum Channel: String, Sendable, Hashable, CaseIterable, Codable {
    /// Booked ahead through `/book` or by staff.
    case appointment
    /// A queue ticket at the kiosk.
    case walkin
}

/// Where a booking came from, for capacity quotas.
public enum BookingChannel: String, Sendable, Hashable, CaseIterable, Codable {
    /// The citizen booked online.
    case online
    /// Staff booked it (phone, counter).
    case staff
}

/// The kind of place a location is.
public enum LocationKind: String, Sendable, Hashable, Codable {
    case townHall = "town-hall"
    case district
    case mobile
    case remote
}

/// A place where service is given.
public struct Location: Sendable, Hashable, Identifiable {
    public var id: String
    public var name: LocalizedText
    public var address: String
    public var kind: LocationKind
    public var timeZone: TimeZone
    /// When appointments can take place, and with how many parallel desks.
    public var appointmentHours: [OpeningRule]
    /// When the kiosk issues walk-in tickets.
    public var walkInHours: [OpeningRule]
    /// Days or hours the location is closed (besides Belgian public holidays).
    public var closures: [Closure]
    /// One-off openings on days that are otherwise closed or outside the rules.
    public var extraOpenings: [ExtraOpening]
    /// Lead time, horizon, grid, quotas for appointments here.
    public var booking: BookingPolicy
    /// For a `remote` location: the video service's base URL; each appointment gets its own room under it.
    public var videoBaseURL: String?
    /// Runtime closures and reduced desks (stored, not configured), filled per request; see `DeskLimit`.
    public var limits: [DeskLimit] = []

    public init(id: String, name: LocalizedText, address: String = "", kind: LocationKind = .townHall,
                timeZone: TimeZone = .brussels, appointmentHours: [OpeningRule] = [], walkInHours: [OpeningRule] = [],
                closures: [Closure] = [], extraOpenings: [ExtraOpening] = [], booking: BookingPolicy = BookingPolicy(),
                videoBaseURL: String? = nil) {
        self.id = id
        self.name = name
        self.address = address
        self.kind = kind
        self.timeZone = timeZone
        self.appointmentHours = appointmentHours
        self.walkInHours = walkInHours
        self.closures = closures
        self.extraOpenings = extraOpenings
        self.booking = booking
        self.videoBaseURL = videoBaseURL
    }
}

/// A recurring opening: on these weekdays, these hours, between these dates.
public struct OpeningRule: Sendable, Hashable {
    public var weekdays: Set<Weekday>
    public var ranges: [TimeRange]
    /// First day the rule applies (inclusive); nil = always.
    public var validFrom: CivilDate?
    /// Last day the rule applies (inclusive); nil = open-ended.
    public var validUntil: CivilDate?
    /// 1 = every week, 2 = every other week counted from `weekAnchor`, ...
    public var everyWeeks: Int
    /// A date in a week the rule applies to, for `everyWeeks > 1` (default: `validFrom`, else 2026-01-05).
    public var weekAnchor: CivilDate?
    /// Parallel desks for appointments (capacity) during these hours.
    public var desks: Int
    /// Only for these service groups; nil = all services of the location.
    public var serviceGroups: Set<String>?

    public init(weekdays: Set<Weekday>, ranges: [TimeRange], validFrom: CivilDate? = nil, validUntil: CivilDate? = nil,
                everyWeeks: Int = 1, weekAnchor: CivilDate? = nil, desks: Int = 1, serviceGroups: Set<String>? = nil) {
        self.weekdays = weekdays
        self.ranges = ranges
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.everyWeeks = everyWeeks
        self.weekAnchor = weekAnchor
        self.desks = desks
        self.serviceGroups = serviceGroups
    }
}

/// A local closure: whole days, or some hours of them.
public struct Closure: Sendable, Hashable {
    public var from: CivilDate
    public var until: CivilDate
    /// Closed only during these hours; nil = the whole day.
    public var ranges: [TimeRange]?
    public var reason: LocalizedText?

    public init(from: CivilDate, until: CivilDate, ranges: [TimeRange]? = nil, reason: LocalizedText? = nil) {
        self.from = from
        self.until = until
        self.ranges = ranges
        self.reason = reason
    }
}

/// A one-off opening on a date, e.g. an election Saturday.
public struct ExtraOpening: Sendable, Hashable {
    public var date: CivilDate
    public var ranges: [TimeRange]
    public var desks: Int
    /// Also open for walk-ins.
    public var walkIn: Bool
    /// Also opens when the date is a public holiday.
    public var evenOnHoliday: Bool

    public init(date: CivilDate, ranges: [TimeRange], desks: Int = 1, walkIn: Bool = false, evenOnHoliday: Bool = true) {
        self.date = date
        self.ranges = ranges
        self.desks = desks
        self.walkIn = walkIn
        self.evenOnHoliday = evenOnHoliday
    }
}

/// Booking limits for a location; services may override lead time and horizon.
public struct BookingPolicy: Sendable, Hashable {
    /// Slot grid: a visit may start every `slotMinutes` from the window's start.
    public var slotMinutes: Int
    /// Earliest bookable start: this many minutes after now.
    public var leadMinutes: Int
    /// Latest bookable start: this many days after today.
    public var horizonDays: Int
    /// Desks held back for walk-ins (not offered online), subtracted from each rule's desks.
    public var walkInReserve: Int
    /// Share of the remaining desks that online bookings may fill (0...1); staff may fill all.
    public var onlineShare: Double
    /// A cancelled slot is offered again only after this many minutes (anti-scalping).
    public var cancelCooldownMinutes: Int

    public init(slotMinutes: Int = 15, leadMinutes: Int = 120, horizonDays: Int = 60, walkInReserve: Int = 0,
                onlineShare: Double = 1.0, cancelCooldownMinutes: Int = 0) {
        self.slotMinutes = slotMinutes
        self.leadMinutes = leadMinutes
        self.horizonDays = horizonDays
        self.walkInReserve = walkInReserve
        self.onlineShare = onlineShare
        self.cancelCooldownMinutes = cancelCooldownMinutes
    }
}

/// A service category (cluster), such as Burgerzaken.
public struct Category: Sendable, Hashable, Identifiable {
    public var id: String
    public var name: LocalizedText
    public init(id: String, name: LocalizedText) {
        self.id = id
        self.name = name
    }
}

/// A product or service of the municipality.
public struct Service: Sendable, Hashable, Identifiable {
    public var id: String
    public var name: LocalizedText
    /// Id of its `Category`.
    public var category: String
    /// Minutes per person.
    public var durationMinutes: Int
    public var maxPersons: Int
    public var channels: Set<Channel>
    /// Ticket number prefix, one or two capital letters (`A`, `BS`).
    public var prefix: String
    /// Ids of the locations that offer it.
    public var locations: [String]
    /// What the citizen should bring.
    public var bring: LocalizedText?
    /// Opening rules with `serviceGroups` apply to services of these groups.
    public var group: String?
    /// Overrides the location's lead time.
    public var leadMinutes: Int?
    /// Overrides the location's horizon.
    public var horizonDays: Int?
    /// Extra search words (synonyms), e.g. "eid" or "rijbewijs".
    public var keywords: [String]
    /// How a visit may end, for the clerk to pick on finish (e.g. "aangevraagd", "document ontbreekt"); empty = no choice.
    public var outcomes: [ServiceOutcome]

    public init(id: String, name: LocalizedText, category: String, durationMinutes: Int, maxPersons: Int = 1,
                channels: Set<Channel> = [.appointment, .walkin], prefix: String = "A", locations: [String],
                bring: LocalizedText? = nil, group: String? = nil, leadMinutes: Int? = nil, horizonDays: Int? = nil,
                keywords: [String] = [], outcomes: [ServiceOutcome] = []) {
        self.id = id
        self.name = name
        self.category = category
        self.durationMinutes = durationMinutes
        self.maxPersons = maxPersons
        self.channels = channels
        self.prefix = prefix
        self.locations = locations
        self.bring = bring
        self.group = group
        self.leadMinutes = leadMinutes
        self.horizonDays = horizonDays
        self.keywords = keywords
        self.outcomes = outcomes
    }
}

/// One way a visit for a service can end, as configured under the service's `outcomes`.
public struct ServiceOutcome: Sendable, Hashable {
    /// Slug, stored with the ticket.
    public var id: String
    public var name: LocalizedText

    public init(id: String, name: LocalizedText) {
        self.id = id
        self.name = name
    }
}

/// One entry of a counter's work profile, in priority order.
public enum ProfileEntry: Sendable, Hashable {
    case service(String)
    case category(String)
}

/// A desk ("loket") at a location.
public struct Counter: Sendable, Hashable, Identifiable {
    public var id: String
    public var location: String
    /// What displays show and speak, e.g. "3" or "Loket 3".
    public var name: String
    /// Services (or whole categories) it serves, highest priority first.
    public var profile: [ProfileEntry]

    public init(id: String, location: String, name: String, profile: [ProfileEntry]) {
        self.id = id
        self.location = location
        self.name = name
        self.profile = profile
    }
}

/// How waiting time ages a ticket up, so that nobody starves.
///
/// A ticket's score is `basePriority + waitedMinutes / agingMinutesPerStep`; appointments
/// start `appointmentBoost` ahead of walk-ins and profile position `i` costs `i` steps.
public struct QueuePolicy: Sendable, Hashable {
    /// Every this many minutes of waiting count as one priority step.
    public var agingMinutesPerStep: Int
    /// Steps an appointment check-in starts ahead of a walk-in.
    public var appointmentBoost: Int
    /// Steps a priority ticket (e.g. a person with a disability) starts ahead.
    public var priorityBoost: Int
    /// Check-in opens this many minutes before the appointment...
    public var checkInEarlyMinutes: Int
    /// ...and closes this many minutes after its start.
    public var checkInLateMinutes: Int
    /// After this many recalls the next recall marks the ticket a no-show.
    public var recallLimit: Int

    public init(agingMinutesPerStep: Int = 10, appointmentBoost: Int = 6, priorityBoost: Int = 3,
                checkInEarlyMinutes: Int = 30, checkInLateMinutes: Int = 15, recallLimit: Int = 3) {
        self.agingMinutesPerStep = agingMinutesPerStep
        self.appointmentBoost = appointmentBoost
        self.priorityBoost = priorityBoost
        self.checkInEarlyMinutes = checkInEarlyMinutes
        self.checkInLateMinutes = checkInLateMinutes
        self.recallLimit = recallLimit
    }
}

/// Municipality-wide settings.
public struct Settings: Sendable, Hashable {
    public var municipality: LocalizedText
    public var defaultLanguage: Language
    /// Languages a lobby display speaks calls in, in order.
    public var displayLanguages: [Language]
    public var queue: QueuePolicy
    /// Personal data of finished appointments is erased after this many days.
    public var retentionDays: Int
    /// Active (future, booked) appointments one e-mail or phone may hold.
    public var maxActivePerContact: Int
    /// Requests per minute per client address on the public booking API.
    public var rateLimitPerMinute: Int
    /// Public base URL for links on tickets and in calendars, e.g. `https://loket.example.be`.
    public var publicBaseURL: String?
    /// Who citizen mail comes from, and when reminders go out.
    public var mail: MailPolicy
    /// How long an offered slot is held, and how many entries one contact may have.
    public var waitlist: WaitlistPolicy

    public init(municipality: LocalizedText = LocalizedText([.nl: "Gemeente"]), defaultLanguage: Language = .nl,
                displayLanguages: [Language] = [.nl], queue: QueuePolicy = QueuePolicy(), retentionDays: Int = 90,
                maxActivePerContact: Int = 3, rateLimitPerMinute: Int = 120, publicBaseURL: String? = nil,
                mail: MailPolicy = MailPolicy(), waitlist: WaitlistPolicy = WaitlistPolicy()) {
        self.waitlist = waitlist
        self.municipality = municipality
        self.defaultLanguage = defaultLanguage
        self.displayLanguages = displayLanguages
        self.queue = queue
        self.retentionDays = retentionDays
        self.maxActivePerContact = maxActivePerContact
        self.rateLimitPerMinute = rateLimitPerMinute
        self.publicBaseURL = publicBaseURL
        self.mail = mail
    }
}

/// The `waitlist` settings.
public struct WaitlistPolicy: Sendable, Hashable {
    /// Minutes an offered slot is held for the entry before it passes to the next in line.
    public var holdMinutes: Int
    /// Active (waiting or offered) entries one e-mail address may have.
    public var maxPerContact: Int

    public init(holdMinutes: Int = 30, maxPerContact: Int = 3) {
        self.holdMinutes = holdMinutes
        self.maxPerContact = maxPerContact
    }
}

/// The `mail` settings: the sender of citizen mail and the reminders.
public struct MailPolicy: Sendable, Hashable {
    /// The `From` address, e.g. `loket@wilgendaal.be`.
    public var from: String
    /// The `From` display name; the municipality's name when nil.
    public var fromName: String?
    /// Where answers go, e.g. the front desk's mailbox.
    public var replyTo: String?
    /// Hours before the visit at which a reminder is sent (each once), e.g. `[24]`.
    public var reminderHours: [Int]

    public init(from: String = "loket@localhost", fromName: String? = nil, replyTo: String? = nil, reminderHours: [Int] = [24]) {
        self.from = from
        self.fromName = fromName
        self.replyTo = replyTo
        self.reminderHours = reminderHours
    }
}

/// Everything configured, with lookups by id.
public struct Catalogue: Sendable {
    public let settings: Settings
    public let categories: [Category]
    public let locations: [Location]
    public let services: [Service]
    public let counters: [Counter]

    private let locationIndex: [String: Int]
    private let serviceIndex: [String: Int]
    private let counterIndex: [String: Int]
    private let categoryIndex: [String: Int]

    public init(settings: Settings, categories: [Category], locations: [Location], services: [Service], counters: [Counter]) {
        self.settings = settings
        self.categories = categories
        self.locations = locations
        self.services = services
        self.counters = counters
        func index<T: Identifiable>(_ items: [T]) -> [String: Int] where T.ID == String {
            var d: [String: Int] = [:]
            for (i, item) in items.enumerated() where d[item.id] == nil { d[item.id] = i }
            return d
        }
        locationIndex = index(locations)
        serviceIndex = index(services)
        counterIndex = index(counters)
        categoryIndex = index(categories)
    }

    public func location(_ id: String) -> Location? { locationIndex[id].map { locations[$0] } }
    public func service(_ id: String) -> Service? { serviceIndex[id].map { services[$0] } }
    public func counter(_ id: String) -> Counter? { counterIndex[id].map { counters[$0] } }
    public func category(_ id: String) -> Category? { categoryIndex[id].map { categories[$0] } }

    /// Counters at a location, in configured order.
    public func counters(at location: String) -> [Counter] { counters.filter { $0.location == location } }

    /// Services offered at a location.
    public func services(at location: String) -> [Service] { services.filter { $0.locations.contains(location) } }

    /// Whether `counter`'s profile covers `service`, and at which priority rank (0 = first).
    public func rank(of service: Service, for counter: Counter) -> Int? {
        counter.profile.firstIndex { entry in
            switch entry {
            case .service(let id): return id == service.id
            case .category(let id): return id == service.category
            }
        }
    }
}
