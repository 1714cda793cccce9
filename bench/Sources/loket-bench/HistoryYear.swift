// loket-bench history-year: a database with a year of heavy office life behind it and a long book of
// future appointments ahead, for "flat with history" in `make bench` (bench/history.sh).
//
//   loket-bench history-year --config DIR --db PATH [--from 2025-12-01] [--days 365] [--past 1000000]
//                            [--future 100000] [--future-from YYYY-MM-DD] [--now ISO] [--seed 2027]
//
// Past (`--days` from `--from`): about `--past` rows in all, two thirds walk-in tickets and one third
// appointments, spread over the days each location is open (its rules, holidays and closures; the
// town hall takes three times the share of a district office), with random ids like the server's,
// mostly served, some no-shows, cancelled or closed at the day's end; one in ten appointments cancelled.
// Future (from `--future-from`, by default the day after the past): `--future` booked appointments
// on free desk-slots of the locations' appointment grids (SlotEngine's, staff channel), as many days
// ahead as it takes to keep them at most 80% of the desk-slots, so no day is over-booked.
//
// Everything goes through LoketStore's own insert statements (prepared once, cached) in one
// transaction; the run prints how long it took. Seeded: the same database on every machine.
import Foundation
import LoketConfig
import LoketCore
import LoketStore
import Logging

/// `history-year`: see the header.
func historyYear() {
    let config = required("config"), dbPath = required("db")
    let catalogue = loadCatalogue(config)
    guard let from = CivilDate(option("from") ?? "2025-12-01") else { fail("--from must be YYYY-MM-DD") }
    let days = option("days", 365), past = option("past", 1_000_000), future = option("future", 100_000)
    guard let futureFrom = CivilDate(option("future-from") ?? from.adding(days: days).description) else {
        fail("--future-from must be YYYY-MM-DD")
    }
    var rng = SplitMix64(state: UInt64(option("seed", 2027)))
    func uniform(_ range: ClosedRange<Double>) -> Double { Double.random(in: range, using: &rng) }
    func pick<T>(_ xs: [T]) -> T { xs[Int.random(in: 0..<xs.count, using: &rng)] }
    let idAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    /// 16 characters like `Secret.random(bytes: 12)`: spread over the whole key space of the ticket index.
    func ticketID() -> String {
        String(decoding: (0..<16).map { _ in idAlphabet[Int(rng.next() & 63)] }, as: UTF8.self)
    }
    func tokenHash() -> [UInt8] { (0..<32).map { _ in UInt8(truncatingIfNeeded: rng.next()) } }

    // One plan per location: its calendar and the services it offers per channel.
    struct Place {
        var location: Location
        var calendar: OpeningCalendar
        var walkIn: [Service]
        var booked: [Service]
        var weight: Double
    }
    let places = catalogue.locations.map { l in
        Place(location: l, calendar: OpeningCalendar(location: l),
              walkIn: catalogue.services.filter { $0.locations.contains(l.id) && $0.channels.contains(.walkin) },
              booked: catalogue.services.filter { $0.locations.contains(l.id) && $0.channels.contains(.appointment) && $0.group == nil },
              weight: l.kind == .townHall ? 3 : 1)
    }
    // The open days and their windows, once, to share `past` out by weight.
    var ticketDays: [(place: Int, day: CivilDate, windows: [OpeningWindow])] = []
    var appointmentDays: [(place: Int, day: CivilDate, windows: [OpeningWindow])] = []
    for (p, place) in places.enumerated() {
        for offset in 0..<days {
            let day = from.adding(days: offset)
            if let probe = place.walkIn.first {
                let w = place.calendar.walkInWindows(on: day, service: probe)
                if !w.isEmpty { ticketDays.append((p, day, w)) }
            }
            if let probe = place.booked.first {
                let w = place.calendar.appointmentWindows(on: day, service: probe)
                if !w.isEmpty { appointmentDays.append((p, day, w)) }
            }
        }
    }
    let ticketsPerWeight = Double(past) * 2 / 3 / max(1, ticketDays.reduce(0) { $0 + places[$1.place].weight })
    let appointmentsPerWeight = Double(past) / 3 / max(1, appointmentDays.reduce(0) { $0 + places[$1.place].weight })

    // The future: desk-slots of each location's grid from `futureFrom`, 30 days at a time (each seen from
    // its first day, inside the booking horizon), as many days as keep `future` at most 80% of them.
    var horizon = 0
    var pairs: [(place: Int, start: Date, end: Date)] = []
    while future > 0, Double(pairs.count) * 0.8 < Double(future), horizon < 3650 {
        let chunk = futureFrom.adding(days: horizon)
        for (p, place) in places.enumerated() {
            guard let probe = place.booked.first else { continue }
            let grid = SlotEngine.slots(location: place.location, items: [VisitItem(service: probe, persons: 1)], from: chunk,
                                        to: chunk.adding(days: 29), booked: [], channel: .staff,
                                        now: place.calendar.clock.startOfDay(chunk))
            for slot in grid { for _ in 0..<slot.free { pairs.append((p, slot.start, slot.end)) } }
        }
        horizon += 30
    }
    pairs.shuffle(using: &rng)
    let futurePairs = pairs.prefix(future)

    var logger = Logger(label: "loket-bench")
    logger.logLevel = .warning
    let started = ContinuousClock.now
    var tickets = 0, appointments = 0, booked = 0, purged = 0
    // The instant the database is "now" for: the first day after the past, at 09:00 in Brussels.
    let now = option("now").flatMap(parseInstant)
        ?? CivilClock(timeZone: .brussels).startOfDay(from.adding(days: days)).addingTimeInterval(9 * 3600)
    do {
        let store = try Store(path: dbPath, logger: logger)
        try store.write { db in
            for (p, day, windows) in ticketDays {
                let place = places[p]
                let n = Int((ticketsPerWeight * place.weight * uniform(0.6...1.4)).rounded())
                for i in 0..<n {
                    let w = pick(windows)
                    let issued = Date(timeIntervalSince1970: uniform(w.start.timeIntervalSince1970...(w.end.timeIntervalSince1970 - 60)).rounded())
                    let service = pick(place.walkIn)
                    let called = issued.addingTimeInterval((uniform(0...1) * uniform(0...1) * 50 * 60).rounded())
                    var t = Ticket(id: ticketID(), location: place.location.id, day: day, number: "\(service.prefix)\(i + 1)",
                                   service: service.id, origin: .walkin, issuedAt: issued, waitingSince: issued)
                    let roll = uniform(0...1)
                    if roll < 0.06 {
                        (t.status, t.calledAt, t.counter) = (.noShow, called, "history")
                    } else if roll < 0.08 {
                        t.status = .cancelled
                    } else if roll < 0.09 {
                        (t.status, t.closeReason) = (.closed, "day-ended")
                    } else {
                        let finished = called.addingTimeInterval((Double(service.durationMinutes) * uniform(0.4...1.8) * 60).rounded())
                        (t.status, t.calledAt, t.startedAt, t.finishedAt, t.counter) = (.done, called, called, finished, "history")
                    }
                    try db.insertTicket(t)
                    tickets += 1
                }
            }
            for (p, day, windows) in appointmentDays {
                let place = places[p]
                let n = Int((appointmentsPerWeight * place.weight * uniform(0.6...1.4)).rounded())
                for i in 0..<n {
                    let w = pick(windows)
                    let slots = max(1, Int(w.end.timeIntervalSince(w.start) / 600))
                    let start = w.start.addingTimeInterval(Double(Int.random(in: 0..<slots, using: &rng) * 600))
                    let service = pick(place.booked)
                    let a = Appointment(reference: "H\(day.description.filter(\.isNumber))-\(place.location.id.prefix(3))-\(i)",
                                        location: place.location.id, items: [Appointment.Item(service: service.id, persons: 1)],
                                        start: start, end: start.addingTimeInterval(Double(service.durationMinutes * 60)),
                                        status: uniform(0...1) < 0.1 ? .cancelled : .done, name: "Zoë Historiek-\(i)",
                                        email: nil, phone: nil, language: .nl, channel: .online, createdAt: start.addingTimeInterval(-7 * 86400))
                    try db.insertAppointment(a, tokenHash: tokenHash(), group: service.group, contactKey: nil)
                    appointments += 1
                }
            }
            for (i, slot) in futurePairs.enumerated() {
                let place = places[slot.place]
                let service = place.booked[0]
                let email = "burger\(i)@bench.example.be"
                let created = slot.start.addingTimeInterval(-uniform(1...30).rounded() * 86400)
                for _ in 0..<8 {
                    let a = Appointment(reference: ReferenceCode.generate(using: &rng), location: place.location.id,
                                        items: [Appointment.Item(service: service.id, persons: 1)], start: slot.start, end: slot.end,
                                        status: .booked, name: "Burger \(i)", email: email, phone: nil, language: .nl,
                                        channel: .online, createdAt: created)
                    do {
                        try db.insertAppointment(a, tokenHash: tokenHash(), group: service.group, contactKey: "bench:\(email)")
                        booked += 1
                        break
                    } catch let e as SQLiteError where e.isUniqueViolation {
                        continue
                    }
                }
            }
            // What the server's housekeeping would have done by now: erase names past the retention period.
            let cutoff = now.addingTimeInterval(-Double(catalogue.settings.retentionDays) * 86400)
            purged = try db.purgePersonalData(endedBefore: cutoff, now: now)
        }
        try store.checkpoint()
    } catch {
        fail("history-year: \(error)")
    }
    let elapsed = ContinuousClock.now - started
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let bytes = (try? FileManager.default.attributesOfItem(atPath: dbPath)[.size] as? Int) ?? 0
    print("history-year: \(tickets) tickets and \(appointments) appointments over \(days) days from \(from), "
          + "\(booked) booked appointments on \(horizon) days from \(futureFrom) (\(String(format: "%.0f", 100 * Double(booked) / Double(max(1, pairs.count))))% of the desk-slots), "
          + "at \(places.count) locations (names of \(purged) erased as by the retention purge): \(String(format: "%.1f", seconds)) s in one transaction, \(bytes / 1_000_000) MB")
    result("history_tickets", Double(tickets))
    result("history_appointments", Double(appointments))
    result("history_future", Double(booked))
    result("history_seconds", seconds)
    result("history_bytes", Double(bytes))
}
