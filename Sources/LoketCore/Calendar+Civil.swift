// Conversions between instants (UTC `Date`) and a location's wall clock.
import Foundation

extension TimeZone {
    /// Belgium's zone, the default for every location.
    public static let brussels = TimeZone(identifier: "Europe/Brussels")!
}

/// Converts between instants and civil dates/times in one time zone.
public struct CivilClock: Sendable {
    public let timeZone: TimeZone
    private let calendar: Calendar

    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
        var c = Calendar(identifier: .gregorian)
        c.timeZone = timeZone
        self.calendar = c
    }

    /// The civil date of `instant` in this zone.
    public func date(of instant: Date) -> CivilDate {
        // The zone's offset at the instant, then whole local days, as `iso8601` reads it:
        // Calendar.dateComponents cost a ticket more than the rest of its date arithmetic.
        let secs = Int((instant.timeIntervalSince1970 + Double(timeZone.secondsFromGMT(for: instant))).rounded(.down))
        return CivilDate(dayNumber: floorDiv(secs, 86400))
    }

    /// Minutes after local midnight of `instant` (wall clock, so 0...1439).
    public func timeOfDay(of instant: Date) -> TimeOfDay {
        let c = calendar.dateComponents([.hour, .minute], from: instant)
        return TimeOfDay(minutes: c.hour! * 60 + c.minute!)
    }

    /// The instant at which the wall clock shows `time` on `date`.
    ///
    /// A wall time skipped by a daylight-saving jump (02:30 on the last Sunday of March)
    /// maps to the instant just after the jump; a repeated one (October) to its first occurrence.
    public func instant(_ date: CivilDate, _ time: TimeOfDay) -> Date {
        let local = date.dayNumber * 86400 + time.minutes * 60
        // Zones change offset at most once around a day: try the offsets in force a day
        // before and a day after, and keep the earliest reading that is consistent.
        let before = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(local - 86400)))
        let after = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(local + 86400)))
        for offset in Set([before, after]).sorted(by: >) {
            let u = Date(timeIntervalSince1970: Double(local - offset))
            if timeZone.secondsFromGMT(for: u) == offset { return u }
        }
        // In the gap of a spring-forward jump: read with the old offset, which lands after the jump.
        return Date(timeIntervalSince1970: Double(local - before))
    }

    /// Local midnight starting `date`.
    public func startOfDay(_ date: CivilDate) -> Date { instant(date, TimeOfDay(minutes: 0)) }

    /// ISO 8601 with the zone's offset, e.g. `2026-12-01T08:30:00+01:00`.
    public func iso8601(_ instant: Date) -> String {
        // Written digit by digit: availability answers format hundreds of these per request.
        let offset = timeZone.secondsFromGMT(for: instant)
        let secs = Int((instant.timeIntervalSince1970 + Double(offset)).rounded(.down))
        let dayNumber = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400
        let day = CivilDate(dayNumber: dayNumber)
        let s = secs - dayNumber * 86400
        var out = [UInt8](repeating: 0, count: 25)
        func put(_ value: Int, _ width: Int, at index: Int) {
            var v = value
            for k in stride(from: index + width - 1, through: index, by: -1) {
                out[k] = UInt8(48 + v % 10)
                v /= 10
            }
        }
        put(day.year, 4, at: 0); out[4] = 45; put(day.month, 2, at: 5); out[7] = 45; put(day.day, 2, at: 8)
        out[10] = 84; put(s / 3600, 2, at: 11); out[13] = 58; put((s % 3600) / 60, 2, at: 14); out[16] = 58; put(s % 60, 2, at: 17)
        let o = abs(offset)
        out[19] = offset < 0 ? 45 : 43; put(o / 3600, 2, at: 20); out[22] = 58; put((o % 3600) / 60, 2, at: 23)
        return String(decoding: out, as: UTF8.self)
    }
}

/// Parses ISO 8601 date-times with an offset or `Z` (`2026-12-01T08:30:00+01:00`); nil otherwise.
public func parseInstant(_ text: String) -> Date? {
    // YYYY-MM-DDTHH:MM(:SS(.fff)?)?(Z|+HH:MM|-HH:MM)
    let chars = Array(text.utf8)
    guard chars.count >= 17, let date = CivilDate(String(decoding: chars[0..<10], as: UTF8.self)),
          chars[10] == UInt8(ascii: "T") || chars[10] == UInt8(ascii: " ") else { return nil }
    var i = 11
    func num(_ n: Int) -> Int? {
        guard i + n <= chars.count else { return nil }
        var v = 0
        for k in 0..<n {
            let c = chars[i + k]
            guard c >= 48, c <= 57 else { return nil }
            v = v * 10 + Int(c - 48)
        }
        i += n
        return v
    }
    guard let hh = num(2), i < chars.count, chars[i] == UInt8(ascii: ":") else { return nil }
    i += 1
    guard let mm = num(2) else { return nil }
    var ss = 0
    if i < chars.count, chars[i] == UInt8(ascii: ":") {
        i += 1
        guard let s = num(2) else { return nil }
        ss = s
        if i < chars.count, chars[i] == UInt8(ascii: ".") {
            i += 1
            while i < chars.count, chars[i] >= 48, chars[i] <= 57 { i += 1 }
        }
    }
    guard hh < 24, mm < 60, ss < 60, i < chars.count else { return nil }
    var offset = 0
    if chars[i] == UInt8(ascii: "Z") || chars[i] == UInt8(ascii: "z") {
        i += 1
    } else if chars[i] == UInt8(ascii: "+") || chars[i] == UInt8(ascii: "-") {
        let sign = chars[i] == UInt8(ascii: "-") ? -1 : 1
        i += 1
        guard let oh = num(2) else { return nil }
        if i < chars.count, chars[i] == UInt8(ascii: ":") { i += 1 }
        guard let om = num(2), oh < 24, om < 60 else { return nil }
        offset = sign * (oh * 3600 + om * 60)
    } else {
        return nil
    }
    guard i == chars.count else { return nil }
    let secs = date.dayNumber * 86400 + hh * 3600 + mm * 60 + ss - offset
    return Date(timeIntervalSince1970: Double(secs))
}
