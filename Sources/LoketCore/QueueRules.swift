// The queue's rules: the ticket state machine, which ticket a counter calls next, and waiting estimates.
//
// Tickets are plain values here (`QueuedTicket`, no personal data); the store keeps them and calls
// these functions inside its transactions with one `now` per request.

import Foundation

/// Where a queue ticket stands.
public enum TicketStatus: String, Sendable, Codable, CaseIterable {
    /// In the queue.
    case waiting
    /// Called to a counter, not yet there.
    case called
    /// Being served at a counter.
    case serving
    /// Served.
    case done
    /// Called but did not come.
    case noShow = "no-show"
    /// Withdrawn before being called.
    case cancelled
    /// Still open when the day ended.
    case closed
    /// Stepped away from the counter (to fetch a document); keeps its place and comes back only by
    /// an explicit call (`QueueDesk.call`), never by call-next.
    case parked
}

/// What a clerk (or the day rollover) does to a ticket.
public enum TicketAction: String, Sendable, CaseIterable {
    /// Call a waiting ticket to a counter.
    case call
    /// Call it again (display and chime repeat).
    case recall
    /// The citizen arrived at the counter.
    case start
    /// Service given.
    case finish
    /// Called, but nobody came.
    case noShow = "no-show"
    /// Send back to the queue for another service or counter.
    case transfer
    /// Withdrawn by the citizen or the kiosk.
    case cancel
    /// Closed by the day rollover: the day ended with the ticket still open.
    case close
    /// The citizen steps away; the counter is free again.
    case park
}

/// The legal ticket transitions.
public enum TicketMachine {
    /// The status after `action` on a ticket in `status`.
    ///
    /// call: waiting -> called; recall: called -> called; start: called -> serving;
    /// finish: serving or called -> done; no-show: called -> no-show; transfer: waiting, called or
    /// serving -> waiting (back in the queue, keeping its waiting time); cancel: waiting -> cancelled;
    /// close (day rollover): waiting, called, serving or parked -> closed (a clerk who forgot to finish
    /// leaves a serving ticket; the rollover still ends it, with the reason `day-ended`);
    /// park: called or serving -> parked; call also takes a parked ticket back (parked -> called).
    /// - Throws: `LoketError(.illegalTransition)` for anything else.
    public static func next(_ status: TicketStatus, _ action: TicketAction) throws -> TicketStatus {
        switch (action, status) {
        case (.call, .waiting), (.call, .parked): return .called
        case (.park, .called), (.park, .serving): return .parked
        case (.recall, .called): return .called
        case (.start, .called): return .serving
        case (.finish, .serving), (.finish, .called): return .done
        case (.noShow, .called): return .noShow
        case (.transfer, .waiting), (.transfer, .called), (.transfer, .serving): return .waiting
        case (.cancel, .waiting): return .cancelled
        case (.close, .waiting), (.close, .called), (.close, .serving), (.close, .parked): return .closed
        default:
            throw LoketError(.illegalTransition, "Cannot \(action.rawValue) a ticket from \(status.rawValue).",
                             extra: ["from": status.rawValue, "action": action.rawValue])
        }
    }
}

/// A waiting ticket as the call-next policy sees it.
public struct QueuedTicket: Sendable, Hashable {
    /// Ticket id.
    public var id: String
    /// Service id.
    public var service: String
    /// Made by checking in an appointment.
    public var isAppointment: Bool
    /// Marked priority (e.g. a person with a disability).
    public var isPriority: Bool
    /// Start of the booked slot, for appointment check-ins.
    public var appointmentStart: Date?
    /// Since when it waits (kept across transfers).
    public var waitingSince: Date
    /// Sent to this counter by a transfer; only that counter may call it.
    public var targetCounter: String?

    /// Makes a ticket; only `id`, `service` and `waitingSince` are required.
    public init(id: String, service: String, isAppointment: Bool = false, isPriority: Bool = false,
                appointmentStart: Date? = nil, waitingSince: Date, targetCounter: String? = nil) {
        self.id = id
        self.service = service
        self.isAppointment = isAppointment
        self.isPriority = isPriority
        self.appointmentStart = appointmentStart
        self.waitingSince = waitingSince
        self.targetCounter = targetCounter
    }
}

/// The call-next policy: due appointments first, then a score that ages every ticket up.
///
/// The rule, as the configuration states it (`QueuePolicy`):
/// 1. Appointment check-ins that are due (`appointmentStart <= now + 5 minutes`) go first, earliest slot first.
/// 2. All other tickets by score, highest first:
///    `score = boost + waitedMinutes / agingMinutesPerStep - rank`, where `boost` is `appointmentBoost`
///    for an appointment that is not yet due, `priorityBoost` for a priority ticket, else 0, and `rank`
///    is the service's position in the counter's profile (0 = first).
/// 3. Ties: longest waiting first, then the order of arrival (the order of `waiting`, which the store
///    gives oldest first), so tickets issued in the same instant are still called first come, first served.
/// Because waiting adds a step every `agingMinutesPerStep` minutes, a walk-in that has waited
/// `priorityBoost x agingMinutesPerStep` minutes longer than a priority ticket goes before it: nobody starves.
public enum QueueSelector {
    /// An appointment is due when its slot starts within this many seconds.
    public static let dueWindow: TimeInterval = 5 * 60

    /// The ticket `counter` should call next, or nil when none is eligible.
    ///
    /// Eligible: tickets whose service is in the counter's profile, and tickets transferred to this
    /// counter (even outside the profile, rank 0). Tickets transferred to another counter never are.
    public static func next(for counter: Counter, waiting: [QueuedTicket], catalogue: Catalogue, policy: QueuePolicy,
                            now: Date) -> QueuedTicket? {
        var best: (key: Key, ticket: QueuedTicket)? = nil
        for (arrival, t) in waiting.enumerated() {
            let rank: Int
            if let target = t.targetCounter {
                guard target == counter.id else { continue }
                rank = catalogue.service(t.service).flatMap { catalogue.rank(of: $0, for: counter) } ?? 0
            } else {
                guard let service = catalogue.service(t.service), let r = catalogue.rank(of: service, for: counter)
                else { continue }
                rank = r
            }
            let key = Key(t, arrival: arrival, rank: rank, policy: policy, now: now)
            if best == nil || key.precedes(best!.key) { best = (key, t) }
        }
        return best?.ticket
    }

    /// The tickets of `waiting` that can be some counter's next: every appointment check-in, and of
    /// the other tickets the longest-waiting one (the first in arrival order among equals) of each
    /// (service, target counter, priority), in the order of `waiting`.
    ///
    /// Within such a class the tickets have the same boost, the same rank at any counter and the same
    /// eligibility, and differ only in how long they waited: the one that waited longest scores at
    /// least as high and wins the ties (by `waitingSince`, then arrival), so it is the class's best.
    /// `next` over the contenders therefore picks the same ticket as over the whole queue, for every
    /// counter. Appointments stay in full: whether one is due depends on its slot, not on its wait.
    /// The store reads the contenders without the rest of the queue (one index seek per class), so
    /// call-next costs the same with 10 or 1,000 citizens waiting.
    public static func contenders(_ waiting: [QueuedTicket]) -> [QueuedTicket] {
        struct Class: Hashable {
            var service: String
            var target: String?
            var priority: Bool
        }
        var best: [Class: Int] = [:]
        for (i, t) in waiting.enumerated() where !t.isAppointment {
            let c = Class(service: t.service, target: t.targetCounter, priority: t.isPriority)
            if let b = best[c], waiting[b].waitingSince <= t.waitingSince { continue }
            best[c] = i
        }
        let kept = Set(best.values)
        return waiting.enumerated().filter { $1.isAppointment || kept.contains($0) }.map(\.1)
    }

    /// The order in which `waiting` would be served by the same rule, without profile ranks (for positions).
    public static func ordered(_ waiting: [QueuedTicket], catalogue: Catalogue, policy: QueuePolicy,
                               now: Date) -> [QueuedTicket] {
        waiting.enumerated().map { (Key($1, arrival: $0, rank: 0, policy: policy, now: now), $1) }
            .sorted { $0.0.precedes($1.0) }
            .map(\.1)
    }

    /// The sort key of one ticket.
    struct Key {
        /// Due appointment: its start; nil otherwise.
        var due: Date?
        var score: Double
        var waitingSince: Date
        /// Position in the arrival-ordered list.
        var arrival: Int

        init(_ t: QueuedTicket, arrival: Int, rank: Int, policy: QueuePolicy, now: Date) {
            let isDue = t.isAppointment && t.appointmentStart.map { $0 <= now.addingTimeInterval(QueueSelector.dueWindow) } == true
            due = isDue ? t.appointmentStart : nil
            let boost = t.isAppointment ? policy.appointmentBoost : (t.isPriority ? policy.priorityBoost : 0)
            let waited = max(0, now.timeIntervalSince(t.waitingSince) / 60)
            score = Double(boost) + waited / Double(max(1, policy.agingMinutesPerStep)) - Double(rank)
            waitingSince = t.waitingSince
            self.arrival = arrival
        }

        func precedes(_ o: Key) -> Bool {
            switch (due, o.due) {
            case let (a?, b?): if a != b { return a < b }
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): if score != o.score { return score > o.score }
            }
            if waitingSince != o.waitingSince { return waitingSince < o.waitingSince }
            return arrival < o.arrival
        }
    }
}

/// Position in the queue and estimated waiting time of a ticket.
public enum WaitEstimator {
    /// The ticket's 1-based position and estimated minutes of waiting, or nil when it is not waiting.
    ///
    /// Competitors are the waiting tickets that the open counters serving this ticket's service
    /// could also call; they are ordered as `QueueSelector.ordered` does. Minutes =
    /// `ceil((position - 1) x average / max(1, counters))`, with the average service time from
    /// `measuredMinutes[service]`, else the catalogue duration. With no open counter serving the
    /// service, the tickets of the same service compete and the divisor is 1.
    public static func estimate(ticketID: String, waiting: [QueuedTicket], openCounters: [Counter], catalogue: Catalogue,
                                policy: QueuePolicy, measuredMinutes: [String: Double],
                                now: Date) -> (position: Int, minutes: Int)? {
        guard let ticket = waiting.first(where: { $0.id == ticketID }) else { return nil }
        let service = catalogue.service(ticket.service)

        func serves(_ counter: Counter, _ t: QueuedTicket) -> Bool {
            if let target = t.targetCounter { return target == counter.id }
            guard let s = catalogue.service(t.service) else { return false }
            return catalogue.rank(of: s, for: counter) != nil
        }
        let serving = openCounters.filter { serves($0, ticket) }
        let competitors: [QueuedTicket]
        if serving.isEmpty {
            competitors = waiting.filter { $0.service == ticket.service && $0.targetCounter == ticket.targetCounter }
        } else {
            competitors = waiting.filter { t in serving.contains { serves($0, t) } }
        }
        let order = QueueSelector.ordered(competitors, catalogue: catalogue, policy: policy, now: now)
        guard let index = order.firstIndex(where: { $0.id == ticketID }) else { return nil }
        let average = measuredMinutes[ticket.service].flatMap { $0 > 0 ? $0 : nil }
            ?? Double(service?.durationMinutes ?? 0)
        let minutes = (Double(index) * average / Double(max(1, serving.count))).rounded(.up)
        return (index + 1, Int(minutes))
    }

    /// `estimate` for every ticket of `waiting` at once, by id: the same positions and minutes, with
    /// one ordering per set of competitors instead of one per ticket.
    ///
    /// A ticket's competitors depend only on its service and target counter (and the counters
    /// `openCounters` gives for them, as `estimate`'s `openCounters`), so the tickets sharing those
    /// share one ordering: listing a queue of n tickets costs a few sorts of n, not n of them.
    public static func estimates(waiting: [QueuedTicket], openCounters: (_ service: String, _ target: String?) -> [Counter],
                                 catalogue: Catalogue, policy: QueuePolicy, measuredMinutes: [String: Double],
                                 now: Date) -> [String: (position: Int, minutes: Int)] {
        struct Group: Hashable {
            var service: String
            var target: String?
        }
        func serves(_ counter: Counter, _ service: String, _ target: String?) -> Bool {
            if let target { return target == counter.id }
            guard let s = catalogue.service(service) else { return false }
            return catalogue.rank(of: s, for: counter) != nil
        }
        var result: [String: (position: Int, minutes: Int)] = [:]
        result.reserveCapacity(waiting.count)
        // Orders already made, by the ids of the serving counters (a shared set of competitors).
        var orders: [[String]: [String: Int]] = [:]
        let groups = Dictionary(grouping: waiting) { Group(service: $0.service, target: $0.targetCounter) }
        for (group, members) in groups {
            let serving = openCounters(group.service, group.target).filter { serves($0, group.service, group.target) }
            let index: [String: Int]
            if serving.isEmpty {
                // Competitors: the same service and target, which is this group, in arrival order.
                let order = QueueSelector.ordered(members, catalogue: catalogue, policy: policy, now: now)
                index = Dictionary(order.enumerated().map { ($1.id, $0) }, uniquingKeysWith: min)
            } else if let known = orders[serving.map(\.id)] {
                index = known
            } else {
                let competitors = waiting.filter { t in serving.contains { serves($0, t.service, t.targetCounter) } }
                let order = QueueSelector.ordered(competitors, catalogue: catalogue, policy: policy, now: now)
                index = Dictionary(order.enumerated().map { ($1.id, $0) }, uniquingKeysWith: min)
                orders[serving.map(\.id)] = index
            }
            let average = measuredMinutes[group.service].flatMap { $0 > 0 ? $0 : nil }
                ?? Double(catalogue.service(group.service)?.durationMinutes ?? 0)
            for t in members where result[t.id] == nil {
                guard let i = index[t.id] else { continue }
                result[t.id] = (i + 1, Int((Double(i) * average / Double(max(1, serving.count))).rounded(.up)))
            }
        }
        return result
    }

    /// The estimate for a walk-in ticket just issued without priority, from counts alone.
    ///
    /// Such a ticket is last among its competitors: every other one has waited at least as long,
    /// and none scores lower. So its position is the number of competing waiting tickets (itself
    /// included), and `estimate` need not order the whole queue: issuing stays cheap however long
    /// the queue is. `waiting` counts the waiting tickets per (service, target counter), the new one included.
    public static func estimateNewest(service: String, waiting: [(service: String, targetCounter: String?, count: Int)],
                                      openCounters: [Counter], catalogue: Catalogue,
                                      measuredMinutes: [String: Double]) -> (position: Int, minutes: Int) {
        func serves(_ counter: Counter, _ service: String, _ target: String?) -> Bool {
            if let target { return target == counter.id }
            guard let s = catalogue.service(service) else { return false }
            return catalogue.rank(of: s, for: counter) != nil
        }
        let serving = openCounters.filter { serves($0, service, nil) }
        let position: Int
        if serving.isEmpty {
            position = waiting.filter { $0.service == service && $0.targetCounter == nil }.reduce(0) { $0 + $1.count }
        } else {
            position = waiting.filter { row in serving.contains { serves($0, row.service, row.targetCounter) } }
                .reduce(0) { $0 + $1.count }
        }
        let average = measuredMinutes[service].flatMap { $0 > 0 ? $0 : nil }
            ?? Double(catalogue.service(service)?.durationMinutes ?? 0)
        let minutes = (Double(max(0, position - 1)) * average / Double(max(1, serving.count))).rounded(.up)
        return (max(1, position), Int(minutes))
    }
}
