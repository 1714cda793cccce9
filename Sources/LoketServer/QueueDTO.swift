// The queue's answers as clients see them: tickets, counters, the display and the clerks' queue.
// No personal data, except the checked-in appointment shown to clerks.
import Foundation
import LoketCore

/// A ticket's live status.
struct TicketDTO: Encodable {
    var id: String
    var number: String
    var service: String
    var serviceName: String
    var location: String
    var origin: String
    var priority: Bool
    var status: String
    /// 1-based place in line, while waiting.
    var position: Int?
    var estimatedWaitMinutes: Int?
    var issuedAt: String
    var waitingSince: String
    var calledAt: String?
    var counter: String?
    var counterName: String?
    var recalls: Int
    var closeReason: String?
    /// How the visit ended (one of the service's outcome ids), once finished with one.
    var outcome: String?
    /// While waiting: whether a counter serving this ticket is open. When false, the estimate comes
    /// from the counters planned for the service at the location (plus the time until `opensAt`).
    var countersOpen: Bool?
    /// While waiting with no counter open: when today's opening for the service is still ahead, its start.
    var opensAt: String?
    /// The citizen's status page.
    var statusUrl: String
    /// What the location's public event stream calls this ticket (`TicketTag`): its page finds its
    /// own events by it, and the stream never carries the id itself.
    var eventTag: String
    /// Only in answers to staff: the checked-in appointment (clerks may see the name).
    var appointment: AppointmentDTO?
}

/// A counter, its state and the ticket it shows.
struct CounterDTO: Encodable {
    var id: String
    var name: String
    var location: String
    var state: String
    var current: TicketDTO?
    /// The services of its work profile offered at its location.
    var services: [String]
    /// Why it is paused, while paused with a reason.
    var pauseReason: String?
}

/// What the lobby screen shows.
struct DisplayDTO: Encodable {
    var location: String
    var name: String
    var called: [Call]
    var waiting: [ServiceWaiting]
    var totalWaiting: Int
    var displayLanguages: [String]
    var now: String
    /// The closure in force now, or null while open (always written, so a page can clear its notice).
    var closure: NullableClosure = NullableClosure(value: nil)

    /// `closure` as JSON null when there is none.
    struct NullableClosure: Encodable {
        var value: DisplayClosureDTO?
        func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            try c.encode(value)
        }
    }
}

/// The clerks' view of a location's queue.
struct QueueDTO: Encodable {
    /// Waiting tickets in the order the policy would call them.
    var waiting: [TicketDTO]
    var byService: [ServiceWaiting]
    /// Parked tickets (stepped away, called back with `/call`), oldest first; never with personal data.
    var parked: [TicketDTO]
}

/// What estimates need of a location's queue, read in one snapshot.
struct QueueView {
    /// The waiting tickets, as the call-next policy sees them.
    var waiting: [QueuedTicket]
    var states: [String: (state: CounterState, current: String?)]
    var averages: [String: Double]
}
