// Runtime closures and reduced desks: what an admin decides while the office runs, beside the
// configured opening rules.
//
// A `DeskLimit` caps the desks of a location between two instants (0 closes it). The store keeps
// them; a request reads those in force or to come and hands them to the pure rules on
// `Location.limits`, so `OpeningCalendar` and `SlotEngine` see them without any I/O.
import Foundation

/// A runtime closure (`desks` 0) or reduced desks at one location during `[from, to)`.
public struct DeskLimit: Sendable, Hashable {
    /// Stored id, e.g. `cl-3f9a...`.
    public var id: String
    /// Location id.
    public var location: String
    /// First instant of the limit.
    public var from: Date
    /// End of the limit (exclusive).
    public var to: Date
    /// Appointment desks at most during the limit; 0 closes the location (walk-in too).
    public var desks: Int
    /// Why, in the languages given; nil without a reason.
    public var reason: LocalizedText?

    /// Makes a limit.
    public init(id: String, location: String, from: Date, to: Date, desks: Int, reason: LocalizedText? = nil) {
        self.id = id
        self.location = location
        self.from = from
        self.to = to
        self.desks = desks
        self.reason = reason
    }

    /// Whether the limit closes the location (no desks at all).
    public var closes: Bool { desks == 0 }
}

extension Location {
    /// This location with `limits` in force (the configured rules unchanged).
    public func with(limits: [DeskLimit]) -> Location {
        var copy = self
        copy.limits = limits.filter { $0.location == id }
        return copy
    }
}

/// What the rules read to know a location's limits; the store's connection provides it.
public protocol LimitReading {
    /// The limits of `location` that overlap `[from, to)`, lifted ones excepted.
    func deskLimits(location: String, from: Date, to: Date) throws -> [DeskLimit]
}


/// A booked appointment as the overflow sweep sees it: its time, size and booking order; no name.
public struct HeldAppointment: Sendable, Hashable {
    /// Reference code.
    public var reference: String
    /// Service id of the first item (what the admin recognises).
    public var service: String
    /// Persons over all items.
    public var persons: Int
    /// Start of the visit.
    public var start: Date
    /// End of the visit (exclusive).
    public var end: Date
    /// Capacity group; only appointments of one group compete.
    public var group: String?
    /// When it was booked: earlier bookings keep their desk first.
    public var createdAt: Date

    /// Makes a held appointment.
    public init(reference: String, service: String, persons: Int, start: Date, end: Date, group: String?, createdAt: Date) {
        self.reference = reference
        self.service = service
        self.persons = persons
        self.start = start
        self.end = end
        self.group = group
        self.createdAt = createdAt
    }
}
