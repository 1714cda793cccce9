// The appointment calendar: which visit starts are free, and how many desks are left there.
//
// Per civil date the opening calendar gives wall-clock pieces with their desks; touching pieces
// form one run, and a visit must fit inside one run (so never across a lunch break). Each run is
// swept once with per-minute arrays indexed by real minutes since the run's start instant:
// capacity per minute (from the pieces) and occupancy per minute (a difference array filled from
// the bookings and holds that overlap the run, found by binary search in a start-sorted copy).
// A grid start is free when, at every minute the visit covers, occupancy stays below capacity.
// The buffers are reused across runs, so a month of a busy office costs a few hundred microseconds.

import Foundation

/// One service of a visit and how many people come for it.
public struct VisitItem: Sendable, Hashable {
    /// The service.
    public var service: Service
    /// People served (the visit takes `durationMinutes` per person).
    public var persons: Int

    /// Makes an item of a visit.
    public init(service: Service, persons: Int) {
        self.service = service
        self.persons = persons
    }
}

/// An existing booking (or cooldown hold) that takes one desk during `[start, end)`.
public struct BookedInterval: Sendable, Hashable {
    /// Start of the appointment.
    public var start: Date
    /// End of the appointment (exclusive).
    public var end: Date
    /// Service group of the booked service; only intervals of the visit's group compete.
    public var group: String?
    /// Who booked it, for the online quota.
    public var channel: BookingChannel

    /// Makes a busy interval.
    public init(start: Date, end: Date, group: String?, channel: BookingChannel) {
        self.start = start
        self.end = end
        self.group = group
        self.channel = channel
    }
}

/// A bookable visit start with the number of desks still free for it.
public struct Slot: Sendable, Hashable {
    /// Start of the visit.
    public var start: Date
    /// End of the visit (start + visit length).
    public var end: Date
    /// Desks still free over the whole visit for the asking channel (always > 0 when listed).
    public var free: Int

    /// Makes a slot.
    public init(start: Date, end: Date, free: Int) {
        self.start = start
        self.end = end
        self.free = free
    }
}

/// Computes free appointment slots; pure, `now` is always a parameter.
public enum SlotEngine {
    /// Length of a visit in minutes: the sum over items of `durationMinutes x persons`.
    public static func visitMinutes(_ items: [VisitItem]) -> Int {
        items.reduce(0) { $0 + max(0, $1.service.durationMinutes) * max(0, $1.persons) }
    }

    /// How many days ahead `service` can be booked at `location` (the service's own horizon, else the location's).
    public static func horizonDays(for service: Service, at location: Location) -> Int {
        service.horizonDays ?? location.booking.horizonDays
    }

    /// Desks `channel` may fill in a window with `desks` desks under `policy` (never below 0).
    ///
    /// Staff: `desks - walkInReserve`; online: `floor((desks - walkInReserve) * onlineShare)`.
    public static func capacity(desks: Int, policy: BookingPolicy, channel: BookingChannel) -> Int {
        let staff = max(0, desks - policy.walkInReserve)
        switch channel {
        case .staff: return staff
        case .online:
            let share = min(1, max(0, policy.onlineShare))
            // A tiny epsilon so that 10 x 0.3 is 3, not 2.9999999.
            return max(0, Int((Double(staff) * share + 1e-9).rounded(.down)))
        }
    }

    /// Free slots for the visit at `location` on the civil dates `from...to` (inclusive), sorted by start.
    ///
    /// - A slot starts on the grid (every `booking.slotMinutes` from the start of each run of touching
    ///   windows) and the whole visit fits inside that run.
    /// - Capacity per minute: staff = `desks - walkInReserve`; online = `floor(staff x onlineShare)`.
    /// - `booked` (active appointments here) and `held` (cooldown holds) count when their group equals
    ///   `items[0].service.group`. Online: free = min(online capacity - online overlap, capacity -
    ///   all overlap); staff: capacity - all overlap; each the minimum over the minutes of the visit.
    /// - Lead time: start >= now + (service.leadMinutes ?? booking.leadMinutes) minutes. Horizon: the
    ///   start's civil date <= today + (service.horizonDays ?? booking.horizonDays).
    /// - Windows come per civil date in the location's zone; slot instants are real instants.
    public static func slots(location: Location, items: [VisitItem], from: CivilDate, to: CivilDate,
                             booked: [BookedInterval], held: [BookedInterval] = [],
                             channel: BookingChannel = .online, now: Date) -> [Slot] {
        guard let context = Context(location: location, items: items, booked: booked, held: held,
                                    channel: channel, now: now) else { return [] }
        let first = max(from, context.today)
        let last = min(to, context.horizon)
        guard first <= last else { return [] }
        var sweep = Sweep()
        var result: [Slot] = []
        var date = first
        while date <= last {
            for run in context.runs(on: date) {
                sweep.evaluate(run, context: context, only: nil) { result.append($0) }
            }
            date = date.adding(days: 1)
        }
        return result
    }

    /// Checks one requested start and returns its slot; used again inside the booking transaction.
    ///
    /// - Throws: `LoketError(.invalid, fields: ["start": ...])` when the start is in the past, beyond the
    ///   horizon or off the grid; `LoketError(.slotUnavailable)` when it is on the grid but not bookable
    ///   (inside the lead time, the visit does not fit, or no desk is free).
    public static func check(start: Date, location: Location, items: [VisitItem], booked: [BookedInterval],
                             held: [BookedInterval] = [], channel: BookingChannel = .online, now: Date) throws -> Slot {
        guard let context = Context(location: location, items: items, booked: booked, held: held,
                                    channel: channel, now: now) else {
            throw LoketError(.invalid, "The visit has no services or no length.", fields: ["items": "empty"])
        }
        if start < now {
            throw LoketError(.invalid, "The requested start is in the past.", fields: ["start": "in the past"])
        }
        let date = context.clock.date(of: start)
        if date > context.horizon {
            throw LoketError(.invalid, "The requested start is beyond the booking horizon.",
                             fields: ["start": "beyond horizon"])
        }
        let startSecond = seconds(start)
        let step = context.slotMinutes * 60
        guard let run = context.runs(on: date).first(where: {
            startSecond >= $0.start && startSecond < $0.end && (startSecond - $0.start) % step == 0
        }) else {
            // On the grid of the configured hours, but a runtime closure took the time away: full, not wrong.
            if !location.limits.isEmpty {
                var configured = location
                configured.limits = []
                let open = runs(calendar: OpeningCalendar(location: configured), policy: location.booking, on: date, group: context.group)
                if open.contains(where: { startSecond >= $0.start && startSecond < $0.end && (startSecond - $0.start) % step == 0 }) {
                    throw LoketError(.slotUnavailable, "The office is closed at this time.")
                }
            }
            throw offGrid(startSecond, runs: context.runs(on: date), on: date, slotMinutes: context.slotMinutes)
        }
        var found: Slot? = nil
        var sweep = Sweep()
        sweep.evaluate(run, context: context, only: (startSecond - run.start) / 60) { found = $0 }
        guard let slot = found else {
            throw LoketError(.slotUnavailable, "This time is no longer available.")
        }
        return slot
    }

    /// Why a start that no run of its date holds on the grid was refused, in words a citizen can act
    /// on: a day without appointments for the visit (a public holiday named), a time outside the
    /// appointment hours, or a time between two slots.
    static func offGrid(_ startSecond: Int, runs: [Run], on date: CivilDate, slotMinutes: Int) -> LoketError {
        if runs.isEmpty {
            if let holiday = BelgianHolidays.holidays(year: date.year).first(where: { $0.date == date }) {
                return LoketError(.invalid, "There are no appointments on \(date): it is a public holiday (\(holiday.name.resolve(.en))).",
                                  fields: ["start": "public holiday"])
            }
            return LoketError(.invalid, "There are no appointments for this visit on \(date).", fields: ["start": "no appointments that day"])
        }
        if !runs.contains(where: { startSecond >= $0.start && startSecond < $0.end }) {
            return LoketError(.invalid, "The requested start is outside the appointment hours of \(date).",
                              fields: ["start": "outside appointment hours"])
        }
        return LoketError(.invalid, "The requested start is not on the appointment grid: slots start every \(slotMinutes) minutes.",
                          fields: ["start": "off grid"])
    }

    /// The instants `check(start:...)` looks at: the visit's own span `[start, start + visit)`.
    ///
    /// Only the bookings and holds overlapping this span change its answer (the sweep counts an
    /// interval in a minute of the visit exactly when it overlaps that minute, and slot starts lie
    /// on whole minutes of their run), so a caller may pass `check` just those instead of the day's:
    /// the answer is the same (`SlotCheckPropertyTests`), and reading them is one short index range.
    public static func checkedSpan(start: Date, items: [VisitItem]) -> (from: Date, to: Date) {
        (start, start.addingTimeInterval(Double(visitMinutes(items) * 60)))
    }

    // MARK: - Internals

    /// The runs of touching appointment windows of `group` on `date`, as real instants, with the
    /// staff and online capacity of each piece.
    static func runs(calendar: OpeningCalendar, policy: BookingPolicy, on date: CivilDate, group: String?) -> [Run] {
        let clock = calendar.clock
        let pieces = calendar.appointmentPieces(on: date, group: group)
        var runs: [Run] = []
        for p in pieces {
            let s = SlotEngine.seconds(clock.instant(date, TimeOfDay(minutes: p.start)))
            let e = SlotEngine.seconds(clock.instant(date, TimeOfDay(minutes: p.end)))
            guard e > s else { continue } // a piece wholly inside a DST gap
            let total = SlotEngine.capacity(desks: p.desks, policy: policy, channel: .staff)
            let online = SlotEngine.capacity(desks: p.desks, policy: policy, channel: .online)
            if var last = runs.last, last.end == s {
                last.pieces.append(((s - last.start) / 60, (e - s) / 60, total, online))
                last.end = e
                runs[runs.count - 1] = last
            } else {
                runs.append(Run(start: s, end: e, pieces: [(0, (e - s) / 60, total, online)]))
            }
        }
        return runs
    }

    /// Whole seconds since 1970 of `date` (bookings and windows are on whole seconds).
    @inline(__always) static func seconds(_ date: Date) -> Int {
        Int(date.timeIntervalSince1970.rounded(.down))
    }

    /// One compact interval: seconds since 1970, and whether it counts against the online quota.
    struct Busy {
        var start: Int
        var end: Int
        var online: Bool
    }

    /// A run of touching windows: real seconds `[start, end)` and its pieces' capacities.
    struct Run {
        var start: Int
        var end: Int
        /// Per piece: offset in minutes from the run start, length in minutes, total and online capacity.
        var pieces: [(offset: Int, minutes: Int, total: Int, online: Int)]
    }

    /// Everything a call needs, computed once.
    struct Context {
        let calendar: OpeningCalendar
        let clock: CivilClock
        let group: String?
        let visit: Int
        let slotMinutes: Int
        let channel: BookingChannel
        let policy: BookingPolicy
        let earliest: Int
        let today: CivilDate
        let horizon: CivilDate
        /// Competing intervals sorted by start.
        let busy: [Busy]
        /// Longest competing interval, in seconds, to bound the overlap search.
        let longest: Int

        init?(location: Location, items: [VisitItem], booked: [BookedInterval], held: [BookedInterval],
              channel: BookingChannel, now: Date) {
            let visit = SlotEngine.visitMinutes(items)
            guard let service = items.first?.service, visit > 0, location.booking.slotMinutes > 0 else { return nil }
            calendar = OpeningCalendar(location: location)
            clock = calendar.clock
            group = service.group
            self.visit = visit
            slotMinutes = location.booking.slotMinutes
            self.channel = channel
            policy = location.booking
            earliest = SlotEngine.seconds(now) + (service.leadMinutes ?? location.booking.leadMinutes) * 60
            today = clock.date(of: now)
            horizon = today.adding(days: SlotEngine.horizonDays(for: service, at: location))
            var busy: [Busy] = []
            busy.reserveCapacity(booked.count + held.count)
            var longest = 0
            for list in [booked, held] {
                for b in list where b.group == service.group {
                    let s = SlotEngine.seconds(b.start), e = SlotEngine.seconds(b.end)
                    guard e > s else { continue }
                    busy.append(Busy(start: s, end: e, online: b.channel == .online))
                    longest = max(longest, e - s)
                }
            }
            busy.sort { $0.start < $1.start }
            self.busy = busy
            self.longest = longest
        }

        /// The runs of touching appointment windows on `date`, as real instants.
        func runs(on date: CivilDate) -> [Run] {
            SlotEngine.runs(calendar: calendar, policy: policy, on: date, group: group)
        }

        /// Index of the first busy interval that may overlap a run starting at `second`.
        func firstCandidate(from second: Int) -> Int {
            let key = second - longest
            var lo = 0, hi = busy.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if busy[mid].start < key { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }
    }

    /// Per-minute buffers, reused from run to run.
    struct Sweep {
        /// Desks still free per minute for the asking channel (capacity minus occupancy).
        var free: [Int32] = []
        /// Difference arrays of occupancy: all intervals, and online ones.
        var all: [Int32] = []
        var online: [Int32] = []

        /// Emits the free slots of `run` (or only the one starting `only` minutes into it).
        mutating func evaluate(_ run: Run, context: Context, only: Int?, emit: (Slot) -> Void) {
            let n = (run.end - run.start) / 60
            let visit = context.visit
            guard n >= visit else { return }
            let isOnline = context.channel == .online
            free.removeAll(keepingCapacity: true)
            all.removeAll(keepingCapacity: true)
            free.append(contentsOf: repeatElement(0, count: n))
            all.append(contentsOf: repeatElement(0, count: n + 1))
            if isOnline {
                online.removeAll(keepingCapacity: true)
                online.append(contentsOf: repeatElement(0, count: n + 1))
            }

            // Occupancy as difference arrays over the run's minutes.
            var i = context.firstCandidate(from: run.start)
            let busy = context.busy
            while i < busy.count, busy[i].start < run.end {
                let b = busy[i]
                i += 1
                guard b.end > run.start else { continue }
                let lo = max(0, floorDiv(b.start - run.start, 60))
                let hi = min(n, -floorDiv(run.start - b.end, 60)) // ceil
                guard lo < hi else { continue }
                all[lo] += 1
                all[hi] -= 1
                if isOnline, b.online {
                    online[lo] += 1
                    online[hi] -= 1
                }
            }

            // Free desks per minute: prefix sums against each piece's capacity.
            var usedAll: Int32 = 0, usedOnline: Int32 = 0
            for piece in run.pieces {
                let total = Int32(piece.total), onlineCap = Int32(piece.online)
                let end = min(n, piece.offset + piece.minutes)
                var m = piece.offset
                while m < end {
                    usedAll &+= all[m]
                    var f = total - usedAll
                    if isOnline {
                        usedOnline &+= online[m]
                        f = min(f, onlineCap - usedOnline)
                    }
                    free[m] = f
                    m += 1
                }
            }

            // Grid starts where the whole visit fits in the run.
            let step = context.slotMinutes
            var k = 0
            var last = n - visit
            if let only {
                guard only >= 0, only <= last, only % step == 0 else { return }
                k = only
                last = only
            }
            if run.start + k * 60 < context.earliest {
                // Skip grid starts inside the lead time in one jump.
                let gap = context.earliest - run.start
                let minutes = -floorDiv(-gap, 60)
                k = max(k, -floorDiv(-minutes, step) * step)
            }
            free.withUnsafeBufferPointer { f in
                while k <= last {
                    var lowest = Int32.max
                    var m = k
                    let end = k + visit
                    while m < end, lowest > 0 {
                        if f[m] < lowest { lowest = f[m] }
                        m += 1
                    }
                    if lowest > 0 {
                        let s = run.start + k * 60
                        if s >= context.earliest {
                            emit(Slot(start: Date(timeIntervalSince1970: Double(s)),
                                      end: Date(timeIntervalSince1970: Double(s + visit * 60)), free: Int(lowest)))
                        }
                    }
                    k += step
                }
            }
        }
    }
}
