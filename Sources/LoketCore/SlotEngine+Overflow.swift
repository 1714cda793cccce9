// The overflow sweep: which booked appointments no longer fit a location's calendar after it
// changed (a runtime closure, fewer desks, a new config).
//
// It is the slot engine's own capacity rule run the other way round. Appointments are admitted
// one by one in booking order (createdAt, then reference): each must lie inside one run of
// touching appointment windows of its group (as a slot must), and at every minute it covers the
// appointments admitted before it must leave a desk free (staff capacity, `desks - walkInReserve`,
// as staff may fill every desk). The ones not admitted are the overflow. So an unchanged calendar
// whose bookings were all admitted by the engine overflows nothing, whatever the order, because a
// subset of a set that fits at every minute fits too.
import Foundation

extension SlotEngine {
    /// The appointments that no longer fit `location`'s calendar (its rules, holidays, closures and `limits`): admitted in booking order (createdAt, then reference), each must lie inside one run of touching appointment windows of its group and, at every minute it covers, the appointments already admitted must stay below staff capacity (desks - walkInReserve). Those not admitted are returned, in start order.
    public static func overflow(location: Location, appointments: [HeldAppointment]) -> [HeldAppointment] {
        let calendar = OpeningCalendar(location: location)
        let clock = calendar.clock
        /// Per (group, date): the day's runs and, per run, the occupancy per minute.
        struct Day {
            var runs: [Run]
            var used: [[Int32]]
        }
        var days: [String: Day] = [:]
        var rejected: [HeldAppointment] = []
        let ordered = appointments.sorted { ($0.createdAt, $0.reference) < ($1.createdAt, $1.reference) }
        for a in ordered {
            let start = seconds(a.start), end = seconds(a.end)
            guard end > start else { continue } // nothing to hold
            let date = clock.date(of: a.start)
            let key = "\(a.group ?? "")|\(a.group == nil ? 0 : 1)|\(date.dayNumber)"
            var day = days[key] ?? {
                let runs = SlotEngine.runs(calendar: calendar, policy: location.booking, on: date, group: a.group)
                return Day(runs: runs, used: runs.map { [Int32](repeating: 0, count: ($0.end - $0.start) / 60) })
            }()
            defer { days[key] = day }
            guard let r = day.runs.firstIndex(where: { $0.start <= start && end <= $0.end }) else {
                rejected.append(a)
                continue
            }
            let run = day.runs[r]
            let lo = (start - run.start) / 60
            let hi = min(day.used[r].count, -floorDiv(run.start - end, 60)) // ceil
            var fits = lo < hi
            var m = lo
            // Capacity per minute from the run's pieces.
            var pieceIndex = 0
            while fits, m < hi {
                while pieceIndex < run.pieces.count, m >= run.pieces[pieceIndex].offset + run.pieces[pieceIndex].minutes {
                    pieceIndex += 1
                }
                let capacity = pieceIndex < run.pieces.count && m >= run.pieces[pieceIndex].offset ? run.pieces[pieceIndex].total : 0
                if Int(day.used[r][m]) >= capacity { fits = false }
                m += 1
            }
            if fits {
                for k in lo..<hi { day.used[r][k] += 1 }
            } else {
                rejected.append(a)
            }
        }
        return rejected.sorted { ($0.start, $0.reference) < ($1.start, $1.reference) }
    }
}
