// Ticket rows, daily numbering, counter state and measured service times.
import Foundation
import LoketCore

extension Connection {
    private static let ticketColumns = """
        id, location, day, number, service, origin, priority, status, issued_at, waiting_since, called_at, started_at,
        finished_at, counter, target_counter, appointment_ref, appointment_start, recalls, close_reason, outcome
        """

    private func ticket(from r: Row) throws -> Ticket {
        Ticket(id: try r.text(0), location: try r.text(1), day: try r.civilDate(2), number: try r.text(3),
               service: try r.text(4), origin: try r.value(TicketOrigin.self, 5), isPriority: try r.bool(6),
               status: try r.value(TicketStatus.self, 7), issuedAt: try r.time(8), waitingSince: try r.time(9),
               calledAt: try r.optionalTime(10), startedAt: try r.optionalTime(11), finishedAt: try r.optionalTime(12),
               counter: try r.optionalText(13), targetCounter: try r.optionalText(14),
               appointmentReference: try r.optionalText(15), appointmentStart: try r.optionalTime(16),
               recalls: try r.int(17), closeReason: try r.optionalText(18), outcome: try r.optionalText(19))
    }

    /// The insert of one ticket, written once (the statement cache is keyed by this text; built
    /// per call it was a new 300-byte string to hash for every ticket).
    private static let insertTicketSQL =
        "INSERT INTO tickets (\(ticketColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

    /// Stores a new ticket. Throws a unique violation if its id or its day's number exists.
    public func insertTicket(_ t: Ticket) throws {
        try execute(Connection.insertTicketSQL, ticketArguments(t))
    }

    /// Writes every field of an existing ticket.
    public func updateTicket(_ t: Ticket) throws {
        var args = Array(ticketArguments(t).dropFirst())
        args.append(.text(t.id))
        try execute("""
            UPDATE tickets SET location = ?, day = ?, number = ?, service = ?, origin = ?, priority = ?, status = ?, issued_at = ?,
              waiting_since = ?, called_at = ?, started_at = ?, finished_at = ?, counter = ?, target_counter = ?,
              appointment_ref = ?, appointment_start = ?, recalls = ?, close_reason = ?, outcome = ?
            WHERE id = ?
            """, args)
    }

    private func ticketArguments(_ t: Ticket) -> [SQLValue] {
        [.text(t.id), .text(t.location), .text(t.day.description), .text(t.number), .text(t.service), .text(t.origin.rawValue),
         .int(t.isPriority ? 1 : 0), .text(t.status.rawValue), .time(t.issuedAt), .time(t.waitingSince), .time(t.calledAt),
         .time(t.startedAt), .time(t.finishedAt), .text(t.counter), .text(t.targetCounter), .text(t.appointmentReference),
         .time(t.appointmentStart), .int(t.recalls), .text(t.closeReason), .text(t.outcome)]
    }

    /// The ticket with this id, nil when unknown.
    public func ticket(id: String) throws -> Ticket? {
        try first("SELECT \(Connection.ticketColumns) FROM tickets WHERE id = ?", [.text(id)], table: "tickets").map(ticket(from:))
    }

    /// The ticket numbered `number` on `day` at `location` (the unique key of the day's numbering), nil when none.
    public func ticket(number: String, location: String, day: CivilDate) throws -> Ticket? {
        try first("SELECT \(Connection.ticketColumns) FROM tickets WHERE location = ? AND day = ? AND number = ?",
                  [.text(location), .text(day.description), .text(number)], table: "tickets").map(ticket(from:))
    }

    /// Tickets at `location` in one of `statuses`, oldest first.
    public func tickets(location: String, statuses: [TicketStatus]) throws -> [Ticket] {
        let marks = statuses.map { _ in "?" }.joined(separator: ", ")
        return try query("SELECT \(Connection.ticketColumns) FROM tickets WHERE location = ? AND status IN (\(marks)) ORDER BY waiting_since, rowid",
                         [.text(location)] + statuses.map { .text($0.rawValue) }, table: "tickets").map(ticket(from:))
    }

    /// The waiting tickets at `location` as the call-next policy sees them (only the columns it needs), oldest first.
    public func waitingQueue(location: String) throws -> [QueuedTicket] {
        try query("""
            SELECT \(Connection.queuedColumns) FROM tickets
            WHERE location = ? AND status = 'waiting' ORDER BY waiting_since, rowid
            """, [.text(location)], table: "tickets").map(queuedTicket(from:))
    }

    /// `QueueSelector.contenders` of the waiting tickets at `location`, oldest first as `waitingQueue`,
    /// read without the rest of the queue: the appointment check-ins (`tickets_waiting_appointments`),
    /// then per (service, target counter) that waits (`waiting_counts`) and priority, the longest-waiting
    /// other ticket, one seek in `tickets_waiting_heads`. Call-next reads this instead of the whole queue,
    /// so it costs the same with 10 or 1,000 citizens waiting.
    public func waitingContenders(location: String) throws -> [QueuedTicket] {
        var found: [(ticket: QueuedTicket, rowid: Int)] = []
        try forEach("""
            SELECT \(Connection.queuedColumns), rowid FROM tickets INDEXED BY tickets_waiting_appointments
            WHERE location = ? AND status = 'waiting' AND origin = 'appointment'
            """, [.text(location)], table: "tickets") { found.append((try queuedTicket(from: $0), try $0.int(7))) }
        for row in try waitingCountsByTarget(location: location) {
            for priority in [false, true] {
                guard let r = try first("""
                    SELECT \(Connection.queuedColumns), rowid FROM tickets INDEXED BY tickets_waiting_heads
                    WHERE location = ? AND status = 'waiting' AND origin <> 'appointment'
                      AND service = ? AND target_counter IS ? AND priority = ?
                    ORDER BY waiting_since, rowid LIMIT 1
                    """, [.text(location), .text(row.service), .text(row.targetCounter), .int(priority ? 1 : 0)],
                    table: "tickets") else { continue }
                found.append((try queuedTicket(from: r), try r.int(7)))
            }
        }
        return found.sorted { ($0.ticket.waitingSince, $0.rowid) < ($1.ticket.waitingSince, $1.rowid) }.map(\.ticket)
    }

    /// The columns `queuedTicket(from:)` reads, in its order.
    static let queuedColumns = "id, service, origin, priority, appointment_start, waiting_since, target_counter"

    private func queuedTicket(from r: Row) throws -> QueuedTicket {
        QueuedTicket(id: try r.text(0), service: try r.text(1), isAppointment: try r.value(TicketOrigin.self, 2) == .appointment,
                     isPriority: try r.bool(3), appointmentStart: try r.optionalTime(4), waitingSince: try r.time(5),
                     targetCounter: try r.optionalText(6))
    }

    /// When the last-waiting ticket still waiting at `location` began waiting (one seek in `tickets_waiting_since`).
    public func newestWaitingSince(location: String) throws -> Date? {
        try first("SELECT max(waiting_since) FROM tickets WHERE location = ? AND status = 'waiting'",
                  [.text(location)], table: "tickets")?.optionalTime(0)
    }

    /// Waiting tickets per service and target counter at `location` (kept by triggers, so this does not grow with the queue).
    public func waitingCountsByTarget(location: String) throws -> [(service: String, targetCounter: String?, count: Int)] {
        try query("SELECT service, target, waiting FROM waiting_counts WHERE location = ? AND waiting > 0 ORDER BY service, target",
                  [.text(location)], table: "waiting_counts").map { r in
            // '' stands for "no target counter" (the primary key cannot hold NULL).
            let target = try r.text(1)
            return (try r.text(0), target.isEmpty ? nil : target, try r.int(2))
        }
    }

    /// Waiting tickets per service at `location`.
    public func waitingCounts(location: String) throws -> [(service: String, waiting: Int)] {
        try query("""
            SELECT service, sum(waiting) FROM waiting_counts WHERE location = ? AND waiting > 0 GROUP BY service ORDER BY service
            """, [.text(location)], table: "waiting_counts").map { (try $0.text(0), try $0.int(1)) }
    }

    /// Tickets waiting now at every location (the trigger-kept counts, so this does not grow with the queue).
    public func waitingTicketCount() throws -> Int {
        try one("SELECT coalesce(sum(waiting), 0) FROM waiting_counts", table: "waiting_counts").int(0)
    }

    /// The most recent calls at `location` (newest first).
    public func recentCalls(location: String, since: Date, limit: Int) throws -> [Ticket] {
        try query("""
            SELECT \(Connection.ticketColumns) FROM tickets
            WHERE location = ? AND called_at >= ? AND counter IS NOT NULL ORDER BY called_at DESC, rowid DESC LIMIT ?
            """, [.text(location), .time(since), .int(limit)], table: "tickets").map(ticket(from:))
    }

    /// Tickets left open on days before `day` at `location`.
    ///
    /// Found by status: the open tickets are a handful, while the (location, day) index, which SQLite
    /// picks by itself for `day < ?`, walks every ticket of every past day (a third of a second for a year).
    public func staleTickets(location: String, before day: CivilDate) throws -> [Ticket] {
        try query("""
            SELECT \(Connection.ticketColumns) FROM tickets INDEXED BY tickets_by_status
            WHERE location = ? AND day < ? AND status IN ('waiting', 'called', 'serving', 'parked')
            """, [.text(location), .text(day.description)], table: "tickets").map(ticket(from:))
    }

    /// Every counter's stored state; counters never opened are absent (closed).
    public func counterStates() throws -> [String: (state: CounterState, current: String?)] {
        var result: [String: (CounterState, String?)] = [:]
        try forEach("SELECT id, state, current_ticket FROM counters", table: "counters") { r in
            result[try r.text(0)] = (try r.value(CounterState.self, 1), try r.optionalText(2))
        }
        return result
    }

    /// Stores a counter's state and the ticket it is serving.
    public func setCounter(_ id: String, state: CounterState, current: String?, now: Date) throws {
        try execute("""
            INSERT INTO counters (id, state, current_ticket, changed_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET state = excluded.state, current_ticket = excluded.current_ticket, changed_at = excluded.changed_at
            """, [.text(id), .text(state.rawValue), .text(current), .time(now)])
    }

    /// Why a counter is paused, by counter id; only paused counters with a reason are present.
    public func pauseReasons() throws -> [String: String] {
        var result: [String: String] = [:]
        try forEach("SELECT id, pause_reason FROM counters WHERE state = 'paused' AND pause_reason IS NOT NULL", table: "counters") {
            result[try $0.text(0)] = try $0.text(1)
        }
        return result
    }

    /// Stores why counter `id` is paused (nil clears it); the counter's row exists (its state was written first).
    public func setPauseReason(_ id: String, reason: String?) throws {
        try execute("UPDATE counters SET pause_reason = ? WHERE id = ?", [.text(reason), .text(id)])
    }

    /// Measured average service minutes per service.
    public func serviceAverages() throws -> [String: Double] {
        var result: [String: Double] = [:]
        try forEach("SELECT service, avg_minutes FROM service_times", table: "service_times") { result[try $0.text(0)] = try $0.double(1) }
        return result
    }

    /// Folds one measured service time into the moving average (exponential, weight 0.2 after 5 samples).
    public func recordServiceTime(service: String, minutes: Double) throws {
        try execute("""
            INSERT INTO service_times (service, avg_minutes, samples) VALUES (?, ?, 1)
            ON CONFLICT (service) DO UPDATE SET
              avg_minutes = avg_minutes + (excluded.avg_minutes - avg_minutes) / MIN(samples + 1, 5),
              samples = samples + 1
            """, [.text(service), .real(minutes)])
    }
}

extension Row {
    /// A civil date stored as TEXT `YYYY-MM-DD`.
    func civilDate(_ i: Int) throws -> CivilDate {
        try parse(i, expected: "a date YYYY-MM-DD") { CivilDate($0) }
    }
}
