// The one typed event of Loket: what a committed change tells everyone who cares.
//
// A use case returns `LiveEvent` values with its changes. The store writes them, in the same
// transaction, to the event log (encoded once, by `encoded()`); after the commit the hub sends
// the stored bytes to the displays and ticket pages of the event's location, and a display that
// reconnects with `Last-Event-ID` replays them from the log. Payloads never carry personal data:
// numbers, services, counters and times only. Appointment events carry no name or contact either;
// they have no stream (`topic` is nil): the outbox turns them into mail in the same transaction.
import Foundation

/// Something that changed, as displays, ticket pages and (later) mail see it.
public enum LiveEvent: Sendable, Hashable {
    /// A ticket was called to a counter.
    case called(Call)
    /// A called ticket was called again (display and chime repeat).
    case recalled(Call)
    /// A ticket changed status.
    case ticket(TicketUpdate)
    /// The waiting counts of a location changed.
    case queue(location: String, counts: QueueCounts)
    /// A counter opened, paused or closed.
    case counter(CounterUpdate)
    /// An appointment was booked, moved or cancelled.
    case appointment(AppointmentUpdate)
    /// A runtime closure (or reduced desks) was added or lifted.
    case closure(ClosureNotice)
    /// A waitlist entry was joined, offered a slot, or its offer lapsed (mail only).
    case waitlist(WaitlistUpdate)

    /// The `event:` name on the wire.
    public var name: String {
        switch self {
        case .called: return "called"
        case .recalled: return "recalled"
        case .ticket: return "ticket"
        case .queue: return "queue"
        case .counter: return "counter"
        case .appointment(let a): return "appointment.\(a.change.rawValue)"
        case .closure: return "closure"
        case .waitlist(let w): return "waitlist.\(w.change.rawValue)"
        }
    }

    /// The stream the event belongs to, a location id; nil for events no display hears.
    public var topic: String? {
        switch self {
        case .called(let c), .recalled(let c): return c.location
        case .ticket(let t): return t.location
        case .queue(let location, _): return location
        case .counter(let c): return c.location
        case .appointment, .waitlist: return nil
        case .closure(let c): return c.location
        }
    }

    /// The `data:` payload as one line of JSON (keys sorted, so it is stable).
    public func encoded() throws -> String {
        if let bytes = handWritten() { return String(decoding: bytes, as: UTF8.self) }
        let bytes: Data
        switch self {
        case .called(let c), .recalled(let c): bytes = try LiveEvent.encoder.encode(c)
        case .ticket(let t): bytes = try LiveEvent.encoder.encode(t)
        case .queue(_, let q): bytes = try LiveEvent.encoder.encode(q)
        case .counter(let c): bytes = try LiveEvent.encoder.encode(c)
        case .appointment(let a): bytes = try LiveEvent.encoder.encode(a)
        case .closure(let c): bytes = try LiveEvent.encoder.encode(c)
        case .waitlist(let w): bytes = try LiveEvent.encoder.encode(w)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The payloads every ticket writes (`ticket`, `queue`), every call (`called`, `recalled`,
    /// `counter`) and every booking (`appointment.*`), written by `JSONObjectWriter` in the encoder's sorted key order: the same bytes
    /// without Foundation's encoder (HandWrittenJSONTests compares them); nil for the other events.
    func handWritten() -> [UInt8]? {
        switch self {
        case .called(let c), .recalled(let c):
            var w = JSONObjectWriter()
            w.field("calledAt", c.calledAt)
            w.field("counter", c.counter)
            w.field("counterId", c.counterId)
            w.field("number", c.number)
            w.field("service", c.service)
            w.field("ticket", c.ticket)
            return w.finished()
        case .ticket(let t):
            var w = JSONObjectWriter()
            w.field("counter", t.counter)
            w.field("number", t.number)
            w.field("status", t.status)
            w.field("ticket", t.ticket)
            return w.finished()
        case .queue(_, let q):
            return q.jsonBytes()
        case .counter(let c):
            var w = JSONObjectWriter()
            w.field("id", c.id)
            w.field("state", c.state)
            return w.finished()
        case .appointment(let a):
            var w = JSONObjectWriter()
            w.field("by", a.by)
            w.field("change", a.change.rawValue)
            w.field("end", a.end)
            w.field("location", a.location)
            w.field("previousStart", a.previousStart)
            w.field("reference", a.reference)
            w.field("services", json: JSONObjectWriter.list(strings: a.services))
            w.field("start", a.start)
            return w.finished()
        case .closure, .waitlist:
            return nil
        }
    }

    private static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()
}

/// A call of a ticket to a counter, as the lobby display shows it.
public struct Call: Sendable, Hashable, Encodable {
    /// The ticket's public tag (`TicketTag`), never its id: the stream is public.
    public var ticket: String
    /// Display number, e.g. `A012`.
    public var number: String
    /// The counter's display name, e.g. `Loket 3`.
    public var counter: String
    /// The counter's id.
    public var counterId: String
    /// ISO 8601 with the location's offset.
    public var calledAt: String
    /// Service id.
    public var service: String
    /// Location id (the stream); not in the payload.
    public var location: String

    enum CodingKeys: String, CodingKey { case ticket, number, counter, counterId, calledAt, service }

    public init(ticket: Ticket, counterName: String, zone: TimeZone) {
        self.ticket = TicketTag.of(ticket.id)
        self.number = ticket.number
        self.counter = counterName
        self.counterId = ticket.counter ?? ""
        self.calledAt = ticket.calledAt.map { CivilClock(timeZone: zone).iso8601($0) } ?? ""
        self.service = ticket.service
        self.location = ticket.location
    }
}

/// A ticket's new status.
public struct TicketUpdate: Sendable, Hashable, Encodable {
    /// The ticket's public tag (`TicketTag`), never its id: the stream is public.
    public var ticket: String
    public var status: String
    public var number: String
    /// The counter's display name, while a counter has it.
    public var counter: String?
    /// Location id (the stream); not in the payload.
    public var location: String

    enum CodingKeys: String, CodingKey { case ticket, status, number, counter }

    public init(ticket: Ticket, counterName: String?) {
        self.ticket = TicketTag.of(ticket.id)
        self.status = ticket.status.rawValue
        self.number = ticket.number
        self.counter = counterName
        self.location = ticket.location
    }
}

/// How many wait, per service, at one location.
public struct QueueCounts: Sendable, Hashable, Codable {
    public var waiting: [ServiceWaiting]
    public var totalWaiting: Int

    public init(waiting: [ServiceWaiting]) {
        self.waiting = waiting
        self.totalWaiting = waiting.reduce(0) { $0 + $1.waiting }
    }

    /// The counts of `waiting` (service id -> count, zeros left out), named from the catalogue in `language`.
    public init(_ waiting: [String: Int], catalogue: Catalogue, language: Language) {
        self.init(waiting: waiting.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { id, n in
            let s = catalogue.service(id)
            return ServiceWaiting(service: id, name: s?.name.resolve(language) ?? id, prefix: s?.prefix ?? "", waiting: n)
        })
    }
}

extension QueueCounts {
    /// This value as `JSONEncoder` with sorted keys writes it.
    public func jsonBytes() -> [UInt8] {
        var w = JSONObjectWriter()
        w.field("totalWaiting", totalWaiting)
        w.field("waiting", json: JSONObjectWriter.list(waiting) { s in
            var e = JSONObjectWriter(capacity: 96)
            e.field("name", s.name)
            e.field("prefix", s.prefix)
            e.field("service", s.service)
            e.field("waiting", s.waiting)
            return e.finished()
        })
        return w.finished()
    }
}

/// The waiting count of one service.
public struct ServiceWaiting: Sendable, Hashable, Codable {
    public var service: String
    public var name: String
    public var prefix: String
    public var waiting: Int

    public init(service: String, name: String, prefix: String, waiting: Int) {
        self.service = service
        self.name = name
        self.prefix = prefix
        self.waiting = waiting
    }
}

/// A counter's new state.
public struct CounterUpdate: Sendable, Hashable, Encodable {
    public var id: String
    public var state: String
    /// Location id (the stream); not in the payload.
    public var location: String

    enum CodingKeys: String, CodingKey { case id, state }

    public init(counter: Counter, state: CounterState) {
        self.id = counter.id
        self.state = state.rawValue
        self.location = counter.location
    }
}

/// An appointment that was booked, moved or cancelled; no name or contact.
public struct AppointmentUpdate: Sendable, Hashable, Encodable {
    /// What happened to it.
    public enum Change: String, Sendable, Hashable, Encodable {
        case booked, moved, cancelled
    }

    public var change: Change
    public var reference: String
    public var location: String
    public var services: [String]
    /// Instants as ISO 8601 in UTC.
    public var start: String
    public var end: String
    /// The start before a move.
    public var previousStart: String?
    /// Who made the change: `citizen`, `staff` or `office`.
    public var by: String
    /// The start before a move, as an instant (not in the payload, which has `previousStart`).
    public var previousStartInstant: Date?
    /// The office's reason for a cancellation (not in the payload; the mail says it).
    public var reason: LocalizedText?

    enum CodingKeys: String, CodingKey { case change, reference, location, services, start, end, previousStart, by }

    public init(_ change: Change, _ a: Appointment, previousStart: Date? = nil, by: String, reason: LocalizedText? = nil) {
        self.change = change
        self.reference = a.reference
        self.location = a.location
        self.services = a.items.map(\.service)
        self.start = AppointmentUpdate.utc(a.start)
        self.end = AppointmentUpdate.utc(a.end)
        self.previousStart = previousStart.map(AppointmentUpdate.utc)
        self.previousStartInstant = previousStart
        self.by = by
        self.reason = reason
    }

    private static func utc(_ d: Date) -> String {
        CivilClock(timeZone: TimeZone(identifier: "UTC")!).iso8601(d)
    }
}

/// A runtime closure added or lifted, as a display hears it: when, how many desks, why.
public struct ClosureNotice: Sendable, Hashable, Encodable {
    /// What happened to it.
    public enum Change: String, Sendable, Hashable, Encodable {
        case added, lifted
    }

    public var change: Change
    public var id: String
    /// Location id (the stream).
    public var location: String
    /// ISO 8601 with the location's offset.
    public var from: String
    public var to: String
    /// Desks left; 0 = closed.
    public var desks: Int
    /// The reason per language (`nl`, `fr`, `en`, `de`); nil without one.
    public var reason: [String: String]?

    public init(_ change: Change, _ record: ClosureRecord, zone: TimeZone) {
        let civil = CivilClock(timeZone: zone)
        self.change = change
        self.id = record.limit.id
        self.location = record.limit.location
        self.from = civil.iso8601(record.limit.from)
        self.to = civil.iso8601(record.limit.to)
        self.desks = record.limit.desks
        self.reason = record.limit.reason.map { r in Dictionary(uniqueKeysWithValues: r.values.map { ($0.key.rawValue, $0.value) }) }
    }
}
