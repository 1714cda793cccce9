// loket-bench: the in-process halves of `make bench` (bench/run.sh drives the HTTP halves).
//
//   loket-bench availability   [--seconds 3] [--share 0.3] [--desks 10] [--days 30]
//       SlotEngine.slots for one service at a 10-desk location over 30 days with 30% of the
//       capacity booked; median microseconds per query (and the same for one day).
//   loket-bench seed --config DIR --db PATH --location ID --service ID --from YYYY-MM-DD --days N
//                    [--share 0.3] [--now ISO]
//       Books `share` of the location's desk-slots for the service straight into the database,
//       through LoketStore's insertAppointment (one transaction).
//   loket-bench history --config DIR --db PATH --from YYYY-MM-DD [--days 365] [--tickets 120] [--appointments 60]
//       A year (by default) of plausible past office life at every location of the config: on each day
//       a location is open (its rules, holidays, closures), about `tickets` walk-in tickets per day at
//       the town hall (a third at the others) issued inside the walk-in windows, mostly served, some
//       no-shows, waits and service times drawn at random; and about `appointments` appointments in
//       the appointment windows, one in ten cancelled. Seeded: the same database on every machine.
//       For the stats range timing in `make bench` (and for trying the /admin history by hand).
//   loket-bench history-year --config DIR --db PATH [--past 1000000] [--future 100000] ...
//       A year of a very busy office and a long book ahead, in one transaction (HistoryYear.swift).
//   loket-bench hotspots [--seconds 0.5]
//       Per-call cost of CivilClock.iso8601 and CivilDate(String), which the profiles of the
//       availability and ticket routes point at, each next to a byte-level equivalent.
//   loket-bench sqlite-ceiling --db PATH [--seconds 5] [--synchronous FULL|NORMAL]
//       BEGIN IMMEDIATE + one ticket-sized INSERT + COMMIT in a tight loop, with the Store's
//       pragmas (WAL, synchronous=FULL, busy_timeout, ...): commits per second. With NORMAL a
//       commit does not wait for the disk (the ceiling of the CPU work of a one-row commit).
//
// Lines starting with `@ key=value` are for bench/run.sh; everything else is for people.
import CSQLite
import Foundation
import LoketConfig
import LoketCore
import LoketStore
import Logging

// MARK: - Arguments

let arguments = Array(CommandLine.arguments.dropFirst())

func option(_ name: String) -> String? {
    guard let i = arguments.firstIndex(of: "--\(name)"), i + 1 < arguments.count else { return nil }
    return arguments[i + 1]
}

func option(_ name: String, _ fallback: Double) -> Double { option(name).flatMap(Double.init) ?? fallback }
func option(_ name: String, _ fallback: Int) -> Int { option(name).flatMap(Int.init) ?? fallback }

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("loket-bench: \(message)\n".utf8))
    exit(2)
}

func required(_ name: String) -> String {
    guard let value = option(name) else { fail("--\(name) is required") }
    return value
}

/// The config folder `directory` read as a catalogue, or the run ends naming what is wrong with it.
func loadCatalogue(_ directory: String) -> Catalogue {
    do {
        return try ConfigLoader.load(directory: directory)
    } catch let error as ConfigError {
        fail("config \(directory): " + error.issues.map { "\($0)" }.joined(separator: "; "))
    } catch {
        fail("config \(directory): \(error)")
    }
}

func result(_ key: String, _ value: Double) {
    print("@ \(key)=\(String(format: "%.3f", value))")
}

// MARK: - Deterministic randomness

/// SplitMix64: the same seed gives the same bookings on every machine.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476C_E5E4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

// MARK: - The scenario

/// A location like the brief's: `desks` desks on weekdays 08:30-12:00 and 13:00-16:30, a 10-minute grid.
func benchLocation(desks: Int) -> Location {
    let weekdays: Set<Weekday> = [.monday, .tuesday, .wednesday, .thursday, .friday]
    let ranges = [TimeRange("08:30-12:00")!, TimeRange("13:00-16:30")!]
    return Location(id: "bench-office", name: LocalizedText([.nl: "Benchkantoor"]),
                    appointmentHours: [OpeningRule(weekdays: weekdays, ranges: ranges, desks: desks)],
                    booking: BookingPolicy(slotMinutes: 10, leadMinutes: 120, horizonDays: 120, walkInReserve: 0,
                                           onlineShare: 1.0, cancelCooldownMinutes: 0))
}

func benchService(location: String) -> Service {
    Service(id: "bench-consult", name: LocalizedText([.nl: "Benchafspraak"]), category: "burgerzaken",
            durationMinutes: 10, maxPersons: 1, channels: [.appointment], prefix: "B", locations: [location])
}

/// Books `share` of every (grid slot, desk) pair in `from ..< from + days`, chosen at random (seeded).
///
/// The grid comes from SlotEngine itself (staff channel, nothing booked), so the plan matches
/// whatever opening rules, holidays and closures the location has.
func bookingPlan(location: Location, service: Service, from: CivilDate, days: Int, share: Double, now: Date,
                 seed: UInt64 = 2026) -> [BookedInterval] {
    let grid = SlotEngine.slots(location: location, items: [VisitItem(service: service, persons: 1)], from: from,
                                to: from.adding(days: days - 1), booked: [], channel: .staff, now: now)
    var pairs: [(slot: Int, desk: Int)] = []
    for (i, slot) in grid.enumerated() {
        for d in 0..<slot.free { pairs.append((i, d)) }
    }
    var rng = SplitMix64(state: seed)
    pairs.shuffle(using: &rng)
    let take = Int((Double(pairs.count) * share).rounded())
    return pairs.prefix(take).map { p in
        BookedInterval(start: grid[p.slot].start, end: grid[p.slot].end, group: service.group, channel: .online)
    }.sorted { $0.start < $1.start }
}

// MARK: - Timing

/// Runs `body` for a warm-up, then repeatedly for about `seconds`; returns every run's microseconds, sorted.
func measure(seconds: Double, minimum: Int = 30, _ body: () -> Int) -> (micros: [Double], checksum: Int) {
    let clock = ContinuousClock()
    var checksum = 0
    let warmupEnd = clock.now.advanced(by: .milliseconds(Int64(min(1.0, seconds / 5) * 1000)))
    while clock.now < warmupEnd { checksum &+= body() }
    var samples: [Double] = []
    let end = clock.now.advanced(by: .milliseconds(Int64(seconds * 1000)))
    while samples.count < minimum || clock.now < end {
        let t0 = clock.now
        checksum &+= body()
        let d = clock.now - t0
        samples.append(Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) / 1e12)
    }
    return (samples.sorted(), checksum)
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
}

// MARK: - Commands

/// `availability`: SlotEngine.slots in-process, 30 days and one day.
func availability() {
    let desks = option("desks", 10)
    let days = option("days", 30)
    let share = option("share", 0.3)
    let seconds = option("seconds", 3.0)
    let location = benchLocation(desks: desks)
    let service = benchService(location: location.id)
    // Monday 1 February 2027: 30 days without a Belgian public holiday (Easter 2027 is 28 March).
    let from = CivilDate("2027-02-01")!
    let now = parseInstant("2027-01-31T07:00:00+01:00")!
    let booked = bookingPlan(location: location, service: service, from: from, days: days, share: share, now: now)
    let items = [VisitItem(service: service, persons: 1)]
    let full = SlotEngine.slots(location: location, items: items, from: from, to: from.adding(days: days - 1),
                                booked: booked, now: now)
    let capacity = SlotEngine.slots(location: location, items: items, from: from, to: from.adding(days: days - 1),
                                    booked: [], now: now)
    let freeDesks = full.reduce(0) { $0 + $1.free }, allDesks = capacity.reduce(0) { $0 + $1.free }
    print("scenario: \(desks) desks, weekdays 08:30-12:00 + 13:00-16:30, 10-minute grid, \(days) days from \(from);"
          + " \(booked.count) bookings = \(String(format: "%.1f", 100 * (1 - Double(freeDesks) / Double(max(1, allDesks)))))% of \(allDesks) desk-slots;"
          + " the query answers \(full.count) of \(capacity.count) slots")

    let month = measure(seconds: seconds) {
        SlotEngine.slots(location: location, items: items, from: from, to: from.adding(days: days - 1),
                         booked: booked, now: now).count
    }
    let dayFrom = from.adding(days: 1)
    let dayBooked = booked.filter { CivilClock(timeZone: location.timeZone).date(of: $0.start) == dayFrom }
    let day = measure(seconds: seconds / 3) {
        SlotEngine.slots(location: location, items: items, from: dayFrom, to: dayFrom, booked: dayBooked, now: now).count
    }
    for (name, m) in [("\(days) days", month), ("1 day", day)] {
        print("SlotEngine.slots, \(name): median \(String(format: "%.1f", percentile(m.micros, 0.5))) µs,"
              + " p10 \(String(format: "%.1f", percentile(m.micros, 0.1))) µs, p90 \(String(format: "%.1f", percentile(m.micros, 0.9))) µs"
              + " over \(m.micros.count) queries (checksum \(m.checksum))")
    }
    result("slots_month_median_us", percentile(month.micros, 0.5))
    result("slots_month_p90_us", percentile(month.micros, 0.9))
    result("slots_day_median_us", percentile(day.micros, 0.5))
    result("slots_month_count", Double(full.count))
    result("bookings", Double(booked.count))
}

/// `seed`: writes the booking plan as appointments into a Loket database.
func seed() {
    let config = required("config"), dbPath = required("db")
    let catalogue = loadCatalogue(config)
    guard let location = catalogue.location(required("location")) else { fail("unknown location") }
    guard let service = catalogue.service(required("service")) else { fail("unknown service") }
    guard let from = CivilDate(required("from")) else { fail("--from must be YYYY-MM-DD") }
    let days = option("days", 30)
    let share = option("share", 0.3)
    let now = option("now").flatMap(parseInstant) ?? CivilClock(timeZone: location.timeZone).startOfDay(from.adding(days: -1))
    let plan = bookingPlan(location: location, service: service, from: from, days: days, share: share, now: now)
    var logger = Logger(label: "loket-bench")
    logger.logLevel = .warning
    do {
        let store = try Store(path: dbPath, logger: logger)
        var rng = SplitMix64(state: 7)
        let inserted = try store.write { db -> Int in
            var n = 0
            for (i, b) in plan.enumerated() {
                let email = "burger\(i)@bench.example.be"
                let hash = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
                for _ in 0..<8 {
                    let a = Appointment(reference: ReferenceCode.generate(using: &rng), location: location.id,
                                        items: [Appointment.Item(service: service.id, persons: 1)], start: b.start, end: b.end,
                                        status: .booked, name: "Burger \(i)", email: email, phone: nil, language: .nl,
                                        channel: .online, createdAt: now)
                    do {
                        try db.insertAppointment(a, tokenHash: hash, group: service.group, contactKey: "bench:\(email)")
                        n += 1
                        break
                    } catch let e as SQLiteError where e.isUniqueViolation {
                        continue
                    }
                }
            }
            return n
        }
        print("seeded \(inserted) appointments for \(service.id) at \(location.id), \(from) + \(days) days (\(Int(share * 100))% of desk-slots)")
        result("seeded", Double(inserted))
    } catch {
        fail("seed: \(error)")
    }
}

/// `sqlite-ceiling`: the fastest durable one-row transaction this disk and SQLite allow.
func sqliteCeiling() {
    let path = required("db")
    let seconds = option("seconds", 5.0)
    let synchronous = option("synchronous")?.uppercased() ?? "FULL"
    guard ["FULL", "NORMAL"].contains(synchronous) else { fail("--synchronous must be FULL or NORMAL") }
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    var db: OpaquePointer?
    guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK,
          let db else { fail("cannot open \(path)") }
    defer { sqlite3_close_v2(db) }
    func exec(_ sql: String) {
        guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else { fail("\(sql): \(String(cString: sqlite3_errmsg(db)))") }
    }
    // Exactly Store.configure + the writer's journal mode (Sources/LoketStore/Store.swift), but for --synchronous.
    exec("PRAGMA busy_timeout=5000; PRAGMA synchronous=\(synchronous); PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY")
    exec("PRAGMA journal_mode=WAL")
    // The tickets table and its indexes as in Sources/LoketStore/Migrations.swift.
    exec("""
        CREATE TABLE tickets (
            id TEXT PRIMARY KEY, location TEXT NOT NULL, day TEXT NOT NULL, number TEXT NOT NULL, service TEXT NOT NULL,
            origin TEXT NOT NULL, priority INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL, issued_at INTEGER NOT NULL,
            waiting_since INTEGER NOT NULL, called_at INTEGER, started_at INTEGER, finished_at INTEGER, counter TEXT,
            target_counter TEXT, appointment_ref TEXT, appointment_start INTEGER, recalls INTEGER NOT NULL DEFAULT 0,
            close_reason TEXT, UNIQUE (location, day, number));
        CREATE INDEX tickets_by_status ON tickets(location, status);
        """)
    func prepare(_ sql: String) -> OpaquePointer {
        var s: OpaquePointer?
        guard sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &s, nil) == SQLITE_OK, let s else {
            fail("prepare: \(String(cString: sqlite3_errmsg(db)))")
        }
        return s
    }
    let begin = prepare("BEGIN IMMEDIATE"), commit = prepare("COMMIT")
    let insert = prepare("""
        INSERT INTO tickets (id, location, day, number, service, origin, priority, status, issued_at, waiting_since,
                             called_at, started_at, finished_at, counter, target_counter, appointment_ref, appointment_start,
                             recalls, close_reason)
        VALUES (?, 'stadhuis', '2026-12-01', ?, 'eid-aanvraag', 'walkin', 0, 'waiting', ?, ?, NULL, NULL, NULL, NULL, NULL,
                NULL, NULL, 0, NULL)
        """)
    func step(_ s: OpaquePointer) {
        let rc = sqlite3_step(s)
        sqlite3_reset(s)
        guard rc == SQLITE_DONE else { fail("step: \(String(cString: sqlite3_errmsg(db)))") }
    }
    var rng = SplitMix64(state: 1)
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    let clock = ContinuousClock()
    let t0 = clock.now
    let end = t0.advanced(by: .milliseconds(Int64(seconds * 1000)))
    var commits = 0
    while clock.now < end {
        let id = String(decoding: (0..<16).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }, as: UTF8.self)
        let number = "A" + String(format: "%03d", commits + 1)
        let at = Int64(1_796_112_000 + commits)
        step(begin)
        _ = loket_sqlite_bind_text(insert, 1, id, -1)
        _ = loket_sqlite_bind_text(insert, 2, number, -1)
        sqlite3_bind_int64(insert, 3, at)
        sqlite3_bind_int64(insert, 4, at)
        step(insert)
        step(commit)
        commits += 1
    }
    let elapsed = clock.now - t0
    let secs = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    for s in [begin, commit, insert] { sqlite3_finalize(s) }
    print("raw SQLite: \(commits) commits in \(String(format: "%.2f", secs)) s = \(String(format: "%.0f", Double(commits) / secs)) commits/s"
          + " (WAL, synchronous=\(synchronous), one ticket row per transaction)")
    result("commits_per_s", Double(commits) / secs)
}

/// `hotspots`: per-call cost of two helpers the profiles point at, each next to a byte-level equivalent.
func hotspots() {
    let seconds = option("seconds", 0.5)
    let civil = CivilClock(timeZone: .brussels)
    let base = parseInstant("2027-02-01T08:30:00+01:00")!
    let instants = (0..<924).map { base.addingTimeInterval(Double($0) * 600 * 7) }

    /// The same text as CivilClock.iso8601, written digit by digit.
    func iso8601Bytes(_ instant: Date, _ zone: TimeZone) -> String {
        let offset = zone.secondsFromGMT(for: instant)
        let secs = Int((instant.timeIntervalSince1970 + Double(offset)).rounded(.down))
        let day = CivilDate(dayNumber: Int((Double(secs) / 86400).rounded(.down)))
        let s = secs - day.dayNumber * 86400, o = abs(offset)
        var out = [UInt8](repeating: UInt8(ascii: "0"), count: 25)
        func put(_ v: Int, _ at: Int, _ width: Int) {
            var v = v
            for i in stride(from: at + width - 1, through: at, by: -1) { out[i] = UInt8(48 + v % 10); v /= 10 }
        }
        put(day.year, 0, 4); out[4] = UInt8(ascii: "-"); put(day.month, 5, 2); out[7] = UInt8(ascii: "-"); put(day.day, 8, 2)
        out[10] = UInt8(ascii: "T"); put(s / 3600, 11, 2); out[13] = UInt8(ascii: ":"); put(s % 3600 / 60, 14, 2)
        out[16] = UInt8(ascii: ":"); put(s % 60, 17, 2); out[19] = offset < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+")
        put(o / 3600, 20, 2); out[22] = UInt8(ascii: ":"); put(o % 3600 / 60, 23, 2)
        return String(decoding: out, as: UTF8.self)
    }
    /// The same date as CivilDate.init(_:), read from the UTF-8 bytes.
    func civilDateBytes(_ text: String) -> CivilDate? {
        var text = text
        return text.withUTF8 { b -> CivilDate? in
            guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-") else { return nil }
            var v = [0, 0, 0], k = 0
            for (i, c) in b.enumerated() where i != 4 && i != 7 {
                guard (48...57).contains(c) else { return nil }
                k = i < 4 ? 0 : (i < 7 ? 1 : 2)
                v[k] = v[k] * 10 + Int(c - 48)
            }
            return CivilDate(year: v[0], month: v[1], day: v[2])
        }
    }
    for i in instants where civil.iso8601(i) != iso8601Bytes(i, .brussels) { fail("iso8601 mismatch at \(i)") }
    let dates = instants.map { civil.date(of: $0).description }
    for d in dates where CivilDate(d) != civilDateBytes(d) { fail("CivilDate mismatch at \(d)") }

    func perCall(_ body: () -> Int) -> Double {
        percentile(measure(seconds: seconds, minimum: 5, body).micros, 0.5) / Double(instants.count)
    }
    let isoLoket = perCall { instants.reduce(0) { $0 &+ civil.iso8601($1).utf8.count } }
    let isoBytes = perCall { instants.reduce(0) { $0 &+ iso8601Bytes($1, .brussels).utf8.count } }
    let dateLoket = perCall { dates.reduce(0) { $0 &+ (CivilDate($1)?.day ?? 0) } }
    let dateBytes = perCall { dates.reduce(0) { $0 &+ (civilDateBytes($1)?.day ?? 0) } }
    print(String(format: "CivilClock.iso8601: %.2f µs per call; digit-by-digit: %.2f µs (%.0fx)", isoLoket, isoBytes, isoLoket / isoBytes))
    print(String(format: "CivilDate(\"YYYY-MM-DD\"): %.2f µs per call; byte parser: %.2f µs (%.0fx)", dateLoket, dateBytes, dateLoket / dateBytes))
    result("iso8601_us", isoLoket)
    result("iso8601_bytes_us", isoBytes)
    result("civildate_us", dateLoket)
    result("civildate_bytes_us", dateBytes)
}

/// `history`: fills a database with past tickets and appointments for every location of a config.
func history() {
    let config = required("config"), dbPath = required("db")
    let catalogue = loadCatalogue(config)
    guard let from = CivilDate(required("from")) else { fail("--from must be YYYY-MM-DD") }
    let days = option("days", 365), perDay = option("tickets", 120), appointmentsPerDay = option("appointments", 60)
    var logger = Logger(label: "loket-bench")
    logger.logLevel = .warning
    var rng = SplitMix64(state: 2027)
    func uniform(_ range: ClosedRange<Double>) -> Double { Double.random(in: range, using: &rng) }
    let started = ContinuousClock.now
    var tickets = 0, appointments = 0
    do {
        let store = try Store(path: dbPath, logger: logger)
        for location in catalogue.locations {
            let calendar = OpeningCalendar(location: location)
            let walkIn = catalogue.services.filter { $0.locations.contains(location.id) && $0.channels.contains(.walkin) }
            let booked = catalogue.services.filter { $0.locations.contains(location.id) && $0.channels.contains(.appointment) }
            let scale = location.kind == .townHall ? 1.0 : 1.0 / 3
            // One transaction per month keeps the journal small and the run short.
            for monthStart in stride(from: 0, to: days, by: 31) {
                try store.write { db in
                    for offset in monthStart..<min(days, monthStart + 31) {
                        let day = from.adding(days: offset)
                        if let probe = walkIn.first {
                            let windows = calendar.walkInWindows(on: day, service: probe)
                            let n = windows.isEmpty ? 0 : Int((Double(perDay) * scale * uniform(0.6...1.4)).rounded())
                            for i in 0..<n {
                                let w = windows[Int.random(in: 0..<windows.count, using: &rng)]
                                let issued = Date(timeIntervalSince1970: uniform(w.start.timeIntervalSince1970...(w.end.timeIntervalSince1970 - 60)).rounded())
                                let service = walkIn[Int.random(in: 0..<walkIn.count, using: &rng)]
                                let called = issued.addingTimeInterval((uniform(0...1) * uniform(0...1) * 50 * 60).rounded())
                                let roll = uniform(0...1)
                                var t = Ticket(id: "h-\(location.id)-\(day)-\(i)", location: location.id, day: day, number: "H\(i + 1)",
                                               service: service.id, origin: .walkin, issuedAt: issued, waitingSince: issued)
                                if roll < 0.07 {
                                    (t.status, t.calledAt) = (.noShow, called)
                                } else {
                                    let finished = called.addingTimeInterval((Double(service.durationMinutes) * uniform(0.4...1.8) * 60).rounded())
                                    (t.status, t.calledAt, t.startedAt, t.finishedAt) = (.done, called, called, finished)
                                }
                                try db.insertTicket(t)
                                tickets += 1
                            }
                        }
                        if let probe = booked.first {
                            let windows = calendar.appointmentWindows(on: day, service: probe)
                            let n = windows.isEmpty ? 0 : Int((Double(appointmentsPerDay) * scale * uniform(0.6...1.4)).rounded())
                            for i in 0..<n {
                                let w = windows[Int.random(in: 0..<windows.count, using: &rng)]
                                let slots = max(1, Int(w.end.timeIntervalSince(w.start) / 600))
                                let start = w.start.addingTimeInterval(Double(Int.random(in: 0..<slots, using: &rng) * 600))
                                let service = booked[Int.random(in: 0..<booked.count, using: &rng)]
                                let a = Appointment(reference: "H\(tickets + appointments)-\(i)", location: location.id,
                                                    items: [Appointment.Item(service: service.id, persons: 1)], start: start,
                                                    end: start.addingTimeInterval(Double(service.durationMinutes * 60)),
                                                    status: uniform(0...1) < 0.1 ? .cancelled : .done, name: "Zoë Historiek-\(i)",
                                                    email: nil, phone: nil, language: .nl, channel: .online,
                                                    createdAt: start.addingTimeInterval(-7 * 86400))
                                try db.insertAppointment(a, tokenHash: (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) },
                                                         group: service.group, contactKey: nil)
                                appointments += 1
                            }
                        }
                    }
                }
            }
        }
    } catch {
        fail("history: \(error)")
    }
    let seconds = Double((ContinuousClock.now - started).components.seconds)
    print("history: \(tickets) tickets and \(appointments) appointments over \(days) days from \(from) at \(catalogue.locations.count) locations (\(Int(seconds)) s)")
    result("history_tickets", Double(tickets))
    result("history_appointments", Double(appointments))
}

switch arguments.first {
case "hotspots": hotspots()
case "availability": availability()
case "seed": seed()
case "history": history()
case "history-year": historyYear()
case "sqlite-ceiling": sqliteCeiling()
case "catalogue": catalogueFile()
default:
    fail("usage: loket-bench availability|seed|history|history-year|sqlite-ceiling|catalogue|hotspots [options] (see bench/README.md)")
}
