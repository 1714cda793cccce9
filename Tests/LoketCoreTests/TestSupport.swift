// Small helpers and fixtures shared by the LoketCore tests.
import Foundation
@testable import LoketCore

/// A civil date from `YYYY-MM-DD` (crashes on a typo in a test, which is what we want).
func day(_ text: String) -> CivilDate { CivilDate(text)! }

/// An instant from ISO 8601 with offset.
func at(_ text: String) -> Date { parseInstant(text)! }

/// A time range from `HH:MM-HH:MM`.
func hours(_ text: String) -> TimeRange { TimeRange(text)! }

/// Weekdays Monday to Friday.
let workdays: Set<Weekday> = [.monday, .tuesday, .wednesday, .thursday, .friday]

/// A service with sensible defaults for tests.
func service(_ id: String, minutes: Int = 15, group: String? = nil, channels: Set<Channel> = [.appointment, .walkin],
             category: String = "burgerzaken", locations: [String] = ["stadhuis"], lead: Int? = nil,
             horizon: Int? = nil, names: [Language: String]? = nil, keywords: [String] = []) -> Service {
    Service(id: id, name: LocalizedText(names ?? [.nl: id]), category: category, durationMinutes: minutes,
            channels: channels, locations: locations, group: group, leadMinutes: lead, horizonDays: horizon,
            keywords: keywords)
}

/// The town hall: weekdays 08:30-12:00 and 13:00-16:00 with two desks; walk-in 09:00-12:00.
func townHall(booking: BookingPolicy = BookingPolicy(slotMinutes: 15, leadMinutes: 0, horizonDays: 400),
              appointmentHours: [OpeningRule]? = nil, closures: [Closure] = [], extras: [ExtraOpening] = []) -> Location {
    Location(id: "stadhuis", name: LocalizedText([.nl: "Stadhuis"]),
             appointmentHours: appointmentHours ?? [
                OpeningRule(weekdays: workdays, ranges: [hours("08:30-12:00"), hours("13:00-16:00")], desks: 2),
             ],
             walkInHours: [OpeningRule(weekdays: workdays, ranges: [hours("09:00-12:00")])],
             closures: closures, extraOpenings: extras, booking: booking)
}

/// Property tests take their seed from the environment, so a failure can be replayed.
extension SplitMix64 {
    /// The seed from `LOKET_SEED`, else `fallback`; printed so a failure can be replayed.
    static func seeded(_ test: String, fallback: UInt64 = 20_261_201) -> SplitMix64 {
        let seed = ProcessInfo.processInfo.environment["LOKET_SEED"].flatMap { UInt64($0) } ?? fallback
        print("\(test): LOKET_SEED=\(seed)")
        return SplitMix64(seed: seed)
    }
}
