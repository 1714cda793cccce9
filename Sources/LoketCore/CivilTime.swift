// Civil (wall-clock) dates and times, as a location's calendar shows them.
//
// A `CivilDate` is a proleptic Gregorian date kept as year/month/day and converted to a
// day number for arithmetic; a `TimeOfDay` is minutes after local midnight. Instants are
// Foundation `Date` values (UTC); the conversion between the two needs a time zone and
// lives in `Calendar+Civil.swift`.
import Foundation

/// A calendar date without a time zone, such as `2026-12-01`.
public struct CivilDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    /// Makes a date; returns nil for impossible dates such as 2026-02-30.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              day >= 1, day <= CivilDate.daysIn(month: month, year: year) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`; nil for anything else, including impossible dates.
    public init?(_ text: some StringProtocol) {
        // Byte by byte and without allocating: this runs for every stored ticket read.
        var y = 0, m = 0, d = 0, count = 0
        for byte in text.utf8 {
            switch count {
            case 4, 7:
                guard byte == UInt8(ascii: "-") else { return nil }
            case 0..<10:
                guard byte >= 48, byte <= 57 else { return nil }
                let digit = Int(byte - 48)
                if count < 4 { y = y * 10 + digit } else if count < 7 { m = m * 10 + digit } else { d = d * 10 + digit }
            default:
                return nil
            }
            count += 1
        }
        guard count == 10 else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// Days since 1970-01-01 (negative before).
    public var dayNumber: Int {
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// The date `dayNumber` days after 1970-01-01.
    public init(dayNumber z0: Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        self.month = m
        self.day = d
    }

    /// The date `days` later (or earlier, when negative).
    public func adding(days: Int) -> CivilDate { CivilDate(dayNumber: dayNumber + days) }

    /// ISO weekday: Monday = 1 ... Sunday = 7.
    public var weekday: Weekday {
        // 1970-01-01 was a Thursday (4).
        let w = ((dayNumber % 7) + 7 + 3) % 7 + 1
        return Weekday(rawValue: w)!
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public static func < (a: CivilDate, b: CivilDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    public var description: String {
        zeroPadded(year, width: 4) + "-" + zeroPadded(month, width: 2) + "-" + zeroPadded(day, width: 2)
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let d = CivilDate(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a date: \(text)"))
        }
        self = d
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// ISO weekday numbers, Monday first.
public enum Weekday: Int, Sendable, Hashable, CaseIterable, Codable, Comparable {
    case monday = 1, tuesday, wednesday, thursday, friday, saturday, sunday

    /// Parses `mon`, `monday`, `ma`, `maandag` and the like.
    public init?(name: String) {
        let n = name.lowercased()
        let table: [(Weekday, [String])] = [
            (.monday, ["mon", "monday", "ma", "maandag"]),
            (.tuesday, ["tue", "tuesday", "di", "dinsdag"]),
            (.wednesday, ["wed", "wednesday", "wo", "woensdag"]),
            (.thursday, ["thu", "thursday", "do", "donderdag"]),
            (.friday, ["fri", "friday", "vr", "vrijdag"]),
            (.saturday, ["sat", "saturday", "za", "zaterdag"]),
            (.sunday, ["sun", "sunday", "zo", "zondag"]),
        ]
        guard let hit = table.first(where: { $0.1.contains(n) }) else { return nil }
        self = hit.0
    }

    public static func < (a: Weekday, b: Weekday) -> Bool { a.rawValue < b.rawValue }
}

/// A wall-clock time, minutes after local midnight (0...1440; 1440 is the end of the day).
public struct TimeOfDay: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var minutes: Int

    public init(minutes: Int) { self.minutes = minutes }

    public init?(hour: Int, minute: Int) {
        guard (0...24).contains(hour), (0...59).contains(minute), hour * 60 + minute <= 1440 else { return nil }
        self.minutes = hour * 60 + minute
    }

    /// Parses `HH:MM` (`24:00` allowed as the end of a day).
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ":")
        guard parts.count == 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]) else { return nil }
        self.init(hour: h, minute: m)
    }

    public static func < (a: TimeOfDay, b: TimeOfDay) -> Bool { a.minutes < b.minutes }

    public var description: String { zeroPadded(minutes / 60, width: 2) + ":" + zeroPadded(minutes % 60, width: 2) }
}

/// A half-open wall-clock range `[start, end)` within one day.
public struct TimeRange: Sendable, Hashable, Codable, CustomStringConvertible {
    public var start: TimeOfDay
    public var end: TimeOfDay

    public init(start: TimeOfDay, end: TimeOfDay) {
        self.start = start
        self.end = end
    }

    /// Parses `08:30-12:00`; nil when malformed or when the end is not after the start.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "-")
        guard parts.count == 2,
              let s = TimeOfDay(parts[0].trimmingCharacters(in: .whitespaces)),
              let e = TimeOfDay(parts[1].trimmingCharacters(in: .whitespaces)), s < e else { return nil }
        self.init(start: s, end: e)
    }

    public var description: String { "\(start)-\(end)" }
}
