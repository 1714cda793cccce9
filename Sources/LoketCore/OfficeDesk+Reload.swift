// A config reload as a use case: which booked appointments the new config no longer fits.
//
// An appointment is orphaned when its location or one of its services is gone, a service is no
// longer booked by appointment there, or the new windows and desks (with the runtime closures)
// no longer hold it: the same overflow sweep a closure's dry run uses. Orphans stay booked; the
// reload's audit line names them as kept by whoever reloaded, so nothing is overbooked silently.
import Foundation

/// A booked appointment the config in force no longer fits, and why.
public struct Orphan: Sendable, Hashable {
    public enum Reason: String, Sendable, CaseIterable {
        case locationGone = "location_gone"
        case serviceGone = "service_gone"
        /// A service is no longer booked by appointment at the location.
        case notOffered = "not_offered"
        /// The windows and desks no longer hold it.
        case capacity
    }

    public var appointment: Appointment
    public var reason: Reason
}

/// What the reload check reads besides closures.
public protocol ReloadReading: ClosureReading {
    /// Booked appointments at any location that have not ended at `now`, by start.
    func bookedAppointments(endingAfter now: Date) throws -> [Appointment]
}

extension OfficeDesk {
    /// The appointments `catalogue` (the config about to be in force) no longer fits, by start.
    public func orphans(now: Date, reading: some ReloadReading) throws -> [Orphan] {
        var out: [Orphan] = []
        var listed: Set<String> = []
        var byReference: [String: Appointment] = [:]
        for a in try reading.bookedAppointments(endingAfter: now) {
            byReference[a.reference] = a
            let reason: Orphan.Reason?
            if catalogue.location(a.location) == nil {
                reason = .locationGone
            } else if a.items.contains(where: { catalogue.service($0.service) == nil }) {
                reason = .serviceGone
            } else if a.items.contains(where: { item in
                catalogue.service(item.service).map { !$0.locations.contains(a.location) || !$0.channels.contains(.appointment) } ?? true
            }) {
                reason = .notOffered
            } else {
                reason = nil
            }
            if let reason {
                out.append(Orphan(appointment: a, reason: reason))
                listed.insert(a.reference)
            }
        }
        for location in catalogue.locations {
            let until = now.addingTimeInterval(Double(400 * 86_400))
            let held = try reading.heldAppointments(location: location.id, from: now, to: until)
            guard !held.isEmpty else { continue }
            let last = held.map(\.end).max() ?? now
            let limited = location.with(limits: try reading.deskLimits(location: location.id, from: now, to: last))
            for h in SlotEngine.overflow(location: limited, appointments: held) where !listed.contains(h.reference) {
                guard let a = try byReference[h.reference] ?? reading.appointment(withReference: h.reference) else { continue }
                out.append(Orphan(appointment: a, reason: .capacity))
                listed.insert(h.reference)
            }
        }
        return out.sorted { ($0.appointment.start, $0.appointment.reference) < ($1.appointment.start, $1.appointment.reference) }
    }

    /// The reload's record: the orphans, and one audit line naming them as kept by `actor`.
    public func reload(by actor: String, now: Date, reading: some ReloadReading) throws -> Outcome<[Orphan]> {
        let orphans = try orphans(now: now, reading: reading)
        let kept = orphans.isEmpty ? "" : "; kept " + orphans.map(\.appointment.reference).joined(separator: ", ")
        let detail = "\(catalogue.locations.count) locations, \(catalogue.services.count) services; "
            + "\(orphans.count) appointments no longer fit\(kept)"
        return Outcome(orphans, changes: [.audit(AuditEntry(actor: actor, action: "config.reload", subject: nil, detail: detail))])
    }
}
